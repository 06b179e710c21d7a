/* SPDX-License-Identifier: MIT */
/* The waiting patterns: those not yet in an automaton, found through an
 * index of their first four bytes (chains in a hash table; the shorter ones
 * in a chain of their own).  Searching them is cheap while few share a
 * beginning; what it costs is counted, and once it reaches what building
 * them would cost, they go into the automata (vso_waiting_due). */
#include <stdlib.h>
#include <string.h>

#include "secrets_int.h"

static size_t bucket(const vso_secret_set *s, const char *p) {
  return (size_t)(vso_prefix_hash(p) >> 32) & (s->waiting_buckets - 1);
}

/* Puts waiting[k] into its chain. */
static void link(vso_secret_set *s, size_t k) {
  const vso_secret_pattern *pat = &s->patterns[s->waiting[k]];
  uint32_t *head = pat->n < 4 ? &s->waiting_short : &s->waiting_heads[bucket(s, pat->p)];
  s->waiting_next[k] = *head;
  *head = (uint32_t)k + 1;
}

/* Doubles the buckets (at one pattern a bucket) and chains everything again. */
static bool grow_buckets(vso_secret_set *s) {
  size_t buckets = s->waiting_buckets ? s->waiting_buckets * 2 : 64;
  uint32_t *heads = calloc(buckets, sizeof *heads);
  if (!heads) return false;
  free(s->waiting_heads);
  s->waiting_heads = heads;
  s->waiting_buckets = buckets;
  s->waiting_short = 0;
  for (size_t k = 0; k < s->nwaiting; k++) link(s, k);
  return true;
}

bool vso_waiting_add(vso_secret_set *s, size_t pattern) {
  if (s->nwaiting >= UINT32_MAX - 1) return false;
  if (!s->waiting_heads23 && !(s->waiting_heads23 = calloc(((size_t)1 << VSO_PREFIX_LOG) / 64, sizeof(uint64_t))))
    return false;
  if (s->nwaiting == s->waiting_cap) {
    size_t cap = s->waiting_cap;
    if (!vso_grow(&s->waiting, &cap, s->nwaiting, sizeof *s->waiting)) return false;
    uint32_t *next = realloc(s->waiting_next, cap * sizeof *next);
    if (!next) return false;
    s->waiting_next = next;
    s->waiting_cap = cap;
  }
  if (s->nwaiting + 1 > s->waiting_buckets && !grow_buckets(s)) return false;
  const vso_secret_pattern *pat = &s->patterns[pattern];
  s->waiting[s->nwaiting] = pattern;
  link(s, s->nwaiting++);
  if (pat->n < 4) s->nwaiting_short++;
  s->waiting_bytes += pat->n;
  if (pat->n > s->waiting_max) s->waiting_max = pat->n;
  s->waiting_starts[(unsigned char)pat->p[0]] = true;
  for (size_t k = 2; k < 4 && k <= pat->n; k++)
    vso_filter_add(s->waiting_heads23, VSO_PREFIX_LOG, vso_short_prefix_hash(pat->p, k));
  return true;
}

void vso_waiting_clear(vso_secret_set *s) {
  s->nwaiting = s->nwaiting_short = 0;
  s->waiting_short = 0;
  if (s->waiting_heads) memset(s->waiting_heads, 0, s->waiting_buckets * sizeof *s->waiting_heads);
  s->waiting_bytes = s->waiting_max = s->waiting_work = 0;
  memset(s->waiting_starts, 0, sizeof s->waiting_starts);
  if (s->waiting_heads23) memset(s->waiting_heads23, 0, ((size_t)1 << VSO_PREFIX_LOG) / 8);
}

/* What searching may cost before the patterns are built (searching a
 * pattern costs about a byte compared, building one about ten a byte). */
size_t vso_waiting_budget(const vso_secret_set *s) {
  size_t budget = 16 * s->waiting_bytes + 65536;
  return s->waiting_work < budget ? budget - s->waiting_work : 0;
}

bool vso_waiting_due(const vso_secret_set *s) {
  return s->nwaiting &&
         (s->no_waiting || s->waiting_max > VSO_WAITING_LEN || s->nwaiting_short > VSO_WAITING_SHORT || vso_waiting_budget(s) == 0);
}

/* The first waiting pattern that may begin with the four bytes at p + 1, or 0. */
uint32_t vso_waiting_chain(const vso_secret_set *s, const char *p) { return s->waiting_heads[bucket(s, p)]; }
