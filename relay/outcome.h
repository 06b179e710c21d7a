/* SPDX-License-Identifier: MIT */
/* The end of the data path, one for run and replay: the facts of what
 * happened, the verdict and exit status that follow from them, and the
 * files the step leaves behind, written in one order (outcome.c).
 *
 *   facts --vso_outcome_judge--> verdict, exit status
 *         --the sub-command emits (run: the held variables or the failure;
 *           replay: its listing)-->
 *         --vso_outcome_finish--> capture, summary, report
 *
 * A failure after the verdict (stdout gone, a file that cannot be written)
 * is applied to the outcome before the report is written, so that the
 * report's exitCode is always the status vsorelay exits with. */
#ifndef VSO_OUTCOME_H
#define VSO_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "announce.h"
#include "capture_file.h"
#include "expect.h"
#include "imagebuilder.h"
#include "sources.h"
#include "writer.h"

/* vsorelay's exit status.  When the command fails, its own status (1-255)
 * is passed through instead; these are the ones vsorelay gives itself. */
typedef enum vso_exit {
  VSO_EXIT_OK = 0,               /* the command succeeded, every expectation held */
  VSO_EXIT_USAGE = 2,            /* usage error, unreadable input, unwritable destination:
                                    found before anything ran */
  VSO_EXIT_UNMET = 3,            /* expectations not met: nothing re-emitted */
  VSO_EXIT_TIMEOUT = 124,        /* --timeout expired */
  VSO_EXIT_SELF = 125,           /* vsorelay itself failed */
  VSO_EXIT_CANNOT_EXECUTE = 126, /* the command is not executable */
  VSO_EXIT_NOT_FOUND = 127,      /* the command was not found */
  VSO_EXIT_SIGNAL = 128,         /* + N: the command died of signal N, or vsorelay was stopped by it */
} vso_exit;

/* A short name for an exit status ("ok", "usage", "unmet", ...,
 * "command-status" for a status passed through, "signal" for 128+N). */
const char *vso_exit_name(int status);

/* What the step amounts to; the report's "verdict". */
typedef enum vso_verdict {
  VSO_VERDICT_PASSED,
  VSO_VERDICT_EXPECTATIONS_FAILED,
  VSO_VERDICT_COMMAND_FAILED,
  VSO_VERDICT_TIMED_OUT,
  VSO_VERDICT_STOPPED_BY_SIGNAL,
  VSO_VERDICT_SPAWN_FAILED,
  VSO_VERDICT_VSORELAY_FAILED,
} vso_verdict;

/* "passed", "expectations-failed", ... (the report's words). */
const char *vso_verdict_name(vso_verdict v);

typedef enum vso_mode { VSO_MODE_RUN, VSO_MODE_REPLAY } vso_mode;

/* "run" or "replay". */
const char *vso_mode_name(vso_mode m);

/* What happened, from which the verdict follows.  A later feature's facts
 * go here too (what each failed attempt of --retries lost; the matrices the
 * generator announced against those that arrived), with their words in
 * summary.c and report.c. */
typedef struct vso_facts {
  bool met;               /* every expectation holds, and they could be checked */
  const char *unchecked;  /* static text: why the expectations could not be checked, or NULL
                             (vso_sources_unchecked) */
  bool own_failure;       /* vsorelay could not do its job (out of memory, a pipe, a file) */
  bool stdout_failed;     /* the step's stdout could not take what vsorelay wrote */
  int stop_signal;        /* run: vsorelay was stopped by this signal, or 0 */
  bool timed_out;         /* run: --timeout expired */
  int spawn_status;       /* run: 126 or 127 when the command could not be started, or 0 */
  bool child_exited;      /* run: the command's status is known */
  int exit_status;        /* run: its exit status */
  int term_signal;        /* run: the signal that ended it, or 0 */
  bool output_truncated;  /* run: the pipes were closed by force at the drain timeout */
  /* How the agent decodes the step's stdout (dialect.h): UTF-16 or UTF-32
   * (a byte-order mark at its start) means it reads no command in it, the
   * re-emitted ones included, so the step cannot pass. */
  vso_stream_encoding stdout_encoding;
} vso_facts;

