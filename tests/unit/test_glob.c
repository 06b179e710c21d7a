/* SPDX-License-Identifier: MIT */
/* settableVariables patterns (core/glob.h) against the Minimatch port the
 * agent uses: the regexes and matches of its own tests (SLaks/Minimatch
 * c3ad9090e541 Minimatch.Tests/BasicTests.cs; with IgnoreCase, which the
 * agent sets, a pattern part is always a regex, so a case of theirs whose
 * part had no magic is left out of the regex checks), and the agent's
 * IgnoreCase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "globre.h"

static void expect_regex(const char *part, const char *want) {
  char *got = vso_glob_part_regex(part, strlen(part));
  assert_non_null(got);
  if (strcmp(got, want) != 0) fail_msg("Parse(%s) = %s, want %s", part, got, want);
  free(got);
}

/* The part regexes of BasicTests.cs's AssertRegexes (inside their ^(?: )$). */
static void port_regexes(void **state) {
  (void)state;
  expect_regex("a*", "(?=.)a[^/]*?");
  expect_regex("\\**", "(?=.)\\*[^/]*?");
  expect_regex("c*", "(?=.)c[^/]*?");
  expect_regex("[a-c]b*", "(?!\\.)(?=.)[a-c]b[^/]*?");
  expect_regex("[a-y]*[^c]", "(?!\\.)(?=.)[a-y][^/]*?[^c]");
  expect_regex("a[X-]b", "(?=.)a[X-]b");
  expect_regex("[^a-c]*", "(?!\\.)(?=.)[^a-c][^/]*?");
  expect_regex("*\\\\!*", "(?!\\.)(?=.)[^/]*?\\\\\\![^/]*?");
  expect_regex("*\\!*", "(?!\\.)(?=.)[^/]*?\\![^/]*?");
  expect_regex("*.\\*", "(?!\\.)(?=.)[^/]*?\\.\\*");
  expect_regex("a[b]c", "(?=.)a[b]c");
  expect_regex("a[\\b]c", "(?=.)a[b]c");
  expect_regex("a?c", "(?=.)a[^/]c");
  expect_regex("a***c", "(?=.)a[^/]*?[^/]*?[^/]*?c");
  expect_regex("?*****??", "(?!\\.)(?=.)[^/][^/]*?[^/]*?[^/]*?[^/]*?[^/]*?[^/][^/]");
  expect_regex("[-abc]", "(?!\\.)(?=.)[-abc]");
  expect_regex("[abc-]", "(?!\\.)(?=.)[abc-]");
  expect_regex("[\\\\]", "(?!\\.)(?=.)[\\\\]");
  expect_regex("[[]", "(?!\\.)(?=.)[\\[]");
  expect_regex("[*", "(?=.)\\[(?!\\.)(?=.)[^/]*?");
  expect_regex("[]]", "(?!\\.)(?=.)[\\]]");
  expect_regex("[]-]", "(?!\\.)(?=.)[\\]-]");
  expect_regex("[a-\\z]", "(?!\\.)(?=.)[a-z]");
  expect_regex("[ia]?[ck]", "(?!\\.)(?=.)[ia][^/][ck]");
  expect_regex("ab*", "(?=.)ab[^/]*?");
  expect_regex("*(a|b)", "(?!\\.)(?=.)(?:a|b)*");
  expect_regex("[!a*", "(?=.)\\[(?=.)\\!a[^/]*?");
  expect_regex("[#a*", "(?=.)\\[(?=.)#a[^/]*?");
  expect_regex("+(a|*\\|c\\\\|d\\\\\\|e\\\\\\\\|f\\\\\\\\\\|g",
               "(?=.)\\+\\(a\\|[^/]*?\\|c\\\\\\\\\\|d\\\\\\\\\\|e\\\\\\\\\\\\\\\\\\|f\\\\\\\\\\\\\\\\\\|g");
  expect_regex("*(b|c", "(?!\\.)(?=.)[^/]*?\\(b\\|c"); /* {a,*(b|c,d)} once the braces are expanded */
  expect_regex("a?b", "(?=.)a[^/]b");
  expect_regex("*.!(js)", "(?!\\.)(?=.)[^/]*?\\.(?:(?!js)[^/]*?)");
  expect_regex("**", "");
  expect_regex("", "");
  /* with IgnoreCase every part is magic: (?=.) also before plain text */
  expect_regex("XYZ", "(?=.)XYZ");
  expect_regex("\\*", "(?=.)\\*");
}

