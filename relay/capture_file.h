/* SPDX-License-Identifier: MIT */
/* Writing the --capture file (its format: core/capture.h).  The file is a
 * new private file (mode 0600) that replaces whatever was at the path (a
 * link is replaced, not followed), created before the command runs and
 * written as the command's output arrives, so that it holds everything up
 * to a crash.  The first write error is kept; later records are dropped. */
#ifndef VSO_CAPTURE_FILE_H
#define VSO_CAPTURE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

typedef struct vso_capture_writer {
  /* read-only */
  int error;                  /* the first errno; later writes are dropped */
  /* private */
  int fd;
  vso_buf header_;
} vso_capture_writer;

/* Creates the file and writes its magic and the knobs the run reads with.
 * False with errno set. */
bool vso_capture_open(vso_capture_writer *w, const char *path, vso_knobs knobs);
/* Whole records built apart (capture_sources.c), before the first attempt. */
void vso_capture_records(vso_capture_writer *w, bool built, const vso_buf *records);
void vso_capture_attempt(vso_capture_writer *w, int attempt);
/* Bytes that hold no command, already masked. */
void vso_capture_write(vso_capture_writer *w, int stream, const char *p, size_t n);
/* One held line: its facts line, and its text as shown (masked, with its terminator). */
void vso_capture_line(vso_capture_writer *w, int stream, const vso_buf *facts, const char *text, size_t n);
void vso_capture_end(vso_capture_writer *w, int stream, uint64_t bytes, uint64_t lines);
/* A secret masked the attempt's listing out of shape (announce.h). */
void vso_capture_listing_masked(vso_capture_writer *w);
/* A secret value's legs against the announcement, as the run judged them (@legs). */
void vso_capture_legs(vso_capture_writer *w, int stream, uint64_t line_no, bool same);
void vso_capture_encoding(vso_capture_writer *w, int stream, vso_stream_encoding e);
/* Closes the file: false when any write failed (error says why). */
bool vso_capture_close(vso_capture_writer *w);

#endif
