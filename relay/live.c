/* SPDX-License-Identifier: MIT */
#include "live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "verdict.h"

/* ---- the capture ------------------------------------------------------------- */

/* What goes into the capture for stream, read as replay will read it: a
 * secret that masks the generator's listing out of the shape the run read
 * is found at the end of the attempt (vso_live_attempt_done). */
static void to_capture(vso_live *l, int stream, const char *p, size_t n) {
  vso_capture_write(l->capture, stream, p, n);
  if (l->read_announcement) vso_scanner_feed(&l->streams_[stream].shown_, p, n);
}

/* Writes p[0..n) to the capture, secrets masked.  With wait_for_more, it
 * stops where the rest could begin a secret that the next bytes complete,
 * and returns how much went out (nothing when it failed). */
static size_t capture_masked(vso_live *l, int stream, const char *p, size_t n, bool wait_for_more) {
  vso_buf masked = {0};
  size_t done = n;
  bool ok = wait_for_more ? vso_mask_complete(&l->analysis.secrets, p, n, &masked, &done)
                          : vso_mask(&l->analysis.secrets, p, n, &masked);
  if (ok) to_capture(l, stream, masked.data ? masked.data : "", masked.len);
  else l->failed = true;
  vso_buf_free(&masked);
  return ok ? done : 0;
}

/* Passed bytes go to the capture masked.  A secret may arrive cut in two by
 * the reads, so the tail that could begin one waits in the stream's
 * capture_tail_ for the next bytes (or the end of the stream). */
static void record(vso_live *l, int stream, const char *p, size_t n) {
  vso_buf *tail = &l->streams_[stream].capture_tail_;
  if (!l->capture || !n) return;
  if (vso_secrets_empty(&l->analysis.secrets) && tail->len == 0) {
    to_capture(l, stream, p, n);
    return;
  }
  if (!vso_buf_append(tail, p, n)) {
    l->failed = true;
    return;
  }
  size_t done = capture_masked(l, stream, tail->data, tail->len, true);
  memmove(tail->data, tail->data + done, tail->len - done);
  tail->len -= done;
}

/* What waits in capture_tail_ goes out masked as it is: a held line follows,
 * or the stream ended. */
static void record_tail(vso_live *l, int stream) {
  vso_buf *tail = &l->streams_[stream].capture_tail_;
  if (!l->capture || tail->len == 0) return;
  capture_masked(l, stream, tail->data, tail->len, false);
  vso_buf_clear(tail);
}

/* The facts of a held line whose shown text masking changed: what the run
 * read, so that replay reaches the same verdict without the text.  A name
 * that masking changed is one of the run's expectations, by its index. */
static vso_line_facts masked_facts(vso_live *l, const vso_line *line, vso_line_result r, vso_analysis_mark before,
                                   vso_buf *diags) {
  vso_line_facts f = vso_analysis_line_facts(&l->analysis, line, r, before, diags);
  size_t at;
  if (f.name.p && l->expect && vso_mask_changes(&l->analysis.secrets, f.name.p, f.name.n) &&
      vso_expect_index_of(l->expect, f.name.p, f.name.n, &at))
    f.expect = (long)at;
  return f;
}

/* The held line as the capture keeps it: a @line record of its facts and
 * its text as shown (its first shown bytes, "***" in place of a secret
 * variable's value), masked, with its terminator.  When masking left the
 * line as it was, replay reads it again; otherwise it reads the facts. */
static void record_line(vso_live *l, int stream, const vso_line *line, size_t shown, vso_line_result r,
                        vso_analysis_mark before) {
  if (!l->capture) return;
  record_tail(l, stream);
  const vso_secrets *secrets = &l->analysis.secrets;
  vso_buf text = {0}, facts = {0}, diags = {0};
  bool ok = vso_mask(secrets, line->text, shown, &text) && (shown == line->len || vso_buf_append_str(&text, "***"));
  bool exact = ok && !r.unread && text.len == line->len && memcmp(text.data ? text.data : "", line->text, text.len) == 0;
  vso_line_facts f = {.line_no = line->line_no, .kind = r.kind, .exact = true, .cut = line->cut,
                      .truncated = line->truncated, .expect = -1, .matrix = -1};
  if (ok && !exact) f = masked_facts(l, line, r, before, &diags);
  ok = ok && vso_capture_put_facts(&facts, &f, secrets) && vso_buf_append(&text, line->term, line->term_len);
  if (ok) vso_capture_line(l->capture, stream, &facts, text.data, text.len);
  if (ok && l->read_announcement) vso_scanner_feed(&l->streams_[stream].shown_, text.data, text.len);
  if (!ok) l->failed = true;
  vso_buf_free(&text);
  vso_buf_free(&facts);
  vso_buf_free(&diags);
}

