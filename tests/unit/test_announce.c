/* SPDX-License-Identifier: MIT */
/* The generator's announcement (core/announce.h): ImageBuilder's listing of
 * its matrices read from the scanner's watched lines, on any stream, with
 * or without the logger's timestamp, before or after the ##vso lines, in
 * any chunking; what is kept is bounded; and the expectations it adds
 * (core/expect.h): each announced matrix must arrive with exactly its legs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define VSO_TEST_SEED 0x5DEECE66Dull
#include "check.h"
#include "scan_harness.h"

#include "analysis.h"
#include "announce.h"
#include "expect.h"

#define CAT "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] "
#define HEALTHY VSO_SOURCE_DIR "/samples/go-images/generate-build-matrix.healthy.log"
#define BROKEN VSO_SOURCE_DIR "/samples/go-images/generate-build-matrix.broken.log"
#define POST2125 VSO_SOURCE_DIR "/samples/go-images/generate-build-matrix.healthy.post2125.log"

/* One stream read as run reads it: the scanner watching for the listing,
 * the analysis taking the commands. */
typedef struct stream {
  vso_scanner s;
  vso_announce_reader r;
  vso_analysis *a;
} stream;

static void on_watched(void *ctx, const vso_watched *w) { vso_announce_line(&((stream *)ctx)->r, w); }
static void on_line(void *ctx, const vso_line *l) {
  stream *st = ctx;
  if (st->a) (void)vso_analysis_line(st->a, l, st->r.source);
}

static void open_stream(stream *st, vso_announcement *into, vso_analysis *a, const char *name) {
  vso_scan_sink sink = {.ctx = st, .line = on_line, .watched = on_watched};
  vso_scanner_init(&st->s, &sink, 0);
  CHECK(vso_scanner_watch(&st->s, vso_announce_watch, vso_announce_nwatch, vso_announce_key_at), "the announcement's texts are refused");
  st->r = (vso_announce_reader){.into = into, .source = name};
  st->a = a;
}

/* Reads text into an, in chunks of at most `chunk` bytes (0: whole). */
static void read_text(vso_announcement *an, vso_analysis *a, const char *text, size_t n, size_t chunk) {
  stream st;
  open_stream(&st, an, a, "stdout");
  for (size_t at = 0; at < n;) {
    size_t k = chunk ? 1 + rnd_below(chunk) : n;
    if (k > n - at) k = n - at;
    vso_scanner_feed(&st.s, text + at, k);
    at += k;
  }
  vso_scanner_finish(&st.s);
  vso_scanner_free(&st.s);
}

static void read_log(vso_announcement *an, vso_analysis *a, const char *path, size_t chunk) {
  size_t n;
  char *text = read_file(path, &n);
  read_text(an, a, text, n, chunk);
  free(text);
}

/* A short printable summary: "name:legs,..." for comparisons. */
static void summarise(const vso_announcement *an, vso_buf *out) {
  vso_buf_clear(out);
  vso_buf_appendf(out, "%llu%s|", (unsigned long long)an->listings, an->overflow ? "!" : "");
  for (size_t i = 0; i < an->n; i++) {
    const vso_announced_matrix *m = &an->matrices[i];
    vso_buf_appendf(out, "%s:", m->name);
    for (size_t k = 0; k < m->nlegs; k++) {
      const vso_announced_leg *l = &m->legs[k];
      vso_buf_appendf(out, "%s(%s", l->name, l->architecture ? l->architecture : "-");
      for (size_t d = 0; d < l->ndockerfiles; d++) vso_buf_appendf(out, " %s", l->dockerfiles[d]);
      vso_buf_append_str(out, ")");
    }
    vso_buf_append_str(out, ";");
  }
}

