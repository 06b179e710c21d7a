/* SPDX-License-Identifier: MIT */
#include "casefold.h"

/* The continuation bytes allowed right after a lead byte (Unicode table 3-7):
 * E0 and F0 exclude overlongs, ED excludes surrogates, F4 what lies past
 * U+10FFFF. */
static void second_byte_range(unsigned char lead, unsigned char *lo, unsigned char *hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (lead == 0xE0) *lo = 0xA0;
  else if (lead == 0xED) *hi = 0x9F;
  else if (lead == 0xF0) *lo = 0x90;
  else if (lead == 0xF4) *hi = 0x8F;
}

size_t vso_utf8_next(const unsigned char *p, size_t n, uint32_t *cp) {
  unsigned char c = p[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  *cp = 0xFFFD;
  if (len == 0) return 1; /* a stray continuation byte, C0, C1, F5..FF */
  uint32_t v = c & (0x7F >> len);
  unsigned char lo, hi;
  second_byte_range(c, &lo, &hi);
  /* the maximal subpart: the lead and every continuation byte that still
   * fits, stopping at the first that does not (it starts the next read) */
  for (size_t i = 1; i < len; i++) {
    if (i >= n || p[i] < lo || p[i] > hi) return i;
    v = v << 6 | (p[i] & 0x3F);
    lo = 0x80;
    hi = 0xBF;
  }
  *cp = v;
  return len;
}

/* cp mapped by the run that holds it, or missing. */
static uint32_t lookup(const vso_case_run *runs, size_t n, uint32_t cp, uint32_t missing) {
  size_t lo = 0, hi = n; /* the last run that starts at or before cp is runs[lo - 1] */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (runs[mid].first <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return missing;
  const vso_case_run *r = &runs[lo - 1];
  if (cp > r->last || (cp - r->first) % r->stride != 0) return missing;
  return (uint32_t)((int32_t)cp + r->delta);
}

uint32_t vso_ordinal_upper(uint32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
  return lookup(vso_upper_runs, vso_upper_n, cp, cp);
}

/* Scalar by scalar.  Matching scalars give matching UTF-16 lengths: the
 * upper-casing never moves a char in or out of the BMP. */
bool vso_ieq_unicode(const char *a, size_t an, const char *b, size_t bn) {
  const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
  size_t i = 0, j = 0;
  while (i < an && j < bn) {
    uint32_t x, y;
    i += vso_utf8_next(p + i, an - i, &x);
    j += vso_utf8_next(q + j, bn - j, &y);
    if (x != y && vso_ordinal_upper(x) != vso_ordinal_upper(y)) return false;
  }
  return i == an && j == bn;
}

/* RegexCaseEquivalences.TryFindCaseEquivalencesForCharWithIBehavior with
 * RegexCaseBehavior.NonTurkish (the worker sets the job's System.Culture,
 * en-US on Azure DevOps), then the generated table. */
size_t vso_regex_equivalents(uint16_t c, uint16_t out[4]) {
  out[0] = c;
  if (c == 'i' || c == 'I' || c == 0x0130) {
    static const uint16_t is[3] = {'I', 'i', 0x0130};
    size_t k = 1;
    for (size_t m = 0; m < 3; m++)
      if (is[m] != c) out[k++] = is[m];
    return k;
  }
  /* the class: the lowercase char and every char that lowers to it (at
   * most three in Unicode 15.0; casefold_gen.py checks it) */
  uint32_t low = lookup(vso_lower_runs, vso_lower_n, c, c);
  uint32_t members[4];
  size_t n = 0;
  members[n++] = low;
  uint32_t pre = lookup(vso_unlower_runs, vso_unlower_n, low, UINT32_MAX);
  if (pre != UINT32_MAX) members[n++] = pre;
  for (size_t m = 0; m < vso_unlower_more_n && n < 4; m++)
    if (vso_unlower_more[m].from == low) members[n++] = vso_unlower_more[m].to;
  size_t k = 1;
  for (size_t m = 0; m < n; m++)
    if (members[m] != c) out[k++] = (uint16_t)members[m];
  return k;
}
