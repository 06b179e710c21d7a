/* SPDX-License-Identifier: MIT */
/* The agent, exactly, on the points where its peer tests found vsorelay
 * apart from it (docs/agent.md):
 *  (a) an output variable keeps its value when a later task.setvariable of
 *      the name has no isoutput=true (ExecutionContext.SetVariable writes the
 *      output record only for isOutput);
 *  (b) DECODE_PERCENTS is read as the agent reads a knob
 *      (StringUtil.ConvertToBoolean), unset or empty being its default, true;
 *  (c) SYSTEM_UNSAFEALLOWMULTILINESECRET, read the same way, lets a
 *      multi-line secret through;
 *  (d) a secret's escaped form is masked too (TaskSetVariableCommand
 *      registers CommandStringConvertor.Escape(data)).
 * The other two, Minimatch and OrdinalIgnoreCase, are test_glob.c and
 * test_casefold.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "expect.h"
#include "policy.h"
#include "scan.h"

#ifdef _WIN32 /* msvcrt: _putenv_s, and an empty value removes the variable */
static int setenv(const char *name, const char *value, int overwrite) {
  (void)overwrite;
  return _putenv_s(name, value);
}
static int unsetenv(const char *name) { return _putenv_s(name, ""); }
#endif

static void on_line(void *ctx, const vso_line *l) { (void)vso_analysis_line(ctx, l, "stdout"); }

static void feed(vso_analysis *a, const char *text) {
  vso_scan_sink sink = {.ctx = a, .line = on_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  vso_scanner_feed(&s, text, strlen(text));
  vso_scanner_finish(&s);
  vso_scanner_free(&s);
}

/* The status of name after output, and the value that decided it. */
static vso_exp_status judge(const char *output, vso_knobs knobs, const vso_policy *policy, char *value, size_t cap) {
  vso_analysis a;
  vso_analysis_init(&a, knobs);
  a.policy = policy;
  feed(&a, output);
  vso_expect_set set = {0};
  vso_buf err = {0};
  CHECK(vso_expect_add(&set, "v", 1, false, VSO_SRC_EXPECT, &err), "add");
  vso_expect_evaluate(&set, &a);
  vso_exp_status st = set.items[0].status;
  const vso_setvar *last = set.items[0].last;
  snprintf(value, cap, "%.*s", last ? (int)last->value.n : 0, last ? last->value.p : "");
  vso_expect_free(&set);
  vso_analysis_free(&a);
  vso_buf_free(&err);
  return st;
}

#define SET(props, value) "##vso[task.setvariable variable=v;" props "]" value "\n"
#ifdef _WIN32
#define NEWLINE_VALUE "a\r\nb"
#else
#define NEWLINE_VALUE "a\nb"
#endif

static void test_output_keeps_its_value(void **state) {
  (void)state;
  static const vso_knobs on = {.decode_percents = true};
  static const struct {
    const char *output;
    vso_exp_status want;
    const char *value; /* of the set that decided */
  } cases[] = {
      {SET("isoutput=true", "x") SET("", "y"), VSO_EXP_MET, "x"},
      {SET("isoutput=true", "x") SET("isoutput=false", "y") SET("isOutput=nope", "z"), VSO_EXP_MET, "x"},
      {SET("isoutput=true", "x") SET("isoutput=true", "y"), VSO_EXP_MET, "y"},
      {SET("", "y") SET("isoutput=true", "x") SET("", "z"), VSO_EXP_MET, "x"},
      {SET("", "y"), VSO_EXP_NOT_OUTPUT, "y"},
      {SET("isoutput=true", "") SET("", "y"), VSO_EXP_EMPTY, ""},
      /* a later command the agent rejects fails the step: the name is not met */
      {SET("isoutput=true", "x") SET("issecret=true", "a" ESC_NEWLINE "b"), VSO_EXP_REJECTED, NEWLINE_VALUE},
      {SET("isoutput=true", "x") SET("issecret=true", "a" ESC_NEWLINE "b") SET("", "y"), VSO_EXP_REJECTED,
       NEWLINE_VALUE},
      /* one before the output value does not decide */
      {SET("issecret=true;isoutput=true", "a" ESC_NEWLINE "b") SET("isoutput=true", "x"), VSO_EXP_MET, "x"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char value[64];
    vso_exp_status st = judge(cases[i].output, on, NULL, value, sizeof value);
    set_ctx("case %zu: %s", i, cases[i].output);
    CHECK(st == cases[i].want && strcmp(value, cases[i].value) == 0, "%s with value %s, want %s with %s",
          vso_exp_status_name(st), show(value, strlen(value)), vso_exp_status_name(cases[i].want), cases[i].value);
  }
  /* a later set that settableVariables refuses changes nothing either */
  vso_policy policy = {0};
  CHECK(vso_policy_add_set(&policy, "w"), "policy");
  char value[64];
  CHECK(judge(SET("isoutput=true", "x") SET("isoutput=true", "y"), on, &policy, value, sizeof value) ==
            VSO_EXP_MISSING,
        "refused sets set nothing");
  vso_policy_free(&policy);
  set_ctx("%s", "");
}

static void test_knob_reading(void **state) {
  (void)state;
  static const char *const yes[] = {"1", "true", "TRUE", "True", "$true", "$TRUE", "tRuE"};
  static const char *const no[] = {"0", "false", "$false", "yes", "on", " true", "true ", "2", "t", "truee", "$"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK(vso_knob_true(yes[i]), "'%s' read as false", yes[i]);
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK(!vso_knob_true(no[i]), "'%s' read as true", no[i]);
  static const struct {
    const char *value; /* NULL: unset */
    bool decode, multiline;
  } env[] = {
      {NULL, true, false}, {"", true, false}, {"true", true, true}, {"$True", true, true},
      {"1", true, true},   {"0", false, false}, {"False", false, false}, {"garbage", false, false},
  };
  for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) {
    if (env[i].value) {
      setenv("DECODE_PERCENTS", env[i].value, 1);
      setenv("SYSTEM_UNSAFEALLOWMULTILINESECRET", env[i].value, 1);
    } else {
      unsetenv("DECODE_PERCENTS");
      unsetenv("SYSTEM_UNSAFEALLOWMULTILINESECRET");
    }
    vso_knobs k = vso_dialect_knobs();
    CHECK(k.decode_percents == env[i].decode && k.allow_multiline_secret == env[i].multiline,
          "'%s': decode %d, multi-line secrets %d", env[i].value ? env[i].value : "(unset)", k.decode_percents,
          k.allow_multiline_secret);
  }
  unsetenv("DECODE_PERCENTS");
  unsetenv("SYSTEM_UNSAFEALLOWMULTILINESECRET");
}

static void test_multiline_secret_knob(void **state) {
  (void)state;
  char value[64];
  /* multi-line is Environment.NewLine: "\n", or "\r\n" on Windows */
  const char *out = strcmp(vso_dialect_newline, "\n") == 0 ? SET("issecret=true;isoutput=true", "l1%0Al2")
                                                           : SET("issecret=true;isoutput=true", "l1%0D%0Al2");
  CHECK(judge(out, (vso_knobs){.decode_percents = true}, NULL, value, sizeof value) == VSO_EXP_REJECTED,
        "rejected without the knob");
  CHECK(judge(out, (vso_knobs){.decode_percents = true, .allow_multiline_secret = true}, NULL, value, sizeof value) ==
            VSO_EXP_MET,
        "met with SYSTEM_UNSAFEALLOWMULTILINESECRET");
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true, .allow_multiline_secret = true});
  feed(&a, out);
  CHECK(a.ndiags == 0 && !a.setvars[0].rejected, "%zu diagnostics", a.ndiags);
  vso_analysis_free(&a);
  /* a bare CR is no Environment.NewLine anywhere */
  CHECK(judge(SET("issecret=true;isoutput=true", "l1%0Dl2"), (vso_knobs){.decode_percents = true}, NULL, value,
              sizeof value) == VSO_EXP_MET,
        "a CR alone");
}

