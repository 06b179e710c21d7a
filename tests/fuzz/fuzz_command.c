/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the agent's command grammar (core/command.h) and
 * for the analysis of held lines (core/analysis.h).
 *
 * 1. vso_parse_command on the whole input, with decode_percents off and on
 *    (ASan/UBSan catch any out-of-bounds access).  It, and vso_parse_command_at
 *    given where "##vso[" starts, must agree with reference_command.c, a
 *    plain transcription of the agent's Split calls, on whether the line is
 *    a command and on every field; data_at must be just after the ']' that
 *    ends the command info.  For every parsed command:
 *    - the parser's own invariants: area and event are non-empty and hold no
 *      '.', ' ' or ']'; keys are non-empty, hold no ';', '=' or ']', are
 *      distinct (ASCII case-insensitively); values are non-empty;
 *    - re-serialised the agent's way (CommandStringConvertor.Escape on values
 *      and data):
 *        "##vso[" area "." event [" " key "=" escape(value) (";" ...)] "]" escape(data)
 *      and parsed again with decode_percents on, it gives the same area,
 *      event, properties (keys, values, order) and data.
 *    Re-serialising is faithful only when area, event and keys hold nothing
 *    that changes the grammar.  The parser itself guarantees that (see the
 *    invariants: a name ends at the first ' ' and is split at '.', the
 *    command info ends at the first ']', a key ends at its '=' and a property
 *    at its ';'; a later "##vso[" or a CR/LF means nothing to
 *    vso_parse_command, which sees one line), so no command has to be
 *    skipped; a command that broke an invariant aborts instead.
 *    - vso_unescape(vso_escape(x), true) == x for the data and every value,
 *      and vso_escape_changes(x) says whether Escape changes x.
 * 2. The input is split into lines by the scanner (held mode) and every held
 *    line goes through vso_analysis_line and vso_neutralise, with both
 *    decode_percents settings; the neutralised copy must hold no "##vso";
 *    every setvariable's raw line has its value right after its ']';
 *    vso_quote and vso_json_string run on every held line as well.  The
 *    input, masked with the secrets found in it, comes out the same whole
 *    and fed in pieces to vso_mask_complete.
 * Any mismatch prints what differed and calls abort(). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "command.h"
#include "reference_command.h"
#include "scan.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MISMATCH(...)                                  \
  do {                                                 \
    fprintf(stderr, "fuzz_command: mismatch: ");       \
    fprintf(stderr, __VA_ARGS__);                      \
    fprintf(stderr, "\n");                             \
    abort();                                           \
  } while (0)

static void xappend(vso_buf *b, const void *p, size_t n) {
  if (!vso_buf_append(b, p, n)) abort();
}

static bool has_any(const vso_slice *s, const char *set) {
  for (size_t i = 0; i < s->n; i++)
    if (strchr(set, s->p[i]) && s->p[i] != '\0') return true;
  return false;
}