/* ---- what goes out live ------------------------------------------------------- */

static void on_pass(void *ctx, const char *p, size_t n) {
  vso_live_stream *s = ctx;
  vso_out_write(s->out_, p, n);
  record(s->live_, s->index_, p, n);
}

/* The rest of a held line that could not be held (memory ran out): it
 * belongs to a logging command the agent must not carry out, and may be a
 * secret's value, so it is not shown at all, only counted. */
static void on_rest(void *ctx, const char *p, size_t n) {
  vso_live_stream *s = ctx;
  (void)p;
  s->live_->unshown_bytes += n;
}

/* A long line with no secret to mask is written in pieces, the keyword
 * ("##vso") deactivated on the way, so a 64 MiB value is not copied once
 * more. */
static bool write_deactivated(vso_out *out, const char *p, size_t n) {
  bool ok = true;
  for (size_t from = 0; ok && from < n;) {
    size_t at = from + vso_next_keyword(p + from, n - from);
    ok = vso_out_write(out, p + from, at - from) &&
         (at == n || vso_out_write(out, vso_dialect_inert_keyword, vso_dialect_keyword_len));
    from = at == n ? n : at + vso_dialect_keyword_len;
  }
  return ok;
}

/* "1,415": digits grouped by thousands, as a person reads a size. */
static bool append_grouped(vso_buf *out, size_t n) {
  char digits[32];
  int len = snprintf(digits, sizeof digits, "%zu", n);
  bool ok = len > 0;
  for (int i = 0; ok && i < len; i++)
    ok = (i == 0 || (len - i) % 3 || vso_buf_append_char(out, ',')) && vso_buf_append_char(out, digits[i]);
  return ok;
}

/* The live copy counts the legs of a value up to this size; a larger one
 * shows its size only, so that a huge value is not parsed unless an
 * expectation or a report asks for its legs at the end.  Real matrices are
 * a few KiB. */
enum { LEGS_COUNTED_UP_TO = 65536 };

/* The legs of a held value that is a build matrix, or 0.  The parse is not
 * kept: thousands of held matrices nobody expects would keep every leg
 * (memory is the held lines and little more); the expectations and the
 * report read the values they need again at the end. */
static size_t legs_now(const vso_setvar *sv) {
  if (sv->value.n > LEGS_COUNTED_UP_TO) return 0;
  size_t i = 0;
  while (i < sv->value.n && (sv->value.p[i] == ' ' || sv->value.p[i] == '\t')) i++;
  if (i == sv->value.n || sv->value.p[i] != '{') return 0; /* a matrix is an object: no parse needed */
  vso_matrix m;
  vso_buf why = {0};
  size_t legs = vso_matrix_parse(sv->value.p, sv->value.n, &m, &why) ? m.nlegs : 0;
  vso_matrix_free(&m);
  vso_buf_free(&why);
  return legs;
}

/* line's first shown bytes neutralised ("***" for the rest of a secret's
 * line), then tail (vsorelay's own words, or NULL), then the line's end. */
static void write_neutralised(vso_live_stream *s, const vso_line *line, size_t shown, const char *tail) {
  vso_live *l = s->live_;
  if (line->len > 65536 && shown == line->len && vso_secrets_empty(&l->analysis.secrets)) {
    write_deactivated(s->out_, line->text, line->len);
    if (tail) vso_out_write(s->out_, tail, strlen(tail));
    vso_out_write(s->out_, line->term, line->term_len);
    return;
  }
  vso_buf copy = {0};
  if (vso_neutralise(&l->analysis, line, shown, &copy) && (!tail || vso_buf_append_str(&copy, tail)) &&
      vso_buf_append(&copy, line->term, line->term_len))
    vso_out_write(s->out_, copy.data, copy.len);
  else
    l->failed = true;
  vso_buf_free(&copy);
}

