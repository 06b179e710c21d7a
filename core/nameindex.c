/* SPDX-License-Identifier: MIT */
#include "nameindex.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"

/* FNV-1a over lower-cased bytes.  Names that differ only in their last
 * characters (v1, v2, ...) land in nearby slots, which keeps the probes of a
 * huge index in cache; a finaliser that spread them out measured slower. */
static uint32_t fold_hash(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    h = (h ^ c) * 16777619u;
  }
  return h;
}

static bool holds_key(const vso_name_slot *s, const vso_index_keys *keys, const char *key, size_t len, uint32_t h) {
  if (s->hash != h) return false;
  const char *stored;
  size_t stored_len;
  keys->key_of(keys->ctx, s->value_plus_one - 1, &stored, &stored_len);
  return vso_ieq(stored, stored_len, key, len);
}

/* The slot holding key, or the empty slot where it would go (linear probing). */
static vso_name_slot *find(const vso_name_index *ix, const vso_index_keys *keys, const char *key, size_t len,
                           uint32_t h) {
  size_t mask = ix->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    vso_name_slot *s = &ix->slots[i];
    if (!s->value_plus_one || holds_key(s, keys, key, len, h)) return s;
  }
}

/* Doubles the table.  The stored hashes place every entry again, without
 * reading a single key. */
static bool grow(vso_name_index *ix) {
  size_t cap = ix->cap ? ix->cap * 2 : 64;
  if (cap > (size_t)UINT32_MAX + 1) return false;
  vso_name_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return false;
  for (size_t i = 0; i < ix->cap; i++) {
    if (!ix->slots[i].value_plus_one) continue;
    size_t j = ix->slots[i].hash & (cap - 1);
    while (slots[j].value_plus_one) j = (j + 1) & (cap - 1);
    slots[j] = ix->slots[i];
  }
  free(ix->slots);
  ix->slots = slots;
  ix->cap = cap;
  return true;
}

bool vso_index_put(vso_name_index *ix, const vso_index_keys *keys, const char *key, size_t len, size_t value) {
  if (value >= UINT32_MAX) return false;
  if ((ix->n + 1) * 4 > ix->cap * 3 && !grow(ix)) return false; /* load factor 3/4 */
  uint32_t h = fold_hash(key, len);
  vso_name_slot *s = find(ix, keys, key, len, h);
  if (!s->value_plus_one) ix->n++;
  *s = (vso_name_slot){h, (uint32_t)value + 1};
  return true;
}

bool vso_index_get(const vso_name_index *ix, const vso_index_keys *keys, const char *key, size_t len,
                   size_t *value) {
  if (!ix->cap) return false;
  const vso_name_slot *s = find(ix, keys, key, len, fold_hash(key, len));
  if (!s->value_plus_one) return false;
  *value = s->value_plus_one - 1;
  return true;
}

void vso_index_free(vso_name_index *ix) {
  free(ix->slots);
  memset(ix, 0, sizeof *ix);
}
