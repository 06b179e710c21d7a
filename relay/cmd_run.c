/* SPDX-License-Identifier: MIT */
/* vsorelay run -- COMMAND: the product.
 *
 * The data path is one straight line, each stage in its own file:
 *   child pipe (child.c) -> scanner and line splitter (core/scan.c)
 *     -> command parser (core/command.c) -> analysis (core/analysis.c)
 *     -> held commands (live.c) -> verdict (outcome.c) -> writer (writer.c)
 * This file is the sequence: prepare, attempts, judge, emit, artefacts, and
 * the last line (verdict.c has the words). */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "live.h"
#include "outcome.h"
#include "files.h"
#include "platform.h"
#include "sources.h"
#include "verdict.h"
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

/* The descriptors a run holds at most at once, beyond the standard three:
 * libuv's epoll, eventfd and signal pipes, the two pipes of the command
 * while it starts, the capture, a report's or summary's temporary file (13
 * measured with libuv 1.44), and room for the C library.  libuv aborts
 * (signal 6, exit 134) when it cannot make its own pipes, so a launcher's
 * low `ulimit -n` must be found here, with a message and vsorelay's 125. */
enum { RUN_DESCRIPTORS = 16 };

static bool enough_descriptors(void) {
  int got = vso_descriptors_available(RUN_DESCRIPTORS);
  if (got >= RUN_DESCRIPTORS) return true;
  long limit = vso_descriptor_limit();
  vso_warn("too few file descriptors: vsorelay needs %d free, and %d can be opened (ulimit -n is %ld): "
           "raise the limit",
           RUN_DESCRIPTORS, got, limit);
  return false;
}

/* Everything that can be wrong before the command runs: the expectations,
 * the destinations of the report, summary and capture.  Returns 0, or the
 * exit status (2: a usage error, nothing ran; 125: vsorelay cannot run). */
static int prepare(run *r, const vso_options *opts) {
  memset(r, 0, sizeof *r);
  r->opts = opts;
  r->started = vso_now();
  vso_live_init(&r->live);
  int status = vso_sources_read(opts, "run", &r->sources);
  if (!status) status = vso_destinations_check_options(opts);
  if (status) return status;
  if (vso_unblock_signals() != 0) vso_warn("cannot unblock signals: %s", strerror(errno));
  if (!vso_options_policy(opts, &r->policy)) {
    vso_warn("out of memory");
    return VSO_EXIT_SELF;
  }
  r->live.stream_mode = opts->stream;
  r->live.full_copies = opts->verbose || opts->knobs.debug;
  r->live.read_announcement = r->sources.read_announcement;
  r->live.knobs = opts->knobs;
  r->live.policy = &r->policy;
  r->live.expect = &r->sources.expect;
  r->child = (vso_child){.argv = opts->operands,
                         .drain_timeout = opts->drain_timeout,
                         .timeout = opts->timeout,
                         .kill_after = opts->kill_after,
                         .io = {&r->live, vso_live_data, vso_live_end}};
  if (!enough_descriptors()) return VSO_EXIT_SELF;
  if (!(r->child_started = vso_child_init(&r->child))) return VSO_EXIT_SELF;
  if (opts->capture) {
    if (!vso_capture_open(&r->capture, opts->capture, opts->knobs)) {
      int e = errno;
      char said[96];
      vso_warn("%s %s: %s", vso_option_said(opts, "capture", said, sizeof said), opts->capture, strerror(e));
      return vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
    }
    r->live.capture = &r->capture;
    /* replay has no command: the expectations of ImageBuilder's arguments go with the capture */
    vso_buf records = {0};
    bool built = vso_sources_put_recorded(&records, &r->sources, opts->operands, opts->noperands);
    vso_capture_records(&r->capture, built, &records);
    vso_buf_free(&records);
  }
  return 0;
}

/* ---- 2. attempts -------------------------------------------------------------------- */

/* Each diagnostic of the attempt, masked with every secret the attempt
 * registered (a value may have become secret after the line it quotes). */
static void print_diagnostics(const vso_analysis *a) {
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    vso_buf message = {0};
    if (vso_inert_line(&a->secrets, d->message, strlen(d->message), &message))
      vso_warn("%s line %llu: %s: %s", d->source, (unsigned long long)d->line_no,
               d->severity == VSO_ERROR ? "error" : "warning", message.data);
    vso_buf_free(&message);
  }
  vso_buf omitted = {0};
  if (vso_analysis_omitted_text(a, &omitted)) vso_warn("%s", omitted.data);
  vso_buf_free(&omitted);
}

static bool child_succeeded(const vso_child *c) { return c->exited && c->term_signal == 0 && c->exit_status == 0; }

/* Another attempt only helps a command that succeeded but lost output. */
static bool worth_retrying(const run *r, bool met, int attempt) {
  const vso_child *c = &r->child;
  return !met && !r->spawn_status && child_succeeded(c) && !c->stop_signal && !c->timed_out &&
         !r->live.out.error && attempt <= r->opts->retries;
}

