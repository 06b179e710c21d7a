/* SPDX-License-Identifier: MIT */
/* Expectations (core/expect.h) evaluated against what the analysis read
 * from real-looking output: the output variables a step must set, and why
 * each one is or is not met (docs/agent.md, "task.setvariable" and "Output
 * variables downstream"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "expect.h"
#include "scan.h"



/* ---- feeding output through the scanner into the analysis ---------------- */

static void sink_pass(void *ctx, const char *p, size_t n) {
  (void)ctx;
  (void)p;
  (void)n;
}

static void sink_line(void *ctx, const vso_line *l) { (void)vso_analysis_line(ctx, l, "stdout"); }

static void feed(vso_analysis *a, const char *text) {
  vso_scan_sink sink = {.ctx = a, .pass = sink_pass, .line = sink_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  vso_scanner_feed(&s, text, strlen(text));
  vso_scanner_finish(&s);
  vso_scanner_free(&s);
  CHECK(!a->out_of_memory, "out of memory");
}

static void add(vso_expect_set *set, const char *name, bool matrix) {
  vso_buf err = {0};
  bool ok = vso_expect_add(set, name, strlen(name), matrix, VSO_SRC_EXPECT, &err);
  CHECK(ok, "vso_expect_add(%s) failed: %s", name, err.data ? err.data : "");
  vso_buf_free(&err);
}

static const vso_expectation *find(const vso_expect_set *set, const char *name) {
  for (size_t i = 0; i < set->n; i++)
    if (strcmp(set->items[i].name, name) == 0) return &set->items[i];
  fail_msg("no expectation named %s", name);
  return NULL;
}

/* Evaluates `expected` against `output` and checks the status. */
static void expect_status(const char *output, const char *expected, bool matrix, vso_exp_status want) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, output);
  vso_expect_set set = {0};
  add(&set, expected, matrix);
  vso_expect_evaluate(&set, &a);
  const vso_expectation *e = &set.items[0];
  CHECK(e->status == want, "%s after %s: status %s, want %s (reason: %s)", expected, output,
        vso_exp_status_name(e->status), vso_exp_status_name(want), e->reason ? e->reason : "none");
  if (want == VSO_EXP_MET) {
    CHECK(e->reason == NULL, "a met expectation has a reason: %s", e->reason);
    CHECK(vso_expect_all_met(&set) && vso_expect_unmet(&set) == 0, "all_met/unmet disagree with MET");
  } else {
    CHECK(e->reason && *e->reason, "status %s without a reason", vso_exp_status_name(e->status));
    CHECK(!vso_expect_all_met(&set) && vso_expect_unmet(&set) == 1, "all_met/unmet disagree with %s",
          vso_exp_status_name(e->status));
  }
  CHECK((e->last == NULL) == (want == VSO_EXP_MISSING), "last is %s for status %s", e->last ? "set" : "NULL",
        vso_exp_status_name(want));
  /* evaluating again gives the same answer (and frees the old reason) */
  vso_expect_evaluate(&set, &a);
  CHECK(set.items[0].status == want, "a second evaluation changed the status");
  vso_expect_free(&set);
  CHECK(set.items == NULL && set.n == 0, "vso_expect_free leaves items");
  vso_analysis_free(&a);
}

#define MATRIX "{ \"linux-amd64\": { \"imageBuilderPaths\": \"--path src/1.23\", \"osType\": \"linux\" } }"

/* ---- statuses ---------------------------------------------------------------- */

static void test_met(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=linuxAmd64;isoutput=true]" MATRIX "\n", "linuxAmd64", false,
                VSO_EXP_MET);
  /* with a timestamp and CRLF, as a downloaded log has it */
  expect_status("2024-01-01T00:00:00.0000000Z ##vso[task.setvariable variable=v;isOutput=true]x\r\n", "v", false,
                VSO_EXP_MET);
  /* Boolean.TryParse trims */
  expect_status("##vso[task.setvariable variable=v;isoutput= TRUE ]x", "v", false, VSO_EXP_MET);
  /* task-lib's own line */
  expect_status("##vso[task.debug]set v=x\n##vso[task.setvariable variable=v;isOutput=true;issecret=false;]x\n",
                "v", false, VSO_EXP_MET);
  /* a secret output is still an output */
  expect_status("##vso[task.setvariable variable=s;isoutput=true;issecret=true]p@ss\n", "s", false, VSO_EXP_MET);
  /* on Linux only "\n" makes a secret multi-line: a bare CR does not */
  expect_status("##vso[task.setvariable variable=s;isoutput=true;issecret=true]a%0Db\n", "s", false,
                VSO_EXP_MET);
}

