/* SPDX-License-Identifier: MIT */
/* Unit tests for the streaming line splitter (parser/scan.h).
 *
 * The rules under test (azure-logging-commands.md §1, §2): a line ends at
 * "\n", "\r\n" or a bare "\r"; a "\r" that ends one chunk and a "\n" that
 * opens the next are one terminator; the last line is delivered at end of
 * input even without a terminator; bytes are never altered.  In the default
 * (held) mode only the part of a line from its first "##vso[" on is held;
 * every other byte goes to pass() at once.
 *
 * Every test compares the scanner, fed in many different chunkings, with a
 * plain reference splitter written here, and checks that pass() bytes plus
 * held lines (text + terminator), in the order the sink saw them, give back
 * the input byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "file.h"
#include "scan.h"

#ifndef VSO_SOURCE_DIR
#error "VSO_SOURCE_DIR must name the source tree"
#endif

/* ---- checks that say where they failed ----------------------------------- */

static unsigned long g_checks;
static char g_ctx[512]; /* what is being run: sample and chunking */

#define CHECK(cond, ...)                                                        \
  do {                                                                          \
    g_checks++;                                                                 \
    if (!(cond)) {                                                              \
      print_error("context: %s\n", g_ctx);                                      \
      print_error(__VA_ARGS__);                                                 \
      print_error("\n");                                                        \
      fail_msg("check failed: %s (%s:%d)", #cond, __FILE__, __LINE__);          \
    }                                                                           \
  } while (0)

__attribute__((format(printf, 1, 2))) static void set_ctx(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_ctx, sizeof g_ctx, fmt, ap);
  va_end(ap);
}

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

