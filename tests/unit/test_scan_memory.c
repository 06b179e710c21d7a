/* SPDX-License-Identifier: MIT */
/* Unit tests for the stream scanner and line splitter (core/scan.h): memory stays
 * bounded by the longest held line, and a 64 MiB value is read whole.
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
  if (b->analysis) b->kind = vso_analysis_line(b->analysis, l, "big").kind;
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
    CHECK(b.passed + (vso_dialect_prefix_len - 1) >= at + CHUNK, "only %llu of %zu bytes passed",
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
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
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
      cmocka_unit_test(test_memory_unheld_line),
      cmocka_unit_test(test_memory_held_big_line),
  };
  int failed = cmocka_run_group_tests_name("scan_memory", tests, NULL, NULL);
  printf("test_scan_memory: %lu checks over %lu chunkings\n", g_checks, g_chunkings);
  return failed;
}
