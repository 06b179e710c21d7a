/* SPDX-License-Identifier: MIT */
/* vsorelay replay: the analysis of `run`, offline, on captured logs.
 *
 * Every FILE is one stream of the same step (a plain log, or a --capture
 * file holding both streams), read through the same scanner and analysis as
 * a live run.  Expectations are judged over all of them together. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "listing.h"
#include "outcome.h"
#include "platform.h"
#include "replay.h"
#include "sources.h"
#include "verdict.h"
#include "writer.h"

bool vso_replay_add_stream(replay *r, const char *name) {
  replay_stream **grown = realloc(r->streams, (r->nstreams + 1) * sizeof *grown);
  if (!grown) return false;
  r->streams = grown;
  replay_stream *s = calloc(1, sizeof *s);
  if (!s) return false;
  /* the name reaches summaries, reports and diagnostics: make it inert */
  vso_buf quoted = {0};
  s->name = vso_quote(NULL, name, strlen(name), &quoted) ? vso_buf_steal(&quoted, NULL) : NULL;
  vso_buf_free(&quoted);
  if (!s->name) {
    free(s);
    return false;
  }
  r->streams[r->nstreams] = s;
  s->analysis = &r->analysis;
  r->nstreams++;
  return vso_replay_start_scanner(r, s);
}

/* The scanner's sink for a stream's held lines. */
static void on_line(void *ctx, const vso_line *line) {
  replay_stream *s = ctx;
  if (!s->lines_from_facts) vso_analysis_line(s->analysis, line, s->name);
}

static void on_watched(void *ctx, const vso_watched *w) {
  replay_stream *s = ctx;
  vso_announce_line(&s->reader, w);
}

bool vso_replay_start_scanner(replay *r, replay_stream *s) {
  vso_scan_sink sink = {.ctx = s, .pass = NULL, .line = on_line, .watched = on_watched};
  vso_scanner_init(&s->scanner, &sink, 0);
  s->reader = (vso_announce_reader){.into = &r->announcement, .source = s->name};
  return !r->read_announcement ||
         vso_scanner_watch(&s->scanner, vso_announce_watch, vso_announce_nwatch, vso_announce_key_at);
}

void vso_replay_head(replay_stream *s, const char *p, size_t n) {
  size_t take = VSO_ENCODING_BYTES - s->head_len;
  if (take > n) take = n;
  memcpy(s->head + s->head_len, p, take);
  s->head_len += take;
}

static void json_append_masked(vso_buf *out, const vso_analysis *a, const char *p, size_t n) {
  vso_buf masked = {0};
  vso_mask(&a->secrets, p, n, &masked);
  vso_json_string(out, masked.data ? masked.data : "", masked.len);
  vso_buf_free(&masked);
}

/* One JSON Lines object per logging command (--format json). */
static void print_command_json(void *ctx, const vso_command *cmd, const vso_line *line, const char *source,
                               bool secret_value) {
  replay *r = ctx;
  const vso_analysis *a = &r->analysis;
  vso_buf out = {0};
  vso_buf_append_str(&out, "{\"file\":");
  vso_json_string(&out, source, strlen(source));
  char num[64];
  snprintf(num, sizeof num, ",\"line\":%llu,\"area\":", (unsigned long long)line->line_no);
  vso_buf_append_str(&out, num);
  json_append_masked(&out, a, cmd->area.p, cmd->area.n);
  vso_buf_append_str(&out, ",\"event\":");
  json_append_masked(&out, a, cmd->event.p, cmd->event.n);
  vso_buf_append_str(&out, ",\"properties\":{");
  for (size_t i = 0; i < cmd->nprops; i++) {
    if (i) vso_buf_append_char(&out, ',');
    json_append_masked(&out, a, cmd->props[i].key.p, cmd->props[i].key.n);
    vso_buf_append_char(&out, ':');
    json_append_masked(&out, a, cmd->props[i].value.p, cmd->props[i].value.n);
  }
  vso_buf_append_str(&out, "},\"data\":");
  if (secret_value) vso_json_string(&out, "***", 3);
  else json_append_masked(&out, a, cmd->data.p, cmd->data.n);
  vso_buf_append_str(&out, "}\n");
  if (!out.data || fwrite(out.data, 1, out.len, stdout) != out.len) r->json_failed = true;
  vso_buf_free(&out);
}

/* Reads until p holds at least want bytes or the file ends.  Returns the
 * bytes held, or -1 with errno set. */
