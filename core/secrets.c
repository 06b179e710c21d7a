/* SPDX-License-Identifier: MIT */
/* Registering secrets: the values, their encoded forms, the patterns that
 * wait for the automata. */
#include <stdlib.h>
#include <string.h>

#include "nameindex.h"
#include "secrets_int.h"

static size_t long_from(const vso_secret_set *s) { return s->long_from ? s->long_from : VSO_SECRET_LONG; }

/* The slot of the value p[0..n) in the set of items, or the empty slot
 * where it would go (linear probing; the hash is keyed, see nameindex.h). */
static vso_secret_slot *original_slot(const vso_secret_set *s, const char *p, size_t n, uint32_t h) {
  size_t mask = s->originals_cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    vso_secret_slot *slot = &s->originals[i];
    if (!slot->item_plus_one) return slot;
    size_t item = slot->item_plus_one - 1;
    if (slot->hash == h && s->lens[item] == n && memcmp(s->items[item], p, n) == 0) return slot;
  }
}

/* Keeps the set at most half full. */
static bool grow_originals(vso_secret_set *s) {
  if ((s->n + 1) * 2 <= s->originals_cap) return true;
  size_t cap = s->originals_cap ? s->originals_cap * 2 : 16;
  vso_secret_slot *slots = calloc(cap, sizeof *slots);
  if (!slots || s->n >= UINT32_MAX) {
    free(slots);
    return false;
  }
  for (size_t i = 0; i < s->originals_cap; i++) {
    vso_secret_slot old = s->originals[i];
    if (!old.item_plus_one) continue;
    size_t j = old.hash & (cap - 1);
    while (slots[j].item_plus_one) j = (j + 1) & (cap - 1);
    slots[j] = old;
  }
  free(s->originals);
  s->originals = slots;
  s->originals_cap = cap;
  return true;
}

/* A NUL-terminated copy of p[0..n) in the set's chunks (64 KiB each; a
 * big value gets one of its own): a malloc per secret cost more than the
 * rest of registering it. */
static char *copy_in(vso_secret_set *s, const char *p, size_t n) {
  if (n + 1 > s->chunk_left) {
    size_t size = n + 1 > 16384 ? n + 1 : 65536;
    if (s->nchunks == s->chunks_cap && !vso_grow(&s->chunks, &s->chunks_cap, s->nchunks, sizeof *s->chunks))
      return NULL;
    char *chunk = malloc(size);
    if (!chunk) return NULL;
    s->chunks[s->nchunks++] = chunk;
    if (size == n + 1) { /* its own: the current chunk keeps its room */
      memcpy(chunk, p, n);
      chunk[n] = '\0';
      return chunk;
    }
    s->chunk_free = chunk;
    s->chunk_left = size;
  }
  char *copy = s->chunk_free;
  memcpy(copy, p, n);
  copy[n] = '\0';
  s->chunk_free += n + 1;
  s->chunk_left -= n + 1;
  return copy;
}

static bool add_item(vso_secret_set *s, const char *p, size_t n) {
  if (s->n == s->items_cap) {
    size_t cap = s->items_cap;
    if (!vso_grow(&s->items, &cap, s->n, sizeof *s->items)) return false;
    size_t *lens = realloc(s->lens, cap * sizeof *lens);
    if (!lens) return false;
    s->lens = lens;
    s->items_cap = cap;
  }
  char *copy = copy_in(s, p, n);
  if (!copy) return false;
  s->items[s->n] = copy;
  s->lens[s->n++] = n;
  return true;
}

static bool add_index(size_t **array, size_t *n, size_t *cap, size_t value) {
  if (*n == *cap && !vso_grow(array, cap, *n, sizeof **array)) return false;
  (*array)[(*n)++] = value;
  return true;
}

/* A pattern waits (secrets_waiting.c) until the automata take it; a long
 * one is searched apart.  p: bytes in the set's chunks. */
