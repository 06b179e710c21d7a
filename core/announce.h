/* SPDX-License-Identifier: MIT */
/* The generator's announcement: the matrices ImageBuilder's
 * generateBuildMatrix lists in readable form (GenerateBuildMatrixCommand's
 * LogDiagnostics, docs/imagebuilder.md) through its console logger, one log
 * line each, on either stream:
 *
 *   07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] GENERATING BUILD MATRIX
 *   07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]   linuxAmd64:
 *   07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]     src-microsoft-1.25-bookworm:
 *   07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]       imageBuilderPaths: --path src/microsoft/1.25/bookworm
 *   07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]       architecture: amd64
 *
 * The scanner watches for the logger's category and event id
 * (vso_announce_watch) and hands each such line to a reader, one per
 * stream, which adds what it says to one announcement: whatever precedes
 * the category (a timestamp, the level, colours) is not looked at, and the
 * listing may come before, between or after the ##vso lines.
 *
 * What is kept is bounded, since a child may print a million fake
 * listings: at most VSO_ANNOUNCE_MAX_MATRICES matrices, VSO_ANNOUNCE_MAX_LEGS
 * legs and VSO_ANNOUNCE_MAX_BYTES bytes of names and paths in all.  A matrix
 * announced again is replaced (the last listing wins, as the agent keeps
 * the last value of a variable), so repeated listings take no more room.
 * Past a bound nothing more is kept and the announcement says it
 * overflowed: it can then no longer be checked, and the step fails. */
#ifndef VSO_ANNOUNCE_H
#define VSO_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "matrix.h"
#include "nameindex.h"
#include "scan.h"
#include "secrets.h"

enum {
  VSO_ANNOUNCE_MAX_MATRICES = 1000,
  VSO_ANNOUNCE_MAX_LEGS = 100000,
  VSO_ANNOUNCE_MAX_BYTES = 16 << 20,
};

/* The texts the scanner watches for: the category and event id of the
 * logger's line, followed by the first words of a listing line; and where
 * their key is (vso_scanner_watch): "xC" of "GenerateBuildMatrixCommand",
 * rare in any other output. */
extern const char *const vso_announce_watch[];
extern const size_t vso_announce_nwatch;
extern const size_t vso_announce_key_at;

typedef struct vso_announced_leg {
  char *name;          /* owned, as every string here */
  char *architecture;  /* the leg's `architecture`, or NULL */
  char **dockerfiles;  /* each `--path` of the leg's `imageBuilderPaths` */
  size_t ndockerfiles;
} vso_announced_leg;

typedef struct vso_announced_matrix {
  /* read-only */
  char *name;
  vso_announced_leg *legs;  /* in the order listed */
  size_t nlegs;
  const char *source;       /* borrowed: the stream it was read from */
  uint64_t line_no;
  /* private */
  size_t cap_;
} vso_announced_matrix;

typedef struct vso_announcement {
  /* read-only */
  uint64_t listings;              /* "GENERATING BUILD MATRIX" lines read */
  vso_announced_matrix *matrices; /* in the order first announced */
  size_t n;
  bool overflow;                  /* a bound was reached: not everything was kept */
  bool masked;                    /* replay: the capture says a secret masked the listing out
                                     of the shape the run read: it cannot be checked */
  /* the listing's last line read: its stream, its number, and the matrix it
   * listed (plus one; 0: none, e.g. a ##vso line in the logger's category,
   * which says the logger wrote past the listing) */
  const char *tail_source;
  uint64_t tail_line_no;
  size_t tail_matrix;
  bool tail_open;                 /* that line was its stream's last: the logger may have lost
                                     the rest of that matrix (vso_announcement_stream_ended) */
  /* private */
  size_t cap_, legs_, bytes_;
  vso_name_index index_;          /* name -> position in matrices */
} vso_announcement;

/* Reads the lines of one stream into an announcement. */
typedef struct vso_announce_reader {
  /* public */
  vso_announcement *into;
  const char *source;   /* borrowed: the stream's name */
  /* private */
  size_t matrix_;       /* the matrix being listed, plus one; 0: none */
  bool in_leg_;         /* its last leg is being listed */
} vso_announce_reader;

/* A watched line (vso_scanner_watch with vso_announce_watch). */
void vso_announce_line(vso_announce_reader *r, const vso_watched *w);

/* A stream (source, as the readers name it) ended after lines lines.  When
 * the listing's last line was its last, the listing may have lost its tail
 * as the value lines did in the incident (an ImageBuilder that writes its
 * variables directly, docker-tools #2125, still lists through the
 * asynchronous logger): the last matrix listed may hold legs the listing
 * never got to, and they are not held against it (vso_expect_add_announced). */
void vso_announcement_stream_ended(vso_announcement *a, const char *source, uint64_t lines);

/* Whether the generator announced anything (a listing began). */
bool vso_announcement_seen(const vso_announcement *a);
/* The matrix announced under name (case-insensitive, as the agent's
 * variable names), or NULL. */
const vso_announced_matrix *vso_announcement_find(const vso_announcement *a, const char *name, size_t n);
void vso_announcement_free(vso_announcement *a);

/* Whether shown, read from the listing as masked in a capture, is what
 * read is once masked with secrets: the same matrices with the same legs,
 * in the same order.  A secret that masks the listing's own words (the
 * logger's category, an indentation, a colon) parts them: replay could not
 * read what the run read.  False also when memory runs out. */
bool vso_announce_same_shown(const vso_announcement *read, const vso_announcement *shown, const vso_secrets *secrets);

/* Across --retries attempts.  A new attempt: *a starts empty, and what it
 * held is kept in *earlier when it announced anything (else dropped).  An
 * attempt ended: when it announced nothing at all, the last announcement of
 * an earlier attempt stands (true): a retry whose listing was lost must not
 * drop the matrices the generator said it would set.  An attempt that
 * announces, even fewer matrices, replaces it. */
void vso_announcement_next_attempt(vso_announcement *a, vso_announcement *earlier);
bool vso_announcement_carry(vso_announcement *a, vso_announcement *earlier);

/* The legs announced for m against those of a value: announced but absent
 * (missing), present but never announced (unexpected); each list sorted,
 * its strings borrowed from m and value. */
typedef struct vso_leg_diff {
  const char **missing;
  size_t nmissing;
  const char **unexpected;
  size_t nunexpected;
} vso_leg_diff;

/* False when memory runs out. */
bool vso_announce_compare(const vso_announced_matrix *m, const vso_matrix *value, vso_leg_diff *out);
void vso_leg_diff_free(vso_leg_diff *d);

#endif
