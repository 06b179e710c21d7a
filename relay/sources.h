/* SPDX-License-Identifier: MIT */
/* Where the expected output variables come from, for run and replay alike.
 *
 * A source adds names to the expected set, with what it knows of them.
 * The sources of the command line (--expect, --expect-file, --manifest) are
 * a table in sources.c, read in order before anything runs; a new one is a
 * row there.  A source that reads the step's own output (the generator's
 * announcement of its matrices) adds its names after the attempt and
 * before the judgement, into the same set; its facts go in vso_sources. */
#ifndef VSO_SOURCES_H
#define VSO_SOURCES_H

#include <stdbool.h>

#include "expect.h"
#include "imagebuilder.h"
#include "options.h"

typedef struct vso_sources {
  /* read-only: what the sources found */
  vso_expect_set expect;          /* every expected name, each once */
  vso_manifest_result manifest;   /* --manifest: its matrices and their platforms */
} vso_sources;

/* Reads every source of the command line into s and prints the manifest's
 * warnings.  Returns 0, or, having said why as `who` ("run", "replay"), the
 * status the caller exits with before anything runs: 2 (an unreadable file,
 * a bad manifest, an empty name), 125 (descriptors or memory ran out). */
int vso_sources_read(const vso_options *o, const char *who, vso_sources *s);
void vso_sources_free(vso_sources *s);

/* The manifest filters given on the command line. */
vso_manifest_filter vso_manifest_filter_of(const vso_options *o);
/* Prints the manifest's warnings to stderr. */
void vso_print_manifest_warnings(const vso_manifest_result *manifest);

#endif
