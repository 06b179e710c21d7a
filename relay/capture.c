/* SPDX-License-Identifier: MIT */
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "platform.h"
#include "writer.h"

static bool reader_fail(vso_capture_reader *r, const char *why) {
  r->bad = true;
  snprintf(r->error, sizeof r->error, "%s", why);
  return false;
}

/* One header line, without its '\n': "@stdout 12" or "@attempt 2". */
static bool read_header(vso_capture_reader *r, const char *h, size_t n) {
  char line[64];
  if (n >= sizeof line) return reader_fail(r, "record header too long");
  memcpy(line, h, n);
  line[n] = '\0';
  char word[16];
  unsigned long long value;
  char extra;
  if (sscanf(line, "@%15s %llu%c", word, &value, &extra) != 2) return reader_fail(r, "malformed record header");
  if (strcmp(word, "attempt") == 0) {
    if (r->attempt) r->attempt(r->ctx, (int)value);
    return true;
  }
  if (strcmp(word, "stdout") == 0) r->stream = VSO_STREAM_STDOUT;
  else if (strcmp(word, "stderr") == 0) r->stream = VSO_STREAM_STDERR;
  else return reader_fail(r, "unknown record type");
  r->remaining = value;
  return true;
}

bool vso_capture_feed(vso_capture_reader *r, const char *p, size_t n) {
  while (n > 0 && !r->bad) {
    if (r->remaining) {
      size_t take = n < r->remaining ? n : (size_t)r->remaining;
      if (r->data) r->data(r->ctx, r->stream, p, take);
      r->remaining -= take;
      p += take;
      n -= take;
      continue;
    }
    const char *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) + 1 : n;
    if (r->header.len + take > 128) return reader_fail(r, "record header too long");
    if (!vso_buf_append(&r->header, p, take)) return reader_fail(r, "out of memory");
    p += take;
    n -= take;
    if (!nl) break;
    if (!r->magic_done) {
      if (r->header.len != strlen(VSO_CAPTURE_MAGIC) || memcmp(r->header.data, VSO_CAPTURE_MAGIC, r->header.len))
        return reader_fail(r, "not a vsorelay capture");
      r->magic_done = true;
    } else if (!read_header(r, r->header.data, r->header.len - 1)) {
      return false;
    }
    vso_buf_clear(&r->header);
  }
  return !r->bad;
}

bool vso_capture_finish(vso_capture_reader *r) {
  if (r->bad) return false;
  if (r->remaining || r->header.len) return reader_fail(r, "the capture ends inside a record");
  return true;
}

void vso_capture_reader_free(vso_capture_reader *r) { vso_buf_free(&r->header); }

bool vso_capture_open(vso_capture_writer *w, const char *path) {
  w->error = 0;
  /* the capture may hold everything the step printed: a new private file,
   * replacing whatever was there (a link is replaced, not followed) */
  w->fd = vso_create_replacing(path);
  if (w->fd < 0) return false;
  w->error = vso_write_all(w->fd, VSO_CAPTURE_MAGIC, strlen(VSO_CAPTURE_MAGIC));
  return w->error == 0 || (errno = w->error, false);
}

static void put(vso_capture_writer *w, const void *p, size_t n) {
  if (w->fd >= 0 && !w->error) w->error = vso_write_all(w->fd, p, n);
}

void vso_capture_attempt(vso_capture_writer *w, int attempt) {
  char h[64];
  int n = snprintf(h, sizeof h, "@attempt %d\n", attempt);
  put(w, h, (size_t)n);
}

void vso_capture_write(vso_capture_writer *w, int stream, const char *p, size_t n) {
  if (!n) return;
  char h[64];
  int hn = snprintf(h, sizeof h, "@%s %zu\n", stream == VSO_STREAM_STDOUT ? "stdout" : "stderr", n);
  put(w, h, (size_t)hn);
  put(w, p, n);
}

bool vso_capture_close(vso_capture_writer *w) {
  if (w->fd < 0) return w->error == 0;
  if (close(w->fd) != 0 && !w->error) w->error = errno;
  w->fd = -1;
  return w->error == 0;
}
