/* SPDX-License-Identifier: MIT */
#include "capture_file.h"

#include <errno.h>
#include <unistd.h>

#include "files.h"
#include "platform.h"
#include "writer.h"

/* The record built in header_ so far, then p[0..n) (not copied: a 64 MiB
 * line is written from where it lies). */
static void put(vso_capture_writer *w, bool built, const char *p, size_t n) {
  if (!built && !w->error) w->error = ENOMEM;
  if (w->fd >= 0 && !w->error) w->error = vso_write_all(w->fd, w->header_.data, w->header_.len);
  if (w->fd >= 0 && !w->error && n) w->error = vso_write_all(w->fd, p, n);
  vso_buf_clear(&w->header_);
}

bool vso_capture_open(vso_capture_writer *w, const char *path, vso_knobs knobs) {
  *w = (vso_capture_writer){.fd = vso_create_replacing(path)};
  if (w->fd < 0) return false;
  put(w, vso_capture_put_magic(&w->header_, knobs), NULL, 0);
  return w->error == 0 || (errno = w->error, false);
}

void vso_capture_records(vso_capture_writer *w, bool built, const vso_buf *records) {
  put(w, built, records->data, records->len);
}

void vso_capture_attempt(vso_capture_writer *w, int attempt) {
  put(w, vso_capture_put_attempt(&w->header_, attempt), NULL, 0);
}

void vso_capture_write(vso_capture_writer *w, int stream, const char *p, size_t n) {
  if (n) put(w, vso_capture_put_data(&w->header_, stream, n), p, n);
}

void vso_capture_line(vso_capture_writer *w, int stream, const vso_buf *facts, const char *text, size_t n) {
  put(w, vso_capture_put_line(&w->header_, stream, facts, n), text, n);
}

void vso_capture_end(vso_capture_writer *w, int stream, uint64_t bytes, uint64_t lines) {
  put(w, vso_capture_put_end(&w->header_, stream, bytes, lines), NULL, 0);
}

void vso_capture_listing_masked(vso_capture_writer *w) { put(w, vso_capture_put_listing_masked(&w->header_), NULL, 0); }

void vso_capture_legs(vso_capture_writer *w, int stream, uint64_t line_no, bool same) {
  put(w, vso_capture_put_legs(&w->header_, stream, line_no, same), NULL, 0);
}

void vso_capture_encoding(vso_capture_writer *w, int stream, vso_stream_encoding e) {
  put(w, vso_capture_put_encoding(&w->header_, stream, e), NULL, 0);
}

bool vso_capture_close(vso_capture_writer *w) {
  vso_buf_free(&w->header_);
  if (w->fd < 0) return w->error == 0;
  if (close(w->fd) != 0 && !w->error) w->error = errno;
  w->fd = -1;
  return w->error == 0;
}
