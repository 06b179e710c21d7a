/* SPDX-License-Identifier: MIT */
/* vsorelay run -- COMMAND: the product.
 *
 * The data path is one straight line, each stage in its own file:
 *   child pipe (child.c) -> scanner and line splitter (core/scan.c)
 *     -> command parser (core/command.c) -> analysis (core/analysis.c)
 *     -> held commands (live.c) -> verdict (outcome.c) -> writer (writer.c)
 * This file is the sequence: prepare, attempts, judge, emit, artefacts. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "live.h"
#include "outcome.h"
#include "platform.h"
#include "sources.h"
#include "writer.h"

typedef struct run {
  const vso_options *opts;
  vso_sources sources;  /* the expected names and where they came from */
  vso_policy policy;
  vso_capture_writer capture;
  vso_live live;
  vso_child child;
  bool child_started;   /* vso_child_init succeeded: close it */
  int spawn_status;     /* of the last attempt */
  bool out_of_memory;   /* in any attempt: its commands could not all be held */
  double started;
  vso_outcome outcome;
} run;

/* ---- 1. prepare ------------------------------------------------------------------ */

/* Everything that can be wrong before the command runs: the expectations,
 * the destinations of the report, summary and capture.  Returns 0, or the
 * exit status (2: a usage error, nothing ran; 125: vsorelay cannot run). */
static int prepare(run *r, const vso_options *opts) {
  memset(r, 0, sizeof *r);
  r->opts = opts;
  r->started = vso_now();
  vso_live_init(&r->live);
  if (!vso_sources_read(opts, "run", &r->sources) ||
      !vso_destinations_usable(opts->report, opts->summary))
    return VSO_EXIT_USAGE;
  if (vso_unblock_signals() != 0) vso_warn("cannot unblock signals: %s", strerror(errno));
  if (!vso_options_policy(opts, &r->policy)) {
    vso_warn("out of memory");
    return VSO_EXIT_SELF;
  }
  r->live.stream_mode = opts->stream;
  r->live.knobs = opts->knobs;
  r->live.policy = &r->policy;
  r->child = (vso_child){.argv = opts->operands,
                         .drain_timeout = opts->drain_timeout,
                         .timeout = opts->timeout,
                         .kill_after = opts->kill_after,
                         .io = {&r->live, vso_live_data, vso_live_end}};
  if (!(r->child_started = vso_child_init(&r->child))) return VSO_EXIT_SELF;
  if (opts->capture) {
    if (!vso_capture_open(&r->capture, opts->capture)) {
      vso_warn("--capture %s: %s", opts->capture, strerror(errno));
      return VSO_EXIT_USAGE;
    }
    r->live.capture = &r->capture;
  }
  return 0;
}

/* ---- 2. attempts -------------------------------------------------------------------- */

static void print_diagnostics(const vso_analysis *a) {
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    vso_warn("%s line %llu: %s: %s", d->source, (unsigned long long)d->line_no,
             d->severity == VSO_ERROR ? "error" : "warning", d->message);
  }
}

