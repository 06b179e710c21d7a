/* SPDX-License-Identifier: MIT */
/* Masking: one pass of every automaton over the text, the long patterns
 * searched apart, and the ranges merged as the agent merges them. */
#include <stdlib.h>
#include <string.h>

#include "secrets_int.h"

typedef struct range {
  size_t start, end;
} range;

typedef struct ranges {
  range *at;
  size_t n, cap;
} ranges;

/* One masking of p[0..n). */
typedef struct scan {
  const vso_secret_set *s;
  const char *p;
  size_t n;
  vso_buf *out;
  bool ok;
  size_t emitted;      /* p[0..emitted) is out, masked */
  ranges pending;      /* merged ranges not out yet, in order; pending.at[bottom..n) */
  size_t bottom;
  ranges longs;        /* the long patterns' merged ranges, in order */
  size_t next_long;    /* the first of them not yet merged into pending */
  size_t limit;        /* nothing may go out past here (a long pattern may begin there) */
  /* the waiting patterns' occurrences found at their start, kept by end
   * until the pass gets there: ahead[end & ahead_mask] is the longest (the
   * ring outsizes the longest waiting pattern) */
  uint32_t *ahead;
  size_t ahead_mask, nahead;
  size_t waiting_depth; /* the longest waiting pattern less one: how far back one may begin */
  size_t work, budget;  /* what searching the waiting patterns costs, and may */
} scan;

static bool push_range(ranges *r, range x) {
  if (r->n == r->cap && !vso_grow(&r->at, &r->cap, r->n, sizeof *r->at)) return false;
  r->at[r->n++] = x;
  return true;
}

/* Adds an occurrence [start, end) whose end is the largest yet: it swallows
 * every pending range it overlaps or touches (the agent merges a position
 * that starts at or before the current end). */
static void add_occurrence(scan *sc, size_t start, size_t end) {
  ranges *r = &sc->pending;
  while (r->n > sc->bottom && r->at[r->n - 1].end >= start) {
    r->n--;
    if (r->at[r->n].start < start) start = r->at[r->n].start;
    if (r->at[r->n].end > end) end = r->at[r->n].end;
  }
  if (!push_range(r, (range){start, end})) sc->ok = false;
}

static void emit_text(scan *sc, size_t upto) {
  if (upto > sc->emitted && !vso_buf_append(sc->out, sc->p + sc->emitted, upto - sc->emitted)) sc->ok = false;
  if (upto > sc->emitted) sc->emitted = upto;
}

static void emit_range(scan *sc, range x) {
  emit_text(sc, x.start);
  if (!vso_buf_append_str(sc->out, "***")) sc->ok = false;
  sc->emitted = x.end;
}

/* Every pending range that ends before frontier is final: no occurrence
 * found later starts before the frontier, so none can touch it. */
static void flush(scan *sc, size_t frontier) {
  ranges *r = &sc->pending;
  if (sc->next_long < sc->longs.n && sc->longs.at[sc->next_long].start < frontier)
    frontier = sc->longs.at[sc->next_long].start;
  if (sc->limit < frontier) frontier = sc->limit;
  while (sc->bottom < r->n && r->at[sc->bottom].end < frontier) emit_range(sc, r->at[sc->bottom++]);
  if (sc->bottom == r->n) sc->bottom = r->n = 0;
}

/* The long patterns' ranges that end by `end` join the pending ones first,
 * so that occurrences arrive in the order of their ends. */
static void merge_longs_until(scan *sc, size_t end) {
  while (sc->next_long < sc->longs.n && sc->longs.at[sc->next_long].end <= end) {
    range x = sc->longs.at[sc->next_long++];
    add_occurrence(sc, x.start, x.end);
  }
}

typedef struct long_search {
  ranges *into;
  size_t first; /* this pattern's ranges are into->at[first..] */
  size_t m;
  bool ok;
} long_search;

/* Occurrences of one pattern come in order: one that overlaps or touches
 * the last range extends it, so a pattern leaves at most n / m ranges. */
static bool on_long(void *ctx, size_t at) {
  long_search *ls = ctx;
  ranges *r = ls->into;
  if (r->n > ls->first && r->at[r->n - 1].end >= at) r->at[r->n - 1].end = at + ls->m;
  else if (!push_range(r, (range){at, at + ls->m})) return ls->ok = false;
  return true;
}

