/* SPDX-License-Identifier: MIT */
#include "writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "platform.h"
#include "text.h"

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
      int e = vso_wait_writable(fd);
      if (e) return e;
      continue;
    }
    return w < 0 ? errno : EIO;
  }
  return 0;
}

bool vso_out_write(vso_out *o, const void *p, size_t n) {
  if (o->error) return false;
  if (n == 0) return true;
  o->error = vso_write_all(o->fd, p, n);
  char last = ((const char *)p)[n - 1];
  o->mid_line = last != '\n' && last != '\r';
  return o->error == 0;
}

bool vso_out_line_start(vso_out *o) { return !o->mid_line || vso_out_write(o, "\n", 1); }

bool vso_out_command(vso_out *o, const vso_secrets *secrets, vso_own_command kind, const char *message) {
  vso_buf line = {0}, quoted = {0};
  bool ok = vso_quote(secrets, message, strlen(message), &quoted) &&
            vso_dialect_command(&line, kind, quoted.data ? quoted.data : "", quoted.len) && vso_out_line_start(o) &&
            vso_out_write(o, line.data, line.len);
  vso_buf_free(&line);
  vso_buf_free(&quoted);
  return ok;
}


void vso_warn(const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
  vso_buf line = {0};
  bool ok = vso_buf_append_str(&line, "vsorelay: ") && vso_deactivate(msg, len, &line);
  for (size_t i = 0; ok && i < line.len; i++)
    if (line.data[i] == '\r' || line.data[i] == '\n') line.data[i] = ' ';
  ok = ok && vso_buf_append_char(&line, '\n');
  /* best effort: there is nowhere else to report a failing stderr */
  if (ok) (void)vso_write_all(STDERR_FILENO, line.data, line.len);
  vso_buf_free(&line);
}