/* The short live copy of a held task.setvariable: the line up to the end of
 * the command's properties, neutralised, then what is held instead of the
 * value ("(held until the command ends: 1,415 bytes, 6 legs)"); of a secret,
 * neither length nor legs.  The whole line is in the capture and, with
 * --verbose or the agent's SYSTEM_DEBUG, in the log. */
static void write_short(vso_live_stream *s, const vso_line *line, const vso_setvar *sv, size_t data_at) {
  vso_live *l = s->live_;
  vso_line head = *line;
  head.len = data_at;
  vso_buf held = {0};
  bool ok = vso_buf_append_str(&held, " (held until the command ends");
  size_t legs = sv->is_secret ? 0 : legs_now(sv);
  if (ok && !sv->is_secret)
    ok = vso_buf_append_str(&held, ": ") && append_grouped(&held, sv->value.n) &&
         vso_buf_append_str(&held, sv->value.n == 1 ? " byte" : " bytes") &&
         (!legs || vso_buf_appendf(&held, ", %zu %s", legs, legs == 1 ? "leg" : "legs"));
  if (ok && vso_buf_append_char(&held, ')')) write_neutralised(s, &head, data_at, held.data);
  else l->failed = true;
  vso_buf_free(&held);
}

/* The agent registers a secret variable's value with its masker the moment
 * it reads the command, and masks it in every line after.  vsorelay holds the
 * command until the end, so it tells the agent at once, with a task.setsecret
 * of the command's own (still escaped) data: whatever the step prints after
 * it stays masked, as without vsorelay.  Not for a command the agent would
 * refuse (no name, a multi-line secret, a policy): it registers nothing then. */
/* A task.setsecret of vsorelay's own with data as received (escaped). */
static void register_data_now(vso_live_stream *s, const char *data, size_t n) {
  vso_out *out = s->out_;
  const char *head = vso_dialect_command_head(VSO_OWN_SETSECRET);
  (void)(vso_out_line_start(out) && vso_out_write(out, head, strlen(head)) && vso_out_write(out, data, n) &&
         vso_out_write(out, "\n", 1));
}

static void register_secret_now(vso_live_stream *s, const vso_setvar *sv) {
  if (!sv->is_secret || sv->rejected || sv->refused || sv->value.n == 0) return;
  /* On the stream the command came from, right after its neutralised copy:
   * that stream is at the start of a line there, while the other may be in
   * the middle of one, which a line of vsorelay's would cut in two.  The
   * agent masks for the whole job whichever stream registered the secret.
   * Written in pieces, not built in memory: when memory runs out, the secret
   * must still reach the agent's masker (a failed write is remembered by the
   * writer: exit 125). */
  register_data_now(s, sv->raw.p + sv->data_at, sv->raw.n - sv->data_at);
  /* The agent also masks the value as a logging command's data would hold
   * it (p;q as p%3Bq): a second task.setsecret whose data, once the agent
   * has unescaped it, is that form.  (With DECODE_PERCENTS off its '%'
   * cannot be written so; the agent registers it when the command is
   * re-emitted.)  Memory for it may run out: the value itself is registered
   * already, and the run fails (exit 125). */
  if (!s->live_->knobs.decode_percents || !vso_escape_changes(sv->value.p, sv->value.n, true)) return;
  vso_buf escaped = {0}, twice = {0};
  bool ok = vso_escape(sv->value.p, sv->value.n, &escaped) && vso_escape(escaped.data, escaped.len, &twice);
  if (ok) register_data_now(s, twice.data ? twice.data : "", twice.len);
  if (!ok) s->live_->failed = true;
  vso_buf_free(&escaped);
  vso_buf_free(&twice);
}

/* After task.complete done=true the agent drops all output 5 s later, the
 * re-emitted variables included: the command's verdict comes after them,
 * or not at all when vsorelay fails the step. */
static void hold_complete(vso_live *l, const vso_line *line) {
  size_t at = line->command_at;
  if (!vso_buf_append(&l->held_completes, line->text + at, line->len - at) ||
      !vso_buf_append_char(&l->held_completes, '\n'))
    l->failed = true;
}

