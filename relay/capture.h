/* SPDX-License-Identifier: MIT */
/* The --capture file: a faithful record of both streams of every attempt,
 * so that `vsorelay replay FILE` reaches the same verdict as the run.
 *
 *   vsorelay-capture 1\n
 *   @attempt N\n
 *   @stdout LEN\n<LEN bytes>     (and @stderr), in the order they were read
 *
 * Secret values are masked as "***" before they reach the file. */
#ifndef VSO_CAPTURE_H
#define VSO_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define VSO_CAPTURE_MAGIC "vsorelay-capture 1\n"

enum { VSO_STREAM_STDOUT = 0, VSO_STREAM_STDERR = 1 };

/* Reading: fed the file's bytes in chunks, calls back with each record's
 * payload (in pieces) and each new attempt. */
typedef struct vso_capture_reader {
  /* public */
  void *ctx;
  void (*data)(void *ctx, int stream, const char *p, size_t n);
  void (*attempt)(void *ctx, int attempt);
  /* read-only */
  bool bad;
  char error[128];            /* why it is not a capture, once bad */
  /* private */
  vso_buf header;
  int stream;
  unsigned long long remaining;
  bool magic_done;
} vso_capture_reader;

/* Returns false once the input is not a well-formed capture (error says why). */
bool vso_capture_feed(vso_capture_reader *r, const char *p, size_t n);
bool vso_capture_finish(vso_capture_reader *r);
void vso_capture_reader_free(vso_capture_reader *r);

/* Writing. */
typedef struct vso_capture_writer {
  /* read-only */
  int error;                  /* the first errno; later writes are dropped */
  /* private */
  int fd;
} vso_capture_writer;

bool vso_capture_open(vso_capture_writer *w, const char *path);
void vso_capture_attempt(vso_capture_writer *w, int attempt);
void vso_capture_write(vso_capture_writer *w, int stream, const char *p, size_t n);
bool vso_capture_close(vso_capture_writer *w);

#endif
