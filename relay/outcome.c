/* SPDX-License-Identifier: MIT */
#include "outcome.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "options.h"
#include "platform.h"
#include "report.h"
#include "summary.h"
#include "text.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const verdict_names[] = {
    [VSO_VERDICT_PASSED] = "passed",
    [VSO_VERDICT_EXPECTATIONS_FAILED] = "expectations-failed",
    [VSO_VERDICT_COMMAND_FAILED] = "command-failed",
    [VSO_VERDICT_TIMED_OUT] = "timed-out",
    [VSO_VERDICT_STOPPED_BY_SIGNAL] = "stopped-by-signal",
    [VSO_VERDICT_SPAWN_FAILED] = "spawn-failed",
    [VSO_VERDICT_VSORELAY_FAILED] = "vsorelay-failed",
};

const char *vso_verdict_name(vso_verdict v) {
  return (unsigned)v < sizeof verdict_names / sizeof verdict_names[0] ? verdict_names[v] : "unknown";
}

const char *vso_mode_name(vso_mode m) { return m == VSO_MODE_REPLAY ? "replay" : "run"; }

const char *vso_exit_name(int status) {
  switch (status) {
    case VSO_EXIT_OK: return "ok";
    case VSO_EXIT_USAGE: return "usage";
    case VSO_EXIT_UNMET: return "unmet";
    case VSO_EXIT_TIMEOUT: return "timeout";
    case VSO_EXIT_SELF: return "vsorelay-failed";
    case VSO_EXIT_CANNOT_EXECUTE: return "cannot-execute";
    case VSO_EXIT_NOT_FOUND: return "not-found";
    default: return status > VSO_EXIT_SIGNAL && status < VSO_EXIT_SIGNAL + 65 ? "signal" : "command-status";
  }
}

/* ---- the verdict -------------------------------------------------------------- */

static void decide(vso_outcome *o, vso_verdict v, int code) {
  o->verdict = v;
  o->exit_code = code;
}

void vso_outcome_judge(vso_outcome *o) {
  const vso_facts *f = &o->facts;
  bool run = o->mode == VSO_MODE_RUN;
  if (f->stop_signal) decide(o, VSO_VERDICT_STOPPED_BY_SIGNAL, VSO_EXIT_SIGNAL + f->stop_signal);
  else if (f->timed_out) decide(o, VSO_VERDICT_TIMED_OUT, VSO_EXIT_TIMEOUT);
  else if (f->own_failure || f->stdout_failed) decide(o, VSO_VERDICT_VSORELAY_FAILED, VSO_EXIT_SELF);
  else if (f->spawn_status) decide(o, VSO_VERDICT_SPAWN_FAILED, f->spawn_status);
  else if (run && f->term_signal) decide(o, VSO_VERDICT_COMMAND_FAILED, VSO_EXIT_SIGNAL + f->term_signal);
  else if (run && f->exit_status) decide(o, VSO_VERDICT_COMMAND_FAILED, f->exit_status);
  else if (run && !f->child_exited) decide(o, VSO_VERDICT_VSORELAY_FAILED, VSO_EXIT_SELF); /* status unknown */
  else if (f->met && !vso_encoding_unreadable(f->stdout_encoding)) decide(o, VSO_VERDICT_PASSED, VSO_EXIT_OK);
  else decide(o, VSO_VERDICT_EXPECTATIONS_FAILED, VSO_EXIT_UNMET);
}

bool vso_encoding_unreadable(vso_stream_encoding e) { return e > VSO_ENC_UTF8; }

bool vso_unreadable_reason(vso_buf *out, const char *stream, vso_stream_encoding e) {
  return vso_buf_appendf(out,
                         "the agent decodes the step's %s as %s (it starts with the byte-order mark %s) and reads "
                         "no logging command in it",
                         stream, vso_stream_encoding_name(e), vso_stream_encoding_mark(e));
}

void vso_outcome_late_failure(vso_outcome *o, vso_late kind) {
  if (kind == VSO_LATE_STDOUT) o->facts.stdout_failed = true;
  else if (kind == VSO_LATE_SELF || o->exit_code == VSO_EXIT_OK) o->facts.own_failure = true;
  vso_outcome_judge(o);
}

/* ---- the artefacts ------------------------------------------------------------ */

/* The destination i as its option names it. */
static const char *const destination_flags[] = {"--capture", "--summary", "--report"};

/* 0, or the exit status for a failure of path with errno e (said first). */
static int destination_failure(const char *flag, const char *path, const char *why, int e) {
  vso_warn("%s %s: %s", flag, path, why);
  return vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
}

/* How messages name destination i. */
static const char *said(const vso_destinations *d, int i) { return d->said[i] ? d->said[i] : destination_flags[i]; }

/* Each destination on its own: no directory, a temporary file can be made. */
static int check_each(const vso_destinations *d, const char *const paths[3]) {
  for (int i = 0; i < 3; i++) {
    if (!paths[i]) continue;
    vso_buf err = {0};
    int status = 0;
    if (!vso_file_creatable(paths[i], &err))
      status = destination_failure(said(d, i), paths[i], err.data ? err.data : "cannot write", errno);
    vso_buf_free(&err);
    if (status) return status;
  }
  return 0;
}

/* Whether key names the file input, read through any link, or the link itself. */
static bool key_names_input(const char *key, const char *input) {
  char *as_written = vso_destination_key(input), *read = vso_absolute_path(input);
  bool same = (as_written && strcmp(key, as_written) == 0) || (read && strcmp(key, read) == 0);
  free(as_written);
  free(read);
  return same;
}