static void test_missing(void **state) {
  (void)state;
  expect_status("", "linuxAmd64", false, VSO_EXP_MISSING);
  expect_status("linuxAmd64\nno command here\n", "linuxAmd64", false, VSO_EXP_MISSING);
  expect_status("##vso[task.setvariable variable=other;isoutput=true]x\n", "linuxAmd64", false, VSO_EXP_MISSING);
  /* what the agent does not take as a setvariable does not count */
  expect_status("##VSO[task.setvariable variable=v;isoutput=true]x\n", "v", false, VSO_EXP_MISSING);
  expect_status("##vso[task.set.variable variable=v;isoutput=true]x\n", "v", false, VSO_EXP_MISSING);
  expect_status("##vso[task.setvariable variable=v;isoutput=true\n]x\n", "v", false, VSO_EXP_MISSING);
  expect_status("##vso[task.settaskvariable variable=v;isoutput=true]x\n", "v", false, VSO_EXP_MISSING);
  /* a prefix in the name is a different variable (no normalisation) */
  expect_status("##vso[task.setvariable variable=v.x;isoutput=true]x\n", "v_x", false, VSO_EXP_MISSING);
}

static void test_not_output(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=v]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
  expect_status("##vso[task.setvariable variable=v;isoutput=false]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
  expect_status("##vso[task.setvariable variable=v;isoutput=yes]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
  expect_status("##vso[task.setvariable variable=v;isoutput=1]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
  /* keys are not trimmed: " isoutput" is another property */
  expect_status("##vso[task.setvariable variable=v; isoutput=true]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
  /* a property without '=' is dropped */
  expect_status("##vso[task.setvariable variable=v;isoutput]x\n", "v", false, VSO_EXP_NOT_OUTPUT);
}

static void test_empty(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=v;isoutput=true]\n", "v", false, VSO_EXP_EMPTY);
  expect_status("##vso[task.setvariable variable=v;isoutput=true]", "v", false, VSO_EXP_EMPTY);
  /* empty comes before the matrix check */
  expect_status("##vso[task.setvariable variable=v;isoutput=true]\r\n", "v", true, VSO_EXP_EMPTY);
}

static void test_last_wins(void **state) {
  (void)state;
  /* a later set without isoutput=true leaves the output as it was
   * (ExecutionContext.SetVariable writes the output record only for isOutput) */
  expect_status("##vso[task.setvariable variable=v;isoutput=true]x\n"
                "##vso[task.setvariable variable=v]y\n",
                "v", false, VSO_EXP_MET);
  expect_status("##vso[task.setvariable variable=v]y\n", "v", false, VSO_EXP_NOT_OUTPUT);
  expect_status("##vso[task.setvariable variable=v]y\n"
                "##vso[task.setvariable variable=v;isoutput=true]x\n",
                "v", false, VSO_EXP_MET);
  expect_status("##vso[task.setvariable variable=v;isoutput=true]x\n"
                "##vso[task.setvariable variable=V;isoutput=true]\n",
                "v", false, VSO_EXP_EMPTY);
  /* bash set -x: the xtrace copy on stderr is a command too, and the later line wins */
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "+ echo '##vso[task.setvariable variable=FOO;isoutput=true]BAR'\n"
           "##vso[task.setvariable variable=FOO;isoutput=true]BAR\n");
  const vso_setvar *sv = vso_analysis_last(&a, "foo", 3);
  CHECK(a.nsetvars == 2 && sv == &a.setvars[1], "%zu setvars", a.nsetvars);
  CHECK(sv->value.n == 3 && memcmp(sv->value.p, "BAR", 3) == 0, "the last value is not BAR");
  CHECK(a.setvars[0].value.n == 4 && memcmp(a.setvars[0].value.p, "BAR'", 4) == 0,
        "the xtrace copy does not hold BAR'");
  CHECK(a.setvars[1].line_no == 2 && a.setvars[0].line_no == 1, "line numbers %llu, %llu",
        (unsigned long long)a.setvars[0].line_no, (unsigned long long)a.setvars[1].line_no);
  vso_analysis_free(&a);
}

static void test_case_insensitive(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=linuxamd64;isoutput=true]" MATRIX "\n", "LinuxAmd64", false,
                VSO_EXP_MET);
  expect_status("##vso[TASK.SETVARIABLE VARIABLE=LINUXAMD64;ISOUTPUT=TRUE]x\n", "linuxAmd64", false, VSO_EXP_MET);
  /* and the set keeps one entry per name, whatever the case */
  vso_expect_set set = {0};
  add(&set, "LinuxAmd64", false);
  add(&set, "linuxamd64", true);
  CHECK(set.n == 1, "%zu expectations for one name", set.n);
  CHECK(strcmp(set.items[0].name, "LinuxAmd64") == 0, "the first spelling is not kept: %s", set.items[0].name);
  CHECK(set.items[0].matrix, "a later matrix=true is lost");
  vso_expect_free(&set);
}