static void on_line(void *ctx, const vso_line *line) {
  vso_live_stream *s = ctx;
  vso_live *l = s->live_;
  vso_analysis_mark before = vso_analysis_mark_now(&l->analysis);
  vso_line_result r = vso_analysis_line(&l->analysis, line, s->name_);
  size_t shown = vso_analysis_shown(&l->analysis, line, r); /* the value of a secret is never shown */
  record_line(l, s->index_, line, shown, r, before);
  bool hold = (r.kind == VSO_LINE_SETVARIABLE || r.kind == VSO_LINE_COMPLETE) && !l->stream_mode;
  if (hold && r.kind == VSO_LINE_COMPLETE) hold_complete(l, line);
  /* a cut line is shown whole, neutralised, whatever it holds: its writer did not finish it */
  if (hold && r.kind == VSO_LINE_SETVARIABLE && !l->full_copies && !line->cut) {
    write_short(s, line, r.setvar, r.data_at);
    register_secret_now(s, r.setvar);
    return;
  }
  if (hold || r.kind == VSO_LINE_REFUSED || line->truncated || line->cut || r.unread) {
    write_neutralised(s, line, shown, NULL);
    if (hold && r.kind == VSO_LINE_SETVARIABLE && !line->cut) register_secret_now(s, r.setvar);
    if (r.cut_secret) register_data_now(s, line->text + r.data_at, line->len - r.data_at);
    return;
  }
  vso_out_write(s->out_, line->text, line->len);
  vso_out_write(s->out_, line->term, line->term_len);
}

static void on_watched(void *ctx, const vso_watched *w) {
  vso_live_stream *s = ctx;
  vso_announce_line(&s->reader_, w);
}

static void on_shown_watched(void *ctx, const vso_watched *w) {
  vso_live_stream *s = ctx;
  vso_announce_line(&s->shown_reader_, w);
}

/* The scanner of what the capture keeps of a stream: its listing only. */
static bool start_shown(vso_live *l, vso_live_stream *s) {
  vso_scanner_free(&s->shown_);
  vso_scan_sink sink = {.ctx = s, .watched = on_shown_watched};
  vso_scanner_init(&s->shown_, &sink, 0);
  s->shown_reader_ = (vso_announce_reader){.into = &l->shown_announcement_, .source = s->name_};
  return vso_scanner_watch(&s->shown_, vso_announce_watch, vso_announce_nwatch, vso_announce_key_at);
}

/* ---- attempts ----------------------------------------------------------------- */

void vso_live_init(vso_live *l) {
  memset(l, 0, sizeof *l);
  /* a closed stdout cannot carry the variables: like EPIPE, exit 125 */
  l->out = (vso_out){.fd = STDOUT_FILENO, .name = "stdout", .error = vso_std_fd_was_closed(1) ? EBADF : 0,
                     .agent_reads = true};
  l->err = vso_stderr();
  l->err->agent_reads = true;
  static const char *const names[VSO_LIVE_STREAMS] = {"stdout", "stderr"};
  for (int i = 0; i < VSO_LIVE_STREAMS; i++)
    l->streams_[i] = (vso_live_stream){.live_ = l, .index_ = i, .name_ = names[i], .out_ = i ? l->err : &l->out};
}

void vso_live_attempt(vso_live *l, int attempt) {
  /* the secrets of earlier attempts stay secret: the agent was told them */
  l->analysis.knobs = l->knobs;
  l->analysis.policy = l->policy;
  vso_analysis_restart(&l->analysis);
  vso_buf_clear(&l->held_completes);
  vso_announcement_next_attempt(&l->announcement, &l->earlier_announcement_);
  vso_announcement_free(&l->shown_announcement_);
  l->announcement_carried = false;
  for (int i = 0; i < VSO_LIVE_STREAMS; i++) {
    vso_live_stream *s = &l->streams_[i];
    vso_scanner_free(&s->scanner_);
    vso_scan_sink sink = {.ctx = s, .pass = on_pass, .line = on_line, .watched = on_watched, .rest = on_rest};
    vso_scanner_init(&s->scanner_, &sink, 0);
    s->reader_ = (vso_announce_reader){.into = &l->announcement, .source = s->name_};
    /* without the announcement, the scanner runs the loop it always ran */
    if (l->read_announcement &&
        !vso_scanner_watch(&s->scanner_, vso_announce_watch, vso_announce_nwatch, vso_announce_key_at))
      l->failed = true;
    if (l->read_announcement && l->capture && !start_shown(l, s)) l->failed = true;
  }
  if (l->capture) vso_capture_attempt(l->capture, attempt);
  /* an attempt starts its own lines: glued to the last unterminated line of
   * the one before, its first bytes would become that line's text, or the
   * data of a command the agent runs */
  (void)vso_out_line_start(&l->out);
  (void)vso_out_line_start(l->err);
}

