/* SPDX-License-Identifier: MIT */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* A C runtime without close-on-exec (Windows' msvcrt) has "not inherited",
 * and a text mode that would rewrite line ends and stop at a Ctrl-Z byte. */
#if !defined(O_CLOEXEC) && defined(_O_NOINHERIT)
#define O_CLOEXEC (_O_NOINHERIT | _O_BINARY)
#endif

int vso_read_file(const char *path, size_t max, vso_buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    /* Windows refuses to open a directory at all (EACCES): say what it is */
    int e = errno;
    struct stat st;
    if (e == EACCES && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) e = EISDIR;
    return e;
  }
  struct stat st;
  /* refuse an oversized regular file before reading any of it */
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
    close(fd);
    return EFBIG;
  }
  size_t start = out->len;
  int rc = 0;
  for (;;) {
    if (!vso_buf_reserve(out, 65536)) {
      rc = ENOMEM;
      break;
    }
    ssize_t got = read(fd, out->data + out->len, 65536);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      rc = errno;
      break;
    }
    if (got == 0) break;
    out->len += (size_t)got;
    out->data[out->len] = '\0';
    if (out->len - start > max) {
      rc = EFBIG;
      break;
    }
  }
  if (close(fd) != 0 && !rc) rc = errno;
  return rc;
}
