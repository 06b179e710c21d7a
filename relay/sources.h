/* SPDX-License-Identifier: MIT */
/* Where the expected output variables come from, for run and replay alike.
 *
 * A source adds names to the expected set, with what it knows of them.
 * The sources of the command line (--expect, --expect-file, --manifest, and
 * in run ImageBuilder's own arguments in the command) are a table in
 * sources.c, read in order before anything runs; a new one is a row there.
 * Each fails closed: a source that names no variable (a manifest whose
 * filters leave no platform, an empty --expect-file, --expect '') is a
 * usage error, unless --allow-empty.  The generator's announcement is read
 * from the step's own output (announce.h): its names are added after each
 * attempt, before the judgement (vso_sources_add_announced). */
#ifndef VSO_SOURCES_H
#define VSO_SOURCES_H

#include <stdbool.h>

#include "announce.h"
#include "expect.h"
#include "ibargs.h"
#include "imagebuilder.h"
#include "options.h"

typedef struct vso_sources {
  /* read-only: what the sources found */
  vso_expect_set expect;          /* every expected name, each once */
  vso_manifest_result manifest;   /* --manifest, or ImageBuilder's: its matrices and their platforms */
  const char *manifest_path;      /* borrowed: which manifest that is, or NULL */
  vso_ib_args imagebuilder;       /* ImageBuilder's arguments in the command (found: it holds them) */
  bool imagebuilder_used;         /* the expected names come from them */
  char *imagebuilder_note;        /* owned: what was said about them at the start, or NULL */
  const char *upper_bound;        /* static text: why the manifest's names are only an upper
                                     bound (they may be absent), or NULL */
  bool read_announcement;         /* the generator's announcement is read (not --no-announced) */
  bool announcement_required;     /* and it must be seen (--trim-cached-images) */
  /* private: replay of a capture, the texts above that it recorded */
  char *recorded_manifest_, *recorded_upper_bound_;
  char **recorded_args_;          /* ImageBuilder's arguments, as the run's command held them */
  size_t nrecorded_args_;
} vso_sources;

/* Reads every source of the command line into s and prints the manifest's
 * warnings and, when the command holds ImageBuilder's arguments, one line
 * about what they make vsorelay expect.  Returns 0, or, having said why as
 * `who` ("run", "replay"), the status the caller exits with before anything
 * runs: 2 (an unreadable file, a bad manifest, a source that names nothing),
 * 125 (descriptors or memory ran out). */
int vso_sources_read(const vso_options *o, const char *who, vso_sources *s);
void vso_sources_free(vso_sources *s);

/* After an attempt, before the judgement: the names the generator
 * announced join the expected set (those of an earlier attempt leave it).
 * False when memory runs out. */
bool vso_sources_add_announced(vso_sources *s, const vso_announcement *a);
/* Why the expectations could not be checked on what the attempt printed,
 * or NULL: the announcement outgrew what vsorelay keeps, or it is required
 * and never came. */
const char *vso_sources_unchecked(const vso_sources *s, const vso_announcement *a);

/* The manifest filters given on the command line (image_info borrowed). */
vso_manifest_filter vso_manifest_filter_of(const vso_options *o);
/* Prints the manifest's warnings to stderr. */
void vso_print_manifest_warnings(const vso_manifest_result *manifest);
/* Appends the filters as a command line would show them
 * (" --os-type linux --path 'src/a'"). */
void vso_describe_filters(vso_buf *out, const vso_manifest_filter *f, const char *image_info, bool trim);

/* The expectations a run took from ImageBuilder's arguments, kept in its
 * --capture (capture_sources.c), since replay has no command: the records
 * of capture.h (@imagebuilder, then @matrix each), appended to out.  Nothing
 * when the command held no ImageBuilder's arguments. */
bool vso_sources_put_recorded(vso_buf *out, const vso_sources *s, char *const *argv, int argc);
/* Replay: one such record (type "imagebuilder" or "matrix"), read before
 * any attempt: a matrix joins the expected set then, after the names of
 * replay's own command line, as in run.  False with why when it is
 * malformed or memory runs out. */
bool vso_sources_read_recorded(vso_sources *s, const char *type, const char *p, size_t n, const char **why);

/* The source of ImageBuilder's arguments (source_imagebuilder.c): a row of
 * the table in sources.c. */
bool vso_source_imagebuilder(const vso_options *o, vso_sources *s, vso_buf *err);
/* The manifest's names as expectations from source (a vso_exp_source bit). */
bool vso_sources_add_manifest_names(vso_sources *s, unsigned source, vso_buf *err);

#endif