typedef struct filter_case {
  const char *pattern;
  const char *files[24];
  const char *want[24];
} filter_case;

static bool listed(const char *const *list, const char *s) {
  for (; *list; list++)
    if (strcmp(*list, s) == 0) return true;
  return false;
}

static void run_filter(const filter_case *c) {
  vso_glob *g = vso_glob_compile(c->pattern, strlen(c->pattern));
  assert_non_null(g);
  for (const char *const *f = c->files; *f; f++) {
    bool hit = vso_glob_matches(g, *f, strlen(*f)), want = listed(c->want, *f);
    if (hit != want) fail_msg("`%s` %s \"%s\"", c->pattern, want ? "should match" : "should not match", *f);
  }
  vso_glob_free(g);
}

#define DEFAULT_FILES "a", "b", "c", "d", "abc", "abd", "abe", "bb", "bcd", "ca", "cb", "dd", "de", "bdir/", "bdir/cfile"

/* Minimatcher.Filter results of BasicTests.cs (files as they give them). */
static void port_matches(void **state) {
  (void)state;
  static const filter_case cases[] = {
      {"a*", {DEFAULT_FILES}, {"a", "abc", "abd", "abe"}},
      {"X*", {DEFAULT_FILES}, {NULL}},
      {"b*/", {DEFAULT_FILES}, {"bdir/"}},
      {"c*", {DEFAULT_FILES}, {"c", "ca", "cb"}},
      {"**", {DEFAULT_FILES}, {DEFAULT_FILES}},
      {"[a-c]b*", {DEFAULT_FILES}, {"abc", "abd", "abe", "bb", "cb"}},
      {"[a-y]*[^c]", {DEFAULT_FILES}, {"abd", "abe", "bb", "bcd", "bdir/", "ca", "cb", "dd", "de"}},
      {"a*[^c]", {DEFAULT_FILES}, {"abd", "abe"}},
      {"a[X-]b", {DEFAULT_FILES, "a-b", "aXb"}, {"a-b", "aXb"}},
      {"[^a-c]*", {DEFAULT_FILES, ".x", ".y"}, {"d", "dd", "de"}},
      {"a\\*b/*", {"a*b/", "a*b/ooo", "abc"}, {"a*b/ooo"}},
      {"a\\*?/*", {"a*b/", "a*b/ooo"}, {"a*b/ooo"}},
      {"*\\\\!*", {"echo !7"}, {NULL}},
      {"*\\!*", {"echo !7"}, {"echo !7"}},
      {"*.\\*", {"r.*"}, {"r.*"}},
      {"a[b]c", {DEFAULT_FILES}, {"abc"}},
      {"a[\\b]c", {DEFAULT_FILES}, {"abc"}},
      {"a?c", {DEFAULT_FILES}, {"abc"}},
      {"a\\*c", {"abc"}, {NULL}},
      {"*/man*/bash.*", {"man/", "man/man1/", "man/man1/bash.1"}, {"man/man1/bash.1"}},
      {"a***c", {"abc"}, {"abc"}},
      {"?***?****?", {"abc"}, {"abc"}},
      {"a**?**cd**?**??***k**", {"abcdecdhjk"}, {"abcdecdhjk"}},
      {"[-abc]", {"-"}, {"-"}},
      {"[abc-]", {"-"}, {"-"}},
      {"\\", {"\\"}, {"\\"}},
      {"[\\\\]", {"\\"}, {"\\"}},
      {"[[]", {"["}, {"["}},
      {"[", {"["}, {"["}},
      {"[*", {"[abc"}, {"[abc"}},
      {"[]]", {"]"}, {"]"}},
      {"[]-]", {"]"}, {"]"}},
      {"[a-\\z]", {"p"}, {"p"}},
      {"??**********?****?", {"abc"}, {NULL}},
      {"*c*?**", {"abc"}, {NULL}},
      {"[]", {"a"}, {NULL}},
      {"[abc", {"["}, {NULL}},
      {"{/*,*}", {"/asdf/asdf/asdf"}, {NULL}},
      {"{/?,*}", {"/a", "/b/b", "/a/b/c", "bb"}, {"/a", "bb"}},
      {"**", {"a/b", "a/.d", ".a/.d"}, {"a/b"}},
      {"a/*/b", {"a/./b", "a/../b", "a/c/b", "a/.d/b"}, {"a/c/b"}},
      {"a/.*/b", {"a/./b", "a/../b", "a/c/b", "a/.d/b"}, {"a/./b", "a/../b", "a/.d/b"}},
      {"*(a/b)", {"a/b"}, {NULL}},
      {"*(a|{b),c)}", {"a", "ab", "ac", "ad"}, {"a", "ab", "ac"}},
      {"[!a*", {"[!ab", "[ab"}, {"[!ab"}},
      {"[#a*", {"[#ab", "[ab"}, {"[#ab"}},
      {"+(a|*\\|c\\\\|d\\\\\\|e\\\\\\\\|f\\\\\\\\\\|g",
       {"+(a|b\\|c\\\\|d\\\\|e\\\\\\\\|f\\\\\\\\|g", "a", "b\\c"},
       {"+(a|b\\|c\\\\|d\\\\|e\\\\\\\\|f\\\\\\\\|g"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_filter(&cases[i]);
}

#define NESTED_FILES                                                                                      \
  "a", "b", "c", "d", "ab", "ac", "ad", "bc", "cb", "bc,d", "c,db", "c,d", "d)", "(b|c", "*(b|c", "b|c", "b|cc", \
      "cb|c", "x(a|b|c)", "x(a|c)", "(a|b|c)", "(a|c)"

static void port_nested_and_negation(void **state) {
  (void)state;
  static const filter_case cases[] = {
      {"*(a|{b,c})", {NESTED_FILES}, {"a", "b", "c", "ab", "ac"}},
      {"{a,*(b|c,d)}", {NESTED_FILES}, {"a", "(b|c", "*(b|c", "d)"}},
      {"{a,*(b|{c,d})}", {NESTED_FILES}, {"a", "b", "bc", "cb", "c", "d"}},
      {"*(a|{b|c,c})", {NESTED_FILES}, {"a", "b", "c", "ab", "ac", "bc", "cb"}},
      {"!a*", {"d", "e", "!ab", "!abc", "a!b", "\\!a"}, {"\\!a", "d", "e", "!ab", "!abc"}},
      {"!!a*", {"d", "e", "!ab", "!abc", "a!b", "\\!a"}, {"a!b"}},
      {"!\\!a*", {"d", "e", "!ab", "!abc", "a!b", "\\!a"}, {"a!b", "d", "e", "\\!a"}},
      {"*.!(js)",
       {"foo.js", "foo.bar", "foo.js.js", "blar.js", "foo.", "boo.js.boo"},
       {"foo.bar", "foo.", "boo.js.boo"}},
      {"**/.x/**",
       {"a/b/.x/c", "a/b/.x/c/d", "a/b/.x/c/d/e", "a/b/.x", "a/b/.x/", "a/.x/b", ".x", ".x/", ".x/a", ".x/a/b",
        "a/.x/b/.x/c", ".x/.x"},
       {".x/", ".x/a", ".x/a/b", "a/.x/b", "a/b/.x/", "a/b/.x/c", "a/b/.x/c/d", "a/b/.x/c/d/e"}},
      /* BasicTests NoCase, and what IgnoreCase does to the others */
      {"XYZ", {"xYz", "ABC", "IjK"}, {"xYz"}},
      {"ab*", {"xYz", "ABC", "IjK"}, {"ABC"}},
      {"[ia]?[ck]", {"xYz", "ABC", "IjK"}, {"ABC", "IjK"}},
      {"a[X-]b", {"a-b", "aXb", "axb", "AXB"}, {"a-b", "aXb", "axb", "AXB"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_filter(&cases[i]);
}

/* Check's own rules, braces, IgnoreCase beyond ASCII, and what .NET rejects. */
static void check_rules(void **state) {
  (void)state;
  static const filter_case cases[] = {
      {"#a", {"#a", "a"}, {NULL}},                               /* a comment matches nothing */
      {"   ", {"", "a", " "}, {""}},                             /* a blank pattern: only "" */
      {"  my*  ", {"myVar", " myVar"}, {"myVar"}},               /* trimmed */
      {"!", {"", "a"}, {"a"}},                                   /* not "": anything else */
      {"v{1..3}", {"v0", "v1", "v2", "v3", "v4", "v-1"}, {"v1", "v2", "v3"}},
      {"v{3..1}x", {"v2x", "v4x"}, {"v2x"}},
      {"v{-1..1}", {"v-1", "v0", "v1"}, {"v-1", "v0", "v1"}},
      {"{a}", {"a", "{a}"}, {"{a}"}},                            /* a lone member keeps its braces */
      {"{a,b", {"a", "{a,b"}, {"{a,b"}},                         /* unclosed: literal */
      {"\\{a,b}", {"a", "{a,b}"}, {"{a,b}"}},
      {"linux{Amd64,Arm{32,64}}", {"linuxAmd64", "LINUXARM32", "linuxArm64", "linuxArm"}, {"linuxAmd64", "LINUXARM32", "linuxArm64"}},
      {"\xc3\xbc" "ber*", {"\xc3\x9c" "berVar", "uberVar"}, {"\xc3\x9c" "berVar"}},          /* über* and Über */
      {"i*", {"\xc4\xb0x", "\xc4\xb1x", "Ix"}, {"\xc4\xb0x", "Ix"}},                         /* en-US: İ but not ı */
      {"k", {"K", "\xe2\x84\xaa", "k"}, {"K", "\xe2\x84\xaa", "k"}},                         /* Kelvin sign */
      {"s", {"S", "\xc5\xbf"}, {"S"}},                                                        /* not ſ */
      {"?", {"a", "\xf0\x9f\x98\x80", "\xc3\xa9"}, {"a", "\xc3\xa9"}},                       /* ? is one UTF-16 unit */
      {"??", {"\xf0\x9f\x98\x80"}, {"\xf0\x9f\x98\x80"}},
      {"[z-a]", {"a", "z", "m"}, {NULL}},                        /* .NET throws: nothing allowed */
      {"a/**", {"a", "a/b", "a/b/c", "a/.b"}, {"a/b", "a/b/c"}},   /* the name ends first: no */
      {"**/x", {"/x", "a/x"}, {"a/x"}},                          /* "" swallowed: .NET throws */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_filter(&cases[i]);
}

/* The regex engine alone: .NET's syntax errors, and no blow-up. */
static void regex_engine(void **state) {
  (void)state;
  static const struct {
    const char *re;
    bool invalid;
  } syntax[] = {{"[abc", true}, {"[z-a]", true}, {"*a", true}, {"a**", true}, {"(?:a", true}, {"a)", true},
                {"\\", true},    {"[^]a]", false}, {"(?:)+", false}, {"a{1}", false}, {"[\\]-a]", false}};
  for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++) {
    uint16_t re[16];
    size_t n = strlen(syntax[i].re);
    for (size_t k = 0; k < n; k++) re[k] = (unsigned char)syntax[i].re[k];
    bool invalid;
    vso_regex *r = vso_regex_compile(re, n, &invalid);
    if ((r == NULL) != syntax[i].invalid || invalid != syntax[i].invalid) fail_msg("regex %s", syntax[i].re);
    vso_regex_free(r);
  }
  /* many stars and a long name that almost matches: linear, not exponential */
  vso_glob *g = vso_glob_compile("*a*a*a*a*a*a*a*a*a*b", 20);
  size_t n = 100000;
  char *name = malloc(n);
  memset(name, 'a', n);
  assert_false(vso_glob_matches(g, name, n));
  name[n - 1] = 'b';
  assert_true(vso_glob_matches(g, name, n));
  free(name);
  vso_glob_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(port_regexes), cmocka_unit_test(port_matches), cmocka_unit_test(port_nested_and_negation),
      cmocka_unit_test(check_rules),  cmocka_unit_test(regex_engine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
