/* SPDX-License-Identifier: MIT */
/* The harness of the scanner's unit tests (test_scan*.c): a plain reference
 * line splitter, a sink that records everything the scanner hands on, and
 * the chunkings every test is fed in (every split point, every pair, random
 * sizes).  A test compares the scanner, fed in each chunking, with the
 * reference, and checks that pass() bytes plus held lines (text and
 * terminator), in the order the sink saw them, give back the input byte for
 * byte.  Include it once, after check.h. */
#ifndef VSO_TEST_SCAN_HARNESS_H
#define VSO_TEST_SCAN_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "scan.h"

#ifndef VSO_SOURCE_DIR
#error "VSO_SOURCE_DIR must name the source tree"
#endif

/* each test binary uses some of these */
#pragma GCC diagnostic ignored "-Wunused-function"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  assert_non_null(p);
  return p;
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  assert_non_null(q);
  return q;
}

static void xappend(vso_buf *b, const void *p, size_t n) { assert_true(vso_buf_append(b, p, n)); }

static char *read_file(const char *path, size_t *len) {
  vso_buf b = {0};
  int rc = vso_read_file(path, SIZE_MAX, &b);
  if (rc) fail_msg("cannot read %s: %s", path, strerror(rc));
  return vso_buf_steal(&b, len);
}

/* ---- the reference splitter ---------------------------------------------- */

typedef struct ref_line {
  size_t at, len;     /* content, terminator excluded */
  size_t term_len;    /* 0 (end of input), 1 or 2     */
  uint64_t line_no;
} ref_line;

/* .NET ReadLine: "\n", "\r\n" or "\r" end a line; a last line without a
 * terminator counts only if it has bytes.  out needs room for n + 1 lines. */
static size_t ref_split(const char *p, size_t n, ref_line *out) {
  size_t count = 0, start = 0;
  for (size_t i = 0; i < n;) {
    if (p[i] != '\n' && p[i] != '\r') {
      i++;
      continue;
    }
    size_t t = (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
    out[count] = (ref_line){start, i - start, t, count + 1};
    count++;
    i += t;
    start = i;
  }
  if (start < n) {
    out[count] = (ref_line){start, n - start, 0, count + 1};
    count++;
  }
  return count;
}

/* The agent's IndexOf("##vso["), written independently of the scanner. */
static ptrdiff_t ref_find_prefix(const char *p, size_t n) {
  for (size_t i = 0; i + 6 <= n; i++)
    if (memcmp(p + i, "##vso[", 6) == 0) return (ptrdiff_t)i;
  return -1;
}

/* ---- a sink that records everything -------------------------------------- */

typedef struct rec_line {
  char *text;
  size_t len;
  char term[3];
  size_t term_len;
  uint64_t line_no;
  bool truncated;
  size_t at; /* offset in the reassembled stream where text starts */
} rec_line;

typedef struct collector {
  vso_buf stream; /* pass() bytes and held lines (text + term), in order */
  rec_line *lines;
  size_t n, cap;
  size_t empty_pass_calls;
} collector;

static void col_pass(void *ctx, const char *p, size_t n) {
  collector *c = ctx;
  if (n == 0) c->empty_pass_calls++;
  xappend(&c->stream, p, n);
}

static void col_line(void *ctx, const vso_line *l) {
  collector *c = ctx;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    c->lines = xrealloc(c->lines, c->cap * sizeof *c->lines);
  }
  rec_line *r = &c->lines[c->n++];
  memset(r, 0, sizeof *r);
  r->text = xmalloc(l->len + 1);
  if (l->len) memcpy(r->text, l->text, l->len);
  r->len = l->len;
  assert_true(l->term_len <= 2);
  if (l->term_len) memcpy(r->term, l->term, l->term_len);
  r->term_len = l->term_len;
  r->line_no = l->line_no;
  r->truncated = l->truncated;
  r->at = c->stream.len;
  xappend(&c->stream, l->text, l->len);
  xappend(&c->stream, l->term, l->term_len);
}