/* No two destinations the same file, none an input. */
static int check_distinct(const vso_destinations *d, const char *const paths[3]) {
  char *keys[3] = {NULL, NULL, NULL};
  int status = 0;
  for (int i = 0; i < 3 && !status; i++) {
    if (!paths[i]) continue;
    if (!(keys[i] = vso_destination_key(paths[i]))) {
      status = destination_failure(said(d, i), paths[i], strerror(errno), errno);
      break;
    }
    for (int k = 0; k < i && !status; k++)
      if (keys[k] && strcmp(keys[k], keys[i]) == 0) {
        vso_warn("%s %s and %s %s name the same file: the one written last would replace the other", said(d, k),
                 paths[k], said(d, i), paths[i]);
        status = VSO_EXIT_USAGE;
      }
    for (size_t k = 0; k < d->ninputs && !status; k++) {
      const char *in = d->inputs[k];
      if (!in || strcmp(in, "-") == 0 || !key_names_input(keys[i], in)) continue;
      vso_warn("%s %s names '%s', a file vsorelay reads: it would be replaced", said(d, i), paths[i], in);
      status = VSO_EXIT_USAGE;
    }
  }
  for (int i = 0; i < 3; i++) free(keys[i]);
  return status;
}

int vso_destinations_check(const vso_destinations *d) {
  const char *const paths[3] = {d->capture, d->summary, d->report};
  int status = check_each(d, paths);
  return status ? status : check_distinct(d, paths);
}

int vso_destinations_check_options(const vso_options *opts) {
  size_t n;
  const char **inputs = vso_options_inputs(opts, &n);
  if (n == SIZE_MAX) {
    vso_warn("out of memory");
    return VSO_EXIT_SELF;
  }
  char names[3][96];
  vso_destinations d = {.capture = opts->capture, .summary = opts->summary, .report = opts->report,
                        .said = {vso_option_said(opts, "capture", names[0], sizeof names[0]),
                                 vso_option_said(opts, "summary", names[1], sizeof names[1]),
                                 vso_option_said(opts, "report", names[2], sizeof names[2])},
                        .inputs = inputs, .ninputs = n};
  int status = vso_destinations_check(&d);
  free(inputs);
  return status;
}

/* Why the agent could not be told path as it is, or NULL: it reads the
 * data of a command as UTF-8 and unescapes %3B %0D %0A %5D (and %AZP25 when
 * it decodes percents), so a path must be valid UTF-8, and without percent
 * decoding it must not hold what would be unescaped.  A path that holds a
 * secret is not shown at all. */
static const char *unannounceable(const char *path, vso_knobs knobs, const vso_secrets *secrets) {
  size_t n = strlen(path);
  for (size_t i = 0, seq; i < n; i += seq)
    if (!(seq = vso_utf8_seq((const unsigned char *)path + i, n - i))) return "it is not valid UTF-8";
  static const char *const escapes[] = {"%3B", "%0D", "%0A", "%5D"};
  for (size_t i = 0; !knobs.decode_percents && i < sizeof escapes / sizeof escapes[0]; i++)
    if (strstr(path, escapes[i])) return "it holds a percent escape the agent would decode (DECODE_PERCENTS is off)";
  return vso_mask_changes(secrets, path, n) ? "it holds a secret" : NULL;
}

/* The agent shows a summary on the run's page when told its absolute path:
 * the path escaped the agent's way only (not quoted: a backslash or a
 * control byte is part of the path), so that the agent, unescaping it,
 * reads the name of the file that exists. */
static void announce_summary(vso_outcome *o, vso_out *out, const char *path) {
  char *abs = vso_absolute_path(path);
  if (!abs) return;
  vso_knobs knobs = o->analysis->knobs;
  const char *why = unannounceable(abs, knobs, &o->analysis->secrets);
  vso_buf line = {0};
  bool ok = true;
  if (why) {
    vso_warn("--summary %s: not shown on the run's page: %s", path, why);
  } else {
    const char *head = vso_dialect_command_head(VSO_OWN_UPLOAD_SUMMARY);
    ok = vso_buf_append_str(&line, head) && vso_escape_as(abs, strlen(abs), knobs.decode_percents, &line) &&
         vso_buf_append_char(&line, '\n');
    if (!ok || !vso_out_line_start(out) || !vso_out_write(out, line.data, line.len))
      vso_outcome_late_failure(o, out->error ? VSO_LATE_STDOUT : VSO_LATE_SELF);
  }
  vso_buf_free(&line);
  free(abs);
}

/* Writes one file with write_one(path, o, err); a failure is said and applied. */
static bool write_file(vso_outcome *o, const char *flag, const char *path,
                       bool (*write_one)(const char *, const vso_outcome *, vso_buf *)) {
  vso_buf err = {0};
  bool ok = write_one(path, o, &err);
  if (!ok) {
    vso_warn("%s %s: %s", flag, path, err.data ? err.data : "cannot write");
    vso_outcome_late_failure(o, VSO_LATE_FILE);
  }
  vso_buf_free(&err);
  return ok;
}

int vso_outcome_finish(vso_outcome *o, const vso_artefacts *a) {
  /* 1. the capture: it ends with the last attempt */
  if (a->capture && !vso_capture_close(a->capture)) {
    vso_warn("--capture %s: %s", a->capture_path, strerror(a->capture->error));
    vso_outcome_late_failure(o, VSO_LATE_FILE);
  }
  /* the legs of every matrix value, read once for both files */
  if (a->summary_path || a->report_path) vso_analysis_read_matrices(o->analysis);
  /* 2. the summary, and the agent told where it is */
  if (a->summary_path && write_file(o, "--summary", a->summary_path, vso_write_summary) && a->announce)
    announce_summary(o, a->announce, a->summary_path);
  /* 3. the report, last: whatever failed above is in its exitCode */
  if (a->report_path) write_file(o, "--report", a->report_path, vso_write_report);
  return o->exit_code;
}
