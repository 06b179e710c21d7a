/* SPDX-License-Identifier: MIT */
/* Build-matrix values: what `strategy.matrix: $[ ... ]` accepts downstream.
 * A usable matrix is a JSON object with at least one leg, each leg an object
 * whose values are all strings.  Microsoft's own dynamic-matrix example uses
 * single quotes ({'a':{'myvar':'A'}}), which Azure's expression engine
 * accepts, so that form is accepted too. */
#ifndef VSO_MATRIX_H
#define VSO_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct vso_matrix_leg {
  char *name;
  size_t nvars;
  char **var_names;
  char **var_values;
} vso_matrix_leg;

typedef struct vso_matrix {
  vso_matrix_leg *legs;
  size_t nlegs;
} vso_matrix;

/* Parses value[0..n) (may hold NULs: then it is not a matrix).  On failure
 * returns false, *out is empty, and why holds one line saying why: the parse
 * error with its byte offset, "no legs", or the leg/variable at fault. */
bool vso_matrix_parse(const char *value, size_t n, vso_matrix *out, vso_buf *why);
void vso_matrix_free(vso_matrix *m);

#endif