/* With --retries, each attempt's output is a fold of the log of its own,
 * "vsorelay: attempt N of M", so that the last one reads as a run. */
static void fold(run *r, int attempt) {
  if (!r->opts->retries) return;
  char title[64];
  snprintf(title, sizeof title, "vsorelay: attempt %d of %d", attempt, r->opts->retries + 1);
  vso_live_group(&r->live, attempt ? title : NULL);
}

/* A failed attempt is a warning of the step: a step that then passes ends
 * "succeeded with issues", not green as if nothing had been lost. */
static void warn_attempt_lost(run *r, int attempt, const char *unchecked) {
  vso_buf words = {0};
  if (vso_words_attempt_lost(&r->sources.expect, &r->live.analysis.secrets, unchecked, attempt, r->opts->retries + 1,
                             child_succeeded(&r->child), &words))
    vso_live_issue(&r->live, false, words.data);
  else
    r->live.failed = true;
  vso_buf_free(&words);
}

static void warn_announcement_carried(int attempt) {
  vso_buf words = {0};
  if (vso_words_announcement_carried(attempt, &words)) vso_warn("%s", words.data);
  else vso_warn("out of memory");
  vso_buf_free(&words);
}

/* The attempt's verdict on its expectations: the names the generator
 * announced join the set, every name is judged, and whether they could be
 * checked at all is kept in *unchecked. */
static bool judge_attempt(run *r, const char **unchecked) {
  if (!vso_sources_add_announced(&r->sources, &r->live.announcement)) {
    vso_warn("out of memory while reading the generator's announcement");
    r->out_of_memory = true;
  }
  vso_expect_evaluate(&r->sources.expect, &r->live.analysis);
  vso_live_capture_legs(&r->live, &r->sources.expect);
  *unchecked = vso_sources_unchecked(&r->sources, &r->live.announcement);
  return vso_expect_all_met(&r->sources.expect) && !*unchecked;
}

/* Runs the command until its expectations hold or --retries is spent.
 * Returns the number of attempts made. */
static int run_attempts(run *r, bool *met, const char **unchecked) {
  for (int attempt = 1;; attempt++) {
    fold(r, attempt);
    vso_expect_forget_announced(&r->sources.expect); /* the announcement of the last attempt goes */
    vso_live_attempt(&r->live, attempt);
    r->spawn_status = vso_child_run(&r->child);
    vso_live_attempt_done(&r->live);
    if (r->live.announcement_carried) warn_announcement_carried(attempt);
    if (r->live.analysis.out_of_memory || r->live.unshown_bytes) {
      if (r->live.unshown_bytes)
        vso_warn("out of memory while reading the command's output: its commands could not all be held (none "
                 "was let through; %llu bytes of them were not shown)",
                 (unsigned long long)r->live.unshown_bytes);
      else
        vso_warn("out of memory while reading the command's output: its commands could not all be held (none "
                 "was let through)");
      r->out_of_memory = true;
    }
    if (!r->out_of_memory && !vso_secrets_intact(&r->live.analysis.secrets)) {
      vso_warn("out of memory while masking secrets: what could not be masked was left out");
      r->out_of_memory = true;
    }
    print_diagnostics(&r->live.analysis);
    *met = judge_attempt(r, unchecked);
    fold(r, 0);
    if (!worth_retrying(r, *met, attempt)) return attempt;
    warn_attempt_lost(r, attempt, *unchecked);
  }
}

/* ---- 3. judge ------------------------------------------------------------------------- */

/* What the agent decodes the step's streams as (dialect.h).  A stdout it
 * reads as UTF-16 or UTF-32 carries none of the variables: every
 * expectation is unreadable.  On stderr only the command's own commands
 * there are lost to the agent (vsorelay re-emits the variables on stdout):
 * a warning, on stdout, which the agent still reads. */
static void judge_encodings(run *r) {
  vso_outcome *o = &r->outcome;
  o->facts.stdout_encoding = vso_out_encoding(&r->live.out);
  vso_buf why = {0};
  if (vso_encoding_unreadable(o->facts.stdout_encoding)) {
    if (vso_unreadable_reason(&why, "stdout", o->facts.stdout_encoding) &&
        vso_buf_append_str(&why, ", the re-emitted variables included"))
      vso_expect_all_unreadable(&r->sources.expect, why.data);
    else
      r->live.failed = true;
    o->facts.met = false;
    r->live.stdout_unreadable = true; /* vsorelay's own commands go on stderr */
  }
  vso_stream_encoding err = vso_out_encoding(r->live.err);
  vso_buf_clear(&why);
  if (vso_encoding_unreadable(err) && vso_unreadable_reason(&why, "stderr", err) &&
      vso_buf_append_str(&why, ": the command's own logging commands there are lost (vsorelay re-emits the "
                               "variables on stdout)"))
    vso_live_issue(&r->live, false, why.data);
  vso_buf_free(&why);
}

