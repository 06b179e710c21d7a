/* SPDX-License-Identifier: MIT */
/* ImageBuilder's matrix rules: the matrix variables its generateBuildMatrix
 * would emit for a manifest (manifest.h) and a set of filters, each with
 * the platforms it stands for (docs/imagebuilder.md, "Matrix names"). */
#ifndef VSO_IMAGEBUILDER_H
#define VSO_IMAGEBUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct vso_image_info;

/* ImageBuilder's filter options; every value but a repo name is a glob (see
 * imagebuilder.c). */
typedef struct vso_manifest_filter {
  const char *os_type;        /* --os-type; NULL: no filter */
  const char *architecture;   /* --architecture; NULL: no filter */
  const char *const *os_versions; /* --os-version values; nos_versions == 0: no filter */
  size_t nos_versions;
  const char *const *paths;   /* --path values; npaths == 0: no filter */
  size_t npaths;
  const char *const *distinct_os_versions; /* --distinct-matrix-os-version */
  size_t ndistinct;
  const char *const *repos;   /* --repo: repos by their exact name; nrepos == 0: all */
  size_t nrepos;
  /* --image-info: its isUnchanged platforms are left out (imageinfo.h), or NULL */
  const struct vso_image_info *image_info;
  const char *const *vars;    /* --var name=value: the manifest's variables overridden */
  size_t nvars;
} vso_manifest_filter;

typedef struct vso_manifest_platform {
  char *dockerfile;    /* owned, as every string below */
  char *os_type;       /* "linux" | "windows" */
  char *os_version;
  char *architecture;  /* "arm" | "arm64" | "amd64" (Docker names) */
} vso_manifest_platform;

typedef struct vso_manifest_matrix {
  char *name;                        /* e.g. "linuxAmd64" */
  vso_manifest_platform *platforms;
  size_t nplatforms;
} vso_manifest_matrix;

typedef struct vso_manifest_result {
  vso_manifest_matrix *matrices;     /* in ImageBuilder's emission order */
  size_t n;
  char **warnings;                   /* e.g. an include that could not be read */
  size_t nwarnings;
  size_t nfiltered;                  /* platforms the filters keep */
  size_t nunchanged;                 /* of those, left out as unchanged in the image-info */
  const char *image_info_doubt;      /* static text: why the image-info's marks are a guess, or NULL */
} vso_manifest_result;

/* Loads the manifest at path (and its includes, relative to it) and makes
 * its matrices.  On failure returns false with a one-line message in err
 * naming the file and the JSON path of the problem (e.g.
 * "$.repos[0].images[3].platforms[1].os"). */
bool vso_manifest_expected(const char *path, const vso_manifest_filter *filter, vso_manifest_result *out,
                           vso_buf *err);
void vso_manifest_result_free(vso_manifest_result *r);

#endif