static bool same_str(const vso_slice *a, const vso_slice *b) {
  return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static void check_invariants(const vso_command *c) {
  if (!c->area.p || !c->event.p || !c->data.p) MISMATCH("NULL area, event or data");
  if (c->area.n == 0 || c->event.n == 0) MISMATCH("empty area or event");
  if (has_any(&c->area, ". ]") || has_any(&c->event, ". ]")) MISMATCH("area or event holds '.', ' ' or ']'");
  for (size_t i = 0; i < c->nprops; i++) {
    const vso_prop *p = &c->props[i];
    if (!p->key.p || !p->value.p) MISMATCH("property %zu: NULL key or value", i);
    if (p->key.n == 0) MISMATCH("property %zu: empty key", i);
    if (p->value.n == 0) MISMATCH("property %zu: empty value", i);
    if (has_any(&p->key, ";=]")) MISMATCH("property %zu: key holds ';', '=' or ']'", i);
    for (size_t j = 0; j < i; j++)
      if (vso_ieq(p->key.p, p->key.n, c->props[j].key.p, c->props[j].key.n))
        MISMATCH("properties %zu and %zu: same key", j, i);
    /* vso_command_prop takes a C string (keys are slices of the line): only
     * comparable without NULs */
    if (memchr(p->key.p, '\0', p->key.n)) continue;
    char *key = malloc(p->key.n + 1);
    if (!key) abort();
    memcpy(key, p->key.p, p->key.n);
    key[p->key.n] = '\0';
    if (vso_command_prop(c, key) != p) MISMATCH("vso_command_prop misses key %zu", i);
    free(key);
  }
}

static void check_escape_roundtrip(const vso_slice *s) {
  vso_buf e = {0}, u = {0};
  if (!vso_escape(s->p, s->n, &e) || !vso_unescape(e.data ? e.data : "", e.len, true, &u)) abort();
  if (u.len != s->n || (s->n && memcmp(u.data, s->p, s->n) != 0))
    MISMATCH("unescape(escape(x)) != x for %zu bytes", s->n);
  for (int decode = 0; decode < 2; decode++) { /* vso_escape_changes says whether Escape changes x */
    vso_buf_clear(&e);
    if (!vso_escape_as(s->p, s->n, decode, &e)) abort();
    bool changed = e.len != s->n || (s->n && memcmp(e.data, s->p, s->n) != 0);
    if (changed != vso_escape_changes(s->p, s->n, decode))
      MISMATCH("vso_escape_changes is %d, Escape %s %zu bytes", !changed, changed ? "changed" : "kept", s->n);
  }
  vso_buf_free(&e);
  vso_buf_free(&u);
}

static void serialise(const vso_command *c, vso_buf *out) {
  xappend(out, vso_dialect_prefix, vso_dialect_prefix_len);
  xappend(out, c->area.p, c->area.n);
  xappend(out, ".", 1);
  xappend(out, c->event.p, c->event.n);
  for (size_t i = 0; i < c->nprops; i++) {
    xappend(out, i == 0 ? " " : ";", 1);
    xappend(out, c->props[i].key.p, c->props[i].key.n);
    xappend(out, "=", 1);
    if (!vso_escape(c->props[i].value.p, c->props[i].value.n, out)) abort();
  }
  xappend(out, "]", 1);
  if (!vso_escape(c->data.p, c->data.n, out)) abort();
}

static bool same_field(const vso_slice *a, const ref_field *b) {
  return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* The parser, searching for the prefix or told where it is, against the
 * plain transcription. */
static void check_against_reference(const uint8_t *data, size_t size, bool decode) {
  ref_command want;
  bool want_ok = ref_parse_command((const char *)data, size, decode, &want);
  /* an exact-size copy: ASan catches any read past the line (the scanner
   * hands over lines in place, with no NUL after them) */
  char *line = malloc(size ? size : 1);
  if (!line) abort();
  if (size) memcpy(line, data, size);
  ptrdiff_t at = vso_find_prefix(line, size);
  for (int told = 0; told < 1 + (at >= 0); told++) {
    vso_command got;
    bool oom = false;
    bool got_ok = told ? vso_parse_command_at(line, size, (size_t)at, decode, &got, &oom)
                       : vso_parse_command(line, size, decode, &got, &oom);
    if (oom) abort();
    if (got_ok != want_ok) MISMATCH("parsed: %d, the reference says %d (told %d)", got_ok, want_ok, told);
    if (got_ok && (got.data_at == 0 || got.data_at > size || line[got.data_at - 1] != ']' ||
                   memchr(line + at + vso_dialect_prefix_len, ']', got.data_at - 1 - (size_t)at - vso_dialect_prefix_len)))
      MISMATCH("data_at %zu is not just after the first ']' of the command", got.data_at);
    if (got_ok && !want.too_many) {
      if (!same_field(&got.area, &want.area)) MISMATCH("area differs from the reference");
      if (!same_field(&got.event, &want.event)) MISMATCH("event differs from the reference");
      if (!same_field(&got.data, &want.data)) MISMATCH("data differs from the reference");
      if (got.nprops != want.nprops) MISMATCH("%zu properties, the reference has %zu", got.nprops, want.nprops);
      for (size_t i = 0; i < got.nprops; i++)
        if (!same_field(&got.props[i].key, &want.keys[i]) || !same_field(&got.props[i].value, &want.values[i]))
          MISMATCH("property %zu differs from the reference", i);
    }
    if (got_ok) vso_command_free(&got);
  }
  free(line);
  ref_command_free(&want);
}

static void check_command(const uint8_t *data, size_t size, bool decode) {
  check_against_reference(data, size, decode);
  vso_command c;
  bool oom = true;
  bool ok = vso_parse_command((const char *)data, size, decode, &c, &oom);
  if (oom) abort(); /* libFuzzer's malloc limit: not a finding of this harness */
  if (!ok) {
    if (c.area.p || c.event.p || c.props || c.nprops || c.data.p) MISMATCH("not a command, but *out is not empty");
    if (vso_find_prefix((const char *)data, size) < 0) return;
    return;
  }
  if (vso_find_prefix((const char *)data, size) < 0) MISMATCH("a command without \"##vso[\"");
  check_invariants(&c);
  check_escape_roundtrip(&c.data);
  for (size_t i = 0; i < c.nprops; i++) check_escape_roundtrip(&c.props[i].value);

  vso_buf line = {0};
  serialise(&c, &line);
  vso_command d;
  if (!vso_parse_command(line.data, line.len, true, &d, &oom))
    MISMATCH("the re-serialised command (%zu bytes) does not parse", line.len);
  if (!same_str(&c.area, &d.area)) MISMATCH("area differs after the round trip");
  if (!same_str(&c.event, &d.event)) MISMATCH("event differs after the round trip");
  if (c.nprops != d.nprops) MISMATCH("%zu properties, %zu after the round trip", c.nprops, d.nprops);
  for (size_t i = 0; i < c.nprops; i++) {
    if (!same_str(&c.props[i].key, &d.props[i].key)) MISMATCH("property %zu: key differs after the round trip", i);
    if (!same_str(&c.props[i].value, &d.props[i].value))
      MISMATCH("property %zu: value differs after the round trip", i);
  }
  if (!same_str(&c.data, &d.data)) MISMATCH("data differs after the round trip (%zu vs %zu bytes)", c.data.n, d.data.n);

  /* idempotence: serialising the re-parsed command gives the same line */
  vso_buf again = {0};
  serialise(&d, &again);
  if (again.len != line.len || memcmp(again.data, line.data, line.len) != 0) MISMATCH("second serialisation differs");
  vso_buf_free(&again);
  vso_buf_free(&line);
  vso_command_free(&d);
  vso_command_free(&c);
}

/* ---- analysis of held lines ---------------------------------------------- */

typedef struct analysis_ctx {
  vso_analysis *a;
} analysis_ctx;

static void on_pass(void *ctx, const char *p, size_t n) {
  (void)ctx;
  (void)p;
  (void)n;
}

static bool holds_vso(const char *p, size_t n) {
  for (size_t i = 0; i + 5 <= n; i++)
    if (p[i] == '#' && p[i + 1] == '#' && (p[i + 2] | 0x20) == 'v' && (p[i + 3] | 0x20) == 's' &&
        (p[i + 4] | 0x20) == 'o')
      return true;
  return false;
}

static void on_line(void *ctx, const vso_line *line) {
  analysis_ctx *c = ctx;
  vso_line_result r = vso_analysis_line(c->a, line, "fuzz");
  if (c->a->out_of_memory) abort();
  if (r.data_at > line->len || (r.setvar && r.kind != VSO_LINE_SETVARIABLE && r.kind != VSO_LINE_REFUSED))
    MISMATCH("line result: data_at %zu of %zu, kind %d", r.data_at, line->len, (int)r.kind);
  bool secret_value = r.kind == VSO_LINE_SETVARIABLE && r.setvar->is_secret;
  vso_buf out = {0};
  if (!vso_neutralise(c->a, line, secret_value ? r.data_at : line->len, &out)) abort();
  if (holds_vso(out.data ? out.data : "", out.len)) MISMATCH("the neutralised copy still holds \"##vso\"");
  vso_buf_free(&out);
  vso_buf q = {0};
  if (!vso_quote(&c->a->secrets, line->text, line->len, &q)) abort();
  for (size_t i = 0; i < q.len; i++)
    if ((unsigned char)q.data[i] < 0x20 || q.data[i] == 0x7f) MISMATCH("vso_quote left a control byte");
  if (holds_vso(q.data ? q.data : "", q.len)) MISMATCH("vso_quote left \"##vso\"");
  vso_buf_free(&q);
  vso_buf j = {0};
  if (!vso_json_string(&j, line->text, line->len)) abort();
  vso_buf_free(&j);
}

/* The capture masks passed text as it arrives, in pieces: fed through
 * vso_mask_complete in chunks, the text must come out as vso_mask makes it
 * of the whole (a secret cut by a read is masked all the same). */
static void check_stream_mask(const vso_secrets *secrets, const char *p, size_t n) {
  vso_buf whole = {0}, streamed = {0}, tail = {0};
  if (!vso_mask(secrets, p, n, &whole)) abort();
  size_t step = n ? 1 + (unsigned char)p[0] % 7 : 1;
  for (size_t at = 0; at < n; at += step) {
    size_t piece = n - at < step ? n - at : step, done = 0;
    if (!vso_buf_append(&tail, p + at, piece)) abort();
    if (!vso_mask_complete(secrets, tail.data, tail.len, &streamed, &done)) abort();
    memmove(tail.data, tail.data + done, tail.len - done);
    tail.len -= done;
  }
  if (!vso_mask(secrets, tail.data ? tail.data : "", tail.len, &streamed)) abort();
  if (whole.len != streamed.len || (whole.len && memcmp(whole.data, streamed.data, whole.len) != 0))
    MISMATCH("masking in pieces of %zu gives %zu bytes, masking the whole %zu", step, streamed.len, whole.len);
  vso_buf_free(&whole);
  vso_buf_free(&streamed);
  vso_buf_free(&tail);
}

static void check_analysis(const uint8_t *data, size_t size, bool decode) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = decode});
  analysis_ctx ctx = {&a};
  vso_scan_sink sink = {.ctx = &ctx, .pass = on_pass, .line = on_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  vso_scanner_feed(&s, (const char *)data, size);
  vso_scanner_finish(&s);
  vso_scanner_free(&s);
  for (size_t i = 0; i < a.nsetvars; i++) {
    const vso_setvar *v = &a.setvars[i];
    if (v->data_at == 0 || v->data_at > v->raw.n || v->raw.p[v->data_at - 1] != ']')
      MISMATCH("setvariable %zu: its value does not start after a ']' (data_at %zu)", i, v->data_at);
    if (v->name.p) {
      const vso_setvar *last = vso_analysis_last(&a, v->name.p, v->name.n);
      if (!last) MISMATCH("setvariable %zu: vso_analysis_last finds nothing for its name", i);
    }
  }
  for (size_t i = 0; i < a.ndiags; i++) {
    const char *m = a.diags[i].message;
    if (!m) MISMATCH("diagnostic %zu without a message", i);
    if (holds_vso(m, strlen(m))) MISMATCH("diagnostic %zu holds \"##vso\"", i);
  }
  check_stream_mask(&a.secrets, (const char *)data, size);
  vso_analysis_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_command(data, size, false);
  check_command(data, size, true);
  check_analysis(data, size, size & 1);
  return 0;
}
