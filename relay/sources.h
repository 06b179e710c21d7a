/* SPDX-License-Identifier: MIT */
/* Builds the expected-variable set from --expect, --expect-file and
 * --manifest (with its filters), for run and replay alike. */
#ifndef VSO_SOURCES_H
#define VSO_SOURCES_H

#include "buf.h"
#include "expect.h"
#include "imagebuilder.h"
#include "options.h"
#include "policy.h"

/* Builds the set and prints the manifest's warnings; on failure (an
 * unreadable file, a bad manifest) says why, as `who`, and returns false:
 * the caller exits 2. */
bool vso_prepare_expectations(const vso_options *o, const char *who, vso_expect_set *set,
                              vso_manifest_result *manifest);
/* The manifest filters given on the command line. */
vso_manifest_filter vso_manifest_filter_of(const vso_options *o);
/* --restrict and --allow-variables: false when memory runs out. */
bool vso_build_policy(const vso_options *o, vso_policy *policy);
/* Prints the manifest's warnings to stderr. */
void vso_print_manifest_warnings(const vso_manifest_result *manifest);

#endif
