/* SPDX-License-Identifier: MIT */
#include "nameindex.h"

#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "command.h"

/* The hash key.  Until vso_index_seed gives one, a fixed key: the results
 * are the same with any key (only the order of the slots changes), so tests
 * and fuzzing run alike, but anyone can then craft names that collide. */
static uint64_t key0 = 0x0706050403020100u, key1 = 0x0f0e0d0c0b0a0908u;

/* gcc 12 makes eight loads of a shift-and-or loop: a memcpy is one */
static uint64_t load_le64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

void vso_index_seed(const unsigned char key[16]) {
  key0 = load_le64(key);
  key1 = load_le64(key + 8);
}

/* SipHash-1-3 (Aumasson and Bernstein; the round count of Rust's HashMap),
 * fed a byte or an 8-byte word at a time. */
typedef struct sip {
  uint64_t v0, v1, v2, v3;
  uint64_t tail; /* bytes not yet compressed, the first in the low bits */
  uint64_t len;
} sip;

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void sip_round(sip *s) {
  s->v0 += s->v1, s->v1 = ROTL(s->v1, 13), s->v1 ^= s->v0, s->v0 = ROTL(s->v0, 32);
  s->v2 += s->v3, s->v3 = ROTL(s->v3, 16), s->v3 ^= s->v2;
  s->v0 += s->v3, s->v3 = ROTL(s->v3, 21), s->v3 ^= s->v0;
  s->v2 += s->v1, s->v1 = ROTL(s->v1, 17), s->v1 ^= s->v2, s->v2 = ROTL(s->v2, 32);
}

static inline void sip_compress(sip *s, uint64_t m) {
  s->v3 ^= m;
  sip_round(s);
  s->v0 ^= m;
}

static inline void sip_byte(sip *s, unsigned char b) {
  s->tail |= (uint64_t)b << (8 * (s->len & 7));
  if ((++s->len & 7) == 0) {
    sip_compress(s, s->tail);
    s->tail = 0;
  }
}

static uint32_t sip_finish(sip *s) {
  sip_compress(s, s->len << 56 | s->tail);
  s->v2 ^= 0xff;
  sip_round(s);
  sip_round(s);
  sip_round(s);
  uint64_t h = s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
  return (uint32_t)(h ^ h >> 32);
}

/* Feeds the canonical form of a non-ASCII scalar: its upper-casing, in UTF-8. */
static void sip_scalar(sip *s, uint32_t cp) {
  cp = vso_ordinal_upper(cp);
  unsigned char b[4];
  int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  for (int i = n - 1; i > 0; i--, cp >>= 6) b[i] = (unsigned char)(0x80 | (cp & 0x3F));
  b[0] = (unsigned char)((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | cp);
  for (int i = 0; i < n; i++) sip_byte(s, b[i]);
}

/* A keyed hash of the name as vso_ieq sees it, so that equal names hash
 * alike: ASCII letters lowered, every other scalar (U+FFFD for invalid
 * bytes) upper-cased the way OrdinalIgnoreCase does.  Nothing outside ASCII
 * upper-cases into it, so the two canonical forms never meet.  Without the
 * key no one can tell which names collide: names crafted to collide under
 * the FNV-1a of old took 25 s for 131,072 of them. */
static sip sip_start(void) {
  return (sip){key0 ^ 0x736f6d6570736575u, key1 ^ 0x646f72616e646f6du, key0 ^ 0x6c7967656e657261u,
               key1 ^ 0x7465646279746573u, 0, 0};
}

static uint32_t fold_hash(const char *p, size_t n) {
  sip s = sip_start();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) { /* ASCII, eight bytes at a time */
    uint64_t w = load_le64((const unsigned char *)p + i); /* one load on x86-64 and arm64 */
    if (w & 0x8080808080808080u) break;
    sip_compress(&s, vso_ascii_lower8(w));
    s.len += 8;
  }
  while (i < n) {
    unsigned char c = (unsigned char)p[i];
    if (c < 0x80) {
      sip_byte(&s, c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c);
      i++;
      continue;
    }
    uint32_t cp;
    i += vso_utf8_next((const unsigned char *)p + i, n - i, &cp);
    sip_scalar(&s, cp);
  }
  return sip_finish(&s);
}

uint32_t vso_index_hash_exact(const void *p, size_t n) {
  const unsigned char *q = p;
  sip s = sip_start();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) sip_compress(&s, load_le64(q + i));
  s.len = i;
  for (; i < n; i++) sip_byte(&s, q[i]);
  return sip_finish(&s);
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
