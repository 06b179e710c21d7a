/* SPDX-License-Identifier: MIT */
/* The logarithmic method, in base 8: the patterns live in automata of 8^k
 * patterns, at most seven of each size, largest first.  Eight of one size
 * merge into one of the next, like the carry of a counter.  A pattern is
 * rebuilt once per size it goes through, log8 n times, and a masking pass
 * has at most 7 log8 n automata to step (only where the prefix bitmap lets
 * a pattern begin, see secrets_mask.c).  Base 8 rather than 2: building is
 * the costly part when secrets come one by one between maskings. */
#include <stdlib.h>
#include <string.h>

#include "secrets_int.h"

enum { BASE = 8 };

/* Bytes first, then length: a prefix sorts before what extends it. */
static int compare(const vso_secret_pattern *a, const vso_secret_pattern *b) {
  size_t k = a->n < b->n ? a->n : b->n;
  int c = k ? memcmp(a->p, b->p, k) : 0;
  if (c) return c;
  return a->n < b->n ? -1 : a->n > b->n;
}

/* Merges sorted a[0..na) and b[0..nb) into out. */
static void merge(const size_t *a, size_t na, const size_t *b, size_t nb, size_t *out,
                  const vso_secret_pattern *patterns) {
  size_t i = 0, j = 0, k = 0;
  while (i < na && j < nb) out[k++] = compare(&patterns[a[i]], &patterns[b[j]]) <= 0 ? a[i++] : b[j++];
  while (i < na) out[k++] = a[i++];
  while (j < nb) out[k++] = b[j++];
}

/* Sorts a[0..n) by pattern bytes (bottom-up merge sort through tmp). */
static void sort_members(size_t *a, size_t *tmp, size_t n, const vso_secret_pattern *patterns) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      merge(a + lo, mid - lo, a + mid, hi - mid, tmp + lo, patterns);
    }
    memcpy(a, tmp, n * sizeof *a);
  }
}

static size_t power(int level) {
  size_t p = 1;
  while (level-- > 0) p *= BASE;
  return p;
}

/* The first group at or below level (groups are largest first). */
static size_t first_at_or_below(const vso_secret_set *s, int level) {
  size_t i = 0;
  while (i < s->ngroups && s->groups[i].level > level) i++;
  return i;
}

static size_t count_at(const vso_secret_set *s, int level) {
  size_t i = first_at_or_below(s, level), count = 0;
  while (i + count < s->ngroups && s->groups[i + count].level == level) count++;
  return count;
}

/* The sorted members of groups [a, b) and of add[0..n), in one new array. */
static size_t *merge_groups(const vso_secret_set *s, size_t a, size_t b, const size_t *add, size_t n, size_t total) {
  size_t *all = malloc(total * sizeof *all), *tmp = malloc(total * sizeof *tmp);
  if (!all || !tmp) {
    free(all);
    free(tmp);
    return NULL;
  }
  memcpy(all, add, n * sizeof *all);
  size_t have = n;
  for (size_t g = b; g-- > a;) { /* smallest first: each merge costs what it holds */
    merge(all, have, s->groups[g].members, s->groups[g].n, tmp, s->patterns);
    have += s->groups[g].n;
    memcpy(all, tmp, have * sizeof *all);
  }
  free(tmp);
  return all;
}

/* Adds the sorted members[0..8^level) as a group of that level.  When the
 * level has seven already, they and the new one carry into one group of the
 * next level, and so on up: the groups of the levels passed, [a, b), are
 * replaced by one. */
static bool add_group(vso_secret_set *s, const size_t *members, int level) {
  int top = level;
  while (count_at(s, top) == BASE - 1) top++;
  size_t a = first_at_or_below(s, top - 1), b = first_at_or_below(s, level - 1);
  vso_secret_group g = {.n = power(top), .level = top};
  if (!(g.members = merge_groups(s, a, b, members, power(level), g.n))) return false;
  if (!vso_ac_build(&g, s->patterns)) {
    free(g.members);
    return false;
  }
  if (a == b) { /* no carry: one group more */
    vso_secret_group *grown = realloc(s->groups, (s->ngroups + 1) * sizeof *grown);
    if (!grown) {
      free(g.members);
      vso_ac_free(&g);
      return false;
    }
    s->groups = grown;
    memmove(&s->groups[a + 1], &s->groups[a], (s->ngroups - a) * sizeof *grown);
    s->ngroups++;
  } else {
    for (size_t i = a; i < b; i++) {
      free(s->groups[i].members);
      vso_ac_free(&s->groups[i]);
    }
    memmove(&s->groups[a + 1], &s->groups[b], (s->ngroups - b) * sizeof *s->groups);
    s->ngroups -= b - a - 1;
  }
  s->groups[a] = g;
  return true;
}

/* Sorts the waiting patterns and adds them in groups, one per unit of each
 * digit of their count in base 8, largest first. */
bool vso_secrets_build(vso_secret_set *s) {
  size_t n = s->nwaiting;
  if (!n) return true;
  size_t *tmp = malloc(n * sizeof *tmp);
  if (!tmp) return false;
  sort_members(s->waiting, tmp, n, s->patterns);
  free(tmp);
  int top = 0;
  while (top < 20 && power(top + 1) <= n) top++;
  size_t at = 0;
  bool ok = true;
  for (int level = top; level >= 0 && ok; level--) {
    size_t size = power(level);
    for (size_t d = 0; d < (n / size) % BASE && ok; d++)
      if ((ok = add_group(s, s->waiting + at, level))) at += size;
  }
  /* what memory left out keeps waiting (chained again, sorted) */
  size_t left = n - at;
  memmove(s->waiting, s->waiting + at, left * sizeof *s->waiting);
  vso_waiting_clear(s);
  for (size_t k = 0; k < left; k++) {
    size_t pattern = s->waiting[k];
    if (!vso_waiting_add(s, pattern)) return false;
  }
  return ok;
}