static void col_free(collector *c) {
  for (size_t i = 0; i < c->n; i++) free(c->lines[i].text);
  free(c->lines);
  vso_buf_free(&c->stream);
  memset(c, 0, sizeof *c);
}

typedef struct counters {
  uint64_t bytes, lines, held_lines;
  bool out_of_memory;
} counters;

/* Feeds input in the chunks that the sorted cut offsets make (a cut may be 0
 * or n, or repeat: that feeds an empty chunk) and finishes. */
static counters run(const char *in, size_t n, const size_t *cuts, size_t ncuts, unsigned flags,
                    size_t max_line, collector *c) {
  memset(c, 0, sizeof *c);
  vso_scan_sink sink = {.ctx = c, .pass = col_pass, .line = col_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, flags);
  if (max_line) s.max_line = max_line;
  size_t from = 0;
  for (size_t k = 0; k <= ncuts; k++) {
    size_t to = k < ncuts ? cuts[k] : n;
    assert_true(to >= from && to <= n);
    vso_scanner_feed(&s, in + from, to - from);
    from = to;
  }
  vso_scanner_finish(&s);
  counters r = {s.bytes, s.lines, s.held_lines, s.out_of_memory};
  vso_scanner_free(&s);
  return r;
}

static void describe_cuts(char *out, size_t cap, const size_t *cuts, size_t ncuts) {
  size_t w = (size_t)snprintf(out, cap, "[");
  for (size_t k = 0; k < ncuts && w < cap; k++)
    w += (size_t)snprintf(out + w, cap - w, k ? ",%zu" : "%zu", cuts[k]);
  if (w < cap) snprintf(out + w, cap - w, "]");
}

static bool is_cut(const size_t *cuts, size_t ncuts, size_t at) {
  for (size_t k = 0; k < ncuts; k++)
    if (cuts[k] == at) return true;
  return false;
}

/* The terminator a line was delivered with: the reference one, except that a
 * "\r\n" cut right after its '\r' is delivered as "\r" (the '\n' is passed). */
static void check_term(const rec_line *got, const char *in, const ref_line *want, size_t term_at,
                       const size_t *cuts, size_t ncuts) {
  bool same = got->term_len == want->term_len && memcmp(got->term, in + term_at, want->term_len) == 0;
  bool split_crlf = want->term_len == 2 && got->term_len == 1 && got->term[0] == '\r' &&
                    is_cut(cuts, ncuts, term_at + 1);
  CHECK(same || split_crlf, "line %llu: terminator of %zu bytes, want %zu",
        (unsigned long long)want->line_no, got->term_len, want->term_len);
}

static void check_stream(const collector *c, const char *in, size_t n) {
  size_t i = 0;
  size_t m = c->stream.len < n ? c->stream.len : n;
  while (i < m && c->stream.data[i] == in[i]) i++;
  CHECK(c->stream.len == n && i == n,
        "pass + held bytes differ from the input: %zu bytes vs %zu, first difference at %zu",
        c->stream.len, n, i);
}

/* ---- (a) whole-line mode against the reference splitter ------------------- */

