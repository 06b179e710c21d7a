/* SPDX-License-Identifier: MIT */
/* The property test of `vsorelay run` (issue 11, section 6): a seed makes a
 * scenario, what a command prints and how it ends; prop-child plays it, and
 * prop-run runs vsorelay around prop-child and checks the invariants
 * against its own model of the agent (oracle.c).  Both build the scenario
 * from the seed with the same code (scenario.c), so the checker knows what
 * the command did without being told. */
#ifndef VSO_PROP_H
#define VSO_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: one generator for the scenario, another for the child's timing */
typedef struct prop_rng {
  uint64_t s;
} prop_rng;

static inline uint64_t prop_next(prop_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline unsigned prop_below(prop_rng *r, unsigned n) { return (unsigned)(prop_next(r) % n); }
static inline bool prop_chance(prop_rng *r, unsigned percent) { return prop_below(r, 100) < percent; }

enum { PROP_MAX_EXPECT = 4, PROP_MAX_SECRETS = 3, PROP_MAX_EVENTS = 24, PROP_LINE = 320, PROP_SECRET_LEN = 16 };
/* the generator's announcement: at most this many listing lines, inserted among the events */
enum { PROP_MAX_LISTING = 6, PROP_MAX_LINES = PROP_MAX_EVENTS + PROP_MAX_LISTING };

/* One line the command prints: its text and its terminator ("" only for a
 * tail, the last bytes, unterminated). */
typedef struct prop_line {
  int stream; /* 0 stdout, 1 stderr */
  char text[PROP_LINE];
  const char *term;
  bool setvariable, complete, command; /* what it is, for the checker */
} prop_line;

typedef enum prop_end {
  PROP_EXIT,        /* exits with exit_status, after the tail if any */
  PROP_SIGNAL,      /* kills itself with signal, after the tail */
  PROP_GRANDCHILD,  /* exits 0 while a grandchild writes the tail and sleeps: the drain timeout cuts it */
} prop_end;

typedef struct prop_scenario {
  uint64_t seed;
  /* the command */
  int nexpect;
  char expect[PROP_MAX_EXPECT][16];
  int nsecrets;
  char secrets[PROP_MAX_SECRETS][PROP_SECRET_LEN + 1];
  bool bom;                       /* stdout starts with FF FE */
  int nlines;
  prop_line lines[PROP_MAX_LINES];
  int nlisting;                   /* of them, lines of the generator's announcement */
  bool has_tail;
  prop_line tail;
  prop_end end;
  int exit_status, signal;
  /* vsorelay's options */
  int retries;
  bool stream_mode, report, summary;
  /* a signal sent to vsorelay itself this long after it started (0: none), as
   * the agent cancels a step */
  int stop_signal, stop_after_ms;
} prop_scenario;

void prop_make(prop_scenario *s, uint64_t seed);

#endif
