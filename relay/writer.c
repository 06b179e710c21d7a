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

/* The start of a stream the agent reads: held until VSO_ENCODING_BYTES
 * bytes can go out in one write (at most PIPE_BUF bytes, which a pipe takes
 * whole), so that the agent's first read holds them all.  Returns how much of
 * p[0..n) went out with them (all of it while they are held). */
static size_t write_head(vso_out *o, const char *p, size_t n) {
  size_t take = VSO_ENCODING_BYTES - o->head_len_;
  if (n < take) {
    memcpy(o->head_ + o->head_len_, p, n);
    o->head_len_ += n;
    return n;
  }
  unsigned char first[512];
  size_t k = n < sizeof first - o->head_len_ ? n : sizeof first - o->head_len_;
  memcpy(first, o->head_, o->head_len_);
  memcpy(first + o->head_len_, p, k);
  o->encoding = vso_stream_encoding_of(first, o->head_len_ + k, false);
  o->error = vso_write_all(o->fd, first, o->head_len_ + k);
  o->head_len_ = 0;
  return k;
}

bool vso_out_write(vso_out *o, const void *p, size_t n) {
  if (o->error) return false;
  if (n == 0) return true;
  char last = ((const char *)p)[n - 1];
  o->mid_line = last != '\n' && last != '\r';
  size_t done = o->agent_reads && o->encoding == VSO_ENC_UNDECIDED ? write_head(o, p, n) : 0;
  if (!o->error && done < n) o->error = vso_write_all(o->fd, (const char *)p + done, n - done);
  return o->error == 0;
}

vso_stream_encoding vso_out_encoding(const vso_out *o) {
  if (o->encoding != VSO_ENC_UNDECIDED) return o->encoding;
  return vso_stream_encoding_of(o->head_, o->head_len_, true);
}

bool vso_out_flush(vso_out *o) {
  if (o->error) return false;
  if (!o->agent_reads || o->encoding != VSO_ENC_UNDECIDED) return true;
  o->encoding = vso_stream_encoding_of(o->head_, o->head_len_, true);
  if (o->head_len_) o->error = vso_write_all(o->fd, o->head_, o->head_len_);
  o->head_len_ = 0;
  return o->error == 0;
}

bool vso_out_line_start(vso_out *o) { return !o->mid_line || vso_out_write(o, "\n", 1); }

/* Masks, in place of what ends each "..." of masked (where a quotation was
 * cut), a beginning of a secret: the rest of it was cut away, after or
 * before the secret was registered.  Whole secrets were masked before. */
/* Where "..." next starts in p[from..n), or NULL (memmem is not standard C). */
static const char *next_cut(const char *p, size_t n, size_t from) {
  for (const char *q = p + from; q + 3 <= p + n && (q = memchr(q, '.', (size_t)(p + n - q))); q++)
    if (q + 3 <= p + n && q[1] == '.' && q[2] == '.') return q;
  return NULL;
}

static bool mask_cut_ends(const vso_secrets *secrets, const vso_buf *masked, vso_buf *out) {
  static const char cut[] = "...";
  const char *p = masked->data ? masked->data : "";
  size_t n = masked->len, from = 0;
  bool ok = true;
  for (const char *dots; ok && (dots = next_cut(p, n, from));) {
    size_t at = (size_t)(dots - p), done = at;
    vso_buf head = {0};
    ok = vso_mask_complete(secrets, p + from, at - from, &head, &done) &&
         vso_buf_append(out, p + from, done) && (done == at - from || vso_buf_append_str(out, "***"));
    vso_buf_free(&head);
    ok = ok && vso_buf_append_str(out, cut);
    from = at + sizeof cut - 1;
  }
  return ok && vso_buf_append(out, p + from, n - from);
}

bool vso_inert_line(const vso_secrets *secrets, const char *p, size_t n, vso_buf *out) {
  vso_buf masked = {0}, ends = {0}, inert = {0};
  bool none = !secrets || vso_secrets_empty(secrets);
  bool ok = none ? vso_buf_append(&masked, p, n) : vso_mask(secrets, p, n, &masked) && mask_cut_ends(secrets, &masked, &ends);
  const vso_buf *safe = none ? &masked : &ends;
  ok = ok && vso_deactivate(safe->data ? safe->data : "", safe->len, &inert);
  for (size_t i = 0; ok && i < inert.len; i++)
    if ((unsigned char)inert.data[i] < 0x20 || inert.data[i] == 0x7F) inert.data[i] = ' ';
  ok = ok && vso_buf_append(out, inert.data ? inert.data : "", inert.len);
  vso_buf_free(&masked);
  vso_buf_free(&ends);
  vso_buf_free(&inert);
  return ok;
}

bool vso_out_command(vso_out *o, const vso_secrets *secrets, vso_own_command kind, const char *message) {
  vso_buf line = {0}, safe = {0};
  bool ok = vso_inert_line(secrets, message, strlen(message), &safe) &&
            vso_dialect_command(&line, kind, safe.data ? safe.data : "", safe.len) && vso_out_line_start(o) &&
            vso_out_write(o, line.data, line.len);
  vso_buf_free(&line);
  vso_buf_free(&safe);
  return ok;
}

vso_out *vso_stderr(void) {
  static vso_out err = {.fd = STDERR_FILENO, .name = "stderr"};
  return &err;
}

void vso_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vso_buf msg = {0};
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  bool ok = n >= 0 && vso_buf_reserve(&msg, (size_t)n + 1);
  if (ok) {
    va_start(ap, fmt);
    vsnprintf(msg.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    msg.len = (size_t)n;
  }
  vso_buf line = {0};
  ok = ok && vso_buf_append_str(&line, "vsorelay: ") && vso_deactivate(msg.data, msg.len, &line);
  for (size_t i = 0; ok && i < line.len; i++)
    if (line.data[i] == '\r' || line.data[i] == '\n') line.data[i] = ' ';
  ok = ok && vso_buf_append_char(&line, '\n');
  /* on a line of its own: glued to the command's unterminated last line on
   * stderr it would be that line's text, or a live command's data; best
   * effort: there is nowhere else to report a failing stderr */
  vso_out *err = vso_stderr();
  if (ok) (void)(vso_out_line_start(err) && vso_out_write(err, line.data, line.len));
  else (void)(vso_out_line_start(err) && vso_out_write(err, "vsorelay: out of memory\n", 24));
  vso_buf_free(&line);
  vso_buf_free(&msg);
}
