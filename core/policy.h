/* SPDX-License-Identifier: MIT */
/* Restrictions the agent applies to a step (docs/agent.md, "Restrictions"):
 * `target: { commands: restricted }` and `settableVariables`. */
#ifndef VSO_POLICY_H
#define VSO_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* One settableVariables list: glob patterns (case-insensitive *, ?, [...]). */
typedef struct vso_allow_set {
  char **patterns;
  size_t n;
} vso_allow_set;

typedef struct vso_policy {
  bool restricted;          /* only the commands allowed in restricted mode */
  vso_allow_set *sets;      /* every set must allow a name; none: all allowed */
  size_t nsets;
} vso_policy;

/* Adds one restriction set from "a,b*,c" ("" is the empty set: allows nothing). */
bool vso_policy_add_set(vso_policy *p, const char *list);
bool vso_policy_allows_variable(const vso_policy *p, const char *name, size_t n);
/* Whether area.event may run: always true unless restricted. */
bool vso_policy_allows_command(const vso_policy *p, const char *area, size_t an, const char *event, size_t en);
void vso_policy_free(vso_policy *p);

/* Minimatch-style glob with IgnoreCase, for names: '*' any run, '?' one
 * character, [abc] / [a-z] / [!x] a class.  Compares bytes, ASCII letters
 * case-insensitively. */
bool vso_glob_match(const char *pat, const char *s, size_t n);

#endif