/* Whether the agent reads no command in a stream of this encoding. */
bool vso_encoding_unreadable(vso_stream_encoding e);
/* Why (quoted, one line), for each expectation and the step's error. */
bool vso_unreadable_reason(vso_buf *out, const char *stream, vso_stream_encoding e);

typedef struct vso_stream_stats {
  const char *name;   /* "stdout", "stderr", or a replayed file's name */
  uint64_t bytes;
  uint64_t lines;
} vso_stream_stats;

enum { VSO_OUTCOME_MAX_STREAMS = 8 };

typedef struct vso_outcome {
  /* public: filled by the sub-command */
  vso_mode mode;
  char **command;                 /* run: the command; replay: the files */
  int ncommand;
  int attempts;                   /* run: attempts made (1 + retries used) */
  bool stream;                    /* run --stream: task.setvariable went through live */
  double duration;                /* seconds */
  vso_stream_stats streams[VSO_OUTCOME_MAX_STREAMS];
  size_t nstreams;
  vso_analysis *analysis;         /* of the last attempt */
  vso_expect_set *expect;
  const vso_manifest_result *manifest; /* NULL without a manifest (--manifest or ImageBuilder's) */
  const vso_sources *sources;     /* where the expected names came from */
  const vso_announcement *announcement; /* the generator's, of the last attempt; NULL when not read */
  vso_facts facts;
  /* read-only: set by vso_outcome_judge and kept true by every late failure */
  vso_verdict verdict;
  int exit_code;
} vso_outcome;

/* The verdict and exit status that follow from o->facts, in this order of
 * precedence: stopped by a signal, timed out, vsorelay's own failure, the
 * command not started, the command failed, the expectations. */
void vso_outcome_judge(vso_outcome *o);

typedef enum vso_late {
  VSO_LATE_STDOUT,   /* stdout failed after the verdict: vsorelay's failure, as before it */
  VSO_LATE_SELF,     /* vsorelay failed otherwise (memory): the same */
  VSO_LATE_FILE,     /* a file (capture, summary, report) could not be written: a step
                        that would have passed fails with 125; a failing one keeps its status */
} vso_late;

/* A failure after the verdict, applied to the outcome. */
void vso_outcome_late_failure(vso_outcome *o, vso_late kind);

/* The files a sub-command will write, and those it reads. */
typedef struct vso_destinations {
  const char *capture, *summary, *report; /* each NULL when not asked for */
  const char *said[3];                    /* how messages name them ("--report", or the variable
                                             that gave it); NULL: the option's name */
  const char *const *inputs;              /* files read (NULL entries and "-" are skipped) */
  size_t ninputs;
} vso_destinations;

/* Whether the destinations can be written, checked before anything runs or
 * is read, so that a mistyped path is a usage error, not a failure after the
 * verdict: each names no directory and a temporary file can be made beside
 * it; no two name the same file, and none names a file that is read (the
 * report would replace the manifest or the replayed log).  Returns 0, or the
 * exit status, with the reason on stderr: 2 (usage), 125 (vsorelay ran out
 * of descriptors or memory). */
int vso_destinations_check(const vso_destinations *d);
/* The same for a sub-command's options (--capture, --summary, --report
 * against --manifest, --expect-file and replay's FILEs). */
struct vso_options;
int vso_destinations_check_options(const struct vso_options *opts);

/* The files the step leaves behind. */
typedef struct vso_artefacts {
  vso_capture_writer *capture;    /* run --capture: closed first, or NULL */
  const char *capture_path;
  const char *summary_path;       /* --summary, or NULL */
  const char *report_path;        /* --report, or NULL */
  vso_out *announce;              /* run: the step's stdout, where the summary is announced
                                     to the agent (task.uploadsummary); NULL in replay */
} vso_artefacts;

/* Writes the artefacts in one order: the capture is closed, the summary
 * written (and announced), then the report, which carries the final exit
 * status.  Each failure is said on stderr and applied to the outcome before
 * the next file.  Returns the exit status. */
int vso_outcome_finish(vso_outcome *o, const vso_artefacts *a);

#endif
