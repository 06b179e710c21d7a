/* SPDX-License-Identifier: MIT */
/* Unit tests for the stream scanner and line splitter (core/scan.h): held mode, where
 * only the command part of a line is held.
 *
 * The rules under test (docs/agent.md, "Lines"): a line ends at "\n",
 * "\r\n" or a bare "\r"; a "\r" that ends one chunk and a "\n" that opens
 * the next are one terminator; the last line is delivered at end of input
 * even without a terminator; bytes are never altered.  In the default (held)
 * mode only the part of a line from its first command prefix on is held;
 * every other byte goes to pass() at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* A deterministic PRNG (xorshift64*), so a failing chunking can be replayed. */
#define VSO_TEST_SEED 0x9E3779B97F4A7C15ull
#include "check.h"
#include "scan_harness.h"

#include "analysis.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_held_mixed_every_chunking),
      cmocka_unit_test(test_held_real_log_random_chunkings),
      cmocka_unit_test(test_held_random_bytes),
      cmocka_unit_test(test_held_long_random_text),
      cmocka_unit_test(test_held_prefix_split_everywhere),
      cmocka_unit_test(test_held_edge_cases),
      cmocka_unit_test(test_held_passes_at_once),
  };
  int failed = cmocka_run_group_tests_name("scan_held", tests, NULL, NULL);
  printf("test_scan_held: %lu checks over %lu chunkings\n", g_checks, g_chunkings);
  return failed;
}