static int by_start(const void *a, const void *b) {
  const range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

/* Searches every long pattern, then merges their ranges into sc->longs. */
static void find_longs(scan *sc) {
  const vso_secret_set *s = sc->s;
  ranges *r = &sc->longs;
  for (size_t k = 0; k < s->nlong && sc->ok; k++) {
    const vso_secret_pattern *pat = &s->patterns[s->long_patterns[k]];
    long_search ls = {r, r->n, pat->n, true};
    vso_two_way_all((const unsigned char *)pat->p, pat->n, (const unsigned char *)sc->p, sc->n, on_long, &ls);
    sc->ok = sc->ok && ls.ok;
  }
  if (!sc->ok || r->n < 2) return;
  qsort(r->at, r->n, sizeof *r->at, by_start);
  size_t w = 0;
  for (size_t i = 1; i < r->n; i++) {
    if (r->at[i].start <= r->at[w].end) {
      if (r->at[i].end > r->at[w].end) r->at[w].end = r->at[i].end;
    } else {
      r->at[++w] = r->at[i];
    }
  }
  r->n = w + 1;
}

/* Whether a pattern in an automaton can begin at p[i]: its first byte
 * begins one, and the four bytes there (when there are four) begin a long
 * enough one, or it begins a short one. */
static inline bool may_begin(const vso_secret_set *s, const char *p, size_t n, size_t i) {
  unsigned char c = (unsigned char)p[i];
  if (!s->starts[c]) return false;
  return n - i < 4 || s->short_starts[c] || vso_filter_has(s->prefixes, VSO_PREFIX_LOG, vso_prefix_hash(p + i));
}

/* The same for the patterns of group g, once the set may begin one. */
static inline bool group_may_begin(const vso_secret_group *g, const char *p, size_t n, size_t i) {
  if (!g->starts[(unsigned char)p[i]]) return false;
  return n - i < 4 || g->has_short || vso_filter_has(g->prefixes, g->prefix_log, vso_prefix_hash(p + i));
}

/* With no pattern shorter than 7 bytes: the first start s >= i that may
 * begin a pattern among those the text holds 7 bytes from (s <= n - 7),
 * looking at one position in four (see pieces in secrets.h); or the first
 * start past them, where the caller looks on one by one. */
static size_t next_piece(const vso_secret_set *s, const char *p, size_t n, size_t i) {
  if (n < 7) return i;
  size_t limit = n - 6; /* starts below it have 7 bytes of text */
  for (size_t a = (i + 3) & ~(size_t)3; a < limit + 3; a += 4) {
    if (!vso_filter_has(s->pieces, VSO_PREFIX_LOG, vso_prefix_hash(p + a))) continue;
    size_t lo = a >= i + 3 ? a - 3 : i, hi = a < limit ? a : limit - 1; /* the starts a covers */
    for (size_t at = lo; at <= hi; at++)
      if (s->starts[(unsigned char)p[at]] && vso_filter_has(s->prefixes, VSO_PREFIX_LOG, vso_prefix_hash(p + at)))
        return at;
  }
  return i > limit ? i : limit;
}

/* The next position at or after i where a pattern can begin, or n: the
 * loop that runs over most of the text. */
static size_t next_start(const vso_secret_set *s, const char *p, size_t n, size_t i) {
  if (s->first_byte >= 0) { /* one secret, or all begin alike: memchr */
    for (; i < n; i++) {
      const char *q = memchr(p + i, s->first_byte, n - i);
      if (!q) return n;
      i = (size_t)(q - p);
      if (may_begin(s, p, n, i)) return i;
    }
    return n;
  }
  if (!s->any_shorter_than_7) i = next_piece(s, p, n, i);
  for (; i + 4 <= n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (s->short_starts[c] || (vso_filter_has(s->prefixes, VSO_PREFIX_LOG, vso_prefix_hash(p + i)) && s->starts[c]))
      return i;
  }
  while (i < n && !s->starts[(unsigned char)p[i]]) i++;
  return i;
}

/* Notes a waiting pattern that occurs at p[i] in ahead[], at its end. */
static void note_ahead(scan *sc, size_t i, const vso_secret_pattern *pat) {
  sc->work += pat->n;
  if (pat->n > sc->n - i || memcmp(pat->p, sc->p + i, pat->n) != 0) return;
  uint32_t *slot = &sc->ahead[(i + pat->n) & sc->ahead_mask];
  if (*slot == 0) sc->nahead++;
  if (pat->n > *slot) *slot = (uint32_t)pat->n;
}

/* The waiting patterns that occur at p[i]: those of the chain of its four
 * bytes, and the short ones. */
static void check_waiting(scan *sc, size_t i) {
  const vso_secret_set *s = sc->s;
  if (sc->n - i >= 4)
    for (uint32_t k = vso_waiting_chain(s, sc->p + i); k; k = s->waiting_next[k - 1]) {
      const vso_secret_pattern *pat = &s->patterns[s->waiting[k - 1]];
      sc->work++;
      if (vso_prefix_hash(pat->p) == vso_prefix_hash(sc->p + i)) note_ahead(sc, i, pat); /* the same 4 bytes */
    }
  for (uint32_t k = s->waiting_short; k; k = s->waiting_next[k - 1]) note_ahead(sc, i, &s->patterns[s->waiting[k - 1]]);
}

/* The longest waiting pattern that ends at end (found at its start). */
static size_t take_ahead(scan *sc, size_t end) {
  uint32_t *slot = &sc->ahead[end & sc->ahead_mask];
  size_t len = *slot;
  if (len) *slot = 0, sc->nahead--;
  return len;
}

/* Steps the automata over p, and looks for the waiting patterns; an
 * automaton at its root steps only where a pattern may begin, and while
 * all are there (and no occurrence is ahead) the text is skipped.  Returns
 * the depth of the deepest state at the end (the longest tail of p that may
 * begin a pattern). */
static size_t run_automata(scan *sc) {
  const vso_secret_set *s = sc->s;
  uint32_t states[VSO_MAX_GROUPS];
  memset(states, 0, s->ngroups * sizeof *states);
  size_t depth = 0, active = 0; /* automata away from their root, occurrences ahead */
  size_t last_begin = SIZE_MAX; /* where a pattern last may have begun */
  for (size_t i = 0; i < sc->n && sc->ok; i++) {
    bool begins;
    if (active == 0) {
      if ((i = next_start(s, sc->p, sc->n, i)) == sc->n) break;
      begins = true;
    } else {
      begins = may_begin(s, sc->p, sc->n, i);
    }
    if (begins) last_begin = i;
    unsigned char c = (unsigned char)sc->p[i];
    size_t longest = 0;
    depth = active = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
      const vso_secret_group *grp = &s->groups[g];
      if (states[g] == 0 && !(begins && group_may_begin(grp, sc->p, sc->n, i))) continue;
      const ac_node *v = &grp->nodes[states[g] = vso_ac_step(grp, states[g], c)];
      if (v->out > longest) longest = v->out;
      /* a prefix that began after the last place a pattern may begin leads
       * nowhere, nor do its suffixes: back to the root, and the text is
       * skipped again (else an automaton walks every word of the text) */
      if (last_begin == SIZE_MAX || i + 1 - v->depth > last_begin) {
        states[g] = 0;
        continue;
      }
      active++;
      if (v->depth > depth) depth = v->depth;
    }
    if (begins && s->nwaiting) {
      check_waiting(sc, i);
      if (sc->work > sc->budget) return sc->ok = false, 0; /* mask() builds them and starts again */
    }
    size_t ahead = sc->nahead ? take_ahead(sc, i + 1) : 0;
    if (ahead > longest) longest = ahead;
    active += sc->nahead;
    merge_longs_until(sc, i + 1);
    if (longest) add_occurrence(sc, i + 1 - longest, i + 1);
    size_t back = depth > sc->waiting_depth ? depth : sc->waiting_depth;
    flush(sc, i + 1 > back ? i + 1 - back : 0);
  }
  return depth;
}