static void test_real_logs(void **state) {
  (void)state;
  static const char *const names[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                      "windowsLtsc2022Amd64"};
  static const size_t legs[] = {4, 6, 6, 2, 2};
  const char *const logs[] = {HEALTHY, BROKEN, POST2125};
  vso_buf first = {0}, again = {0};
  for (size_t f = 0; f < 3; f++) {
    set_ctx("%s", logs[f]);
    vso_announcement an = {0};
    read_log(&an, NULL, logs[f], 0);
    CHECK(an.listings == 1 && an.n == 5 && !an.overflow, "%llu listings, %zu matrices", (unsigned long long)an.listings,
          an.n);
    for (size_t i = 0; i < 5; i++)
      CHECK(strcmp(an.matrices[i].name, names[i]) == 0 && an.matrices[i].nlegs == legs[i],
            "matrix %zu: %s with %zu legs", i, an.matrices[i].name, an.matrices[i].nlegs);
    const vso_announced_leg *l = &an.matrices[3].legs[0];
    CHECK(strcmp(l->name, "src-microsoft-1.25-windowsservercore-ltsc2025-graph") == 0 && l->ndockerfiles == 2 &&
              strcmp(l->dockerfiles[0], "src/microsoft/1.25/windows/windowsservercore-ltsc2025") == 0 &&
              strcmp(l->dockerfiles[1], "src/microsoft/1.25/windows/nanoserver-ltsc2025") == 0 &&
              strcmp(l->architecture, "amd64") == 0,
          "the ltsc2025 leg: %s", l->name);
    CHECK(strcmp(an.matrices[0].source, "stdout") == 0 && an.matrices[0].line_no == 73, "linuxArm32 at %s:%llu",
          an.matrices[0].source, (unsigned long long)an.matrices[0].line_no);
    CHECK(vso_announcement_find(&an, "LINUXAMD64", 10) == &an.matrices[2], "names are found case-insensitively");
    /* any chunking reads the same */
    summarise(&an, &first);
    for (unsigned t = 0; t < 200; t++) {
      vso_announcement other = {0};
      read_log(&other, NULL, logs[f], (size_t[]){1, 3, 17, 100, 4096}[t % 5]);
      summarise(&other, &again);
      CHECK(eqb(&again, first.data, first.len), "chunking %u reads %s", t, show(again.data, again.len));
      vso_announcement_free(&other);
    }
    vso_announcement_free(&an);
  }
  vso_buf_free(&first);
  vso_buf_free(&again);
  set_ctx("%s", "");
}

/* Without the timestamp, with CRLF, with colours before the category,
 * split over both streams, and after the ##vso lines: the same. */
static void test_any_layout(void **state) {
  (void)state;
  static const char listing[] = "info: " CAT "GENERATING BUILD MATRIX\r\n"
                                "##vso[task.setvariable variable=m;isoutput=true]{\"a\":{\"x\":\"1\"}}\r\n"
                                "\x1b[32minfo\x1b[39m: " CAT "  m:\r\n"
                                "info: " CAT "    a:\r\n"
                                "info: " CAT "      imageBuilderPaths: --path src/a --path src/b\r\n"
                                "info: " CAT "      architecture: arm64\r\n";
  vso_announcement an = {0};
  read_text(&an, NULL, listing, sizeof listing - 1, 0);
  vso_buf got = {0};
  summarise(&an, &got);
  static const char want[] = "1|m:a(arm64 src/a src/b);";
  CHECK(eqb(&got, want, sizeof want - 1), "read %s", show(got.data, got.len));
  vso_announcement_free(&an);
  /* each stream has its own reader: a leg on stderr belongs to stderr's matrix */
  vso_announcement both = {0};
  stream out, err;
  open_stream(&out, &both, NULL, "stdout");
  open_stream(&err, &both, NULL, "stderr");
  static const char o[] = CAT "  m1:\n" CAT "    a:\n";
  static const char e[] = CAT "  m2:\n" CAT "    b:\n";
  vso_scanner_feed(&out.s, o, 20);
  vso_scanner_feed(&err.s, e, sizeof e - 1);
  vso_scanner_feed(&out.s, o + 20, sizeof o - 21);
  vso_scanner_finish(&out.s);
  vso_scanner_finish(&err.s);
  summarise(&both, &got);
  static const char want2[] = "0|m2:b(-);m1:a(-);"; /* stderr's matrix came whole first */
  CHECK(eqb(&got, want2, sizeof want2 - 1), "read %s", show(got.data, got.len));
  CHECK(strcmp(both.matrices[0].source, "stderr") == 0, "m2 from %s", both.matrices[0].source);
  vso_scanner_free(&out.s);
  vso_scanner_free(&err.s);
  vso_announcement_free(&both);
  vso_buf_free(&got);
}