static void test_missing_name_rejected(void **state) {
  (void)state;
  static const char *const lines[] = {
      "##vso[task.setvariable isoutput=true]v\n",
      "##vso[task.setvariable]v\n",
      "##vso[task.setvariable variable=;isoutput=true]v\n",
      "##vso[task.setvariable  variable=a]v\n",
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    vso_analysis a;
    vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
    feed(&a, lines[i]);
    CHECK(a.nsetvars == 1, "%s: %zu setvars", lines[i], a.nsetvars);
    CHECK(a.setvars[0].name.p == NULL && a.setvars[0].rejected, "%s: not rejected for a missing name", lines[i]);
    size_t errors = 0;
    for (size_t k = 0; k < a.ndiags; k++) {
      if (a.diags[k].severity != VSO_ERROR) continue;
      errors++;
      CHECK(strstr(a.diags[k].message, "variable") != NULL, "%s: diagnostic %s", lines[i], a.diags[k].message);
      CHECK(a.diags[k].line_no == 1, "%s: diagnostic on line %llu", lines[i],
            (unsigned long long)a.diags[k].line_no);
      CHECK(a.diags[k].source && strcmp(a.diags[k].source, "stdout") == 0, "%s: diagnostic source", lines[i]);
    }
    CHECK(errors == 1, "%s: %zu error diagnostics, want 1", lines[i], errors);
    /* a nameless command sets nothing: the expectation is simply missing */
    vso_expect_set set = {0};
    add(&set, "a", false);
    vso_expect_evaluate(&set, &a);
    CHECK(set.items[0].status == VSO_EXP_MISSING, "%s: status %s", lines[i],
          vso_exp_status_name(set.items[0].status));
    vso_expect_free(&set);
    vso_analysis_free(&a);
  }
}

static void test_multiline_secret_rejected(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=s;isoutput=true;issecret=true]l1" ESC_NEWLINE "l2\n", "s", false,
                VSO_EXP_REJECTED);
  expect_status("##vso[task.setvariable variable=s;isoutput=true;issecret=true]l1%0D%0Al2\n", "s", false,
                VSO_EXP_REJECTED);
  /* not a secret: a multi-line value is fine */
  expect_status("##vso[task.setvariable variable=s;isoutput=true]l1%0Al2\n", "s", false, VSO_EXP_MET);
  /* a later good value replaces the rejected one */
  expect_status("##vso[task.setvariable variable=s;isoutput=true;issecret=true]l1" ESC_NEWLINE "l2\n"
                "##vso[task.setvariable variable=s;isoutput=true;issecret=true]ok\n",
                "s", false, VSO_EXP_MET);

  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "x\n##vso[task.setvariable variable=s;issecret=true]l1" ESC_NEWLINE "l2\n");
  CHECK(a.nsetvars == 1 && a.setvars[0].rejected && a.setvars[0].is_secret, "not rejected");
  CHECK(a.ndiags == 1 && a.diags[0].severity == VSO_ERROR && a.diags[0].line_no == 2, "%zu diagnostics",
        a.ndiags);
  CHECK(strstr(a.diags[0].message, "multi") != NULL, "diagnostic: %s", a.diags[0].message);
  CHECK(strstr(a.diags[0].message, "l1") == NULL, "the diagnostic shows the secret: %s", a.diags[0].message);
  vso_analysis_free(&a);
}

