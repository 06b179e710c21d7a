/* SPDX-License-Identifier: MIT */
/* Case-insensitive comparison the way the agent's .NET 8 runtime does it.
 *
 * Names (variables, commands, properties) compare with
 * StringComparison.OrdinalIgnoreCase: the agent decodes the step's output as
 * UTF-8 (an invalid sequence becomes one U+FFFD per maximal subpart), and two
 * strings are equal when they have as many UTF-16 code units and each char,
 * or surrogate pair, upper-cases to the same value.  The upper-casing is
 * Unicode's simple uppercase mapping except that U+0131 (dotless i) and
 * U+017F (long s) stay as they are, so nothing outside ASCII ever equals an
 * ASCII letter: "Über" equals "über", "ı" does not equal "I".  Details and
 * sources: casefold_gen.py.
 *
 * The agent's Minimatch patterns compare with RegexOptions.IgnoreCase, a
 * different relation (vso_regex_equivalents). */
#ifndef VSO_CASEFOLD_H
#define VSO_CASEFOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The generated tables (casefold_table.c): a run maps first, first +
 * stride, ... last to each plus delta. */
typedef struct vso_case_run {
  uint32_t first, last, stride;
  int32_t delta;
} vso_case_run;

typedef struct vso_case_pair {
  uint32_t from, to;
} vso_case_pair;

extern const vso_case_run vso_upper_runs[];   /* ordinal upper-casing above U+007F */
extern const size_t vso_upper_n;
extern const vso_case_run vso_lower_runs[];   /* BMP simple lowercase, less U+0130 */
extern const size_t vso_lower_n;
extern const vso_case_run vso_unlower_runs[]; /* its inverse: the lowest char lowering to each */
extern const size_t vso_unlower_n;
extern const vso_case_pair vso_unlower_more[]; /* and the other chars lowering to one */
extern const size_t vso_unlower_more_n;

/* Eight ASCII bytes (no high bit set) with A-Z lowered: a byte >= 'A' gets
 * its high bit from the first sum, a byte > 'Z' from the second; no sum
 * carries into the next byte, every byte being below 0x80. */
static inline uint64_t vso_ascii_lower8(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u;
  uint64_t upper = (w + (0x80 - 'A') * ones) & ~(w + (0x80 - 'Z' - 1) * ones) & 0x80 * ones;
  return w | upper >> 2;
}

/* Reads one scalar of p[0..n) (n >= 1) as .NET's UTF8Encoding does: sets
 * *cp and returns the bytes it took; an invalid sequence gives U+FFFD for
 * its maximal subpart (at least one byte). */
size_t vso_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/* OrdinalIgnoreCase's upper-casing of one scalar. */
uint32_t vso_ordinal_upper(uint32_t cp);

/* OrdinalIgnoreCase equality of two UTF-8 byte strings, without the ASCII
 * fast path (vso_ieq in command.h has one and ends here). */
bool vso_ieq_unicode(const char *a, size_t an, const char *b, size_t bn);

/* The chars that RegexOptions.IgnoreCase matches for the UTF-16 unit c,
 * with the agent's usual culture (en-US: i, I and U+0130 match each other):
 * c itself first, then up to three more.  Returns how many. */
size_t vso_regex_equivalents(uint16_t c, uint16_t out[4]);

#endif