void vso_live_data(void *ctx, int stream, const char *p, size_t n) {
  vso_live *l = ctx;
  vso_scanner_feed(&l->streams_[stream].scanner_, p, n);
}

void vso_live_end(void *ctx, int stream, bool cut) {
  vso_live *l = ctx;
  vso_scanner *scanner = &l->streams_[stream].scanner_;
  scanner->cut_at_end = cut;
  vso_scanner_finish(scanner);
  vso_announcement_stream_ended(&l->announcement, l->streams_[stream].name_, scanner->lines);
  record_tail(l, stream);
  if (l->capture && l->read_announcement) vso_scanner_finish(&l->streams_[stream].shown_);
  if (l->capture) vso_capture_end(l->capture, stream, scanner->bytes, scanner->lines);
}

void vso_live_attempt_done(vso_live *l) {
  for (int i = 0; i < VSO_LIVE_STREAMS; i++) {
    const vso_scanner *s = &l->streams_[i].scanner_;
    l->bytes[i] += s->bytes;
    l->lines[i] += s->lines;
    if (s->out_of_memory) l->analysis.out_of_memory = true;
  }
  /* replay reads the listing from the capture, masked: when it would not read
   * what the run read, the capture says so, and replay cannot check it */
  if (l->capture && l->read_announcement &&
      !vso_announce_same_shown(&l->announcement, &l->shown_announcement_, &l->analysis.secrets))
    vso_capture_listing_masked(l->capture);
  l->announcement_carried = vso_announcement_carry(&l->announcement, &l->earlier_announcement_);
}

void vso_live_capture_legs(vso_live *l, const vso_expect_set *set) {
  for (size_t i = 0; l->capture && i < set->n; i++) {
    const vso_expectation *e = &set->items[i];
    bool judged = e->status == VSO_EXP_MET || e->status == VSO_EXP_INVALID; /* a usable value's legs */
    if (!e->announced || !e->last || !e->last->is_secret || !judged) continue;
    for (int k = 0; k < VSO_LIVE_STREAMS; k++)
      if (e->last->source && strcmp(e->last->source, l->streams_[k].name_) == 0)
        vso_capture_legs(l->capture, k, e->last->line_no, e->status == VSO_EXP_MET);
  }
}

void vso_live_free(vso_live *l) {
  for (int i = 0; i < VSO_LIVE_STREAMS; i++) {
    vso_scanner_free(&l->streams_[i].scanner_);
    vso_buf_free(&l->streams_[i].capture_tail_);
    vso_scanner_free(&l->streams_[i].shown_);
  }
  vso_analysis_free(&l->analysis);
  vso_announcement_free(&l->announcement);
  vso_announcement_free(&l->earlier_announcement_);
  vso_announcement_free(&l->shown_announcement_);
  vso_buf_free(&l->held_completes);
}

/* ---- after the verdict ----------------------------------------------------------- */

/* With --stream, only the last set of each expected name is written again:
 * a flag per setvariable.  NULL without only (every one is written). */
static bool *wanted_setvars(const vso_live *l, const vso_expect_set *only, bool *ok) {
  *ok = true;
  if (!only) return NULL;
  bool *wanted = calloc(l->analysis.nsetvars + 1, sizeof *wanted);
  *ok = wanted != NULL;
  for (size_t k = 0; wanted && k < only->n; k++)
    if (only->items[k].last) wanted[only->items[k].last - l->analysis.setvars] = true;
  return wanted;
}

/* Every held task.setvariable, each as the "##vso[..." part of its original
 * line, byte for byte, one per line, in checked writes of up to 64 KiB (a
 * huge command is written on its own). */