static bool add_pattern(vso_secret_set *s, const char *p, size_t n) {
  size_t words = ((size_t)1 << VSO_PREFIX_LOG) / 64;
  if (!s->prefixes && !(s->prefixes = calloc(words, sizeof *s->prefixes))) return false;
  if (!s->pieces && !(s->pieces = calloc(words, sizeof *s->pieces))) return false;
  if (s->npatterns == s->patterns_cap && !vso_grow(&s->patterns, &s->patterns_cap, s->npatterns, sizeof *s->patterns))
    return false;
  size_t index = s->npatterns;
  s->patterns[index] = (vso_secret_pattern){p, n};
  bool ok = n > long_from(s) ? add_index(&s->long_patterns, &s->nlong, &s->long_cap, index) : vso_waiting_add(s, index);
  if (!ok) return false;
  s->npatterns++;
  if (n > long_from(s) && n > s->long_max) s->long_max = n;
  unsigned char first = (unsigned char)p[0];
  s->first_byte = index == 0 || s->first_byte == first ? first : -1;
  s->starts[first] = true;
  if (n < 4) s->short_starts[first] = true;
  else vso_filter_add(s->prefixes, VSO_PREFIX_LOG, vso_prefix_hash(p));
  if (n > long_from(s)) return true; /* searched apart */
  if (n < 7) s->any_shorter_than_7 = true;
  else
    for (size_t j = 0; j < 4; j++) vso_filter_add(s->pieces, VSO_PREFIX_LOG, vso_prefix_hash(p + j));
  return true;
}

/* The agent also masks what the value encoders make of a new value; forms
 * equal to the value or to one another are searched once. */
static bool add_encoded_forms(vso_secret_set *s, const char *p, size_t n) {
  bool (*const encoders[3])(const char *, size_t, vso_buf *) = {vso_encode_json_string, vso_encode_uri_data,
                                                                 vso_encode_backslash};
  vso_buf forms[3] = {{0}};
  bool ok = true;
  for (int k = 0; k < 3 && ok; k++) {
    vso_buf *e = &forms[k];
    ok = encoders[k](p, n, e);
    bool again = e->len == 0 || (e->len == n && memcmp(e->data, p, n) == 0);
    for (int j = 0; j < k && !again; j++) again = forms[j].len == e->len && memcmp(forms[j].data, e->data, e->len) == 0;
    const char *copy = ok && !again ? copy_in(s, e->data, e->len) : NULL;
    if (ok && !again) ok = copy && add_pattern(s, copy, e->len);
  }
  for (int k = 0; k < 3; k++) vso_buf_free(&forms[k]);
  return ok;
}

static bool set_add(vso_secret_set *s, const char *p, size_t n) {
  uint32_t h = vso_index_hash_exact(p, n);
  if (s->originals_cap && original_slot(s, p, n, h)->item_plus_one) return true; /* added before */
  if (!grow_originals(s) || !add_item(s, p, n)) return false;
  *original_slot(s, p, n, h) = (vso_secret_slot){h, (uint32_t)s->n};
  /* the encoders only lengthen a value, but BackslashEscape's shortens one
   * that holds a backslash, by as much as it likes */
  size_t shortest = memchr(p, '\\', n) ? 1 : n;
  if (s->n == 1 || shortest < s->shortest) s->shortest = shortest;
  return true;
}

bool vso_secrets_take_new(vso_secret_set *s) {
  for (; s->patterned < s->n; s->patterned++) {
    const char *p = s->items[s->patterned];
    size_t n = s->lens[s->patterned];
    if (!add_pattern(s, p, n) || !add_encoded_forms(s, p, n)) return false;
  }
  return true;
}

static void set_free(vso_secret_set *s) {
  for (size_t i = 0; i < s->nchunks; i++) free(s->chunks[i]);
  free(s->chunks);
  for (size_t g = 0; g < s->ngroups; g++) {
    free(s->groups[g].members);
    vso_ac_free(&s->groups[g]);
  }
  free(s->items);
  free(s->lens);
  free(s->originals);
  free(s->patterns);
  free(s->waiting);
  free(s->waiting_next);
  free(s->waiting_heads);
  free(s->waiting_heads23);
  free(s->groups);
  free(s->long_patterns);
  free(s->prefixes);
  free(s->pieces);
}

static bool have_set(vso_secrets *s) { return s->set_ || (s->set_ = calloc(1, sizeof *s->set_)); }

bool vso_secrets_add(vso_secrets *s, const char *p, size_t n) {
  if (n == 0) return true; /* the agent ignores empty secrets */
  if (!have_set(s)) return false;
  bool ok = set_add(s->set_, p, n);
  s->items = s->set_->items; /* what callers see */
  s->lens = s->set_->lens;
  s->n = s->set_->n;
  return ok;
}

bool vso_secrets_empty(const vso_secrets *s) { return s->n == 0; }

bool vso_secrets_tune(vso_secrets *s, size_t long_from, bool no_waiting) {
  if (!have_set(s)) return false;
  s->set_->long_from = long_from;
  s->set_->no_waiting = no_waiting;
  return true;
}

void vso_secrets_free(vso_secrets *s) {
  if (s->set_) set_free(s->set_);
  free(s->set_);
  memset(s, 0, sizeof *s);
}
