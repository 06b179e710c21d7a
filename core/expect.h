/* SPDX-License-Identifier: MIT */
/* Expectations: the output variables a step must set, where each name came
 * from and what it stands for.
 *
 * A name is met as the agent keeps output variables (docs/agent.md,
 * "Output variables downstream"): its last task.setvariable with
 * isoutput=true (names compare case-insensitively) has a non-empty value,
 * for a matrix a usable build matrix, and no later command for the name
 * makes the agent fail the step; a later set without isoutput=true leaves
 * the output as it was.  A name the generator announced must hold exactly
 * the announced legs.  An optional name (an upper bound, as the manifest's
 * names are when ImageBuilder trims cached platforms) may be absent. */
#ifndef VSO_EXPECT_H
#define VSO_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "announce.h"
#include "buf.h"
#include "imagebuilder.h"
#include "nameindex.h"

typedef enum {
  VSO_EXP_MET,
  VSO_EXP_MISSING,      /* never set */
  VSO_EXP_NOT_OUTPUT,   /* set, but not as an output: dependencies.J.outputs['s.v'] is Null */
  VSO_EXP_EMPTY,        /* set as an output, with an empty value */
  VSO_EXP_REJECTED,     /* a command for it, after its output value, makes the agent fail the step */
  VSO_EXP_INVALID,      /* a matrix whose value is not a usable build matrix, or not the announced legs */
  VSO_EXP_CUT,          /* its last command had not ended when vsorelay stopped the command:
                           the value may be incomplete */
  VSO_EXP_UNREADABLE,   /* the agent cannot read the step's stdout (a UTF-16/32 byte-order mark) */
} vso_exp_status;

/* Where a name came from (bits of vso_expectation.sources). */
typedef enum {
  VSO_SRC_EXPECT = 1u << 0,       /* --expect */
  VSO_SRC_EXPECT_FILE = 1u << 1,  /* --expect-file */
  VSO_SRC_MANIFEST = 1u << 2,     /* --manifest and its filters */
  VSO_SRC_IMAGEBUILDER = 1u << 3, /* ImageBuilder's own arguments on the command line */
  VSO_SRC_ANNOUNCED = 1u << 4,    /* the generator's announcement */
} vso_exp_source;

enum { VSO_SRC_COUNT = 5 };

typedef struct vso_expectation {
  /* read-only: set by vso_expect_add* */
  char *name;                 /* owned; as first spelled */
  bool matrix;                /* the value must be a build matrix */
  unsigned sources;           /* vso_exp_source bits */
  const vso_announced_matrix *announced;  /* borrowed: the announcement's entry (owned by the
                                             attempt's analysis), or NULL */
  bool listing_open;          /* it was listed last, and the listing ended its stream: legs
                                 beyond those listed may have been lost, not added */
  /* public: set by the source that added the name */
  bool optional;              /* may be absent: the source gives an upper bound */
  /* read-only: what the name stands for, as its sources know it (the
   * manifest's platforms of the matrix; the generator's announcement: each
   * leg's Dockerfiles with its architecture), or none.  Borrowed from the
   * source that keeps them (vso_sources; the announcement's are the set's),
   * set with vso_expect_stands_for.  Everything that says what a lost
   * variable meant prints it from here. */
  const vso_manifest_platform *platforms;
  size_t nplatforms;
  /* read-only: set by vso_expect_evaluate */
  vso_exp_status status;
  char *reason;               /* owned: why it is not met (quoted), or NULL */
  const vso_setvar *last;     /* borrowed from the analysis: the setvariable that decided, or NULL */
  bool refused;               /* missing because the policy (--allow-variables) refuses the name:
                                 the agent drops every command that sets it, so no output is lost */
  /* private */
  bool matrix_asked_;         /* a source other than the announcement asked for a matrix */
  bool stands_announced_;     /* platforms are the announcement's (the set's announced_) */
  const vso_manifest_platform *own_platforms_;  /* what another source said, while the */
  size_t own_nplatforms_;                        /* announcement's stand in for an upper bound's */
} vso_expectation;

typedef struct vso_expect_set {
  /* read-only */
  vso_expectation *items;     /* in the order first added */
  size_t n;
  /* private */
  size_t cap;
  vso_name_index index;       /* name -> position in items */
  vso_manifest_platform *announced_;  /* what the announced names stand for: each leg's
                                         Dockerfiles, borrowed from the announcement */
} vso_expect_set;

/* Adds name once (case-insensitive), from source (a vso_exp_source bit);
 * a name added again gains the source and, with matrix, the matrix check.
 * Returns the expectation, or NULL with a message in err on an empty name, a
 * NUL in it, or out of memory. */
vso_expectation *vso_expect_add(vso_expect_set *set, const char *name, size_t n, bool matrix, unsigned source,
                                vso_buf *err);
/* "a,b,c": adds each name once.  False with a message in err on an empty
 * name or out of memory. */
bool vso_expect_add_list(vso_expect_set *set, const char *list, bool matrix, unsigned source, vso_buf *err);
/* One name a line; '#' starts a comment; blank lines are skipped. */
bool vso_expect_add_text(vso_expect_set *set, const char *text, size_t n, bool matrix, unsigned source,
                         vso_buf *err);
/* The expectation for name (case-insensitive), or NULL. */
vso_expectation *vso_expect_find(vso_expect_set *set, const char *name, size_t n);
/* What name stands for (see vso_expectation.platforms); the first source
 * that knows it wins, except that the generator's announcement replaces an
 * upper bound's (optional) platforms.  Nothing when name is not expected. */
void vso_expect_stands_for(vso_expect_set *set, const char *name, const vso_manifest_platform *platforms,
                           size_t n);
/* Every expectation asks for a matrix value (--matrix). */
void vso_expect_require_matrix(vso_expect_set *set);

/* The names the generator announced (after an attempt, before the
 * judgement): each must arrive, as a matrix holding exactly the announced
 * legs.  False when memory runs out. */
bool vso_expect_add_announced(vso_expect_set *set, const vso_announcement *a, vso_buf *err);
/* Undoes vso_expect_add_announced before the next attempt: names only the
 * announcement gave are dropped. */
void vso_expect_forget_announced(vso_expect_set *set);

/* Judges every expectation against what the analysis read.  A matrix value
 * is read once (vso_analysis_read_matrix) and its legs kept. */
void vso_expect_evaluate(vso_expect_set *set, vso_analysis *a);
/* Whether e must arrive: it is not optional, or the generator announced it. */
bool vso_expectation_required(const vso_expectation *e);
/* Whether e fails the step: it is not met and counts. */
bool vso_expectation_unmet(const vso_expectation *e);
/* Whether e counts at all: it is required, or it arrived. */
bool vso_expectation_counts(const vso_expectation *e);
/* The agent will read no command of the step's stdout (why, already quoted):
 * every expectation that counts is unreadable, whatever the analysis found
 * (an upper bound's absent names stay as they are). */
void vso_expect_all_unreadable(vso_expect_set *set, const char *why);
/* Where name (case-insensitive) is in the set, or false. */
bool vso_expect_index_of(const vso_expect_set *set, const char *name, size_t n, size_t *at);
bool vso_expect_all_met(const vso_expect_set *set);
size_t vso_expect_unmet(const vso_expect_set *set);
/* How many count (vso_expectation_counts). */
size_t vso_expect_counted(const vso_expect_set *set);
const char *vso_exp_status_name(vso_exp_status st);
/* "expect", "expect-file", "manifest", "imagebuilder", "announcement". */
const char *vso_exp_source_name(vso_exp_source bit);
void vso_expect_free(vso_expect_set *set);

#endif