/* What is not a listing line is not read as one. */
static void test_not_listing(void **state) {
  (void)state;
  static const char text[] =
      CAT "Trimming platforms based on image cache state...\n"
      CAT "Image 'a/Dockerfile' cache state is Cached. Included in matrix: False\n"
      "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[1]   m:\n"   /* another event id */
      "Microsoft.DotNet.ImageBuilder.Commands.BuildCommand[0]   m:\n"                  /* another category */
      CAT "    leg-without-matrix:\n"
      CAT " GENERATING BUILD MATRIX\n"
      CAT "GENERATING BUILD MATRIX and more\n"
      CAT "  no-colon\n"
      CAT "   three:\n"
      "  " CAT "  m:\n"        /* the category may stand anywhere in the line */
      CAT "  ##vso[task.debug]x\n" /* a listing line holding a command ends the matrix */
      CAT "    after-command:\n";
  vso_announcement an = {0};
  read_text(&an, NULL, text, sizeof text - 1, 0);
  vso_buf got = {0};
  summarise(&an, &got);
  static const char want[] = "0|m:;";
  CHECK(eqb(&got, want, sizeof want - 1), "read %s", show(got.data, got.len));
  CHECK(vso_announcement_seen(&an), "a matrix line is an announcement");
  vso_announcement_free(&an);
  vso_announcement none = {0};
  CHECK(!vso_announcement_seen(&none), "nothing read is no announcement");
  vso_buf_free(&got);
}

/* A matrix announced again is replaced; repeated listings take no room. */
static void test_bounded(void **state) {
  (void)state;
  vso_buf text = {0};
  for (int i = 0; i < 20000; i++)
    vso_buf_appendf(&text, CAT "GENERATING BUILD MATRIX\n" CAT "  m:\n" CAT "    leg%d:\n" CAT "      architecture: amd64\n",
                    i % 3);
  vso_announcement an = {0};
  read_text(&an, NULL, text.data, text.len, 4096);
  CHECK(an.listings == 20000 && an.n == 1 && an.matrices[0].nlegs == 1 && !an.overflow, "%zu matrices, %zu legs",
        an.n, an.n ? an.matrices[0].nlegs : 0);
  CHECK(an.bytes_ < 100, "%zu bytes kept for one matrix of one leg", an.bytes_);
  vso_announcement_free(&an);
  /* past the bounds: no more is kept, and it says so */
  vso_buf_clear(&text);
  for (int i = 0; i <= VSO_ANNOUNCE_MAX_MATRICES; i++) vso_buf_appendf(&text, CAT "  m%d:\n", i);
  read_text(&an, NULL, text.data, text.len, 0);
  CHECK(an.overflow && an.n == VSO_ANNOUNCE_MAX_MATRICES, "%zu matrices, overflow %d", an.n, an.overflow);
  vso_announcement_free(&an);
  vso_buf_clear(&text);
  vso_buf_append_str(&text, CAT "  m:\n");
  for (int i = 0; i <= VSO_ANNOUNCE_MAX_LEGS; i++) vso_buf_appendf(&text, CAT "    l%d:\n", i);
  read_text(&an, NULL, text.data, text.len, 0);
  CHECK(an.overflow && an.matrices[0].nlegs == VSO_ANNOUNCE_MAX_LEGS, "%zu legs", an.matrices[0].nlegs);
  vso_announcement_free(&an);
  /* a name cut short (a line past VSO_SCAN_WATCH_MAX) cannot be checked */
  vso_buf_clear(&text);
  vso_buf_append_str(&text, CAT "  ");
  for (int i = 0; i < VSO_SCAN_WATCH_MAX; i++) vso_buf_append_char(&text, 'n');
  vso_buf_append_str(&text, ":\n");
  read_text(&an, NULL, text.data, text.len, 1000);
  CHECK(an.overflow && an.n == 0, "a cut name: %zu matrices, overflow %d", an.n, an.overflow);
  vso_announcement_free(&an);
  vso_buf_free(&text);
}

/* ---- announced against arrived ------------------------------------------------ */

static const vso_expectation *judge(const char *output, vso_expect_set *set, vso_analysis *a, vso_announcement *an) {
  vso_analysis_init(a, (vso_knobs){.decode_percents = true});
  read_text(an, a, output, strlen(output), 0);
  vso_buf err = {0};
  CHECK(vso_expect_add_announced(set, an, &err), "add: %s", err.data ? err.data : "");
  vso_buf_free(&err);
  vso_expect_evaluate(set, a);
  return set->n ? &set->items[0] : NULL;
}