static void judge(run *r, int attempts, bool met, const char *unchecked) {
  const vso_child *c = &r->child;
  vso_outcome *o = &r->outcome;
  if (c->truncated) vso_warn("the output pipes were closed by force: the command's output may be truncated");
  *o = (vso_outcome){
      .mode = VSO_MODE_RUN,
      .command = r->opts->operands,
      .ncommand = r->opts->noperands,
      .attempts = attempts,
      .stream = r->opts->stream,
      .analysis = &r->live.analysis,
      .expect = &r->sources.expect,
      .manifest = r->sources.manifest_path ? &r->sources.manifest : NULL,
      .sources = &r->sources,
      .announcement = r->sources.read_announcement ? &r->live.announcement : NULL,
      .facts = {.met = met,
                .unchecked = unchecked,
                .own_failure = c->failed || r->live.failed || r->out_of_memory,
                .stdout_failed = r->live.out.error || r->live.err->error,
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
  judge_encodings(r);
  vso_outcome_judge(o);
}

/* ---- 4. emit ---------------------------------------------------------------------------- */

/* Why nothing was re-emitted when the command did not end well: one error
 * (verdict.h), or nothing when nothing was expected or held. */
static void say_command_failed(run *r) {
  vso_buf words = {0};
  if (!vso_words_command_failed(&r->outcome, &words)) r->live.failed = true;
  else if (words.len) vso_live_issue(&r->live, true, words.data);
  vso_buf_free(&words);
}

/* A warning does not change the step's result in the agent: a run that
 * passed after lost attempts says so with task.complete, so that the step
 * ends "succeeded with issues" (the agent keeps the worst result it is
 * told), not green as if nothing had been lost. */
static void say_passed_after_retries(run *r) {
  if (r->outcome.attempts < 2) return;
  vso_buf words = {0};
  bool ok = vso_buf_append_str(&words, "vsorelay: ") && vso_words_passed_after_retries(&r->outcome, &words) &&
            vso_out_command(&r->live.out, &r->live.analysis.secrets, VSO_OWN_WITH_ISSUES, words.data);
  if (!ok && !r->live.out.error) r->live.failed = true;
  vso_buf_free(&words);
}

/* All or nothing: a partial matrix must never reach a downstream job. */
static void emit(run *r) {
  vso_outcome *o = &r->outcome;
  vso_live *l = &r->live;
  if (o->verdict == VSO_VERDICT_PASSED) {
    if (vso_live_release(l, r->opts->stream ? &r->sources.expect : NULL)) say_passed_after_retries(r);
  } else if (o->verdict == VSO_VERDICT_EXPECTATIONS_FAILED) vso_live_fail_step(l, o);
  else if (o->verdict != VSO_VERDICT_VSORELAY_FAILED) say_command_failed(r);
  if (o->exit_code != VSO_EXIT_OK && l->held_completes.len)
    vso_warn("the command's own %s was held back and not re-emitted: the step fails",
             vso_dialect_term(VSO_TERM_COMPLETE));
  if (l->out.error) vso_outcome_late_failure(o, VSO_LATE_STDOUT);
  if (l->failed) vso_outcome_late_failure(o, VSO_LATE_SELF);
}

/* "5 of 5 expected output variables verified (…)": the one line of
 * vsorelay's own on stderr of a run that passed. */
static void say_verified(const vso_outcome *o) {
  vso_buf words = {0};
  if (vso_words_verified(o, &words)) vso_warn("%s", words.data);
  vso_buf_free(&words);
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
  bool met;
  const char *unchecked;
  int attempts = run_attempts(&r, &met, &unchecked);
  /* 3. judge: the verdict and exit status follow from what happened */
  judge(&r, attempts, met, unchecked);
  /* 4. emit: the held variables, or why none is set */
  emit(&r);
  /* 5. write the artefacts: the capture, the summary, then the report,
   *    which carries the final exit status */
  r.outcome.duration = vso_now() - r.started;
  if (r.live.capture) /* how the agent decodes each stream, when it is not UTF-8 */
    for (int i = 0; i < VSO_LIVE_STREAMS; i++)
      vso_capture_encoding(r.live.capture, i, vso_out_encoding(i ? r.live.err : &r.live.out));
  vso_artefacts files = {.capture = r.live.capture,
                         .capture_path = opts->capture,
                         .summary_path = opts->summary,
                         .report_path = opts->report,
                         .announce = &r.live.out};
  status = vso_outcome_finish(&r.outcome, &files);
  /* the first bytes of a stream may still wait for the agent's encoding (writer.c) */
  if (!vso_out_flush(&r.live.out) && status == VSO_EXIT_OK) status = VSO_EXIT_SELF;
  (void)vso_out_flush(r.live.err);
  if (r.live.out.error) vso_warn("writing to stdout: %s", strerror(r.live.out.error));
  /* 6. the last line: what was verified, once it all went out */
  if (status == VSO_EXIT_OK) say_verified(&r.outcome);
  teardown(&r);
  return status;
}