static ssize_t read_at_least(int fd, char *p, size_t size, size_t want) {
  size_t have = 0;
  while (have < want) {
    ssize_t n = read(fd, p + have, size - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    have += (size_t)n;
  }
  return (ssize_t)have;
}

static int read_failed(const char *shown, int e) {
  vso_warn("replay: cannot read '%s': %s", shown, strerror(e));
  return vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
}

int vso_replay_read(int fd, char *chunk, size_t size, const char *shown, size_t *n) {
  ssize_t got;
  do got = read(fd, chunk, size);
  while (got < 0 && errno == EINTR);
  *n = got > 0 ? (size_t)got : 0;
  return got < 0 ? read_failed(shown, errno) : 0;
}

/* A plain log: one stream, read to its end. */
static int replay_plain(replay *r, int fd, const char *shown, char *chunk, size_t size, size_t n) {
  if (!vso_replay_add_stream(r, shown)) return vso_warn("replay: out of memory"), VSO_EXIT_SELF;
  replay_stream *s = r->streams[r->nstreams - 1];
  s->judge_head = true;
  for (;;) {
    vso_replay_head(s, chunk, n);
    vso_scanner_feed(&s->scanner, chunk, n);
    int status = vso_replay_read(fd, chunk, size, shown, &n);
    if (status || n == 0) return status;
  }
}

/* Reads fd to its end: a capture holds both streams of a run (its magic
 * says so), anything else is one stream.  Returns 0, or the exit status
 * with a message printed. */
static int read_stream(replay *r, int fd, const char *shown) {
  static char chunk[1 << 18];
  size_t magic = strlen(VSO_CAPTURE_MAGIC);
  ssize_t n = read_at_least(fd, chunk, sizeof chunk, magic); /* a pipe may give less at a time */
  if (n < 0) return read_failed(shown, errno);
  if (!vso_capture_magic(chunk, (size_t)n)) return replay_plain(r, fd, shown, chunk, sizeof chunk, (size_t)n);
  char name[4096];
  snprintf(name, sizeof name, "%s:stdout", shown);
  bool ok = vso_replay_add_stream(r, name);
  snprintf(name, sizeof name, "%s:stderr", shown);
  if (!ok || !vso_replay_add_stream(r, name)) return vso_warn("replay: out of memory"), VSO_EXIT_SELF;
  return vso_replay_capture(r, fd, shown, r->nstreams - 2, chunk, sizeof chunk, (size_t)n);
}

/* Reads one operand ("-": stdin).  Returns 0, or the exit status with a
 * message printed. */
static int replay_file(replay *r, const char *path) {
  bool is_stdin = strcmp(path, "-") == 0;
  const char *shown = is_stdin ? "(stdin)" : path;
  int fd = is_stdin ? STDIN_FILENO : vso_open_read(path);
  if (fd < 0) {
    int e = errno;
    vso_warn("replay: cannot open '%s': %s", path, strerror(e));
    return vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
  }
  size_t first = r->nstreams;
  int status = read_stream(r, fd, shown);
  for (size_t i = first; i < r->nstreams; i++) {
    vso_scanner_finish(&r->streams[i]->scanner);
    vso_announcement_stream_ended(&r->announcement, r->streams[i]->name, r->streams[i]->scanner.lines);
  }
  if (!is_stdin && close(fd) != 0 && status == 0) {
    vso_warn("replay: cannot close '%s': %s", shown, strerror(errno));
    status = VSO_EXIT_USAGE;
  }
  return status;
}

/* ---- the sequence ------------------------------------------------------------------ */

/* How the agent would decode the step's stdout: a capture says it (@encoding);
 * otherwise by the first bytes of each plain log (any of which may be the
 * step's stdout) or of a version 1 capture's stdout. */
static vso_stream_encoding stdout_encoding(const replay *r) {
  if (r->stdout_encoding != VSO_ENC_UNDECIDED) return r->stdout_encoding;
  for (size_t i = 0; i < r->nstreams; i++) {
    const replay_stream *s = r->streams[i];
    vso_stream_encoding e = s->judge_head ? vso_stream_encoding_of(s->head, s->head_len, true) : VSO_ENC_UTF8;
    if (vso_encoding_unreadable(e)) return e;
  }
  return VSO_ENC_UTF8;
}

static void judge(replay *r, vso_outcome *o, vso_sources *sources) {
  vso_expect_set *expect = &sources->expect;
  if (vso_announcement_carry(&r->announcement, &r->earlier_announcement)) {
    vso_buf words = {0};
    if (vso_words_announcement_carried(r->attempt, &words)) vso_warn("replay: %s", words.data);
    vso_buf_free(&words);
  }
  if (!vso_sources_add_announced(sources, &r->announcement)) r->analysis.out_of_memory = true;
  vso_expect_evaluate(expect, &r->analysis);
  const char *unchecked = vso_sources_unchecked(sources, &r->announcement);
  for (size_t i = 0; i < r->nstreams; i++)
    if (r->streams[i]->scanner.out_of_memory) r->analysis.out_of_memory = true;
  /* a masking that failed left text out of the listing or the diagnostics */
  if (!vso_secrets_intact(&r->analysis.secrets)) r->analysis.out_of_memory = true;
  if (r->analysis.out_of_memory) vso_warn("replay: out of memory: the analysis is incomplete");
  if (r->analysis.unread_lines)
    vso_warn("replay: the captured run ran out of memory: %llu of its lines could not be read",
             (unsigned long long)r->analysis.unread_lines);
  vso_stream_encoding enc = stdout_encoding(r);
  vso_buf why = {0};
  if (vso_encoding_unreadable(enc) && vso_unreadable_reason(&why, "stdout", enc) &&
      vso_buf_append_str(&why, ", the re-emitted variables included"))
    vso_expect_all_unreadable(expect, why.data);
  vso_buf_free(&why);
  *o = (vso_outcome){
      .mode = VSO_MODE_REPLAY,
      .command = r->opts->operands,
      .ncommand = r->opts->noperands,
      .attempts = r->attempt ? r->attempt : 1,
      .analysis = &r->analysis,
      .expect = expect,
      .manifest = sources->manifest_path ? &sources->manifest : NULL,
      .sources = sources,
      .announcement = r->read_announcement ? &r->announcement : NULL,
      .facts = {.met = vso_expect_all_met(expect) && !unchecked,
                .unchecked = unchecked,
                .own_failure = r->analysis.out_of_memory || r->analysis.unread_lines,
                .stdout_encoding = enc},
  };
  for (size_t i = 0; i < r->nstreams && o->nstreams < VSO_OUTCOME_MAX_STREAMS; i++) {
    const replay_stream *s = r->streams[i];
    o->streams[o->nstreams++] = (vso_stream_stats){s->name, s->ended ? s->end_bytes : s->scanner.bytes,
                                                   s->ended ? s->end_lines : s->scanner.lines};
  }
  vso_outcome_judge(o);
}

/* The listing (--format text; JSON Lines went out while reading), and
 * whether stdout took all of it. */
static void emit(replay *r, vso_outcome *o) {
  if (r->opts->format == VSO_FORMAT_TEXT) vso_print_listing(stdout, o);
  if (!o->facts.own_failure && !vso_secrets_intact(&r->analysis.secrets)) {
    vso_warn("replay: out of memory while masking secrets: what could not be masked was left out");
    vso_outcome_late_failure(o, VSO_LATE_SELF);
  }
  bool closed = vso_std_fd_was_closed(STDOUT_FILENO);
  if (closed || fflush(stdout) != 0 || ferror(stdout) || r->json_failed) {
    vso_warn("replay: cannot write to stdout: %s", strerror(closed ? EBADF : errno));
    vso_outcome_late_failure(o, VSO_LATE_STDOUT);
  }
}

/* The verdict's line on stderr, in run's words (verdict.h): what was
 * verified, or how many were missing or unusable. */
static void say_verdict(const vso_outcome *o, int status) {
  vso_buf words = {0};
  bool ok = true;
  if (o->facts.unchecked) vso_warn("%s", o->facts.unchecked);
  if (status == VSO_EXIT_OK) ok = vso_words_verified(o, &words);
  else if (o->verdict == VSO_VERDICT_EXPECTATIONS_FAILED) ok = vso_words_unmet_count(o, &words);
  if (ok && words.len) vso_warn("%s", words.data);
  vso_buf_free(&words);
}

static void free_replay(replay *r) {
  for (size_t i = 0; i < r->nstreams; i++) {
    vso_scanner_free(&r->streams[i]->scanner);
    free(r->streams[i]->name);
    free(r->streams[i]);
  }
  free(r->streams);
  vso_analysis_free(&r->analysis);
  vso_announcement_free(&r->announcement);
  vso_announcement_free(&r->earlier_announcement);
  vso_policy_free(&r->policy);
}

/* Every operand, or stdin without one.  Returns 0 or the exit status. */
static int read_all(replay *r) {
  if (r->opts->noperands == 0) return replay_file(r, "-");
  int status = 0;
  for (int i = 0; i < r->opts->noperands && status == 0; i++) status = replay_file(r, r->opts->operands[i]);
  return status;
}

int vso_cmd_replay(const vso_options *opts) {
  double started = vso_now();
  vso_sources sources = {0};
  replay r = {.opts = opts, .expect = &sources.expect, .sources = &sources, .knobs = opts->knobs};
  vso_analysis_init(&r.analysis, opts->knobs);
  /* 1. prepare: expectations and destinations, before anything is read */
  int status = 0;
  status = vso_sources_read(opts, "replay", &sources);
  if (!status) status = vso_destinations_check_options(opts);
  if (!status && !vso_options_policy(opts, &r.policy)) {
    vso_warn("replay: out of memory");
    status = VSO_EXIT_SELF;
  }
  r.read_announcement = sources.read_announcement;
  r.analysis.policy = &r.policy;
  if (opts->format == VSO_FORMAT_JSON) {
    r.analysis.on_command = print_command_json;
    r.analysis.on_command_ctx = &r;
  }
  /* 2. read: every file through the scanner and the analysis, as run reads */
  if (status == 0) status = read_all(&r);
  if (status == 0) {
    vso_outcome o;
    /* 3. judge */
    judge(&r, &o, &sources);
    /* 4. emit: the listing */
    emit(&r, &o);
    /* 5. write the artefacts: the summary, then the report */
    o.duration = vso_now() - started;
    status = vso_outcome_finish(&o, &(vso_artefacts){.summary_path = opts->summary, .report_path = opts->report});
    /* 6. the last line, as run's */
    say_verdict(&o, status);
  }
  free_replay(&r);
  vso_sources_free(&sources);
  return status;
}
