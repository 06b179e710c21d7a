/* SPDX-License-Identifier: MIT */
/* ImageBuilder's manifest.json as ImageBuilder loads it: repos of images of
 * platforms, includes merged, every error named by file and JSON path.  The
 * matrices generateBuildMatrix makes of it are in imagebuilder.h. */
#ifndef VSO_MANIFEST_H
#define VSO_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* In ImageBuilder's enum order, which is also the matrices' order. */
typedef enum vso_os { VSO_OS_LINUX, VSO_OS_WINDOWS } vso_os;
typedef enum vso_arch { VSO_ARCH_ARM, VSO_ARCH_ARM64, VSO_ARCH_AMD64 } vso_arch;

extern const char *const vso_os_names[];             /* "linux", "windows" */
extern const char *const vso_arch_docker_names[];    /* "arm", "arm64", "amd64" */

typedef struct vso_platform {
  vso_os os;
  vso_arch arch;
  char *dockerfile;       /* owned: the raw manifest value */
  char *os_version;       /* owned: the raw manifest value */
  char *product_version;  /* owned: its image's raw productVersion, or NULL */
  size_t image;           /* which image of the manifest it belongs to (numbered from 0) */
  bool has_tags;          /* its "tags" object holds at least one tag */
  /* public: set by vso_image_info_mark */
  bool unchanged;         /* its image-info entry is isUnchanged: generateBuildMatrix drops it */
} vso_platform;

typedef struct vso_repo {
  char *name;                /* owned */
  vso_platform *platforms;   /* every platform of every image of the repo, in order */
  size_t n, cap;
} vso_repo;

typedef struct vso_manifest {
  /* read-only */
  vso_repo *repos;           /* in order; with includes, repos of one name merged */
  size_t nrepos;
  char **warnings;           /* owned: e.g. an include that could not be read */
  size_t nwarnings;
  char **variables;          /* owned: the variable names, manifest and includes */
  char **values;             /* owned: their values as Newtonsoft makes strings of them (NULL for null) */
  size_t nvariables;
  size_t nimages;            /* images read: vso_platform.image counts them */
  /* private */
  bool merge_repos_;         /* merge repos by name (only when there are includes) */
} vso_manifest;

/* Loads the manifest at path and its includes.  On failure returns false
 * with one line in err naming the file and the JSON path of the problem
 * (e.g. "$.repos[0].images[3].platforms[1].os"). */
bool vso_manifest_load(const char *path, vso_manifest *m, vso_buf *err);
void vso_manifest_free(vso_manifest *m);
/* Appends a copy of s to the list *strings of *n (warnings, names).  False
 * when memory runs out. */
bool vso_manifest_add_string(char ***strings, size_t *n, const char *s);

#endif
