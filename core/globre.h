/* SPDX-License-Identifier: MIT */
/* The part of .NET's Regex that Minimatch's patterns use (glob.c), matched
 * as new Regex(re, RegexOptions.IgnoreCase).IsMatch(s) does, on UTF-16 code
 * units: literals and \-escapes, ".", "^", "$", classes [...] with ranges and
 * a leading ^, groups (?:...) and (...), lookaheads (?=...) and (?!...),
 * alternation, the quantifiers * + ? (lazy or not: a yes/no match is the
 * same).  Case-insensitive as .NET 8 is with the agent's culture (en-US):
 * vso_regex_equivalents in casefold.h.
 *
 * It runs as a Thompson automaton (no backtracking): linear in the input,
 * and a lookahead is evaluated once per position. */
#ifndef VSO_GLOBRE_H
#define VSO_GLOBRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vso_regex vso_regex;

/* NULL with *invalid set when .NET would throw on the pattern (an
 * unterminated [...], a reversed range, a quantifier after nothing...),
 * NULL alone when memory runs out. */
vso_regex *vso_regex_compile(const uint16_t *re, size_t n, bool *invalid);
/* Regex.IsMatch; false when memory runs out. */
bool vso_regex_match(const vso_regex *r, const uint16_t *s, size_t n);
void vso_regex_free(vso_regex *r);

#endif