/* A deterministic PRNG (xorshift64*), so a failing chunking can be replayed. */
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}
static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

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
  size_t *cuts = xmalloc((2 * n + 2) * sizeof *cuts);
  for (unsigned t = 0; t < times; t++) {
    size_t nc = 0, at = 0;
    size_t scale = (size_t[]){2, 8, 64, 1024, 8192}[t % 5];
    for (;;) {
      at += rnd_below(scale + 1); /* 0: an empty chunk */
      if (at >= n) break;
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

static void test_whole_lines_mixed_every_chunking(void **state) {
  (void)state;
  assert_true(MIXED_LEN >= 55 && MIXED_LEN <= 66);
  all_chunkings("mixed", whole_checker, MIXED, MIXED_LEN, 0, false);
  all_chunkings("hashes", whole_checker, HASHES, HASHES_LEN, 0, false);
}

static void test_whole_lines_real_log_random_chunkings(void **state) {
  (void)state;
  size_t n;
  char *log = read_file(VSO_SOURCE_DIR "/samples/go-images/generate-build-matrix.healthy.log", &n);
  assert_true(n > 10000);
  random_chunkings("generate-build-matrix.healthy.log", whole_checker, log, n, 0, 1000);
  free(log);
}

static void test_whole_lines_random_bytes(void **state) {
  (void)state;
  static const char alphabet[] = "\r\n#vso[]a\0\xff\xc3";
  for (unsigned t = 0; t < 500; t++) {
    size_t n = rnd_below(80);
    char *in = xmalloc(n);
    for (size_t i = 0; i < n; i++) in[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    char label[64];
    snprintf(label, sizeof label, "random bytes %u", t);
    random_chunkings(label, whole_checker, in, n, 0, 8);
    free(in);
  }
}

static void test_held_mixed_every_chunking(void **state) {
  (void)state;
  all_chunkings("mixed", check_held, MIXED, MIXED_LEN, 0, false);
  all_chunkings("hashes", check_held, HASHES, HASHES_LEN, 0, true);
}

static void test_held_real_log_random_chunkings(void **state) {
  (void)state;
  size_t n;
  char *log = read_file(VSO_SOURCE_DIR "/samples/go-images/generate-build-matrix.healthy.log", &n);
  random_chunkings("generate-build-matrix.healthy.log", check_held, log, n, 0, 1000);
  /* and the real log holds what ImageBuilder emitted */
  collector c;
  counters k = run(log, n, NULL, 0, 0, 0, &c);
  CHECK(c.n >= 1, "no command held in the healthy log");
  for (size_t i = 0; i < c.n; i++)
    CHECK(c.lines[i].len >= 32 && memcmp(c.lines[i].text, "##vso[task.setvariable variable=", 32) == 0,
          "held line %zu does not start with the setvariable command", i);
  CHECK(k.held_lines == c.n, "held_lines %llu vs %zu", (unsigned long long)k.held_lines, c.n);
  col_free(&c);
  free(log);
}

static void test_held_random_bytes(void **state) {
  (void)state;
  static const char alphabet[] = "\r\n##vso[]a\0\xff";
  for (unsigned t = 0; t < 1000; t++) {
    size_t n = rnd_below(90);
    char *in = xmalloc(n);
    for (size_t i = 0; i < n; i++) in[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    /* plant a prefix now and then so that commands are frequent */
    if (n > 10 && rnd_below(2)) memcpy(in + rnd_below(n - 6), "##vso[", 6);
    char label[64];
    snprintf(label, sizeof label, "random bytes %u", t);
    random_chunkings(label, check_held, in, n, 0, 8);
    random_chunkings(label, check_held, in, n, 1 + rnd_below(12), 4);
    free(in);
  }
}

/* Long plain runs: the scan of text between commands goes 16 bytes at a
 * time (SSE2 on x86-64), so line ends, "\r\n" pairs and "##vso[" must be
 * found at every offset of a block and across blocks. */
static void test_held_long_random_text(void **state) {
  (void)state;
  static const char alphabet[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaa#\r\n";
  for (unsigned t = 0; t < 300; t++) {
    size_t n = 17 + rnd_below(3000);
    char *in = xmalloc(n);
    for (size_t i = 0; i < n; i++) in[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    for (unsigned k = rnd_below(4); k > 0; k--) memcpy(in + rnd_below(n - 6), "##vso[", 6);
    char label[64];
    snprintf(label, sizeof label, "long random text %u", t);
    random_chunkings(label, check_held, in, n, 0, 6);
    free(in);
  }
}

/* "##vso[" cut by the chunk boundary at every position. */
static void test_held_prefix_split_everywhere(void **state) {
  (void)state;
  static const char in[] = "ab##vso[task.x]y\n";
  const size_t n = sizeof in - 1;
  for (size_t a = 0; a <= n; a++) {
    set_ctx("\"ab##vso[task.x]y\\n\" cut at %zu", a);
    collector c;
    counters k = run(in, n, (size_t[]){a}, 1, 0, 0, &c);
    CHECK(c.n == 1, "%zu lines held, want 1", c.n);
    CHECK(c.lines[0].len == 14 && memcmp(c.lines[0].text, "##vso[task.x]y", 14) == 0,
          "held \"%.*s\"", (int)c.lines[0].len, c.lines[0].text);
    CHECK(c.lines[0].line_no == 1, "line_no %llu", (unsigned long long)c.lines[0].line_no);
    CHECK(c.lines[0].term_len == 1 && c.lines[0].term[0] == '\n', "terminator of %zu bytes",
          c.lines[0].term_len);
    CHECK(c.lines[0].at == 2, "held text at %zu", c.lines[0].at);
    check_stream(&c, in, n);
    CHECK(k.lines == 1 && k.held_lines == 1 && k.bytes == n, "counters %llu/%llu/%llu",
          (unsigned long long)k.lines, (unsigned long long)k.held_lines, (unsigned long long)k.bytes);
    col_free(&c);
  }
}

typedef struct bytes {
  const char *p;
  size_t n;
} bytes;

typedef struct edge_case {
  const char *in;
  size_t n;
  bytes held[3]; /* the held texts in order, up to the first {NULL} */
  uint64_t line_no[3];
  uint64_t lines;
} edge_case;

#define S(x) x, sizeof x - 1
#define H(x) {x, sizeof x - 1}

static void test_held_edge_cases(void **state) {
  (void)state;
  static const edge_case cases[] = {
      {S("x###vso[a.b]c\n"), {H("##vso[a.b]c")}, {1}, 1},
      {S("####vso[a.b]c"), {H("##vso[a.b]c")}, {1}, 1},
      {S("##vsx[a.b]c\n"), {{NULL, 0}}, {0}, 1},
      {S("##vs"), {{NULL, 0}}, {0}, 1},
      {S("x##vso"), {{NULL, 0}}, {0}, 1},
      {S("##vso[\n"), {H("##vso[")}, {1}, 1},
      {S("##vso["), {H("##vso[")}, {1}, 1},
      {S("##vso##vso[a.b]\n"), {H("##vso[a.b]")}, {1}, 1},
      {S("##VSO[a.b]c\n##vso [a.b]\n# #vso[\n"), {{NULL, 0}}, {0}, 3},
      {S("abc\r##vso[a.b]c"), {H("##vso[a.b]c")}, {2}, 2},
      {S("abc\r\n\r##vso[a.b]c\r\r"), {H("##vso[a.b]c")}, {3}, 4},
      {S("##vso[a.b]1 ##vso[c.d]2\n"), {H("##vso[a.b]1 ##vso[c.d]2")}, {1}, 1},
      {S("\0##vso[a.b]\0\n"), {H("##vso[a.b]\0")}, {1}, 1},
      {S("1\n##vso[a.b]2\n3\n##vso[c.d]4\r\n5##vso[e.f]6"),
       {H("##vso[a.b]2"), H("##vso[c.d]4"), H("##vso[e.f]6")},
       {2, 4, 5},
       5},
      {S(""), {{NULL, 0}}, {0}, 0},
      {S("\n"), {{NULL, 0}}, {0}, 1},
      {S("\r\n"), {{NULL, 0}}, {0}, 1},
      {S("\n\r"), {{NULL, 0}}, {0}, 2},
  };
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const edge_case *e = &cases[ci];
    size_t nheld = 0;
    while (nheld < 3 && e->held[nheld].p) nheld++;
    /* every chunking with up to two cuts */
    for (size_t a = 0; a <= e->n; a++)
      for (size_t b = a; b <= e->n; b++) {
        set_ctx("edge case %zu cut at %zu,%zu", ci, a, b);
        collector c;
        counters k = run(e->in, e->n, (size_t[]){a, b}, 2, 0, 0, &c);
        CHECK(c.n == nheld, "%zu lines held, want %zu", c.n, nheld);
        for (size_t h = 0; h < nheld; h++) {
          size_t wl = e->held[h].n;
          CHECK(c.lines[h].len == wl && memcmp(c.lines[h].text, e->held[h].p, wl) == 0,
                "held line %zu is \"%.*s\", want \"%.*s\"", h, (int)c.lines[h].len, c.lines[h].text,
                (int)wl, e->held[h].p);
          CHECK(c.lines[h].line_no == e->line_no[h], "held line %zu has line_no %llu, want %llu", h,
                (unsigned long long)c.lines[h].line_no, (unsigned long long)e->line_no[h]);
        }
        check_stream(&c, e->in, e->n);
        CHECK(k.lines == e->lines, "lines %llu, want %llu", (unsigned long long)k.lines,
              (unsigned long long)e->lines);
        CHECK(k.held_lines == nheld && k.bytes == e->n, "held_lines %llu, bytes %llu",
              (unsigned long long)k.held_lines, (unsigned long long)k.bytes);
        col_free(&c);
      }
  }
}

/* A prompt without a newline is passed at once, not held back. */
static void test_held_passes_at_once(void **state) {
  (void)state;
  set_ctx("prompt");
  collector c;
  memset(&c, 0, sizeof c);
  vso_scan_sink sink = {.ctx = &c, .pass = col_pass, .line = col_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  vso_scanner_feed(&s, "Password: ", 10);
  CHECK(c.stream.len == 10, "a prompt without a newline was held back: %zu bytes passed", c.stream.len);
  vso_scanner_feed(&s, "ok ##v", 6);
  CHECK(c.stream.len == 13, "%zu bytes passed; only a possible \"##v\" may wait", c.stream.len);
  vso_scanner_feed(&s, "x", 1);
  CHECK(c.stream.len == 17, "%zu bytes passed after the near miss", c.stream.len);
  vso_scanner_feed(&s, " ##vso[a.b]", 11);
  CHECK(c.stream.len == 18 && c.n == 0, "%zu passed, %zu lines, before the end of the line", c.stream.len,
        c.n);
  vso_scanner_feed(&s, "c\r", 2);
  CHECK(c.n == 1 && c.lines[0].len == 11 && c.lines[0].term_len == 1, "%zu lines", c.n);
  vso_scanner_feed(&s, "\nnext", 5);
  vso_scanner_finish(&s);
  CHECK(s.lines == 2 && s.held_lines == 1 && s.bytes == 35, "counters %llu/%llu/%llu",
        (unsigned long long)s.lines, (unsigned long long)s.held_lines, (unsigned long long)s.bytes);
  check_stream(&c, "Password: ok ##vx ##vso[a.b]c\r\nnext", 35);
  vso_scanner_free(&s);
  col_free(&c);
}

static void test_find_prefix(void **state) {
  (void)state;
  set_ctx("vso_find_prefix");
  CHECK(vso_find_prefix("##vso[", 6) == 0, "at 0");
  CHECK(vso_find_prefix("##vso", 5) == -1, "short");
  CHECK(vso_find_prefix("###vso[", 7) == 1, "after a '#'");
  CHECK(vso_find_prefix("a\0##vso[", 8) == 2, "after a NUL");
  CHECK(vso_find_prefix("##VSO[", 6) == -1, "case-sensitive");
  CHECK(vso_find_prefix("##vso[x", 5) == -1, "length respected");
  CHECK(vso_find_prefix("", 0) == -1, "empty");
  CHECK(vso_find_prefix("x##vso[a]##vso[", 15) == 1, "first wins");
}

/* ---- (c) max_line ----------------------------------------------------------- */

static void test_max_line_overflow(void **state) {
  (void)state;
  static const char in[] = "ok\n##vso[task.setvariable variable=x]0123456789abcdef\r\n"
                           "p ##vso[a.b]c\nlast ##vso[task.x]overflowing";
  const size_t n = sizeof in - 1;
  /* every chunking with up to two cuts, several limits */
  static const size_t limits[] = {1, 6, 11, 16, 30};
  for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++)
    all_chunkings("max_line sample", check_held, in, n, limits[li], false);

  /* delivered once, truncated, and nothing lost */
  set_ctx("max_line 16, unsplit");
  collector c;
  counters k = run(in, n, NULL, 0, 0, 16, &c);
  CHECK(c.n == 3, "%zu deliveries, want 3 (each line once)", c.n);
  CHECK(c.lines[0].truncated && c.lines[0].len == 16 && c.lines[0].line_no == 2, "line 2 not truncated");
  CHECK(!c.lines[1].truncated && c.lines[1].len == 11 && c.lines[1].line_no == 3, "line 3 truncated");
  CHECK(c.lines[2].truncated && c.lines[2].len == 16 && c.lines[2].line_no == 4, "line 4 not truncated");
  CHECK(k.held_lines == 3 && k.lines == 4, "counters %llu/%llu", (unsigned long long)k.held_lines,
        (unsigned long long)k.lines);
  check_stream(&c, in, n);
  col_free(&c);

  /* whole-line mode: same rule for every line */
  set_ctx("max_line 4, whole lines");
  static const char w[] = "abcdefgh\nab\r\nabcd\rabcde";
  memset(&c, 0, sizeof c);
  vso_scan_sink sink = {.ctx = &c, .pass = col_pass, .line = col_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, VSO_SCAN_WHOLE_LINES);
  s.max_line = 4;
  for (size_t i = 0; i < sizeof w - 1; i++) vso_scanner_feed(&s, w + i, 1);
  vso_scanner_finish(&s);
  CHECK(c.n == 4, "%zu lines, want 4", c.n);
  CHECK(c.lines[0].truncated && c.lines[0].len == 4, "line 1");
  CHECK(!c.lines[1].truncated && c.lines[1].len == 2 && c.lines[1].line_no == 2, "line 2");
  CHECK(!c.lines[2].truncated && c.lines[2].len == 4 && c.lines[2].line_no == 3, "line 3 (exactly max)");
  CHECK(c.lines[3].truncated && c.lines[3].len == 4 && c.lines[3].line_no == 4, "line 4");
  check_stream(&c, w, sizeof w - 1);
  vso_scanner_free(&s);
  col_free(&c);
}

/* ---- (d) memory --------------------------------------------------------------- */

#define BIG ((size_t)64 << 20)
#define CHUNK ((size_t)64 << 10)

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *q = p;
  for (size_t i = 0; i < n; i++) h = (h ^ q[i]) * 0x100000001B3ull;
  return h;
}
#define FNV0 0xCBF29CE484222325ull

typedef struct big_sink {
  uint64_t hash;      /* of everything in order */
  uint64_t passed;
  size_t nlines;
  size_t len;
  uint64_t line_no;
  bool truncated;
  size_t term_len;
  uint64_t text_hash;
  char head[64];
  vso_analysis *analysis;
  vso_line_kind kind;
} big_sink;

static void big_pass(void *ctx, const char *p, size_t n) {
  big_sink *b = ctx;
  b->hash = fnv(b->hash, p, n);
  b->passed += n;
}

static void big_line(void *ctx, const vso_line *l) {
  big_sink *b = ctx;
  b->hash = fnv(fnv(b->hash, l->text, l->len), l->term, l->term_len);
  b->nlines++;
  b->len = l->len;
  b->line_no = l->line_no;
  b->truncated = l->truncated;
  b->term_len = l->term_len;
  b->text_hash = fnv(FNV0, l->text, l->len);
  memcpy(b->head, l->text, l->len < sizeof b->head ? l->len : sizeof b->head);
  if (b->analysis) b->kind = vso_analysis_line(b->analysis, l, "big");
}

/* Byte i of a 7-byte pattern of near misses: "##", "##v", "##vs", "##vso"
 * all end chunks somewhere, since 64 KiB is not a multiple of 7. */
static void fill_near_misses(char *p, size_t n, size_t at) {
  static const char pat[] = "##vso?#";
  for (size_t i = 0; i < n; i++) p[i] = pat[(at + i) % 7];
}

static void test_memory_unheld_line(void **state) {
  (void)state;
  set_ctx("64 MiB line without \"##vso[\" in 64 KiB chunks");
  char *chunk = xmalloc(CHUNK);
  big_sink b = {.hash = FNV0};
  vso_scan_sink sink = {.ctx = &b, .pass = big_pass, .line = big_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  uint64_t want = FNV0;
  for (size_t at = 0; at < BIG; at += CHUNK) {
    fill_near_misses(chunk, CHUNK, at);
    want = fnv(want, chunk, CHUNK);
    vso_scanner_feed(&s, chunk, CHUNK);
    CHECK(s.hold.cap == 0, "hold.cap %zu after %zu bytes", s.hold.cap, at + CHUNK);
    /* all but a possible "##vso" tail is passed at once */
    CHECK(b.passed + (VSO_PREFIX_LEN - 1) >= at + CHUNK, "only %llu of %zu bytes passed",
          (unsigned long long)b.passed, at + CHUNK);
  }
  vso_scanner_feed(&s, "\n", 1);
  want = fnv(want, "\n", 1);
  vso_scanner_finish(&s);
  CHECK(s.hold.cap == 0, "hold.cap %zu at the end", s.hold.cap);
  CHECK(b.nlines == 0 && s.held_lines == 0, "%zu lines held", b.nlines);
  CHECK(b.passed == BIG + 1 && b.hash == want, "passed %llu bytes, hash %s", (unsigned long long)b.passed,
        b.hash == want ? "equal" : "differs");
  CHECK(s.lines == 1 && s.bytes == BIG + 1, "lines %llu bytes %llu", (unsigned long long)s.lines,
        (unsigned long long)s.bytes);
  vso_scanner_free(&s);
  free(chunk);
}

static void test_memory_held_big_line(void **state) {
  (void)state;
  set_ctx("64 MiB setvariable line in 64 KiB chunks");
  static const char prefix[] = "##vso[task.setvariable variable=big;isoutput=true]";
  const size_t plen = sizeof prefix - 1;
  char *chunk = xmalloc(CHUNK);
  vso_analysis a;
  vso_analysis_init(&a, true);
  big_sink b = {.hash = FNV0, .analysis = &a};
  vso_scan_sink sink = {.ctx = &b, .pass = big_pass, .line = big_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  uint64_t want_text = FNV0;
  for (size_t at = 0; at < BIG; at += CHUNK) {
    for (size_t i = 0; i < CHUNK; i++) chunk[i] = "0123456789abcdef##vs"[(at + i) % 20];
    if (at == 0) memcpy(chunk, prefix, plen);
    want_text = fnv(want_text, chunk, CHUNK);
    vso_scanner_feed(&s, chunk, CHUNK);
  }
  CHECK(b.nlines == 0, "delivered before its end");
  vso_scanner_feed(&s, "\r\n", 2);
  vso_scanner_finish(&s);
  CHECK(b.nlines == 1 && s.held_lines == 1, "%zu deliveries", b.nlines);
  CHECK(b.len == BIG && !b.truncated, "delivered %zu bytes (truncated %d), want %zu", b.len, b.truncated,
        BIG);
  CHECK(b.text_hash == want_text, "the held text differs from what was fed");
  CHECK(memcmp(b.head, prefix, plen < 64 ? plen : 64) == 0, "the line does not start with the command");
  CHECK(b.term_len == 2 && b.line_no == 1, "term %zu line_no %llu", b.term_len,
        (unsigned long long)b.line_no);
  CHECK(b.passed == 0, "%llu bytes passed", (unsigned long long)b.passed);
  CHECK(!s.out_of_memory && s.lines == 1 && s.bytes == BIG + 2, "counters");
  /* and the analysis reads the whole value */
  CHECK(b.kind == VSO_LINE_SETVARIABLE && a.nsetvars == 1, "not read as a setvariable");
  const vso_setvar *sv = vso_analysis_last(&a, "BIG", 3);
  CHECK(sv && sv->is_output && !sv->rejected && sv->value.n == BIG - plen, "value of %zu bytes",
        sv ? sv->value.n : 0);
  size_t bad = 0;
  for (size_t i = 0; sv && i < sv->value.n; i++)
    if (sv->value.p[i] != "0123456789abcdef##vs"[(plen + i) % 20]) bad++;
  CHECK(bad == 0, "%zu bytes of the value differ from what was fed", bad);
  vso_analysis_free(&a);
  vso_scanner_free(&s);
  free(chunk);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_find_prefix),
      cmocka_unit_test(test_whole_lines_mixed_every_chunking),
      cmocka_unit_test(test_whole_lines_real_log_random_chunkings),
      cmocka_unit_test(test_whole_lines_random_bytes),
      cmocka_unit_test(test_held_mixed_every_chunking),
      cmocka_unit_test(test_held_real_log_random_chunkings),
      cmocka_unit_test(test_held_random_bytes),
      cmocka_unit_test(test_held_long_random_text),
      cmocka_unit_test(test_held_prefix_split_everywhere),
      cmocka_unit_test(test_held_edge_cases),
      cmocka_unit_test(test_held_passes_at_once),
      cmocka_unit_test(test_max_line_overflow),
      cmocka_unit_test(test_memory_unheld_line),
      cmocka_unit_test(test_memory_held_big_line),
  };
  int failed = cmocka_run_group_tests_name("scan", tests, NULL, NULL);
  printf("test_scan: %lu checks over %lu chunkings\n", g_checks, g_chunkings);
  return failed;
}
