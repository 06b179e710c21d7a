/* SPDX-License-Identifier: MIT */
/* Inside the secret masker (secrets.h): the patterns, the Aho-Corasick
 * automata, the two-way search and the agent's value encoders. */
#ifndef VSO_SECRETS_INT_H
#define VSO_SECRETS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "secrets.h"

typedef struct vso_secret_group vso_secret_group;

/* What vso_secrets points to (its set_). */
struct vso_secret_set {
  char **items;               /* the values (vso_secrets shows them) */
  size_t *lens;
  size_t n;
  size_t items_cap;
  char **chunks;              /* where the copies live: a malloc each, freed together */
  size_t nchunks, chunks_cap;
  char *chunk_free;           /* the room left in the last chunk */
  size_t chunk_left;
  struct vso_secret_slot *originals; /* a set of the items (keyed hash), for "already added" */
  size_t patterned;           /* the items before it have their patterns (vso_secrets_take_new) */
  size_t shortest;            /* no pattern, made or to be made, is shorter */
  bool failed;                /* a masking failed (vso_secrets_intact) */
  size_t originals_cap;
  struct vso_secret_pattern *patterns; /* what is searched: the values and their encoded forms */
  size_t npatterns, patterns_cap;
  /* New patterns wait, searched through an index of their first four
   * bytes, until searching them has cost about what building them into an
   * automaton does; the next masking then builds them.  So registering is
   * cheap, and a replay that masks little builds nothing. */
  size_t *waiting;            /* pattern indexes */
  uint32_t *waiting_next;     /* chains through waiting[]: the next one + 1, 0 at the end */
  size_t nwaiting, waiting_cap;
  uint32_t *waiting_heads;    /* by a hash of the first four bytes: the first one + 1 */
  size_t waiting_buckets;     /* a power of two, or 0 */
  uint32_t waiting_short;     /* the chain of those shorter than four bytes */
  size_t nwaiting_short;
  size_t waiting_bytes, waiting_max; /* their total length, the longest */
  size_t waiting_work;        /* what searching them has cost so far */
  bool waiting_starts[256];   /* their first bytes */
  uint64_t *waiting_heads23;  /* a Bloom filter of their first 2 and 3 bytes (2^VSO_PREFIX_LOG bits) */
  vso_secret_group *groups;   /* the automata, largest first: sizes are the bits of their total */
  size_t ngroups;
  size_t *long_patterns;      /* indexes of the patterns too long for an automaton */
  size_t nlong, long_cap;
  size_t long_max;            /* the longest of them */
  size_t long_from;           /* VSO_SECRET_LONG, or less for tests; 0 means the default */
  bool no_waiting;            /* for tests: every masking builds what waits */
  /* Masking skips what cannot begin a pattern without stepping any
   * automaton: a byte that begins none (memchr when one byte begins them
   * all: one secret, the usual case), or four bytes that begin no pattern
   * of four bytes or more (a Bloom filter of them; the shorter patterns are
   * told by their first byte). */
  bool starts[256];
  bool short_starts[256];     /* first bytes of the patterns shorter than four bytes */
  int first_byte;             /* the byte that begins every pattern, or -1 */
  uint64_t *prefixes;         /* 2^VSO_PREFIX_LOG bits */
  /* While every pattern in the automata or waiting has 7 bytes or more, one
   * position in four is enough: a pattern that starts at s holds, at the
   * next multiple of four, one of its 4-byte pieces at 0..3 (a Bloom filter
   * of those pieces); only where it says so are the four starts before
   * looked at.  A shorter pattern turns this off. */
  uint64_t *pieces;           /* 2^VSO_PREFIX_LOG bits */
  bool any_shorter_than_7;
};

typedef struct vso_secret_pattern {
  const char *p; /* borrowed: a copy in the set's chunks (an item, or an encoded form) */
  size_t n;
} vso_secret_pattern;

typedef struct vso_secret_slot {
  uint32_t hash;
  uint32_t item_plus_one; /* 0: empty */
} vso_secret_slot;

#define AC_DENSE 0xFFFFu /* nchild of a node whose transitions are a row */
#define VSO_MAX_GROUPS 160 /* 7 of each of the 21 sizes 8^k that a size_t count can have, and room */

/* One node of an automaton: a prefix of some patterns.  Nodes are numbered
 * breadth first, so a node's fail link points to a lower number.  A node
 * with many children (and the root) has a row: its transition on every
 * byte class, fail links already followed, in one load. */
typedef struct ac_node {
  uint32_t fail;   /* the node of the longest proper suffix that is a prefix too */
  uint32_t child;  /* the first child (children are contiguous, sorted by label), or the row */
  uint32_t depth;  /* the prefix's length */
  uint32_t out;    /* the longest pattern that ends here (a suffix of the prefix), or 0 */
  uint16_t nchild; /* or AC_DENSE */
  uint8_t label;   /* the byte that leads here from the parent */
} ac_node;

