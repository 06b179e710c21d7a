/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the --capture reader (core/capture.h), which reads
 * files from outside: a capture may come from anywhere.
 *
 * 1. The input is read as a capture twice, whole and cut into chunks whose
 *    sizes come from its first byte: both readings accept or reject it alike
 *    and call back the same records (a digest of every callback).
 * 2. Every @line record's facts are read back (vso_capture_read_facts); a
 *    facts line that reads is written again (vso_capture_put_facts, no
 *    secret) and reads back to the same facts; then the line goes into an
 *    analysis as replay puts it: read again when it says exact=1 (its
 *    prefix found in the text, as replay finds it), from its facts otherwise.
 * 3. The input read as one facts line: the same round trip.
 * Any broken invariant prints what and calls abort(). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MISMATCH(...)                         \
  do {                                        \
    fprintf(stderr, "fuzz_capture: ");        \
    fprintf(stderr, __VA_ARGS__);             \
    fprintf(stderr, "\n");                    \
    abort();                                  \
  } while (0)

typedef struct reading {
  uint64_t digest;
  int last_stream;  /* of the data callback just before, or -1: pieces of a record join */
  vso_analysis analysis;
  vso_capture_facts_buf facts;
} reading;

static void mix(reading *r, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) r->digest = (r->digest ^ b[i]) * 0x100000001B3ull;
}

static void mix_u64(reading *r, uint64_t v) { mix(r, &v, sizeof v); }

static bool same_slice(vso_slice a, vso_slice b) {
  return (a.p == NULL) == (b.p == NULL) && (!a.p || (a.n == b.n && memcmp(a.p, b.p, a.n) == 0));
}

/* Facts that read are written again and read back the same. */
static void round_trip(const vso_line_facts *f) {
  vso_buf out = {0};
  vso_secrets none = {0};
  vso_capture_facts_buf storage = {{0}, {0}};
  if (!vso_capture_put_facts(&out, f, &none)) MISMATCH("cannot write facts back");
  vso_line_facts g;
  const char *why;
  if (!vso_capture_read_facts(out.data, out.len, &g, &storage, &why)) MISMATCH("written facts do not read: %s", why);
  bool same = g.line_no == f->line_no && g.kind == f->kind && g.exact == f->exact && g.cut == f->cut &&
              g.truncated == f->truncated && g.unread == f->unread;
  /* an exact line's facts say nothing more: the line is read again */
  if (!f->exact)
    same = same && same_slice(g.count, f->count) && same_slice(g.diags, f->diags) && g.setvar == f->setvar &&
           (!f->setvar || (same_slice(g.name, f->name) && g.expect == f->expect && g.length == f->length &&
                           g.is_secret == f->is_secret && g.is_output == f->is_output && g.matrix == f->matrix &&
                           g.rejected == f->rejected && g.refused == f->refused && g.is_readonly == f->is_readonly &&
                           (f->is_secret || (same_slice(g.value, f->value) &&
                                             (f->matrix != 0 || same_slice(g.why, f->why))))));
  if (!same) MISMATCH("facts changed on the way back: %.*s", (int)out.len, out.data);
  vso_buf_free(&out);
  vso_buf_free(&storage.values);
  vso_buf_free(&storage.diags);
}

/* The pieces of a record differ with the chunking, its bytes do not. */
static void on_data(void *ctx, int stream, const char *p, size_t n) {
  reading *r = ctx;
  if (r->last_stream != stream) mix_u64(r, 1000 + (uint64_t)stream);
  r->last_stream = stream;
  mix(r, p, n);
}

