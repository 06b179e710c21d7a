/* SPDX-License-Identifier: MIT */
/* Reports of a run or a replay: the readable summary, the JSON report
 * (--report), the Markdown summary (--summary) and the verdict lines. */
#ifndef VSO_REPORT_H
#define VSO_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "buf.h"
#include "expect.h"
#include "manifest.h"

typedef struct vso_stream_stats {
  const char *name;   /* "stdout", "stderr", or a file name */
  uint64_t bytes;
  uint64_t lines;
} vso_stream_stats;

typedef struct vso_outcome {
  const char *mode;           /* "run" or "replay" */
  char **command;             /* run: the command; replay: the files */
  int ncommand;
  int attempts;               /* run: attempts made (1 + retries used) */
  bool child_exited;          /* run: the child's status is known */
  int exit_status;            /* run: the child's exit status */
  int term_signal;            /* run: the signal that ended the child, or 0 */
  bool timed_out;             /* run: --timeout expired */
  bool output_truncated;      /* run: the pipes were still open at the drain timeout */
  int stopped_by_signal;      /* run: vsorelay was stopped by this signal, or 0 */
  double duration;            /* seconds */
  vso_stream_stats streams[8];
  size_t nstreams;
  const vso_analysis *analysis;
  const vso_expect_set *expect;
  const vso_manifest_result *manifest;  /* may be NULL */
  bool decode_percents;
  const char *verdict;        /* "passed", "expectations-failed", "command-failed", ... */
  int exit_code;
} vso_outcome;

/* The readable summary of `replay` (to stdout). */
void vso_print_summary(FILE *f, const vso_outcome *o);
/* Whether a report could be written to path: a temporary file can be
 * created (and is removed) in its directory.  Checked before the command
 * runs, so that a mistyped --report or --summary fails at once, not after
 * the variables were re-emitted. */
bool vso_report_path_usable(const char *path, vso_buf *err);
/* The JSON report (--report).  False with err set when it cannot be written. */
bool vso_write_report(const char *path, const vso_outcome *o, vso_buf *err);
/* The Markdown summary (--summary). */
bool vso_write_markdown(const char *path, const vso_outcome *o, vso_buf *err);
/* One line per unmet expectation, each already safe for a logissue message. */
bool vso_unmet_messages(const vso_outcome *o, char ***lines, size_t *n);

#endif