static void test_once_secret_always_secret(void **state) {
  (void)state;
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "##vso[task.setvariable variable=s;issecret=true]first\n"
           "##vso[task.setvariable variable=S;isoutput=true]second\n");
  const vso_setvar *sv = vso_analysis_last(&a, "s", 1);
  CHECK(sv && sv->is_secret && sv->is_output, "the later value is not kept secret");
  vso_buf m = {0};
  CHECK(vso_mask(&a.secrets, "first second", 12, &m) && m.len == 7 && memcmp(m.data, "*** ***", 7) == 0,
        "masked as %.*s", (int)m.len, m.data ? m.data : "");
  vso_buf_free(&m);
  vso_analysis_free(&a);
}

/* ---- building the set ----------------------------------------------------------- */

static void test_add_text(void **state) {
  (void)state;
  static const char text[] = "# expected output variables\r\n"
                             "linuxAmd64\r\n"
                             "\r\n"
                             "   windowsAmd64   # with a comment\r\n"
                             "\t\n"
                             "#only a comment\n"
                             "LINUXAMD64\n"
                             "last";
  vso_expect_set set = {0};
  vso_buf err = {0};
  CHECK(vso_expect_add_text(&set, text, sizeof text - 1, false, VSO_SRC_EXPECT, &err), "failed: %s", err.data ? err.data : "");
  CHECK(set.n == 3, "%zu names, want 3", set.n);
  CHECK(strcmp(set.items[0].name, "linuxAmd64") == 0, "first %s", set.items[0].name);
  CHECK(strcmp(set.items[1].name, "windowsAmd64") == 0, "second \"%s\"", set.items[1].name);
  CHECK(strcmp(set.items[2].name, "last") == 0, "third \"%s\"", set.items[2].name);
  for (size_t i = 0; i < set.n; i++) CHECK(!set.items[i].matrix, "matrix set on %s", set.items[i].name);
  vso_expect_require_matrix(&set);
  for (size_t i = 0; i < set.n; i++) CHECK(set.items[i].matrix, "require_matrix missed %s", set.items[i].name);
  vso_expect_free(&set);

  /* nothing but comments and blanks: no names, no error */
  static const char empty[] = "\n# a\r\n  \n\t# b\n";
  CHECK(vso_expect_add_text(&set, empty, sizeof empty - 1, true, VSO_SRC_EXPECT, &err) && set.n == 0, "%zu names", set.n);
  CHECK(vso_expect_add_text(&set, "", 0, true, VSO_SRC_EXPECT, &err) && set.n == 0, "empty text");
  /* the length counts, not a NUL */
  CHECK(vso_expect_add_text(&set, "ab\ncd", 2, true, VSO_SRC_EXPECT, &err) && set.n == 1 && strcmp(set.items[0].name, "ab") == 0,
        "length not respected");
  CHECK(set.items[0].matrix, "matrix flag not given");
  vso_expect_free(&set);
  CHECK(err.len == 0, "an error was reported: %s", err.data);
  vso_buf_free(&err);
}

static void test_add_list(void **state) {
  (void)state;
  vso_expect_set set = {0};
  vso_buf err = {0};
  CHECK(vso_expect_add_list(&set, " linuxAmd64 , windowsAmd64,\tarm64 ,LinuxAmd64,ARM64", false, VSO_SRC_EXPECT, &err), "failed: %s",
        err.data ? err.data : "");
  CHECK(set.n == 3, "%zu names, want 3", set.n);
  CHECK(strcmp(set.items[0].name, "linuxAmd64") == 0 && strcmp(set.items[1].name, "windowsAmd64") == 0 &&
            strcmp(set.items[2].name, "arm64") == 0,
        "names %s|%s|%s", set.items[0].name, set.items[1].name, set.items[2].name);
  CHECK(vso_expect_add_list(&set, "single", true, VSO_SRC_EXPECT, &err) && set.n == 4 && set.items[3].matrix, "single name");
  vso_expect_free(&set);

  /* names may hold anything the agent accepts, '.' and ' ' included */
  CHECK(vso_expect_add_list(&set, "my var,a.b", false, VSO_SRC_EXPECT, &err) && set.n == 2 && strcmp(set.items[0].name, "my var") == 0,
        "inner space or dot refused");
  vso_expect_free(&set);
  vso_buf_free(&err);
}

