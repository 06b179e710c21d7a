#include "writer.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

int vso_write_all(int fd, const void *p, size_t n) {
  const char *q = p;
  while (n > 0) {
    ssize_t w = write(fd, q, n);
    if (w > 0) {
      q += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd = {.fd = fd, .events = POLLOUT};
      if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return errno;
      continue;
    }
    return w < 0 ? errno : EIO;
  }
  return 0;
}

bool vso_out_write(vso_out *o, const void *p, size_t n) {
  if (o->error) return false;
  o->error = vso_write_all(o->fd, p, n);
  return o->error == 0;
}

bool vso_out_puts(vso_out *o, const char *s) { return vso_out_write(o, s, strlen(s)); }
