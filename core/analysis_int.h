/* SPDX-License-Identifier: MIT */
/* The analysis's own functions shared by its files (analysis.c,
 * analysis_facts.c); nothing outside core/analysis*.c uses them. */
#ifndef VSO_ANALYSIS_INT_H
#define VSO_ANALYSIS_INT_H

#include <stddef.h>

#include "analysis.h"

/* Counts one more command under name[0..len) (lower case). */
void vso__analysis_count_under(vso_analysis *a, const char *name, size_t len);
/* The name index's key of setvars[i] (vso_index_keys). */
void vso__analysis_setvar_name(const void *ctx, size_t i, const char **key, size_t *len);

/* The history of sv's name (vso_setvar.output_at, rejected_at) with sv,
 * which becomes setvars[at]: the name index says which set came before. */
void vso__analysis_follow(const vso_analysis *a, vso_setvar *sv, size_t at);

#endif