static void test_empty_name_is_error(void **state) {
  (void)state;
  static const char *const lists[] = {"", " ", "a,,b", "a,", ",a", "a, ,b", "\t"};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    vso_expect_set set = {0};
    vso_buf err = {0};
    CHECK(!vso_expect_add_list(&set, lists[i], false, VSO_SRC_EXPECT, &err), "\"%s\" accepted", lists[i]);
    CHECK(err.len > 0, "\"%s\": no message", lists[i]);
    vso_expect_free(&set);
    vso_buf_free(&err);
  }
  vso_expect_set set = {0};
  vso_buf err = {0};
  CHECK(!vso_expect_add(&set, "x", 0, false, VSO_SRC_EXPECT, &err) && err.len > 0 && set.n == 0, "an empty name accepted");
  vso_buf_clear(&err);
  CHECK(!vso_expect_add(&set, "a\0b", 3, false, VSO_SRC_EXPECT, &err) && err.len > 0 && set.n == 0, "a NUL in a name accepted");
  vso_expect_free(&set);
  vso_buf_free(&err);
}

/* ---- matrix (another module: only clearly invalid values are asserted) ----------- */

static void test_matrix_invalid(void **state) {
  (void)state;
  expect_status("##vso[task.setvariable variable=m;isoutput=true]{}\n", "m", true, VSO_EXP_INVALID);
  expect_status("##vso[task.setvariable variable=m;isoutput=true]not json\n", "m", true, VSO_EXP_INVALID);
  expect_status("##vso[task.setvariable variable=m;isoutput=true][1,2]\n", "m", true, VSO_EXP_INVALID);
  /* the matrix check comes after the output check */
  expect_status("##vso[task.setvariable variable=m]{}\n", "m", true, VSO_EXP_NOT_OUTPUT);
  /* without matrix=true the value is not looked at */
  expect_status("##vso[task.setvariable variable=m;isoutput=true]{}\n", "m", false, VSO_EXP_MET);
}

/* ---- several at once ---------------------------------------------------------------- */

static void test_several(void **state) {
  (void)state;
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "starting\n"
           "##vso[task.setvariable variable=met;isoutput=true]1\r\n"
           "##vso[task.setvariable variable=plain]2\r"
           "##vso[task.setvariable variable=empty;isoutput=true]\n"
           "##vso[task.setvariable variable=secret;isoutput=true;issecret=true]a" ESC_NEWLINE "b\n"
           "done");
  vso_expect_set set = {0};
  vso_buf err = {0};
  CHECK(vso_expect_add_list(&set, "met,plain,empty,secret,absent", false, VSO_SRC_EXPECT, &err), "add");
  vso_expect_evaluate(&set, &a);
  CHECK(find(&set, "met")->status == VSO_EXP_MET, "met: %s", vso_exp_status_name(find(&set, "met")->status));
  CHECK(find(&set, "plain")->status == VSO_EXP_NOT_OUTPUT, "plain: %s",
        vso_exp_status_name(find(&set, "plain")->status));
  CHECK(find(&set, "empty")->status == VSO_EXP_EMPTY, "empty: %s", vso_exp_status_name(find(&set, "empty")->status));
  CHECK(find(&set, "secret")->status == VSO_EXP_REJECTED, "secret: %s",
        vso_exp_status_name(find(&set, "secret")->status));
  CHECK(find(&set, "absent")->status == VSO_EXP_MISSING, "absent: %s",
        vso_exp_status_name(find(&set, "absent")->status));
  CHECK(vso_expect_unmet(&set) == 4 && !vso_expect_all_met(&set), "unmet %zu", vso_expect_unmet(&set));
  CHECK(find(&set, "plain")->last->line_no == 3, "plain set on line %llu",
        (unsigned long long)find(&set, "plain")->last->line_no);
  CHECK(find(&set, "empty")->last->line_no == 4, "empty set on line %llu (after a bare CR)",
        (unsigned long long)find(&set, "empty")->last->line_no);
  vso_expect_free(&set);
  vso_buf_free(&err);
  vso_analysis_free(&a);

  /* no expectations: all met */
  CHECK(vso_expect_all_met(&set) && vso_expect_unmet(&set) == 0, "an empty set is not met");
}

