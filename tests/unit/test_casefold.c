/* SPDX-License-Identifier: MIT */
/* Names compare as .NET 8's StringComparison.OrdinalIgnoreCase does
 * (vso_ieq, core/casefold.h), and the glob's regex case classes are
 * RegexOptions.IgnoreCase's.  When Debian's unicode-data is installed, every
 * mapping of the generated table is checked against UnicodeData.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "command.h"

static bool ieq(const char *a, const char *b) { return vso_ieq(a, strlen(a), b, strlen(b)); }

#define SAME(a, b)                                                             \
  do {                                                                         \
    if (!ieq(a, b) || !ieq(b, a)) fail_msg("\"%s\" should equal \"%s\"", a, b); \
  } while (0)
#define DIFFERENT(a, b)                                                           \
  do {                                                                            \
    if (ieq(a, b) || ieq(b, a)) fail_msg("\"%s\" should not equal \"%s\"", a, b); \
  } while (0)

static void ordinal_ignore_case(void **state) {
  (void)state;
  SAME("", "");
  SAME("linuxAmd64", "LINUXAMD64");
  SAME("\xc3\x9c" "ber", "\xc3\xbc" "ber");                  /* Über, über */
  SAME("\xc3\x9c" "BER", "\xc3\xbc" "ber");
  SAME("\xc3\xbf", "\xc5\xb8");                                /* ÿ, Ÿ (U+0178) */
  SAME("\xc2\xb5", "\xce\xbc");                                /* micro sign and mu: both Μ */
  SAME("\xcf\x82", "\xcf\x83");                                /* final sigma and sigma: both Σ */
  SAME("\xc7\x85", "\xc7\x86");                                /* ǅ, ǆ: both Ǆ */
  SAME("x\xe2\xb1\xa5y", "X\xc8\xbaY");                        /* ⱥ (3 bytes) and Ⱥ (2 bytes) */
  SAME("\xf0\x90\x90\xa8", "\xf0\x90\x90\x80");                /* Deseret U+10428, U+10400 */
  SAME("\xf0\x90\x96\x97", "\xf0\x90\x95\xb0");                /* Vithkuqi U+10597, U+10570 (Unicode 14) */
  SAME("\xf0\x9e\xa4\xa2", "\xf0\x9e\xa4\x80");                /* Adlam U+1E922, U+1E900 */
  SAME("\xef\xbd\x81", "\xef\xbc\xa1");                        /* fullwidth a, A */
  DIFFERENT("\xc4\xb1", "I");                                  /* dotless ı stays itself */
  DIFFERENT("\xc4\xb1", "i");
  DIFFERENT("\xc4\xb0", "i");                                  /* İ */
  DIFFERENT("\xc5\xbf", "s");                                  /* long ſ stays itself */
  DIFFERENT("\xc5\xbf", "S");
  DIFFERENT("\xe2\x84\xaa", "k");                              /* Kelvin sign upper-cases to itself */
  DIFFERENT("\xc3\x9f", "\xe1\xba\x9e");                       /* ß, ẞ: ß has no simple uppercase */
  DIFFERENT("\xc3\x9f", "ss");
  DIFFERENT("abc", "abcd");
  DIFFERENT("\xc3\xbc", "u");
  DIFFERENT("@[\\]^_", "`{|}~\x7f");                           /* 0x20 apart but not letters */
  /* invalid UTF-8: one U+FFFD per maximal subpart, as the agent decodes it */
  SAME("a\xff", "a\xfe");
  SAME("a\xff", "a\xef\xbf\xbd");
  SAME("\xe2\x82", "\xff");                                    /* a cut sequence is one subpart */
  DIFFERENT("\xe2\x82", "\xff\xff");
  SAME("\xed\xa0\x80", "\xff\xff\xff");                        /* an encoded surrogate: three */
  SAME("\xf0\x90\x80", "\xc0");                                /* a cut 4-byte sequence: one */
  SAME("\xf4\x90\x80\x80", "\xff\xff\xff\xff");                /* past U+10FFFF: four */
  DIFFERENT("\xff", "");
}

/* The ASCII fast path (eight bytes at a time) against a byte loop. */
static void ascii_fast_path(void **state) {
  (void)state;
  for (int a = 0; a < 128; a++)
    for (int b = 0; b < 128; b++) {
      char x[10] = "prefix0_", y[10] = "PREFIX0_";
      x[8] = (char)a, y[8] = (char)b;
      int la = a >= 'A' && a <= 'Z' ? a + 32 : a, lb = b >= 'A' && b <= 'Z' ? b + 32 : b;
      for (size_t at = 0; at < 9; at++) { /* the differing byte at each offset of a word */
        char p[9], q[9];
        memcpy(p, "abcdefghi", 9);
        memcpy(q, "ABCDEFGHI", 9);
        p[at] = (char)a, q[at] = (char)b;
        bool want = true;
        for (size_t i = 0; i < 9; i++) {
          int u = (unsigned char)p[i], v = (unsigned char)q[i];
          want &= (u >= 'A' && u <= 'Z' ? u + 32 : u) == (v >= 'A' && v <= 'Z' ? v + 32 : v);
        }
        if (vso_ieq(p, 9, q, 9) != want) fail_msg("bytes %d and %d at offset %zu", a, b, at);
      }
      if (vso_ieq(x, 9, y, 9) != (la == lb)) fail_msg("bytes %d and %d after a word", a, b);
    }
}

