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
 * - Registering a value only keeps it (and finds it if it was registered
 *   before): its patterns, the value and its encoded forms, are made by the
 *   next masking, so a replay that prints none of the child's text never
 *   pays for them.
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

typedef struct vso_secret_set vso_secret_set; /* secrets_int.h */

typedef struct vso_secrets {
  /* read-only: the distinct values registered, in order, each a
   * NUL-terminated copy */
  char **items;
  size_t *lens;
  size_t n;
  /* private: the patterns, the index of those that wait, the automata and
   * the filters (secrets_int.h).  Masking brings the index and the automata
   * up to date: they are a cache of the patterns, behind this pointer, so a
   * masking through a const vso_secrets may build them. */
  vso_secret_set *set_;
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
/* Whether masking p[0..n) changes it: it holds a secret.  True as well when
 * it cannot be masked (memory ran out): it is then handled as one. */
bool vso_mask_changes(const vso_secrets *s, const char *p, size_t n);
/* Whether every masking so far was done: false from the first one that
 * failed (memory ran out; its caller left out what it was to mask).
 * Registering only keeps a value, so memory for its patterns runs out in a
 * masking, where a caller may only leave text out: whoever judges a run
 * asks this, and fails it. */
bool vso_secrets_intact(const vso_secrets *s);
void vso_secrets_free(vso_secrets *s);

#endif
