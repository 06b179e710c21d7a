/* SPDX-License-Identifier: MIT */
/* The live side of `run`: each of the command's streams read through its
 * own scanner into one analysis, and what reaches the agent as it happens.
 *
 *   bytes without a command   -> the step's stdout/stderr at once (and the capture)
 *   a held task.setvariable   -> a neutralised copy now ("**vso..."), the command
 *                                itself only when the verdict is passed
 *   any other command         -> through, as the agent would have read it
 *
 * Then, after the verdict, the release of the held variables (all or
 * nothing) or the failure in the agent's own terms. */
#ifndef VSO_LIVE_H
#define VSO_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "announce.h"
#include "capture_file.h"
#include "expect.h"
#include "outcome.h"
#include "policy.h"
#include "scan.h"
#include "writer.h"

enum { VSO_LIVE_STREAMS = 2 };

typedef struct vso_live vso_live;

typedef struct vso_live_stream {
  /* private */
  vso_live *live_;
  int index_;
  const char *name_;      /* "stdout" or "stderr" */
  vso_out *out_;          /* where this stream is relayed to */
  vso_scanner scanner_;
  vso_announce_reader reader_;  /* the generator's announcement on this stream */
  vso_buf capture_tail_;  /* passed bytes that may begin a secret, not yet in the capture */
  vso_scanner shown_;     /* with --capture: reads the listing as the capture keeps it */
  vso_announce_reader shown_reader_;
} vso_live_stream;

struct vso_live {
  /* public: set before the first attempt */
  bool stream_mode;               /* --stream: task.setvariable goes through live too */
  bool full_copies;               /* --verbose or SYSTEM_DEBUG: a held command's live copy is
                                     the whole line, neutralised, not the short one */
  vso_knobs knobs;                /* knobs.under_agent: a logissue is not repeated on stderr */
  const vso_policy *policy;       /* --restrict, --allow-variables */
  vso_capture_writer *capture;    /* --capture, or NULL */
  bool read_announcement;         /* read the generator's announcement (not --no-announced) */
  const vso_expect_set *expect;   /* the expected names: the capture names a masked one by its index */
  /* read-only */
  vso_out out;                    /* the step's stdout */
  vso_out *err;                   /* the step's stderr (vso_stderr(), shared with vso_warn) */
  vso_analysis analysis;          /* of the current attempt */
  vso_announcement announcement;  /* the generator's, in the current attempt's output, or
                                     an earlier attempt's when this one announced nothing */
  bool announcement_carried;      /* it is an earlier attempt's */
  vso_buf held_completes;         /* the command's own task.complete lines, held */
  bool failed;                    /* memory ran out while relaying */
  bool stdout_unreadable;         /* set by run: the agent decodes stdout as UTF-16/32, so
                                     vsorelay's own commands go on stderr */
  uint64_t unshown_bytes;         /* of command lines that could not be held: not shown */
  uint64_t bytes[VSO_LIVE_STREAMS], lines[VSO_LIVE_STREAMS]; /* over every attempt */
  /* private */
  vso_live_stream streams_[VSO_LIVE_STREAMS];
  vso_announcement earlier_announcement_; /* the last attempt's that announced anything */
  vso_announcement shown_announcement_;   /* the listing as replay of the capture will read it */
};

void vso_live_init(vso_live *l);
/* A new attempt: a fresh analysis and scanners; the capture marks it. */
void vso_live_attempt(vso_live *l, int attempt);
/* vso_child_io's callbacks (ctx is the vso_live). */
void vso_live_data(void *ctx, int stream, const char *p, size_t n);
void vso_live_end(void *ctx, int stream, bool cut);
/* The attempt is over: its byte and line counts are added up. */
void vso_live_attempt_done(vso_live *l);
/* Once the attempt is judged: what the capture cannot show, a secret
 * value's legs against the announcement, as found (@legs). */
void vso_live_capture_legs(vso_live *l, const vso_expect_set *set);
/* The held task.setvariable commands, each as it arrived, then the
 * command's own task.complete; with only, just the last set of each name it
 * expects (--stream).  False when stdout failed or memory ran out. */
bool vso_live_release(vso_live *l, const vso_expect_set *only);
/* An error (or a warning) of vsorelay's own for the step: a task.logissue
 * on stdout, and the same words on stderr unless the agent reads the step
 * (knobs.under_agent), which shows the logissue: once in its log.  text is
 * vsorelay's words (verdict.h), without the "vsorelay: " prefix. */
bool vso_live_issue(vso_live *l, bool error, const char *text);
/* A fold of the log starts with title (##[group]), or ends (title NULL). */
bool vso_live_group(vso_live *l, const char *title);
/* Why no variable is set: one error per unmet expectation (vso_live_issue),
 * then task.complete result=Failed with their count. */
void vso_live_fail_step(vso_live *l, const vso_outcome *o);
void vso_live_free(vso_live *l);

#endif