/* What the analysis masks after output, in text. */
static void check_masked(const char *output, vso_knobs knobs, const char *text, const char *want) {
  vso_analysis a;
  vso_analysis_init(&a, knobs);
  feed(&a, output);
  vso_buf got = {0};
  CHECK(vso_mask(&a.secrets, text, strlen(text), &got), "mask");
  CHECK(eqb(&got, want, strlen(want)), "after %s, %s masks as %s, want %s", show(output, strlen(output)), text,
        show(got.data, got.len), want);
  vso_buf_free(&got);
  vso_analysis_free(&a);
}

static void test_escaped_secret_masked(void **state) {
  (void)state;
  const vso_knobs on = {.decode_percents = true}, off = {.decode_percents = false};
  check_masked(SET("issecret=true", "p%3Bq"), on, "<p;q> <p%3Bq>", "<***> <***>");
  check_masked(SET("issecret=true", "a]b%AZP25c"), on, "<a]b%c> <a%5Db%AZP25c>", "<***> <***>");
  check_masked(SET("issecret=true", "l1%0Dl2"), on, "<l1\rl2> <l1%0Dl2>", "<***> <***>");
  /* DECODE_PERCENTS off: '%' is not escaped, and the form unescaped once more is masked too */
  check_masked(SET("issecret=true", "p%3Bq%AZP25"), off, "<p;q%AZP25> <p%3Bq%AZP25> <p;q%>", "<***> <***> <***>");
  check_masked("##vso[task.setsecret]x%AZP25y\n", off, "<x%AZP25y> <x%y>", "<***> <***>");
  check_masked("##vso[task.setsecret]x%AZP25y\n", on, "<x%y> <x%AZP25y>", "<***> <x%AZP25y>");
  /* only the command's own issecret registers the escaped form: a name
   * that stays secret registers its later values as they are (and the
   * agent's value encoders' forms: "u%25v" is Uri.EscapeDataString's) */
  check_masked(SET("issecret=true", "s1") SET("", "u%AZP25v"), on, "<s1> <u%v> <u%25v> <u%AZP25v>",
               "<***> <***> <***> <u%AZP25v>");
  /* a secret the agent rejects registers no escaped form */
  check_masked(SET("issecret=true", "m" ESC_NEWLINE "n%AZP25"), on, "<m" ESC_NEWLINE "n%AZP25>",
               "<m" ESC_NEWLINE "n%AZP25>");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_output_keeps_its_value),
      cmocka_unit_test(test_knob_reading),
      cmocka_unit_test(test_multiline_secret_knob),
      cmocka_unit_test(test_escaped_secret_masked),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  printf("test_agent: %lu checks\n", g_checks);
  return failed;
}