static void check_whole_lines(const char *in, size_t n, const size_t *cuts, size_t ncuts) {
  ref_line *want = xmalloc((n + 1) * sizeof *want);
  size_t nwant = ref_split(in, n, want);
  collector c;
  counters k = run(in, n, cuts, ncuts, VSO_SCAN_WHOLE_LINES, 0, &c);
  CHECK(c.n == nwant, "whole-line mode delivered %zu lines, the reference splitter %zu", c.n, nwant);
  for (size_t i = 0; i < nwant; i++) {
    const rec_line *g = &c.lines[i];
    const ref_line *w = &want[i];
    CHECK(g->len == w->len && memcmp(g->text, in + w->at, w->len) == 0,
          "line %zu: content of %zu bytes differs from the reference (%zu bytes at offset %zu)", i + 1,
          g->len, w->len, w->at);
    CHECK(g->line_no == w->line_no, "line %zu: line_no %llu, want %llu", i + 1,
          (unsigned long long)g->line_no, (unsigned long long)w->line_no);
    CHECK(!g->truncated, "line %zu: truncated without a max_line", i + 1);
    CHECK(g->at == w->at, "line %zu: delivered at stream offset %zu, want %zu", i + 1, g->at, w->at);
    check_term(g, in, w, w->at + w->len, cuts, ncuts);
  }
  check_stream(&c, in, n);
  CHECK(c.empty_pass_calls == 0, "pass() called with 0 bytes %zu times", c.empty_pass_calls);
  CHECK(k.bytes == n, "bytes fed %llu, want %zu", (unsigned long long)k.bytes, n);
  CHECK(k.lines == nwant, "lines %llu, want %zu", (unsigned long long)k.lines, nwant);
  CHECK(k.held_lines == nwant, "held_lines %llu, want %zu", (unsigned long long)k.held_lines, nwant);
  CHECK(!k.out_of_memory, "out_of_memory set");
  col_free(&c);
  free(want);
}

/* ---- (b), (c) held mode against the reference ------------------------------ */

static void check_held(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t max_line) {
  ref_line *lines = xmalloc((n + 1) * sizeof *lines);
  size_t nlines = ref_split(in, n, lines);
  collector c;
  counters k = run(in, n, cuts, ncuts, 0, max_line, &c);
  size_t j = 0; /* next delivered line */
  for (size_t i = 0; i < nlines; i++) {
    const ref_line *w = &lines[i];
    ptrdiff_t at = ref_find_prefix(in + w->at, w->len);
    if (at < 0) continue;
    size_t hat = w->at + (size_t)at, hlen = w->len - (size_t)at;
    CHECK(j < c.n, "line %llu holds \"##vso[\" at column %td but was not delivered",
          (unsigned long long)w->line_no, at);
    const rec_line *g = &c.lines[j++];
    CHECK(g->line_no == w->line_no, "held line %zu: line_no %llu, want %llu", j,
          (unsigned long long)g->line_no, (unsigned long long)w->line_no);
    CHECK(g->at == hat, "line %llu: held text at stream offset %zu, want %zu",
          (unsigned long long)w->line_no, g->at, hat);
    if (max_line && hlen > max_line) {
      CHECK(g->truncated, "line %llu: %zu held bytes > max_line %zu, not marked truncated",
            (unsigned long long)w->line_no, hlen, max_line);
      CHECK(g->len == max_line && memcmp(g->text, in + hat, max_line) == 0,
            "line %llu: truncated text has %zu bytes, want the first %zu", (unsigned long long)w->line_no,
            g->len, max_line);
      CHECK(g->term_len == 0, "line %llu: a truncated line carries a terminator",
            (unsigned long long)w->line_no);
    } else {
      CHECK(!g->truncated, "line %llu: %zu held bytes marked truncated", (unsigned long long)w->line_no,
            hlen);
      CHECK(g->len == hlen && memcmp(g->text, in + hat, hlen) == 0,
            "line %llu: held %zu bytes, want %zu bytes from column %td", (unsigned long long)w->line_no,
            g->len, hlen, at);
      check_term(g, in, w, w->at + w->len, cuts, ncuts);
    }
  }
  CHECK(j == c.n, "%zu lines delivered, only %zu hold \"##vso[\"", c.n, j);
  check_stream(&c, in, n);
  CHECK(c.empty_pass_calls == 0, "pass() called with 0 bytes %zu times", c.empty_pass_calls);
  CHECK(k.bytes == n, "bytes fed %llu, want %zu", (unsigned long long)k.bytes, n);
  CHECK(k.lines == nlines, "lines %llu, want %zu", (unsigned long long)k.lines, nlines);
  CHECK(k.held_lines == j, "held_lines %llu, want %zu", (unsigned long long)k.held_lines, j);
  CHECK(!k.out_of_memory, "out_of_memory set");
  col_free(&c);
  free(lines);
}

