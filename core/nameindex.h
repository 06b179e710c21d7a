/* SPDX-License-Identifier: MIT */
/* A hash index from names to positions, comparing names the way the agent
 * does (vso_ieq: .NET's OrdinalIgnoreCase), so that 100,000 variables cost
 * no more per command than ten.
 *
 * The hash is SipHash-1-3 under a per-process random key, so that no one
 * who writes the names can make them collide: names crafted against an
 * unkeyed hash turn every probe into a walk along one cluster, and a
 * replay quadratic.
 *
 * The index stores no keys: a slot is a 32-bit hash and a 32-bit position,
 * and the owner says where the key of a position is (key_of).  A probe of a
 * two-million-name index then reads 8-byte slots, eight to a cache line,
 * instead of 40-byte ones that each missed the cache. */
#ifndef VSO_NAMEINDEX_H
#define VSO_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vso_name_slot {
  uint32_t hash;
  uint32_t value_plus_one;  /* 0: empty slot */
} vso_name_slot;

typedef struct vso_name_index {
  vso_name_slot *slots;
  size_t cap;        /* a power of two, or 0 */
  size_t n;
} vso_name_index;

/* Where the owner keeps the key stored under value. */
typedef struct vso_index_keys {
  const void *ctx;
  void (*key_of)(const void *ctx, size_t value, const char **key, size_t *len);
} vso_index_keys;

/* Inserts key, or points its entry at value when a key equal to it is there.
 * The owner must already answer key_of for value.  False when memory runs
 * out or value does not fit in 32 bits. */
/* Sets the hash key of every index of the process.  The program calls it
 * once at the start, with 16 random bytes (vsorelay: uv_random), before any
 * index holds a name; an index filled under one key cannot be read under
 * another.  Without a call the key is fixed and public: results are the
 * same (tests and fuzzing need nothing), but colliding names can be
 * crafted. */
void vso_index_seed(const unsigned char key[16]);

/* The same keyed hash over bytes as they are, for sets that compare bytes
 * exactly (the secret masker's). */
uint32_t vso_index_hash_exact(const void *p, size_t n);

bool vso_index_put(vso_name_index *ix, const vso_index_keys *keys, const char *key, size_t len, size_t value);
bool vso_index_get(const vso_name_index *ix, const vso_index_keys *keys, const char *key, size_t len,
                   size_t *value);
void vso_index_free(vso_name_index *ix);

#endif
