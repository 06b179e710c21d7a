/* SPDX-License-Identifier: MIT */
/* settableVariables patterns, matched as the agent matches them:
 * Minimatcher.Check(name, pattern, new Options { IgnoreCase = true }) of the
 * Minimatch package (SLaks/Minimatch 2.0, a C# port of npm minimatch 0.2;
 * microsoft/azure-pipelines-agent src/Agent.Worker/
 * TaskRestrictionsExtension.cs IsSetVariableAllowed).  What that means:
 * - "*" is any run of characters but "/", "?" one character but "/" (a
 *   UTF-16 code unit), and neither matches a "." at the start of the name
 *   or of a part between slashes, unless the pattern has one there;
 *   "**" alone between slashes spans parts; names and patterns split at
 *   runs of "/" and match part by part;
 * - [abc] [a-z] [!a] [^a] classes; {a,b} and {1..3} braces, expanded
 *   first; +(a|b) *(a) ?(a) @(a) !(a) extglobs; \ escapes;
 * - a leading "!" negates the pattern (each further one undoes it); a
 *   pattern that starts with "#" matches nothing, a blank one only "";
 *   leading and trailing white space is dropped;
 * - case-insensitive as .NET's RegexOptions.IgnoreCase with the job's
 *   culture (en-US): İ matches i, the Kelvin sign k (casefold.h).
 * Each part becomes the .NET regex the port builds, run by globre.c.  Where
 * the agent would throw (a regex .NET rejects, such as [z-a]), vsorelay
 * matches nothing: the agent fails the command, vsorelay refuses it. */
#ifndef VSO_GLOB_H
#define VSO_GLOB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vso_glob vso_glob;

/* NULL when memory runs out, or a brace expansion goes past 65,536
 * patterns or 16 MiB (the agent would run out of memory). */
vso_glob *vso_glob_compile(const char *pattern, size_t n);
bool vso_glob_matches(const vso_glob *g, const char *name, size_t n);
void vso_glob_free(vso_glob *g);

/* For tests: the regex source Minimatch's Parse makes of one part (no
 * "/"), its non-ASCII units as "?"; "" for "**" and "".  NULL: no memory. */
char *vso_glob_part_regex(const char *part, size_t n);

#endif
