/* SPDX-License-Identifier: MIT */
/* Unit tests for the scanner's watched texts (core/scan.h, vso_scanner_watch):
 * a plain line that holds one is shown to sink.watched, from that text to
 * the line's end (or to the command prefix, when the line goes on to hold a
 * command), once, whatever the chunking, while every byte still passes or
 * is held exactly as without an observer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define VSO_TEST_SEED 0xC2B2AE3D27D4EB4Full
#include "check.h"
#include "scan_harness.h"

/* Two texts with the same key ("t[", at 2), as the announcement reader's. */
static const char *const TEXTS[] = {"Cat[0] GO", "Cat[0]   "};
#define NTEXTS 2
#define KEY_AT 2

typedef struct seen {
  char *text;
  size_t len, which;
  uint64_t line_no;
  bool truncated, command_after;
} seen;

typedef struct watch_rec {
  collector c;
  seen *w;
  size_t n, cap;
} watch_rec;

static void rec_watched(void *ctx, const vso_watched *w) {
  watch_rec *r = ctx;
  if (r->n == r->cap) r->w = xrealloc(r->w, (r->cap = r->cap ? 2 * r->cap : 16) * sizeof *r->w);
  seen *s = &r->w[r->n++];
  *s = (seen){xmalloc(w->len + 1), w->len, w->which, w->line_no, w->truncated, w->command_after};
  memcpy(s->text, w->text, w->len);
}
static void rec_pass(void *ctx, const char *p, size_t n) { col_pass(&((watch_rec *)ctx)->c, p, n); }
static void rec_held(void *ctx, const vso_line *l) { col_line(&((watch_rec *)ctx)->c, l); }

static void rec_free(watch_rec *r) {
  for (size_t i = 0; i < r->n; i++) free(r->w[i].text);
  free(r->w);
  col_free(&r->c);
  memset(r, 0, sizeof *r);
}

static counters run_watch(const char *in, size_t n, const size_t *cuts, size_t ncuts, unsigned flags,
                          watch_rec *r) {
  memset(r, 0, sizeof *r);
  vso_scan_sink sink = {.ctx = r, .pass = rec_pass, .line = rec_held, .watched = rec_watched};
  vso_scanner s;
  vso_scanner_init(&s, &sink, flags);
  CHECK(vso_scanner_watch(&s, TEXTS, NTEXTS, KEY_AT), "the test's texts are refused");
  size_t from = 0;
  for (size_t k = 0; k <= ncuts; k++) {
    size_t to = k < ncuts ? cuts[k] : n;
    vso_scanner_feed(&s, in + from, to - from);
    from = to;
  }
  vso_scanner_finish(&s);
  counters c = {s.bytes, s.lines, s.held_lines, s.out_of_memory};
  CHECK(s.watched_lines == r->n, "watched_lines %llu, delivered %zu", (unsigned long long)s.watched_lines, r->n);
  vso_scanner_free(&s);
  return c;
}

/* The reference: the first place in the line, before any "##vso[", where a
 * text starts (the texts tried in order at each place). */
static bool ref_watch(const char *line, size_t n, size_t *at, size_t *which) {
  ptrdiff_t cmd = ref_find_prefix(line, n);
  size_t end = cmd < 0 ? n : (size_t)cmd;
  for (size_t i = 0; i < end; i++)
    for (size_t k = 0; k < NTEXTS; k++) {
      size_t len = strlen(TEXTS[k]);
      if (i + len <= end && memcmp(line + i, TEXTS[k], len) == 0) {
        *at = i;
        *which = k;
        return true;
      }
    }
  return false;
}

static void check_watch(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t whole) {
  ref_line *lines = xmalloc((n + 1) * sizeof *lines);
  size_t nlines = ref_split(in, n, lines);
  watch_rec r;
  counters k = run_watch(in, n, cuts, ncuts, whole ? VSO_SCAN_WHOLE_LINES : 0, &r);
  size_t j = 0;
  for (size_t i = 0; i < nlines; i++) {
    const ref_line *l = &lines[i];
    size_t at, which;
    if (!ref_watch(in + l->at, l->len, &at, &which)) continue;
    ptrdiff_t cmd = ref_find_prefix(in + l->at, l->len);
    size_t end = cmd < 0 ? l->len : (size_t)cmd, len = end - at;
    bool cut = len > VSO_SCAN_WATCH_MAX;
    CHECK(j < r.n, "line %llu holds a watched text at column %zu but was not shown", (unsigned long long)l->line_no, at);
    const seen *g = &r.w[j++];
    CHECK(g->line_no == l->line_no, "watched line %zu: line_no %llu, want %llu", j, (unsigned long long)g->line_no,
          (unsigned long long)l->line_no);
    CHECK(g->which == which, "line %llu: text %zu, want %zu", (unsigned long long)l->line_no, g->which, which);
    CHECK(g->truncated == cut && g->len == (cut ? VSO_SCAN_WATCH_MAX : len) &&
              memcmp(g->text, in + l->at + at, g->len) == 0,
          "line %llu: shown %s (%zu bytes, truncated %d), want %zu bytes from column %zu",
          (unsigned long long)l->line_no, show(g->text, g->len), g->len, g->truncated, len, at);
    CHECK(g->command_after == (cmd >= 0), "line %llu: command_after %d", (unsigned long long)l->line_no,
          g->command_after);
  }
  CHECK(j == r.n, "%zu lines shown, %zu hold a watched text", r.n, j);
  /* the observer changes nothing else */
  check_stream(&r.c, in, n);
  CHECK(k.lines == nlines, "lines %llu, want %zu", (unsigned long long)k.lines, nlines);
  CHECK(r.c.empty_pass_calls == 0, "pass() called with 0 bytes");
  rec_free(&r);
  free(lines);
}

