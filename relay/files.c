/* SPDX-License-Identifier: MIT */
/* Atomic replacement of the files vsorelay leaves behind (files.h), on the
 * platform's steps (platform.h). */
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "text.h"
#include "writer.h"

static void err_path(vso_buf *err, const char *path) {
  vso_buf_append_char(err, '\'');
  vso_quote(NULL, path, strlen(path), err);
  vso_buf_append_char(err, '\'');
}

static void err_errno(vso_buf *err, const char *what, const char *path, int e) {
  vso_buf_append_str(err, what);
  if (path) {
    vso_buf_append_char(err, ' ');
    err_path(err, path);
  }
  vso_buf_append_str(err, ": ");
  vso_buf_append_str(err, strerror(e));
}

/* Creates the temporary file that write_atomically renames over path:
 * ".NAME.XXXXXX" in path's directory.  Returns its descriptor and its name
 * in *tmpl, or -1 with err set. */
static int create_temporary(const char *path, vso_buf *tmpl, vso_buf *err) {
  size_t plen = strlen(path);
  if (plen == 0) {
    vso_buf_append_str(err, "the path is empty");
    return -1;
  }
  if (vso_is_separator(path[plen - 1])) {
    vso_buf_append_str(err, "the path ");
    err_path(err, path);
    vso_buf_append_str(err, " names a directory, not a file");
    return -1;
  }
  const char *slash = NULL; /* the last separator */
  for (const char *c = path; *c; c++)
    if (vso_is_separator(*c)) slash = c;
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0; /* with its '/' */
  vso_buf dir = {0};
  bool ok = vso_buf_append(tmpl, path, dirlen) && vso_buf_append_char(tmpl, '.') &&
            vso_buf_append_str(tmpl, path + dirlen) && vso_buf_append_str(tmpl, ".XXXXXX") &&
            (slash ? vso_buf_append(&dir, path, dirlen > 1 ? dirlen - 1 : dirlen) : vso_buf_append_str(&dir, "."));
  int fd = ok ? vso_open_temporary(tmpl->data) : -1;
  int e = ok ? errno : ENOMEM;
  if (!ok) vso_buf_append_str(err, "out of memory");
  else if (fd < 0) err_errno(err, "cannot create a temporary file in the directory", dir.data, e);
  vso_buf_free(&dir);
  if (fd < 0) errno = e; /* the caller tells resources from paths by it */
  return fd;
}

/* A directory, a device, a pipe or a socket at path (not a link to one,
 * which would be replaced) must not be replaced by a file: said before
 * anything runs, not when the rename fails (or, as root, succeeds: /dev/null
 * made a regular file). */
static bool names_special_file(const char *path, vso_buf *err) {
  const char *what = vso_special_file(path);
  if (!what) return false;
  vso_buf_append_str(err, "the path ");
  err_path(err, path);
  vso_buf_appendf(err, " is %s: vsorelay writes a file by replacing its destination, and replaces only files", what);
  errno = strcmp(what, "a directory") == 0 ? EISDIR : EINVAL;
  return true;
}

bool vso_file_creatable(const char *path, vso_buf *err) {
  if (names_special_file(path, err)) return false;
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  int e = errno;
  bool ok = fd >= 0;
  if (ok && close(fd) != 0) {
    err_errno(err, "cannot close", tmpl.data, e = errno);
    ok = false;
  }
  if (fd >= 0 && remove(tmpl.data) != 0) {
    if (ok) err_errno(err, "cannot remove", tmpl.data, e = errno);
    ok = false;
  }
  vso_buf_free(&tmpl);
  errno = e;
  return ok;
}

int vso_create_replacing(const char *path) {
  vso_buf tmpl = {0}, err = {0};
  int fd = names_special_file(path, &err) ? -1 : create_temporary(path, &tmpl, &err);
  int e = errno;
  if (fd >= 0 && vso_replace(tmpl.data, path) != 0) { /* at once: the capture is there while the command runs */
    e = errno;
    close(fd);
    remove(tmpl.data);
    fd = -1;
  }
  vso_buf_free(&tmpl);
  vso_buf_free(&err);
  errno = e;
  return fd;
}

char *vso_destination_key(const char *path) {
  size_t n = strlen(path);
  while (n > 1 && vso_is_separator(path[n - 1])) n--; /* "dir/" is the directory itself */
  size_t base = n;
  while (base > 0 && !vso_is_separator(path[base - 1])) base--;
  vso_buf dir = {0};
  bool ok = base ? vso_buf_append(&dir, path, base > 1 ? base - 1 : base) : vso_buf_append_str(&dir, ".");
  char *real = ok ? vso_absolute_path(dir.data) : NULL;
  int e = ok ? errno : ENOMEM;
  vso_buf key = {0};
  ok = real && vso_buf_append_str(&key, real) && vso_buf_append_char(&key, '/') &&
       vso_buf_append(&key, path + base, n - base);
  if (real && !ok) e = ENOMEM;
  free(real);
  vso_buf_free(&dir);
  if (!ok) {
    vso_buf_free(&key);
    errno = e;
    return NULL;
  }
  return vso_buf_steal(&key, NULL);
}

bool vso_errno_is_resource(int e) { return e == EMFILE || e == ENFILE || e == ENOMEM || e == EAGAIN; }

bool vso_file_replace(const char *path, const char *data, size_t len, vso_buf *err) {
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  if (fd < 0) {
    vso_buf_free(&tmpl);
    return false;
  }
  const char *step = NULL;
  int e = 0;
  if ((e = vso_write_all(fd, data, len)) != 0) step = "cannot write";
  else if (vso_sync(fd) != 0) step = "cannot flush";
  if (step && !e) e = errno;
  if (close(fd) != 0 && !step) {
    step = "cannot close";
    e = errno;
  }
  if (!step && vso_replace(tmpl.data, path) != 0) {
    e = errno;
    vso_buf_append_str(err, "cannot rename ");
    err_path(err, tmpl.data);
    vso_buf_append_str(err, " to ");
    err_path(err, path);
    vso_buf_append_str(err, ": ");
    vso_buf_append_str(err, strerror(e));
    step = "rename";
  } else if (step) {
    err_errno(err, step, tmpl.data, e);
  }
  if (step && remove(tmpl.data) != 0 && errno != ENOENT) {
    vso_buf_append_str(err, "; and cannot remove it: ");
    vso_buf_append_str(err, strerror(errno));
  }
  vso_buf_free(&tmpl);
  return step == NULL;
}