struct vso_secret_group {
  size_t *members;     /* pattern indexes, sorted by bytes (equal ones may repeat) */
  size_t n;            /* 8^level */
  int level;
  ac_node *nodes;      /* nodes[0] is the root */
  size_t nnodes;
  uint32_t *rows;      /* rows[row * width + class] */
  uint32_t width;      /* byte classes: 0 for a byte in no pattern, then one per byte that is */
  uint16_t classes[256];
  bool starts[256];    /* the bytes that begin a pattern */
  int first_byte;      /* the byte that begins them all, or -1 */
  /* Where the set-wide prefix filter says a pattern may begin, the group's
   * own (32 bits a pattern) says whether one of its patterns may: a group
   * that holds none stays at its root. */
  uint64_t *prefixes;
  int prefix_log;      /* of 2^prefix_log bits */
  bool has_short;      /* it holds a pattern shorter than 4 bytes */
};

/* Builds g's automaton from g->members (sorted); false when memory runs out. */
bool vso_ac_build(vso_secret_group *g, const vso_secret_pattern *patterns);
void vso_ac_free(vso_secret_group *g);

/* The state after reading c in state (0 is the root, which has a row). */
static inline uint32_t vso_ac_step(const vso_secret_group *g, uint32_t state, unsigned char c) {
  for (;;) {
    const ac_node *v = &g->nodes[state];
    if (v->nchild == AC_DENSE) return g->rows[(size_t)v->child * g->width + g->classes[c]];
    const ac_node *kids = &g->nodes[v->child];
    for (uint32_t k = 0; k < v->nchild; k++)
      if (kids[k].label == c) return v->child + k;
    state = v->fail;
  }
}

/* Bloom filters of 4-byte prefixes: 2^log bits, two set for each prefix,
 * taken from the top bits of one 64-bit hash.  A clear bit says no pattern
 * begins with those four bytes. */
static inline uint64_t vso_prefix_hash(const char *p) {
  uint32_t w = (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8 |
               (uint32_t)(unsigned char)p[2] << 16 | (uint32_t)(unsigned char)p[3] << 24;
  return (uint64_t)w * 0x9E3779B97F4A7C15u;
}

/* The same for the first k < 4 bytes (the tail of a text). */
static inline uint64_t vso_short_prefix_hash(const char *p, size_t k) {
  uint32_t w = (uint32_t)k << 24;
  for (size_t i = 0; i < k; i++) w |= (uint32_t)(unsigned char)p[i] << (8 * i);
  return (uint64_t)w * 0xD6E8FEB86659FD93u;
}

static inline bool vso_bit(const uint64_t *bits, uint64_t i) { return bits[i / 64] >> (i % 64) & 1; }

static inline bool vso_filter_has(const uint64_t *bits, int log, uint64_t h) {
  return vso_bit(bits, h >> (64 - log)) && vso_bit(bits, (h >> (64 - 2 * log)) & (((uint64_t)1 << log) - 1));
}

static inline void vso_filter_add(uint64_t *bits, int log, uint64_t h) {
  uint64_t a = h >> (64 - log), b = (h >> (64 - 2 * log)) & (((uint64_t)1 << log) - 1);
  bits[a / 64] |= (uint64_t)1 << (a % 64);
  bits[b / 64] |= (uint64_t)1 << (b % 64);
}

/* The waiting patterns (secrets_waiting.c): not yet in an automaton, found
 * through an index of their first four bytes.  A longer one than
 * VSO_WAITING_LEN, more than VSO_WAITING_SHORT of fewer than four bytes, or
 * a search that has cost what building them would, and vso_secrets_build
 * builds them into the automata (secrets_groups.c). */
#define VSO_WAITING_LEN 256
#define VSO_WAITING_SHORT 16
bool vso_waiting_add(vso_secret_set *s, size_t pattern);
void vso_waiting_clear(vso_secret_set *s);
bool vso_waiting_due(const vso_secret_set *s);
size_t vso_waiting_budget(const vso_secret_set *s);
uint32_t vso_waiting_chain(const vso_secret_set *s, const char *p);
bool vso_secrets_build(vso_secret_set *s);
/* Makes the patterns of the items registered since the last call: the
 * value and its encoded forms.  Registering only keeps the value; the first
 * masking after it pays for the rest, so a replay that masks nothing (it
 * prints no text of the child's) never encodes, filters or indexes a
 * secret.  False when memory runs out (the masking fails). */
bool vso_secrets_take_new(vso_secret_set *s);

/* For tests: patterns longer than long_from (0: VSO_SECRET_LONG) are
 * searched apart; with no_waiting, every masking builds what waits.  Call
 * before the first vso_secrets_add. */
bool vso_secrets_tune(vso_secrets *s, size_t long_from, bool no_waiting);

/* Every occurrence of needle[0..m) (m >= 1) in hay[0..n), overlapping ones
 * included, in order, in O(n + m) time and O(1) memory (Crochemore and
 * Perrin's two-way algorithm).  found() returns false to stop early. */
typedef bool vso_found_fn(void *ctx, size_t at);
bool vso_two_way_all(const unsigned char *needle, size_t m, const unsigned char *hay, size_t n, vso_found_fn *found,
                     void *ctx);

/* The agent's ValueEncoders: the encoded form appended to out, or nothing
 * when it is p itself. */
bool vso_encode_json_string(const char *p, size_t n, vso_buf *out);
bool vso_encode_uri_data(const char *p, size_t n, vso_buf *out);
bool vso_encode_backslash(const char *p, size_t n, vso_buf *out);

#endif