bool vso_live_release(vso_live *l, const vso_expect_set *only) {
  vso_buf block = {0};
  bool ok;
  bool *wanted = wanted_setvars(l, only, &ok);
  bool started = false;
  for (size_t i = 0; i < l->analysis.nsetvars && ok; i++) {
    const vso_setvar *sv = &l->analysis.setvars[i];
    if (sv->refused || sv->cut || (wanted && !wanted[i])) continue; /* a cut value is never trusted */
    if (!started) ok = started = vso_out_line_start(&l->out);
    if (sv->raw.n < 65536) {
      ok = vso_buf_append(&block, sv->raw.p, sv->raw.n) && vso_buf_append_char(&block, '\n');
      if (ok && block.len >= 65536) { /* a block at a time: memory stays flat */
        ok = vso_out_write(&l->out, block.data, block.len);
        vso_buf_clear(&block);
      }
      continue;
    }
    /* a huge command is written as it is rather than copied into the block */
    ok = vso_out_write(&l->out, block.data, block.len) && vso_out_write(&l->out, sv->raw.p, sv->raw.n) &&
         vso_out_write(&l->out, "\n", 1);
    vso_buf_clear(&block);
  }
  free(wanted);
  if (ok && block.len) ok = vso_out_write(&l->out, block.data, block.len);
  vso_buf_free(&block);
  /* the command's own task.complete, after its variables */
  if (ok && l->held_completes.len)
    ok = (started || vso_out_line_start(&l->out)) &&
         vso_out_write(&l->out, l->held_completes.data, l->held_completes.len);
  if (!ok && !l->out.error) l->failed = true;
  return ok;
}

/* Where vsorelay's own commands go: stdout, unless the agent decodes it as
 * UTF-16/32 (it would read none of them there), then stderr. */
static vso_out *own_commands_out(vso_live *l) { return l->stdout_unreadable ? l->err : &l->out; }

bool vso_live_issue(vso_live *l, bool error, const char *text) {
  const vso_secrets *secrets = &l->analysis.secrets;
  vso_out *to = own_commands_out(l);
  vso_buf msg = {0};
  bool ok = vso_buf_append_str(&msg, "vsorelay: ") && vso_buf_append_str(&msg, text);
  /* the agent shows the logging command: once is enough in its log */
  if (ok && !l->knobs.under_agent) vso_warn("%s", text);
  ok = ok && vso_out_command(to, secrets, error ? VSO_OWN_ERROR : VSO_OWN_WARNING, msg.data);
  if (!ok && !to->error) l->failed = true;
  vso_buf_free(&msg);
  return ok;
}

bool vso_live_group(vso_live *l, const char *title) {
  vso_buf line = {0};
  bool ok = vso_dialect_command(&line, title ? VSO_OWN_GROUP : VSO_OWN_ENDGROUP, title ? title : "",
                                title ? strlen(title) : 0) &&
            vso_out_line_start(&l->out) && vso_out_write(&l->out, line.data, line.len);
  if (!ok && !l->out.error) l->failed = true;
  vso_buf_free(&line);
  return ok;
}

void vso_live_fail_step(vso_live *l, const vso_outcome *o) {
  const vso_expect_set *e = o->expect;
  vso_buf words = {0};
  if (o->facts.unchecked) vso_live_issue(l, true, o->facts.unchecked);
  /* with nothing expected, the unreadable stdout is the step's one error */
  if (!e->n && vso_encoding_unreadable(o->facts.stdout_encoding)) {
    if (vso_unreadable_reason(&words, "stdout", o->facts.stdout_encoding) &&
        vso_buf_append_str(&words, ": no variable the command sets can reach it"))
      vso_live_issue(l, true, words.data);
    else
      l->failed = true;
    vso_buf_clear(&words);
  }
  for (size_t i = 0; i < e->n; i++) {
    if (!vso_expectation_unmet(&e->items[i])) continue;
    if (vso_words_unmet(o, &e->items[i], &words)) vso_live_issue(l, true, words.data);
    else l->failed = true;
    vso_buf_clear(&words);
  }
  vso_buf_free(&words);
  vso_out *to = own_commands_out(l);
  vso_buf done = {0};
  bool ok = vso_buf_append_str(&done, "vsorelay: ") && vso_words_unmet_count(o, &done) &&
            vso_out_command(to, &l->analysis.secrets, VSO_OWN_FAIL, done.data);
  if (!ok && !to->error) l->failed = true;
  vso_buf_free(&done);
}
