/* SPDX-License-Identifier: MIT */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "dialect.h"
#include "glob.h"

bool vso_glob_match(const char *pat, const char *s, size_t n) {
  vso_glob *g = vso_glob_compile(pat, strlen(pat));
  bool hit = g && vso_glob_matches(g, s, n);
  vso_glob_free(g);
  return hit;
}

/* The end of the pattern that starts at q: the next comma outside braces
 * (a comma inside {a,b} belongs to the pattern), or the end of the list. */
static const char *pattern_end(const char *q) {
  int depth = 0;
  for (; *q; q++) {
    if (*q == '\\' && q[1]) q++;
    else if (*q == '{') depth++;
    else if (*q == '}' && depth) depth--;
    else if (*q == ',' && depth == 0) break;
  }
  return q;
}

static bool add_pattern(vso_allow_set *set, const char *p, size_t len) {
  char **patterns = realloc(set->patterns, (set->n + 1) * sizeof *patterns);
  if (!patterns) return false;
  set->patterns = patterns;
  vso_glob **globs = realloc(set->globs, (set->n + 1) * sizeof *globs);
  if (!globs) return false;
  set->globs = globs;
  if (!(set->patterns[set->n] = malloc(len + 1))) return false; /* strndup: not in msvcrt */
  memcpy(set->patterns[set->n], p, len);
  set->patterns[set->n][len] = '\0';
  if (!(set->globs[set->n] = vso_glob_compile(p, len))) {
    free(set->patterns[set->n]);
    return false;
  }
  set->n++;
  return true;
}

bool vso_policy_add_set(vso_policy *p, const char *list) {
  vso_allow_set *grown = realloc(p->sets, (p->nsets + 1) * sizeof *grown);
  if (!grown) return false;
  p->sets = grown;
  vso_allow_set *set = &p->sets[p->nsets++];
  *set = (vso_allow_set){0};
  for (const char *q = list; *q;) {
    const char *end = pattern_end(q);
    size_t len = (size_t)(end - q);
    while (len && *q == ' ') q++, len--;
    while (len && q[len - 1] == ' ') len--;
    if (len && !add_pattern(set, q, len)) return false;
    if (!*end) break;
    q = end + 1;
  }
  return true;
}

static bool set_allows(const vso_allow_set *set, const char *name, size_t n) {
  for (size_t i = 0; i < set->n; i++)
    if (vso_glob_matches(set->globs[i], name, n)) return true;
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
    for (size_t k = 0; k < p->sets[i].n; k++) {
      free(p->sets[i].patterns[k]);
      vso_glob_free(p->sets[i].globs[k]);
    }
    free(p->sets[i].patterns);
    free(p->sets[i].globs);
  }
  free(p->sets);
  memset(p, 0, sizeof *p);
}
