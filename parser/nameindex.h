/* A hash index from names to positions, comparing names the way the agent
 * does (case-insensitively, ASCII), so that 100,000 variables cost no more
 * per command than ten.  Keys are not copied: they must outlive the entry. */
#ifndef VSO_NAMEINDEX_H
#define VSO_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vso_name_slot {
  const char *key;   /* NULL: empty slot */
  size_t len;
  uint64_t hash;
  size_t value;
} vso_name_slot;

typedef struct vso_name_index {
  vso_name_slot *slots;
  size_t cap;        /* a power of two, or 0 */
  size_t n;
} vso_name_index;

/* Inserts or replaces (the key pointer is replaced too).  False when memory runs out. */
bool vso_index_put(vso_name_index *ix, const char *key, size_t len, size_t value);
bool vso_index_get(const vso_name_index *ix, const char *key, size_t len, size_t *value);
void vso_index_free(vso_name_index *ix);

#endif
