/* SPDX-License-Identifier: MIT */
/* Unit tests for the stream scanner and line splitter (core/scan.h): whole-line mode,
 * the prefix search and the line-length limit.
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

/* The rest of a line that outgrew max_line goes to rest(), never to pass():
 * a relay must not show it as it is (it may hold a command or a secret);
 * the terminator still goes to pass(), and a cut last line is marked. */
typedef struct rest_log {
  vso_buf passed, rest;
  size_t lines;
  bool last_cut;
} rest_log;

static void rl_pass(void *ctx, const char *p, size_t n) { assert_true(vso_buf_append(&((rest_log *)ctx)->passed, p, n)); }
static void rl_rest(void *ctx, const char *p, size_t n) { assert_true(vso_buf_append(&((rest_log *)ctx)->rest, p, n)); }
static void rl_line(void *ctx, const vso_line *line) {
  rest_log *r = ctx;
  r->lines++;
  r->last_cut = line->cut;
}

static void test_overflow_rest_and_cut(void **state) {
  (void)state;
  static const char in[] = "a ##vso[task.setvariable variable=x]0123##vso[task.complete]secret\nb\n"
                           "##vso[task.setvariable variable=y]cut";
  for (size_t chunk = 1; chunk <= sizeof in; chunk++) {
    set_ctx("chunks of %zu", chunk);
    rest_log r = {0};
    vso_scan_sink sink = {.ctx = &r, .pass = rl_pass, .line = rl_line, .rest = rl_rest};
    vso_scanner s;
    vso_scanner_init(&s, &sink, 0);
    s.max_line = 40;
    for (size_t at = 0; at < sizeof in - 1; at += chunk)
      vso_scanner_feed(&s, in + at, at + chunk < sizeof in - 1 ? chunk : sizeof in - 1 - at);
    s.cut_at_end = true;
    vso_scanner_finish(&s);
    CHECK(eqb(&r.rest, "vso[task.complete]secret", 24), "rest %s", show(r.rest.data, r.rest.len));
    CHECK(eqb(&r.passed, "a \nb\n", 5), "passed %s", show(r.passed.data, r.passed.len));
    CHECK(r.lines == 2 && r.last_cut, "%zu lines, the last %s", r.lines, r.last_cut ? "cut" : "not cut");
    vso_scanner_free(&s);
    vso_buf_free(&r.passed);
    vso_buf_free(&r.rest);
  }
  set_ctx("%s", "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_overflow_rest_and_cut),
      cmocka_unit_test(test_find_prefix),
      cmocka_unit_test(test_whole_lines_mixed_every_chunking),
      cmocka_unit_test(test_whole_lines_real_log_random_chunkings),
      cmocka_unit_test(test_whole_lines_random_bytes),
      cmocka_unit_test(test_max_line_overflow),
  };
  int failed = cmocka_run_group_tests_name("scan", tests, NULL, NULL);
  printf("test_scan: %lu checks over %lu chunkings\n", g_checks, g_chunkings);
  return failed;
}