/* The longest tail of p that a waiting pattern may continue, or 0: one of
 * four bytes or more is looked up; a shorter one that begins like a waiting
 * pattern (by the filter of their first 2 and 3 bytes) is taken as one: it
 * waits for a few bytes more. */
static size_t waiting_tail(scan *sc) {
  const vso_secret_set *s = sc->s;
  for (size_t i = sc->n > sc->waiting_depth ? sc->n - sc->waiting_depth : 0; i < sc->n; i++) {
    size_t rest = sc->n - i;
    if (!s->waiting_starts[(unsigned char)sc->p[i]]) continue;
    if (rest == 1) return rest;
    if (rest < 4) {
      if (vso_filter_has(s->waiting_heads23, VSO_PREFIX_LOG, vso_short_prefix_hash(sc->p + i, rest))) return rest;
      continue;
    }
    if (!vso_filter_has(s->prefixes, VSO_PREFIX_LOG, vso_prefix_hash(sc->p + i))) continue;
    for (uint32_t k = vso_waiting_chain(s, sc->p + i); k; k = s->waiting_next[k - 1]) {
      const vso_secret_pattern *pat = &s->patterns[s->waiting[k - 1]];
      sc->work++;
      if (pat->n > rest && memcmp(pat->p, sc->p + i, rest) == 0) return rest;
    }
  }
  return 0;
}

