/* SPDX-License-Identifier: MIT */
/* Expectations: the output variables a step must set.  A name is met when
 * the last task.setvariable for it (case-insensitive) has isoutput=true and a
 * non-empty value, and, for a matrix, a value that is a usable build matrix. */
#ifndef VSO_EXPECT_H
#define VSO_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "buf.h"
#include "imagebuilder.h"
#include "nameindex.h"

typedef enum {
  VSO_EXP_MET,
  VSO_EXP_MISSING,      /* never set */
  VSO_EXP_NOT_OUTPUT,   /* set, but not as an output: dependencies.J.outputs['s.v'] is Null */
  VSO_EXP_EMPTY,        /* set as an output, with an empty value */
  VSO_EXP_REJECTED,     /* its last command makes the agent fail the step */
  VSO_EXP_INVALID,      /* a matrix whose value is not a usable build matrix */
  VSO_EXP_CUT,          /* its last command had not ended when vsorelay stopped the command:
                           the value may be incomplete */
  VSO_EXP_UNREADABLE,   /* the agent cannot read the step's stdout (a UTF-16/32 byte-order mark) */
} vso_exp_status;

typedef struct vso_expectation {
  /* read-only: set by vso_expect_add* */
  char *name;                 /* owned; as first spelled */
  bool matrix;                /* the value must be a build matrix */
  /* read-only: what the name stands for, as its sources know it (the
   * manifest's platforms of the matrix; the generator's announcement: each
   * leg's Dockerfiles with its architecture), or none.  Borrowed from the
   * source that keeps them (vso_sources), set with vso_expect_stands_for.
   * Everything that says what a lost variable meant prints it from here. */
  const vso_manifest_platform *platforms;
  size_t nplatforms;
  /* read-only: set by vso_expect_evaluate */
  vso_exp_status status;
  char *reason;               /* owned: why it is not met (quoted), or NULL */
  const vso_setvar *last;     /* borrowed from the analysis: its last setvariable, or NULL */
} vso_expectation;

typedef struct vso_expect_set {
  /* read-only */
  vso_expectation *items;     /* in the order first added */
  size_t n;
  /* private */
  size_t cap;
  vso_name_index index;       /* name -> position in items */
} vso_expect_set;

/* "a,b,c": adds each name once (case-insensitive).  Returns false with a
 * message in err on an empty name or out of memory. */
bool vso_expect_add_list(vso_expect_set *set, const char *list, bool matrix, vso_buf *err);
bool vso_expect_add(vso_expect_set *set, const char *name, size_t n, bool matrix, vso_buf *err);
/* One name a line; '#' starts a comment; blank lines are skipped. */
bool vso_expect_add_text(vso_expect_set *set, const char *text, size_t n, bool matrix, vso_buf *err);
/* The expectation for name (case-insensitive), or NULL. */
vso_expectation *vso_expect_find(vso_expect_set *set, const char *name, size_t n);
/* What name stands for (see vso_expectation.platforms); the first source
 * that knows it wins.  Nothing when name is not expected. */
void vso_expect_stands_for(vso_expect_set *set, const char *name, const vso_manifest_platform *platforms,
                           size_t n);
/* Every expectation asks for a matrix value (--matrix). */
void vso_expect_require_matrix(vso_expect_set *set);

/* Judges every expectation against what the analysis read.  A matrix value
 * is read once (vso_analysis_read_matrix) and its legs kept. */
void vso_expect_evaluate(vso_expect_set *set, vso_analysis *a);
/* The agent will read no command of the step's stdout (why, already quoted):
 * every expectation is unreadable, whatever the analysis found. */
void vso_expect_all_unreadable(vso_expect_set *set, const char *why);
/* Where name (case-insensitive) is in the set, or false. */
bool vso_expect_index_of(const vso_expect_set *set, const char *name, size_t n, size_t *at);
bool vso_expect_all_met(const vso_expect_set *set);
size_t vso_expect_unmet(const vso_expect_set *set);
const char *vso_exp_status_name(vso_exp_status st);
void vso_expect_free(vso_expect_set *set);

#endif
