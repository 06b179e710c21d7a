/* SPDX-License-Identifier: MIT */
/* Replay of a --capture file (core/capture.h): both streams of every
 * attempt of a run, judged on the last attempt, as the run judged it.
 *
 * Version 2 records every held line apart, with its facts: a line that
 * masking left as it was is read again; any other is recorded from its
 * facts (vso_analysis_facts), so a masked secret does not change what the
 * line was.  Version 1 holds the lines among the bytes, which are scanned
 * again, as before. */
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "replay.h"
#include "sources.h"
#include "writer.h"

typedef struct capture_ctx {
  replay *r;
  size_t first;                 /* this file's stdout stream; stderr follows */
  vso_capture_reader reader;
  vso_capture_facts_buf facts;  /* the decoded strings of the current @line */
} capture_ctx;

/* A stream of this file; its held lines come from their facts in version 2
 * (the reader knows the version before the first record). */
static replay_stream *stream_of(capture_ctx *c, int stream) {
  replay_stream *s = c->r->streams[c->first + (size_t)stream];
  s->lines_from_facts = c->reader.version >= 2;
  return s;
}

/* A new attempt: only the last attempt counts, as in run. */
static void on_attempt(void *ctx, int attempt) {
  capture_ctx *c = ctx;
  replay *r = c->r;
  r->attempt = attempt;
  if (attempt <= 1) return;
  /* the last attempt's announcement counts, or an earlier one's when it has none, as in run */
  vso_announcement_next_attempt(&r->announcement, &r->earlier_announcement);
  for (size_t i = 0; i < r->nstreams; i++) {
    vso_scanner_free(&r->streams[i]->scanner);
    if (!vso_replay_start_scanner(r, r->streams[i])) vso_capture_reject(&c->reader, "out of memory");
  }
  /* the secrets of earlier attempts stay masked, as in run */
  vso_analysis_restart(&r->analysis);
}

/* Version 1: every byte, held lines among them; version 2: bytes without a
 * command, which the scanner reads for the generator's announcement only
 * (held lines and the encoding are recorded apart). */
static void on_data(void *ctx, int stream, const char *p, size_t n) {
  capture_ctx *c = ctx;
  replay_stream *s = stream_of(c, stream);
  if (stream == VSO_STREAM_STDOUT && c->r->attempt <= 1 && !s->lines_from_facts) {
    s->judge_head = true;
    vso_replay_head(s, p, n);
  }
  vso_scanner_feed(&s->scanner, p, n);
}

/* The run found that a secret masked this attempt's listing out of shape. */
static void on_listing_masked(void *ctx) {
  capture_ctx *c = ctx;
  c->r->announcement.masked = true;
}

/* A secret value's legs, which the capture shows masked, as the run found
 * them against the announcement: the last set on that line. */
static void on_legs(void *ctx, int stream, uint64_t line_no, bool same) {
  capture_ctx *c = ctx;
  vso_analysis *a = &c->r->analysis;
  const char *name = stream_of(c, stream)->name;
  for (size_t i = a->nsetvars; i-- > 0;)
    if (a->setvars[i].line_no == line_no && a->setvars[i].source == name) {
      a->setvars[i].known_legs_ = same ? 1 : 2;
      return;
    }
}

static void on_knobs(void *ctx, vso_knobs knobs) {
  capture_ctx *c = ctx;
  c->r->knobs = knobs; /* the step's own settings, whatever replay's environment says */
  c->r->analysis.knobs = knobs;
}

static void on_end(void *ctx, int stream, uint64_t bytes, uint64_t lines) {
  replay_stream *s = stream_of(ctx, stream);
  s->ended = true;
  s->end_bytes += bytes;
  s->end_lines += lines;
}

static void on_encoding(void *ctx, int stream, vso_stream_encoding e) {
  capture_ctx *c = ctx;
  if (stream == VSO_STREAM_STDOUT) c->r->stdout_encoding = e;
}

/* The line's terminator, at the end of its text. */
static size_t terminator_len(const char *text, size_t n) {
  if (n >= 2 && text[n - 2] == '\r' && text[n - 1] == '\n') return 2;
  return n && (text[n - 1] == '\n' || text[n - 1] == '\r') ? 1 : 0;
}