static void test_legs_checked(void **state) {
  (void)state;
  static const char *const cases[][3] = {
      /* value, status, what the reason must say */
      {"{\"a\":{\"x\":\"1\"},\"b\":{\"x\":\"2\"}}", "met", NULL},
      {"{\"b\":{\"x\":\"2\"},\"a\":{\"x\":\"1\"}}", "met", NULL},
      {"{\"a\":{\"x\":\"1\"}}", "invalid", "leg 'b' is missing"},
      {"{\"a\":{\"x\":\"1\"},\"b\":{\"x\":\"2\"},\"c\":{\"x\":\"3\"}}", "invalid", "leg 'c' was never announced"},
      {"{\"c\":{\"x\":\"3\"}}", "invalid", "legs 'a' and 'b' are missing; leg 'c' was never announced"},
      {"[1]", "invalid", "not a usable build matrix"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vso_buf out = {0};
    vso_buf_appendf(&out, CAT "  m:\n" CAT "    a:\n" CAT "    b:\n##vso[task.setvariable variable=M;isoutput=true]%s\n",
                    cases[i][0]);
    vso_expect_set set = {0};
    vso_analysis a;
    vso_announcement an = {0};
    const vso_expectation *e = judge(out.data, &set, &a, &an);
    CHECK(e && strcmp(vso_exp_status_name(e->status), cases[i][1]) == 0 && e->matrix && e->announced,
          "value %s: %s (%s)", cases[i][0], e ? vso_exp_status_name(e->status) : "-", e && e->reason ? e->reason : "");
    CHECK(!cases[i][2] || (e->reason && strstr(e->reason, cases[i][2])), "value %s: reason %s", cases[i][0],
          e->reason ? e->reason : "(none)");
    vso_expect_free(&set);
    vso_analysis_free(&a);
    vso_announcement_free(&an);
    vso_buf_free(&out);
  }
}

/* Announced and never set: missing; forgotten before the next attempt. */
static void test_announced_names(void **state) {
  (void)state;
  vso_expect_set set = {0};
  vso_buf err = {0};
  vso_expectation *given = vso_expect_add(&set, "Other", 5, false, VSO_SRC_EXPECT, &err);
  CHECK(given != NULL, "add");
  vso_analysis a;
  vso_announcement an = {0};
  judge(CAT "  m:\n" CAT "    a:\n" CAT "      imageBuilderPaths: --path src/x\n" CAT "      architecture: arm\n" CAT
            "  other:\n",
        &set, &a, &an);
  CHECK(set.n == 2 && set.items[1].status == VSO_EXP_MISSING && set.items[1].sources == VSO_SRC_ANNOUNCED,
        "%zu names", set.n);
  CHECK(set.items[0].sources == (VSO_SRC_EXPECT | VSO_SRC_ANNOUNCED) && set.items[0].matrix, "Other from both");
  CHECK(set.items[1].nplatforms == 1 && strcmp(set.items[1].platforms[0].dockerfile, "src/x") == 0 &&
            strcmp(set.items[1].platforms[0].architecture, "arm") == 0 && !set.items[1].platforms[0].os_type,
        "m stands for one Dockerfile");
  CHECK(set.items[0].nplatforms == 0, "other: its leg-less listing stands for nothing");
  CHECK(vso_expect_unmet(&set) == 2 && vso_expect_counted(&set) == 2, "unmet %zu", vso_expect_unmet(&set));
  vso_expect_forget_announced(&set);
  CHECK(set.n == 1 && set.items[0].sources == VSO_SRC_EXPECT && !set.items[0].matrix && !set.items[0].announced,
        "after forgetting: %zu names", set.n);
  CHECK(!set.items[0].platforms && !set.items[0].nplatforms, "after forgetting: the announced platforms go");
  CHECK(vso_expect_add(&set, "m", 1, false, VSO_SRC_EXPECT, &err) == &set.items[1], "the index was rebuilt");
  vso_expect_free(&set);
  vso_analysis_free(&a);
  vso_announcement_free(&an);
  vso_buf_free(&err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_real_logs),     cmocka_unit_test(test_any_layout),   cmocka_unit_test(test_not_listing),
      cmocka_unit_test(test_bounded),       cmocka_unit_test(test_legs_checked), cmocka_unit_test(test_announced_names),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  printf("test_announce: %lu checks\n", g_checks);
  return failed;
}