static void held_checker(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t unused) {
  (void)unused;
  check_watch(in, n, cuts, ncuts, 0);
}
static void whole_watch_checker(const char *in, size_t n, const size_t *cuts, size_t ncuts, size_t unused) {
  (void)unused;
  check_watch(in, n, cuts, ncuts, 1);
}

static const char SAMPLE[] = "x Cat[0] GO on\r\n"
                             "Cat[0]   m:\n"
                             "Cat[0] GOCat[0]   ##vso[a.b]c\n"
                             "##vso[a.b]Cat[0]   no\r"
                             "CaCat[0]   \r\n"
                             "Cat[0]  two\n"
                             "Ca##vst[0] GO\n" /* a kept "##vs" between two halves of a text: no text */
                             "#Cat[0] GO";
#define SAMPLE_LEN (sizeof SAMPLE - 1)

static void test_watch_every_chunking(void **state) {
  (void)state;
  all_chunkings("sample", held_checker, SAMPLE, SAMPLE_LEN, 0, false);
  all_chunkings("sample, whole lines", whole_watch_checker, SAMPLE, SAMPLE_LEN, 0, false);
  all_chunkings("mixed", held_checker, MIXED, MIXED_LEN, 0, false);
}

static void test_watch_random(void **state) {
  (void)state;
  static const char *const bits[] = {"Cat[0] GO", "Cat[0]   ", "Cat[0] ", "Ca", "##vso[", "#", "\r", "\n", "\r\n", "x",
                                     "##vs", "C", "t[0] GO", "Cat"};
  for (unsigned t = 0; t < 1500; t++) {
    vso_buf b = {0};
    for (size_t k = rnd_below(24); k > 0; k--) {
      const char *bit = bits[rnd_below(sizeof bits / sizeof bits[0])];
      xappend(&b, bit, strlen(bit));
    }
    char label[64];
    snprintf(label, sizeof label, "random %u", t);
    random_chunkings(label, held_checker, b.data ? b.data : "", b.len, 0, 6);
    random_chunkings(label, whole_watch_checker, b.data ? b.data : "", b.len, 0, 2);
    vso_buf_free(&b);
  }
}

/* Past VSO_SCAN_WATCH_MAX, a watched line is cut and says so; memory stays bounded. */
static void test_watch_long_line(void **state) {
  (void)state;
  size_t n = VSO_SCAN_WATCH_MAX * 3;
  char *in = xmalloc(n + 32);
  memcpy(in, "ab Cat[0]   ", 12);
  memset(in + 12, 'v', n - 12);
  memcpy(in + n, "\nCat[0] GO\n", 11);
  random_chunkings("long", held_checker, in, n + 11, 0, 10);
  one("long, whole", held_checker, in, n + 11, NULL, 0, 0);
  free(in);
}

/* The texts must not be confusable with the command prefix across a chunk
 * boundary, and must share their first two bytes. */
static void test_watch_refuses(void **state) {
  (void)state;
  vso_scanner s;
  vso_scan_sink sink = {0};
  vso_scanner_init(&s, &sink, 0);
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"a#b"}, 1, 0), "a text with '#' is accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"vso"}, 1, 1), "a text starting with a byte of the prefix is accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"axob"}, 1, 2), "a key starting with a byte of the prefix is accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"abc", "abd"}, 2, 1), "texts with different keys are accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"ab"}, 1, 1), "a key past the text is accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"ab\ncd"}, 1, 0), "a text with a line end is accepted");
  CHECK(!vso_scanner_watch(&s, (const char *const[]){"ab"}, 0, 0), "no text is accepted");
  CHECK(vso_scanner_watch(&s, TEXTS, NTEXTS, KEY_AT), "the usual texts are refused");
  vso_scanner_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_watch_every_chunking),
      cmocka_unit_test(test_watch_random),
      cmocka_unit_test(test_watch_long_line),
      cmocka_unit_test(test_watch_refuses),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  printf("test_scan_watch: %lu checks, %lu chunkings\n", g_checks, g_chunkings);
  return failed;
}