static const char *unmet_names(const vso_expect_set *e, char *buf, size_t size) {
  buf[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < e->n; i++) {
    if (e->items[i].status == VSO_EXP_MET) continue;
    int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", e->items[i].name);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
  return buf;
}

static bool child_succeeded(const vso_child *c) { return c->exited && c->term_signal == 0 && c->exit_status == 0; }

/* Another attempt only helps a command that succeeded but lost output. */
static bool worth_retrying(const run *r, bool met, int attempt) {
  const vso_child *c = &r->child;
  return !met && !r->spawn_status && child_succeeded(c) && !c->stop_signal && !c->timed_out &&
         !r->live.out.error && attempt <= r->opts->retries;
}

/* Runs the command until its expectations hold or --retries is spent.
 * Returns the number of attempts made. */
static int run_attempts(run *r) {
  for (int attempt = 1;; attempt++) {
    vso_live_attempt(&r->live, attempt);
    r->spawn_status = vso_child_run(&r->child);
    vso_live_attempt_done(&r->live);
    if (r->live.analysis.out_of_memory) {
      vso_warn("out of memory while reading the command's output: its commands could not all be held");
      r->out_of_memory = true;
    }
    print_diagnostics(&r->live.analysis);
    vso_expect_evaluate(&r->sources.expect, &r->live.analysis);
    if (!worth_retrying(r, vso_expect_all_met(&r->sources.expect), attempt)) return attempt;
    char names[1024];
    vso_warn("attempt %d of %d: %zu expected variable(s) missing or unusable (%s): running the command again",
             attempt, r->opts->retries + 1, vso_expect_unmet(&r->sources.expect),
             unmet_names(&r->sources.expect, names, sizeof names));
  }
}

/* ---- 3. judge ------------------------------------------------------------------------- */

static void judge(run *r, int attempts) {
  const vso_child *c = &r->child;
  vso_outcome *o = &r->outcome;
  if (c->truncated) vso_warn("the output pipes were closed by force: the command's output may be truncated");
  *o = (vso_outcome){
      .mode = VSO_MODE_RUN,
      .command = r->opts->operands,
      .ncommand = r->opts->noperands,
      .attempts = attempts,
      .analysis = &r->live.analysis,
      .expect = &r->sources.expect,
      .manifest = r->opts->manifest ? &r->sources.manifest : NULL,
      .facts = {.met = vso_expect_all_met(&r->sources.expect),
                .own_failure = c->failed || r->live.failed || r->out_of_memory,
                .stdout_failed = r->live.out.error || r->live.err.error,
                .stop_signal = c->stop_signal,
                .timed_out = c->timed_out,
                .spawn_status = r->spawn_status,
                .child_exited = c->exited,
                .exit_status = c->exit_status,
                .term_signal = c->term_signal,
                .output_truncated = c->truncated},
  };
  static const char *const names[VSO_LIVE_STREAMS] = {"stdout", "stderr"};
  for (int i = 0; i < VSO_LIVE_STREAMS; i++)
    o->streams[o->nstreams++] = (vso_stream_stats){names[i], r->live.bytes[i], r->live.lines[i]};
  vso_outcome_judge(o);
}

/* ---- 4. emit ---------------------------------------------------------------------------- */

/* All or nothing: a partial matrix must never reach a downstream job. */
static void emit(run *r) {
  vso_outcome *o = &r->outcome;
  vso_live *l = &r->live;
  if (o->verdict == VSO_VERDICT_PASSED) vso_live_release(l, r->opts->stream ? &r->sources.expect : NULL);
  else if (o->verdict == VSO_VERDICT_EXPECTATIONS_FAILED) vso_live_fail_step(l, o);
  bool lost_output = child_succeeded(&r->child) && !o->facts.met;
  if (o->exit_code != VSO_EXIT_OK && !lost_output && l->analysis.nsetvars && !r->opts->stream)
    vso_warn("%zu %s command(s) held back and not re-emitted", l->analysis.nsetvars,
             vso_dialect_term(VSO_TERM_SETVARIABLE));
  if (o->exit_code != VSO_EXIT_OK && l->held_completes.len)
    vso_warn("the command's own %s was held back and not re-emitted: the step fails",
             vso_dialect_term(VSO_TERM_COMPLETE));
  if (l->out.error) vso_outcome_late_failure(o, VSO_LATE_STDOUT);
  if (l->failed) vso_outcome_late_failure(o, VSO_LATE_SELF);
}

/* ---- the sequence ------------------------------------------------------------------------ */

static void teardown(run *r) {
  if (r->child_started) vso_child_close(&r->child);
  vso_live_free(&r->live);
  vso_policy_free(&r->policy);
  vso_sources_free(&r->sources);
}

int vso_cmd_run(const vso_options *opts) {
  run r;
  /* 1. prepare: expectations, destinations, the event loop; a usage error
   *    exits 2 before the command runs */
  int status = prepare(&r, opts);
  if (status) {
    teardown(&r);
    return status;
  }
  /* 2. attempts: the command, relayed live, until its expectations hold */
  int attempts = run_attempts(&r);
  /* 3. judge: the verdict and exit status follow from what happened */
  judge(&r, attempts);
  /* 4. emit: the held variables, or why none is set */
  emit(&r);
  /* 5. write the artefacts: the capture, the summary, then the report,
   *    which carries the final exit status */
  r.outcome.duration = vso_now() - r.started;
  vso_artefacts files = {.capture = r.live.capture,
                         .capture_path = opts->capture,
                         .summary_path = opts->summary,
                         .report_path = opts->report,
                         .announce = &r.live.out};
  status = vso_outcome_finish(&r.outcome, &files);
  if (r.live.out.error) vso_warn("writing to stdout: %s", strerror(r.live.out.error));
  teardown(&r);
  return status;
}
