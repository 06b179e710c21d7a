/* SPDX-License-Identifier: MIT */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "dialect.h"

static unsigned char fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* Matches one [...] class at *pat against c; advances *pat past it. Returns
 * -1 when the class is not closed (then '[' is literal). */
static int match_class(const char **pat, unsigned char c) {
  const char *p = *pat + 1;
  bool negate = *p == '!' || *p == '^';
  if (negate) p++;
  bool hit = false;
  bool first = true;
  while (*p && (*p != ']' || first)) {
    unsigned char lo = fold((unsigned char)*p), hi = lo;
    if (p[1] == '-' && p[2] && p[2] != ']') {
      hi = fold((unsigned char)p[2]);
      p += 2;
    }
    if (fold(c) >= lo && fold(c) <= hi) hit = true;
    p++;
    first = false;
  }
  if (*p != ']') return -1;
  *pat = p + 1;
  return hit != negate;
}

bool vso_glob_match(const char *pat, const char *s, size_t n) {
  const char *star_pat = NULL;
  size_t star_s = 0, i = 0;
  while (i < n || *pat) {
    if (*pat == '*') {
      while (*pat == '*') pat++;
      star_pat = pat;
      star_s = i;
      continue;
    }
    if (i < n && *pat) {
      const char *next = pat;
      int ok;
      if (*pat == '?') ok = 1, next = pat + 1;
      else if (*pat == '[' && (ok = match_class(&next, (unsigned char)s[i])) >= 0) {
      } else
        ok = fold((unsigned char)*pat) == fold((unsigned char)s[i]), next = pat + 1;
      if (ok) {
        pat = next;
        i++;
        continue;
      }
    }
    if (!star_pat || star_s >= n) return false;
    pat = star_pat; /* let the last '*' swallow one more character */
    i = ++star_s;
  }
  return true;
}

bool vso_policy_add_set(vso_policy *p, const char *list) {
  vso_allow_set *grown = realloc(p->sets, (p->nsets + 1) * sizeof *grown);
  if (!grown) return false;
  p->sets = grown;
  vso_allow_set *set = &p->sets[p->nsets++];
  *set = (vso_allow_set){0};
  for (const char *q = list; *q;) {
    const char *comma = strchr(q, ',');
    size_t len = comma ? (size_t)(comma - q) : strlen(q);
    while (len && *q == ' ') q++, len--;
    while (len && q[len - 1] == ' ') len--;
    if (len) {
      char **patterns = realloc(set->patterns, (set->n + 1) * sizeof *patterns);
      if (!patterns) return false;
      set->patterns = patterns;
      if (!(set->patterns[set->n] = malloc(len + 1))) return false; /* strndup: not in msvcrt */
      memcpy(set->patterns[set->n], q, len);
      set->patterns[set->n][len] = '\0';
      set->n++;
    }
    if (!comma) break;
    q = comma + 1;
  }
  return true;
}

static bool set_allows(const vso_allow_set *set, const char *name, size_t n) {
  for (size_t i = 0; i < set->n; i++)
    if (vso_glob_match(set->patterns[i], name, n)) return true;
  return false;
}

bool vso_policy_allows_variable(const vso_policy *p, const char *name, size_t n) {
  for (size_t i = 0; i < p->nsets; i++)
    if (!set_allows(&p->sets[i], name, n)) return false;
  return true;
}

bool vso_policy_allows_command(const vso_policy *p, const char *area, size_t an, const char *event, size_t en) {
  return !p->restricted || vso_dialect_allowed_restricted(area, an, event, en);
}

void vso_policy_free(vso_policy *p) {
  for (size_t i = 0; i < p->nsets; i++) {
    for (size_t k = 0; k < p->sets[i].n; k++) free(p->sets[i].patterns[k]);
    free(p->sets[i].patterns);
  }
  free(p->sets);
  memset(p, 0, sizeof *p);
}