static void scan_free(scan *sc) {
  free(sc->pending.at);
  free(sc->longs.at);
}

/* One pass; false with sc->work over sc->budget when the waiting patterns
 * cost too much to search (then nothing is decided). */
static bool mask_pass(scan *sc, bool stop_at_partial, size_t *done) {
  const vso_secret_set *s = sc->s;
  size_t n = sc->n;
  if (stop_at_partial && s->nlong) /* a long pattern that began before the end could end after it */
    sc->limit = n >= s->long_max ? n - (s->long_max - 1) : 0;
  sc->waiting_depth = s->waiting_max ? s->waiting_max - 1 : 0;
  find_longs(sc);
  size_t depth = run_automata(sc);
  if (!sc->ok) return false;
  merge_longs_until(sc, SIZE_MAX);
  size_t tail = stop_at_partial && s->nwaiting ? waiting_tail(sc) : 0;
  if (depth < tail) depth = tail;
  size_t frontier = stop_at_partial ? n - depth : SIZE_MAX;
  flush(sc, frontier);
  *done = n;
  if (stop_at_partial) {
    if (sc->limit < frontier) frontier = sc->limit;
    *done = frontier;
    if (sc->bottom < sc->pending.n) { /* a range that the next bytes could still extend */
      range first = sc->pending.at[sc->bottom];
      if (first.start < frontier && frontier - first.start > VSO_SECRET_LONG) emit_range(sc, first); /* secrets.h */
      else if (first.start < frontier) *done = first.start;
    }
  }
  emit_text(sc, *done);
  return sc->ok;
}

/* The waiting patterns go into the automata when they are due (and when a
 * pass found them too costly to search: then the pass runs again, from an
 * output cut back to where it was).  The index and the automata are a cache
 * of the patterns, behind the const vso_secrets (secrets.h). */
static bool mask(const vso_secrets *secrets, const char *p, size_t n, bool stop_at_partial, vso_buf *out,
                 size_t *done) {
  *done = n;
  vso_secret_set *s = secrets ? secrets->set_ : NULL;
  if (!s || s->n == 0) return vso_buf_append(out, p, n);
  /* a whole text shorter than every pattern holds none (a text that goes on
   * may begin one): a name or a word quoted makes no pattern */
  if (!stop_at_partial && n < s->shortest) return vso_buf_append(out, p, n);
  if (!vso_secrets_take_new(s) || (vso_waiting_due(s) && !vso_secrets_build(s))) return false;
  size_t before = out->len;
  uint32_t ahead[2 * VSO_WAITING_LEN]; /* a power of two above the longest waiting pattern */
  size_t ring = 1;
  while (ring <= s->waiting_max) ring *= 2;
  for (;;) {
    memset(ahead, 0, ring * sizeof *ahead);
    scan sc = {.s = s, .p = p, .n = n, .out = out, .ok = true, .limit = SIZE_MAX, .budget = vso_waiting_budget(s),
               .ahead = ahead, .ahead_mask = ring - 1};
    bool ok = mask_pass(&sc, stop_at_partial, done);
    scan_free(&sc);
    if (ok) {
      s->waiting_work += sc.work;
      return vso_buf_append(out, "", 0);
    }
    out->len = before; /* nothing of this pass stays */
    if (out->data) out->data[before] = '\0';
    if (sc.work <= sc.budget || s->nwaiting == 0 || !vso_secrets_build(s)) return false;
  }
}

/* A failed masking is remembered (vso_secrets_intact). */
static bool noted(const vso_secrets *s, bool ok) {
  if (!ok && s && s->set_) s->set_->failed = true;
  return ok;
}

bool vso_mask(const vso_secrets *s, const char *p, size_t n, vso_buf *out) {
  size_t done;
  return noted(s, mask(s, p, n, false, out, &done));
}

bool vso_mask_complete(const vso_secrets *s, const char *p, size_t n, vso_buf *out, size_t *done) {
  return noted(s, mask(s, p, n, true, out, done));
}

bool vso_mask_changes(const vso_secrets *s, const char *p, size_t n) {
  vso_buf masked = {0};
  bool changed = !vso_mask(s, p, n, &masked) || masked.len != n || (n && memcmp(masked.data, p, n) != 0);
  vso_buf_free(&masked);
  return changed;
}

bool vso_secrets_intact(const vso_secrets *s) { return !s || !s->set_ || !s->set_->failed; }
