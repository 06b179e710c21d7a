/* SPDX-License-Identifier: MIT */
/* The state of `vsorelay replay`, shared by cmd_replay.c (the sequence,
 * plain logs, JSON Lines) and replay_capture.c (--capture files). */
#ifndef VSO_REPLAY_H
#define VSO_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "announce.h"
#include "capture.h"
#include "expect.h"
#include "options.h"
#include "policy.h"
#include "scan.h"

/* One stream: a plain log, or one of the two streams of a capture. */
typedef struct replay_stream {
  vso_scanner scanner;
  vso_announce_reader reader; /* the generator's announcement in this stream */
  char *name;                 /* quoted: it reaches reports and diagnostics */
  vso_analysis *analysis;
  bool lines_from_facts;      /* a version 2 capture: its held lines are read from their
                                 @line records; the scanner only finds the announcement */
  /* the stream's first bytes, for the agent's reading of its encoding
   * (judge_head: a plain log, or a version 1 capture's stdout) */
  unsigned char head[VSO_ENCODING_BYTES];
  size_t head_len;
  bool judge_head;
  /* a version 2 capture: what the run counted, over every attempt (@end) */
  bool ended;
  uint64_t end_bytes, end_lines;
} replay_stream;

typedef struct replay {
  const vso_options *opts;
  vso_expect_set *expect;        /* a capture names a masked variable by its index here */
  struct vso_sources *sources;   /* a capture may add the expectations the run took from
                                    ImageBuilder's arguments (@imagebuilder, @matrix) */
  vso_knobs knobs;               /* the options', or those a capture records */
  vso_analysis analysis;
  vso_announcement announcement; /* of the last attempt (of an earlier one when the last
                                    announced nothing, as in run) */
  vso_announcement earlier_announcement; /* the last attempt's that announced anything */
  bool read_announcement;
  vso_policy policy;
  replay_stream **streams;       /* each allocated apart: scanners point at them */
  size_t nstreams;
  int attempt;
  vso_stream_encoding stdout_encoding; /* a capture's @encoding, or a plain log's first bytes */
  bool json_failed;
} replay;

/* A stream named name (quoted here); false when memory runs out. */
bool vso_replay_add_stream(replay *r, const char *name);
/* A fresh scanner for the stream (a new attempt), watching for the
 * announcement when it is read; false when it cannot watch. */
bool vso_replay_start_scanner(replay *r, replay_stream *s);
/* Keeps the first bytes of a stream (VSO_ENCODING_BYTES at most). */
void vso_replay_head(replay_stream *s, const char *p, size_t n);

/* The next chunk of fd (EINTR retried) in chunk, its size in *n (0 at the
 * end).  Returns 0, or the exit status with the reason said. */
int vso_replay_read(int fd, char *chunk, size_t size, const char *shown, size_t *n);
/* Reads a capture from fd into the streams first and first + 1 (added by
 * the caller), the first n bytes already read into chunk.  Returns 0, or
 * the exit status with the reason said. */
int vso_replay_capture(replay *r, int fd, const char *shown, size_t first, char *chunk, size_t size, size_t n);

#endif