static void on_line(void *ctx, int stream, const char *facts, size_t nf, const char *text, size_t nt) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 2000 + (uint64_t)stream);
  mix(r, facts, nf);
  mix(r, text, nt);
  vso_line_facts f;
  const char *why;
  if (!vso_capture_read_facts(facts, nf, &f, &r->facts, &why)) return;
  round_trip(&f);
  size_t t = nt >= 2 && text[nt - 2] == '\r' && text[nt - 1] == '\n' ? 2
             : nt && (text[nt - 1] == '\n' || text[nt - 1] == '\r') ? 1 : 0;
  if (f.exact) {
    ptrdiff_t at = vso_find_prefix(text, nt - t);
    vso_line line = {.text = text, .len = nt - t, .command_at = at < 0 ? nt - t : (size_t)at, .term = text + nt - t,
                     .term_len = t, .line_no = f.line_no, .truncated = f.truncated, .cut = f.cut};
    vso_analysis_line(&r->analysis, &line, "fuzz");
    return;
  }
  f.text = (vso_slice){text, nt - t};
  vso_line_result res = vso_analysis_facts(&r->analysis, &f, "fuzz");
  if (f.setvar && res.setvar && res.setvar->length != f.length) MISMATCH("the setvariable lost its length");
}

static void on_end(void *ctx, int stream, uint64_t bytes, uint64_t lines) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 3000 + (uint64_t)stream);
  mix_u64(r, bytes);
  mix_u64(r, lines);
}

static void on_attempt(void *ctx, int attempt) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 4000 + (uint64_t)attempt);
  vso_analysis_free(&r->analysis);
  vso_analysis_init(&r->analysis, (vso_knobs){.decode_percents = true});
}

static void on_encoding(void *ctx, int stream, vso_stream_encoding e) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 5000 + (uint64_t)stream * 10 + (uint64_t)e);
}

static void on_knobs(void *ctx, vso_knobs k) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 6000 + (uint64_t)k.decode_percents);
}

static void on_listing_masked(void *ctx) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 7000);
}

static void on_source(void *ctx, const char *type, const char *p, size_t n) {
  reading *r = ctx;
  r->last_stream = -1;
  mix_u64(r, 8000 + n);
  mix(r, type, strlen(type));
  mix(r, p, n);
}

/* Reads the input as a capture in chunks of the given sizes (cycling; none: whole). */
static bool read_capture(const uint8_t *data, size_t size, const uint8_t *sizes, size_t nsizes, reading *r) {
  vso_analysis_init(&r->analysis, (vso_knobs){.decode_percents = true});
  vso_capture_reader rd = {.ctx = r, .data = on_data, .line = on_line, .end = on_end, .attempt = on_attempt,
                           .encoding = on_encoding, .knobs = on_knobs, .listing_masked = on_listing_masked,
                           .source = on_source};
  bool ok = true;
  for (size_t at = 0, k = 0; at < size && ok; k++) {
    size_t take = nsizes ? 1 + sizes[k % nsizes] % 97 : size;
    if (take > size - at) take = size - at;
    ok = vso_capture_feed(&rd, (const char *)data + at, take);
    at += take;
  }
  ok = ok && vso_capture_finish(&rd);
  if (rd.bad && !rd.error[0]) MISMATCH("rejected without a reason");
  vso_capture_reader_free(&rd);
  vso_analysis_read_matrices(&r->analysis);
  vso_analysis_free(&r->analysis);
  vso_buf_free(&r->facts.values);
  vso_buf_free(&r->facts.diags);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reading whole = {.last_stream = -1}, cut = {.last_stream = -1};
  bool a = read_capture(data, size, NULL, 0, &whole);
  size_t nsizes = size ? 1 + data[0] % 8 : 0;
  if (nsizes > size) nsizes = size;
  bool b = read_capture(data, size, data, nsizes, &cut);
  if (a != b) MISMATCH("accepted %s whole, %s in chunks", a ? "yes" : "no", b ? "yes" : "no");
  if (a && whole.digest != cut.digest) MISMATCH("the records read differ with the chunking");
  /* 3. the input as one facts line */
  vso_line_facts f;
  vso_capture_facts_buf storage = {{0}, {0}};
  const char *why;
  if (vso_capture_read_facts((const char *)data, size, &f, &storage, &why)) round_trip(&f);
  vso_buf_free(&storage.values);
  vso_buf_free(&storage.diags);
  return 0;
}