static void upper_spot_checks(void **state) {
  (void)state;
  static const uint32_t pairs[][2] = {
      {'a', 'A'},       {'z', 'Z'},         {'A', 'A'},         {0x131, 0x131},     {0x17F, 0x17F},
      {0xB5, 0x39C},    {0xDF, 0xDF},       {0xE0, 0xC0},       {0xFF, 0x178},      {0x1C5, 0x1C4},
      {0x1C6, 0x1C4},   {0x250, 0x2C6F},    {0x2C65, 0x23A},    {0x3C2, 0x3A3},     {0x1E9E, 0x1E9E},
      {0xFF41, 0xFF21}, {0x10428, 0x10400}, {0x1E922, 0x1E900}, {0x10FFFF, 0x10FFFF}, {0xFFFD, 0xFFFD},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (vso_ordinal_upper(pairs[i][0]) != pairs[i][1])
      fail_msg("U+%04X upper-cases to U+%04X, want U+%04X", pairs[i][0], vso_ordinal_upper(pairs[i][0]), pairs[i][1]);
}

static bool same_set(const uint16_t *got, size_t n, const uint16_t *want, size_t wn) {
  if (n != wn) return false;
  for (size_t i = 0; i < wn; i++) {
    bool found = false;
    for (size_t j = 0; j < n; j++) found |= got[j] == want[i];
    if (!found) return false;
  }
  return true;
}

static void regex_classes(void **state) {
  (void)state;
  static const struct {
    uint16_t c;
    uint16_t want[4];
    size_t n;
  } cases[] = {
      {'k', {'k', 'K', 0x212A}, 3},      {0x212A, {'k', 'K', 0x212A}, 3}, {'i', {'i', 'I', 0x130}, 3},
      {0x130, {'i', 'I', 0x130}, 3},     {0x131, {0x131}, 1},             {0x17F, {0x17F}, 1},
      {0x3C2, {0x3C2}, 1},               {0x3A3, {0x3A3, 0x3C3}, 2},      {0x2126, {0x3A9, 0x3C9, 0x2126}, 3},
      {0x1C5, {0x1C4, 0x1C5, 0x1C6}, 3}, {'/', {'/'}, 1},                 {0xB5, {0xB5}, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint16_t out[4];
    size_t n = vso_regex_equivalents(cases[i].c, out);
    if (out[0] != cases[i].c || !same_set(out, n, cases[i].want, cases[i].n))
      fail_msg("U+%04X: %zu equivalents, want %zu", cases[i].c, n, cases[i].n);
  }
}

/* Every mapping of the generated tables against UnicodeData.txt, when it is there. */
static void against_unicode_data(void **state) {
  (void)state;
  FILE *f = fopen("/usr/share/unicode/UnicodeData.txt", "r");
  if (!f) skip();
  static uint32_t upper[0x110000], lower[0x10000];
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *field[15] = {line};
    int k = 1;
    for (char *p = line; *p && k < 15; p++)
      if (*p == ';') *p = '\0', field[k++] = p + 1;
    uint32_t cp = (uint32_t)strtoul(field[0], NULL, 16);
    if (*field[12]) upper[cp] = (uint32_t)strtoul(field[12], NULL, 16);
    if (cp < 0x10000 && *field[13] && cp != 0x130) lower[cp] = (uint32_t)strtoul(field[13], NULL, 16);
  }
  fclose(f);
  for (uint32_t cp = 0; cp < 0x110000; cp++) {
    uint32_t want = upper[cp] && cp != 0x131 && cp != 0x17F ? upper[cp] : cp;
    if (vso_ordinal_upper(cp) != want) fail_msg("U+%04X upper-cases to U+%04X, want U+%04X", cp, vso_ordinal_upper(cp), want);
  }
  static size_t members[0x10000]; /* how many chars lower (or are) each char */
  for (uint32_t d = 0; d < 0x10000; d++) members[lower[d] ? lower[d] : d]++;
  for (uint32_t c = 0; c < 0x10000; c++) {
    if (c == 'i' || c == 'I' || c == 0x130) continue;
    uint16_t out[4];
    size_t n = vso_regex_equivalents((uint16_t)c, out);
    uint32_t l = lower[c] ? lower[c] : c;
    for (size_t j = 0; j < n; j++) /* every equivalent lowers to the same char */
      if ((lower[out[j]] ? lower[out[j]] : out[j]) != l) fail_msg("U+%04X and U+%04X in one class", c, out[j]);
    if (members[l] != n) fail_msg("U+%04X: %zu equivalents, UnicodeData has %zu", c, n, members[l]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ordinal_ignore_case), cmocka_unit_test(ascii_fast_path), cmocka_unit_test(upper_spot_checks),
      cmocka_unit_test(regex_classes),       cmocka_unit_test(against_unicode_data),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