static void test_status_names(void **state) {
  (void)state;
  static const struct {
    vso_exp_status st;
    const char *name;
  } names[] = {{VSO_EXP_MET, "met"},     {VSO_EXP_MISSING, "missing"},   {VSO_EXP_NOT_OUTPUT, "not-output"},
               {VSO_EXP_EMPTY, "empty"}, {VSO_EXP_REJECTED, "rejected"}, {VSO_EXP_INVALID, "invalid"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    CHECK(strcmp(vso_exp_status_name(names[i].st), names[i].name) == 0, "status %d is named %s", (int)names[i].st,
          vso_exp_status_name(names[i].st));
}

/* ---- what a name stands for, and what the log may say of it -------------------- */

static void test_stands_for(void **state) {
  (void)state;
  vso_expect_set set = {0};
  add(&set, "linuxAmd64", true);
  vso_manifest_platform manifest[] = {{"src/a", "linux", "bookworm", "amd64"}, {"src/b", "linux", "jammy", "amd64"}};
  vso_manifest_platform announced[] = {{"src/c", NULL, NULL, "amd64"}};
  vso_expect_stands_for(&set, "LINUXAMD64", manifest, 2); /* names compare as the agent's */
  vso_expect_stands_for(&set, "linuxAmd64", announced, 1); /* the first source that knows wins */
  vso_expect_stands_for(&set, "other", announced, 1);      /* not expected: nothing */
  const vso_expectation *x = find(&set, "linuxAmd64");
  CHECK(x->platforms == manifest && x->nplatforms == 2, "stands for %zu platforms", x->nplatforms);
  CHECK(vso_expect_find(&set, "LinuxAMD64", 10) == x, "vso_expect_find is case-insensitive");
  CHECK(vso_expect_find(&set, "other", 5) == NULL, "vso_expect_find: an unexpected name");
  CHECK(set.n == 1, "stands_for added a name: %zu", set.n);
  vso_expect_free(&set);
}

/* Evaluates one matrix expectation on output; its reason (or "") in *reason. */
static vso_exp_status matrix_reason(const char *output, const char *name, char *reason, size_t size) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, output);
  vso_expect_set set = {0};
  add(&set, name, true);
  vso_expect_evaluate(&set, &a);
  snprintf(reason, size, "%s", set.items[0].reason ? set.items[0].reason : "");
  vso_exp_status st = set.items[0].status;
  vso_expect_free(&set);
  vso_analysis_free(&a);
  return st;
}

#define ONCE_SECRET                                                         \
  "##vso[task.setvariable variable=m;issecret=true;isoutput=true]s3cr3t-1\n" \
  "##vso[task.setvariable variable=m;isoutput=true]{\"leg-key-7c\": 5}\n"

static void test_secret_matrix_keys_never_in_reason(void **state) {
  (void)state;
  static const char *const outputs[] = {
      "##vso[task.setvariable variable=m;issecret=true;isoutput=true]{\"leg-key-7c\": 5}\n",
      "##vso[task.setvariable variable=m;issecret=true;isoutput=true]{\"leg-key-7c\": {\"var-key-b3\": 1}}\n",
      /* once secret, always secret: a later plain set of the same name */
      ONCE_SECRET,
  };
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
    char reason[512];
    vso_exp_status st = matrix_reason(outputs[i], "m", reason, sizeof reason);
    CHECK(st == VSO_EXP_INVALID, "case %zu: status %s", i, vso_exp_status_name(st));
    CHECK(!strstr(reason, "leg-key") && !strstr(reason, "var-key"), "case %zu: a key in the reason: %s", i, reason);
    CHECK(strstr(reason, "not a usable build matrix") != NULL, "case %zu: the reason says why: %s", i, reason);
  }
  char reason[512];
  matrix_reason("##vso[task.setvariable variable=m;isoutput=true]{\"leg-key-7c\": 5}\n", "m", reason, sizeof reason);
  CHECK(strstr(reason, "leg-key-7c") != NULL, "a plain value's reason names the leg: %s", reason);
}

static void test_reason_is_inert(void **state) {
  (void)state;
  static const char *const outputs[] = {
      "##vso[task.setvariable variable=m;isoutput=true]{\"##vso[task.complete result=Failed]\": 5}\n",
      "##vso[task.setvariable variable=m;isoutput=true]{\"l\": {\"##VsO[task.logissue]x\": 1}}\n",
  };
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
    char reason[512];
    matrix_reason(outputs[i], "m", reason, sizeof reason);
    CHECK(strstr(reason, "**vso[") != NULL, "case %zu: the keyword deactivated: %s", i, reason);
    CHECK(vso_next_keyword(reason, strlen(reason)) == strlen(reason), "case %zu: a live keyword: %s", i, reason);
  }
}