/* ---- chunkings ------------------------------------------------------------ */

typedef void (*checker)(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t max_line);

static void whole_checker(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t max_line) {
  (void)max_line;
  check_whole_lines(in, n, cuts, ncuts);
}

static unsigned long g_chunkings;

static void one(const char *name, checker fn, const char *in, size_t n, const size_t *cuts, size_t ncuts,
                size_t max_line) {
  char desc[256];
  describe_cuts(desc, sizeof desc, cuts, ncuts);
  set_ctx("sample %s (%zu bytes), max_line %zu, chunks cut at %s", name, n, max_line, desc);
  fn(in, n, cuts, ncuts, max_line);
  g_chunkings++;
}

/* Unsplit, every single split point, every pair of split points, and (when
 * triples is set) every triple. */
static void all_chunkings(const char *name, checker fn, const char *in, size_t n, size_t max_line,
                          bool triples) {
  one(name, fn, in, n, NULL, 0, max_line);
  for (size_t a = 1; a < n; a++) {
    one(name, fn, in, n, (size_t[]){a}, 1, max_line);
    for (size_t b = a + 1; b < n; b++) {
      one(name, fn, in, n, (size_t[]){a, b}, 2, max_line);
      if (triples)
        for (size_t d = b + 1; d < n; d++) one(name, fn, in, n, (size_t[]){a, b, d}, 3, max_line);
    }
  }
  /* one byte at a time, with empty chunks in between */
  size_t *cuts = xmalloc(2 * (n + 1) * sizeof *cuts);
  size_t nc = 0;
  for (size_t a = 0; a <= n; a++) cuts[nc++] = a, cuts[nc++] = a;
  one(name, fn, in, n, cuts, nc, max_line);
  free(cuts);
}

/* Random chunkings: chunk sizes from tiny to large, the odd empty chunk. */
static void random_chunkings(const char *name, checker fn, const char *in, size_t n, size_t max_line,
                             unsigned times) {
  size_t cap = 2 * n + 2;
  size_t *cuts = xmalloc(cap * sizeof *cuts);
  for (unsigned t = 0; t < times; t++) {
    size_t nc = 0, at = 0;
    size_t scale = (size_t[]){2, 8, 64, 1024, 8192}[t % 5];
    for (;;) {
      at += rnd_below(scale + 1); /* 0: an empty chunk, any number of them */
      if (at >= n) break;
      if (nc == cap) cuts = xrealloc(cuts, (cap *= 2) * sizeof *cuts);
      cuts[nc++] = at;
    }
    char label[128];
    snprintf(label, sizeof label, "%s (random chunking %u, sizes up to %zu)", name, t, scale);
    one(label, fn, in, n, cuts, nc, max_line);
  }
  free(cuts);
}

/* ~60 bytes holding every terminator, NULs, invalid UTF-8, empty lines,
 * "\r\r\n", commands, a prefix after a bare CR and a last line without a
 * terminator. */
static const char MIXED[] = "a\nb\r\n\r\rc\0\xff\r\r\n\n"
                            "##vso[a.b]c\r"
                            "##vso[t.s]\xc3\n"
                            "###vso[q.r]\0\r\n"
                            "##vs\r##vso";
#define MIXED_LEN (sizeof MIXED - 1)

/* '#'-heavy: near misses of "##vso[" in every position. */
static const char HASHES[] = "a#\n##\n###vso[x.y]1\n##vs##vso[a.b]2\r#vso[\n"
                             "##vso##vso[c.d]3\r\n##VSO[e.f]4\n#\r#\n##vso[";
#define HASHES_LEN (sizeof HASHES - 1)

#endif
