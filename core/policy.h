/* SPDX-License-Identifier: MIT */
/* Restrictions the agent applies to a step (docs/agent.md, "Restrictions"):
 * `target: { commands: restricted }` and `settableVariables`. */
#ifndef VSO_POLICY_H
#define VSO_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* One settableVariables list: Minimatch patterns, matched as the agent
 * matches them (glob.h). */
typedef struct vso_allow_set {
  char **patterns;
  struct vso_glob **globs; /* each pattern compiled */
  size_t n;
} vso_allow_set;

typedef struct vso_policy {
  bool restricted;          /* only the commands allowed in restricted mode */
  vso_allow_set *sets;      /* every set must allow a name; none: all allowed */
  size_t nsets;
} vso_policy;

/* Adds one restriction set from "a,b*,c" ("" is the empty set: allows
 * nothing); a comma inside braces belongs to its pattern: "x{a,b},c" is
 * two patterns.  Spaces around a pattern are dropped. */
bool vso_policy_add_set(vso_policy *p, const char *list);
bool vso_policy_allows_variable(const vso_policy *p, const char *name, size_t n);
/* Whether area.event may run: always true unless restricted. */
bool vso_policy_allows_command(const vso_policy *p, const char *area, size_t an, const char *event, size_t en);
void vso_policy_free(vso_policy *p);

/* Minimatcher.Check(name, pat, new Options { IgnoreCase = true }), as the
 * agent checks settableVariables: see glob.h. */
bool vso_glob_match(const char *pat, const char *s, size_t n);

#endif