static void test_restart_keeps_secrets(void **state) {
  (void)state;
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "##vso[task.setvariable variable=t;issecret=true]attempt-one-secret\n##vso[task.setsecret]other-one\n");
  vso_analysis_restart(&a);
  CHECK(a.nsetvars == 0 && a.commands == 0 && a.ndiags == 0, "the attempt is forgotten: %zu setvars", a.nsetvars);
  CHECK(a.knobs.decode_percents, "the knobs stay");
  feed(&a, "##vso[task.setvariable variable=u;isoutput=true]x\n");
  vso_buf masked = {0};
  const char text[] = "attempt-one-secret and other-one";
  CHECK(vso_mask(&a.secrets, text, sizeof text - 1, &masked) && strcmp(masked.data, "*** and ***") == 0,
        "the secrets of the first attempt are masked in the second: %s", masked.data);
  vso_buf_free(&masked);
  vso_analysis_free(&a);
}

static void test_quotation_masked_before_cut(void **state) {
  (void)state;
  static const char secret[] = "straddling-secret-0123456789abcdef";
  char output[512];
  /* the diagnostic of a line that is no command quotes its first 120 bytes:
   * the secret starts at 106 and would be cut after 14 of its bytes */
  snprintf(output, sizeof output, "##vso[task.setsecret]%s\n##vso[ %0100d%s no bracket\n", secret, 0, secret);
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, output);
  CHECK(a.ndiags == 1, "one diagnostic: %zu", a.ndiags);
  CHECK(!strstr(a.diags[0].message, "straddling"), "the secret's beginning is left: %s", a.diags[0].message);
  CHECK(strstr(a.diags[0].message, "***") != NULL, "the secret is masked: %s", a.diags[0].message);
  vso_analysis_free(&a);
}

static void test_matrices_read_while_setting(void **state) {
  (void)state;
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
  feed(&a, "##vso[task.setvariable variable=m0;isoutput=true]{\"a\": {\"k\": \"v\"}}\n");
  const vso_value_matrix *m = vso_analysis_read_matrix(&a, 0);
  CHECK(m && m->usable && m->matrix.nlegs == 1, "the first value read as it arrives");
  char line[128];
  for (int i = 1; i < 100; i++) {
    snprintf(line, sizeof line, "##vso[task.setvariable variable=m%d;isoutput=true]{\"l%d\": {\"k\": \"v\"}}\n", i, i);
    feed(&a, line);
    m = vso_analysis_read_matrix(&a, (size_t)i);
    char leg[16];
    snprintf(leg, sizeof leg, "l%d", i);
    CHECK(m && m->usable && m->matrix.nlegs == 1 && strcmp(m->matrix.legs[0].name, leg) == 0,
          "value %d read as it arrives", i);
  }
  CHECK(vso_analysis_matrix(&a, 0) && vso_analysis_matrix(&a, 0)->matrix.nlegs == 1, "the first is kept");
  CHECK(vso_analysis_read_matrix(&a, 100) == NULL, "no value past the last");
  vso_analysis_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_met),
      cmocka_unit_test(test_missing),
      cmocka_unit_test(test_not_output),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_last_wins),
      cmocka_unit_test(test_case_insensitive),
      cmocka_unit_test(test_missing_name_rejected),
      cmocka_unit_test(test_multiline_secret_rejected),
      cmocka_unit_test(test_once_secret_always_secret),
      cmocka_unit_test(test_add_text),
      cmocka_unit_test(test_add_list),
      cmocka_unit_test(test_empty_name_is_error),
      cmocka_unit_test(test_matrix_invalid),
      cmocka_unit_test(test_several),
      cmocka_unit_test(test_status_names),
      cmocka_unit_test(test_stands_for),
      cmocka_unit_test(test_secret_matrix_keys_never_in_reason),
      cmocka_unit_test(test_reason_is_inert),
      cmocka_unit_test(test_restart_keeps_secrets),
      cmocka_unit_test(test_quotation_masked_before_cut),
      cmocka_unit_test(test_matrices_read_while_setting),
  };
  int failed = cmocka_run_group_tests_name("expect", tests, NULL, NULL);
  printf("test_expect: %lu checks\n", g_checks);
  return failed;
}
