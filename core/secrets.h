/* SPDX-License-Identifier: MIT */
/* The secret masker: the agent's (Microsoft.TeamFoundation.DistributedTask.
 * Logging.SecretMasker with the value encoders HostContext adds), in time
 * linear in the text however many secrets there are.
 *
 * What it masks, as the agent does:
 * - every value registered (the values of issecret=true variables and the
 *   data of task.setsecret; an empty one is ignored) and, for each, its
 *   JsonStringEscape, UriDataEscape and BackslashEscape forms;
 * - every occurrence of each, overlapping ones included; occurrences that
 *   overlap or touch merge into one range, and each range becomes "***":
 *   with "abcSEC" and "SECRETdef" secret, "abcSECRETdef" gives "***", and
 *   with "abc" secret, "abcabc" gives "***".
 * Bytes are compared as bytes (the agent compares UTF-16 chars; the same
 * for valid UTF-8), and no secret is too short to mask: the agent's
 * AZP_IGNORE_SECRETS_SHORTER_THAN knob (default 0) only ever masks less.
 *
 * How:
 * - Patterns up to VSO_SECRET_LONG bytes go into Aho-Corasick automata, all
 *   stepped in one pass.  Secrets arrive one at a time while output is being
 *   masked, so the automata follow the logarithmic method (base 8,
 *   secrets_groups.c): each pattern is built into an automaton log8 n times,
 *   and a pass has O(log n) automata to step.
 * - A new pattern first waits, found through an index of its first four
 *   bytes, until searching the waiting ones has cost about what building
 *   them would (secrets_waiting.c): a secret between two maskings costs no
 *   automaton, and a replay that masks little builds none.
 * - Most text cannot begin a pattern: a Bloom filter of 4-byte prefixes
 *   (one for the set, one per automaton) skips it without stepping any
 *   automaton, and memchr does when one byte begins every pattern (one
 *   secret, the usual case).
 * - A longer pattern would cost its length in automaton nodes (20 bytes
 *   each); it is searched with the two-way algorithm, in constant memory.
 */
#ifndef VSO_SECRETS_H
#define VSO_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define VSO_SECRET_LONG 65536
#define VSO_PREFIX_LOG 20 /* the set-wide prefix filter: 2^20 bits, 128 KiB */

typedef struct vso_secret_group vso_secret_group;

typedef struct vso_secrets {
  /* public, read-only: the distinct values registered, in order, each a
   * NUL-terminated copy */
  char **items;
  size_t *lens;
  size_t n;
  /* private */
  size_t items_cap;
  char **chunks;              /* where the copies live: a malloc each, freed together */
  size_t nchunks, chunks_cap;
  char *chunk_free;           /* the room left in the last chunk */
  size_t chunk_left;
  struct vso_secret_slot *originals; /* a set of the items (keyed hash), for "already added" */
  size_t originals_cap;
  struct vso_secret_pattern *patterns; /* what is searched: the values and their encoded forms */
  size_t npatterns, patterns_cap;
  /* New patterns wait, searched through an index of their first four
   * bytes, until searching them has cost about what building them into an
   * automaton does; the next masking then builds them.  So registering is
   * cheap, and a replay that masks little builds nothing.  vso_mask takes
   * the set as const: the index and the automata are a cache of the
   * patterns, kept up to date on first use. */
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
} vso_secrets;

bool vso_secrets_add(vso_secrets *s, const char *p, size_t n);
bool vso_secrets_empty(const vso_secrets *s);
/* Appends p[0..n) to out with every registered secret replaced by "***". */
bool vso_mask(const vso_secrets *s, const char *p, size_t n, vso_buf *out);
/* The same for a stream that goes on: stops where the rest of p could still
 * change how it is masked (the beginning of a secret that the next bytes
 * complete, or a range that the next bytes could extend), and says in *done
 * how much it masked.  The caller keeps p[*done..n) and puts it before the
 * next bytes (or masks it with vso_mask at the end of the stream); the
 * result is what vso_mask makes of the whole.  One exception bounds what
 * waits: a range of back-to-back secrets longer than VSO_SECRET_LONG goes
 * out as "***" at once, and its continuation gets a "***" of its own. */
bool vso_mask_complete(const vso_secrets *s, const char *p, size_t n, vso_buf *out, size_t *done);
void vso_secrets_free(vso_secrets *s);

#endif