/* A line that masking left as it was: read again, as the run read it. */
static void read_again(capture_ctx *c, replay_stream *s, const vso_line_facts *f, const char *text, size_t n) {
  size_t t = terminator_len(text, n);
  ptrdiff_t at = vso_find_prefix(text, n - t);
  vso_line line = {.text = text, .len = n - t, .command_at = at < 0 ? n - t : (size_t)at, .term = text + n - t,
                   .term_len = t, .line_no = f->line_no, .truncated = f->truncated, .cut = f->cut};
  vso_analysis_line(&c->r->analysis, &line, s->name);
}

/* --format json for a line recorded from its facts: the command as shown. */
static void observe_shown(capture_ctx *c, replay_stream *s, const vso_line_facts *f) {
  vso_analysis *a = &c->r->analysis;
  vso_command cmd;
  bool oom;
  if (!a->on_command || !vso_parse_command(f->text.p, f->text.n, a->knobs.decode_percents, &cmd, &oom)) return;
  vso_line line = {.text = f->text.p, .len = f->text.n, .line_no = f->line_no};
  a->on_command(a->on_command_ctx, &cmd, &line, s->name, f->is_secret);
  vso_command_free(&cmd);
}

/* A version 2 expectation record (@imagebuilder, @matrix), before any attempt. */
static void on_source(void *ctx, const char *type, const char *p, size_t n) {
  capture_ctx *c = ctx;
  const char *why;
  /* as in run: not with a manifest of vsorelay's own, nor --no-imagebuilder-args */
  if (c->r->opts->manifest || c->r->opts->no_imagebuilder_args) return;
  if (!vso_sources_read_recorded(c->r->sources, type, p, n, &why)) vso_capture_reject(&c->reader, why);
}

static void on_line(void *ctx, int stream, const char *facts, size_t nfacts, const char *text, size_t ntext) {
  capture_ctx *c = ctx;
  replay_stream *s = stream_of(c, stream);
  /* the stream as shown, for the announcement's lines and their numbers */
  vso_scanner_feed(&s->scanner, text, ntext);
  vso_line_facts f;
  const char *why;
  if (!vso_capture_read_facts(facts, nfacts, &f, &c->facts, &why)) {
    vso_capture_reject(&c->reader, why);
    return;
  }
  if (f.exact) {
    read_again(c, s, &f, text, ntext);
    return;
  }
  f.text = (vso_slice){text, ntext - terminator_len(text, ntext)};
  /* a name masking changed: the run's expectation it was, given the same ones */
  const vso_expect_set *e = c->r->expect;
  if (f.expect >= 0 && e && (size_t)f.expect < e->n)
    f.name = (vso_slice){e->items[f.expect].name, strlen(e->items[f.expect].name)};
  observe_shown(c, s, &f);
  vso_analysis_facts(&c->r->analysis, &f, s->name);
}

int vso_replay_capture(replay *r, int fd, const char *shown, size_t first, char *chunk, size_t size, size_t n) {
  capture_ctx c = {.r = r, .first = first};
  c.reader = (vso_capture_reader){.ctx = &c, .data = on_data, .line = on_line, .end = on_end,
                                  .attempt = on_attempt, .encoding = on_encoding, .knobs = on_knobs,
                                  .listing_masked = on_listing_masked, .legs = on_legs,
                                  .source = on_source};
  int status = 0;
  for (bool more = true; more && status == 0;) {
    if (!vso_capture_feed(&c.reader, chunk, n)) break;
    status = vso_replay_read(fd, chunk, size, shown, &n);
    more = n > 0;
  }
  if (status == 0 && !vso_capture_finish(&c.reader)) {
    vso_warn("replay: '%s': not a well-formed capture: %s", shown, c.reader.error);
    status = VSO_EXIT_USAGE;
  }
  vso_capture_reader_free(&c.reader);
  vso_buf_free(&c.facts.values);
  vso_buf_free(&c.facts.diags);
  return status;
}
