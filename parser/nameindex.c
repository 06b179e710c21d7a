#include "nameindex.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"

static uint64_t fold_hash(const char *p, size_t n) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a over lower-cased bytes */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

static vso_name_slot *find(const vso_name_index *ix, const char *key, size_t len, uint64_t h) {
  size_t mask = ix->cap - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    vso_name_slot *s = &ix->slots[i];
    if (!s->key || (s->hash == h && vso_ieq(s->key, s->len, key, len))) return s;
  }
}

static bool grow(vso_name_index *ix) {
  size_t cap = ix->cap ? ix->cap * 2 : 64;
  vso_name_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return false;
  vso_name_index bigger = {slots, cap, 0};
  for (size_t i = 0; i < ix->cap; i++)
    if (ix->slots[i].key) {
      *find(&bigger, ix->slots[i].key, ix->slots[i].len, ix->slots[i].hash) = ix->slots[i];
      bigger.n++;
    }
  free(ix->slots);
  *ix = bigger;
  return true;
}

bool vso_index_put(vso_name_index *ix, const char *key, size_t len, size_t value) {
  if ((ix->n + 1) * 4 > ix->cap * 3 && !grow(ix)) return false; /* load factor 3/4 */
  uint64_t h = fold_hash(key, len);
  vso_name_slot *s = find(ix, key, len, h);
  if (!s->key) ix->n++;
  *s = (vso_name_slot){key, len, h, value};
  return true;
}

bool vso_index_get(const vso_name_index *ix, const char *key, size_t len, size_t *value) {
  if (!ix->cap) return false;
  const vso_name_slot *s = find(ix, key, len, fold_hash(key, len));
  if (!s->key) return false;
  *value = s->value;
  return true;
}

void vso_index_free(vso_name_index *ix) {
  free(ix->slots);
  memset(ix, 0, sizeof *ix);
}
