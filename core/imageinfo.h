/* SPDX-License-Identifier: MIT */
/* ImageBuilder's image-info file (the "versions repo" ledger, or a build's
 * own image-info.json) as generateBuildMatrix reads it with --image-info:
 * the platforms it marks isUnchanged are left out of every matrix
 * (GenerateBuildMatrixCommand.GetPlatformsAsync; docs/imagebuilder.md,
 * "Image info"). */
#ifndef VSO_IMAGEINFO_H
#define VSO_IMAGEINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "manifest.h"

typedef struct vso_image_info_platform {
  char *dockerfile;    /* owned, as every string here */
  char *os_type;       /* "Linux", "Windows": the OS enum's name */
  char *os_version;
  char *architecture;  /* display name: "arm32", "arm64", "amd64" */
  bool has_tags;       /* simpleTags holds at least one tag */
  bool unchanged;      /* isUnchanged */
} vso_image_info_platform;

typedef struct vso_image_info_image {
  char *product_version;  /* or NULL */
  vso_image_info_platform *platforms;
  size_t n, cap;
} vso_image_info_image;

typedef struct vso_image_info_repo {
  char *repo;
  vso_image_info_image *images;
  size_t n, cap;
} vso_image_info_repo;

typedef struct vso_image_info {
  vso_image_info_repo *repos;
  size_t n, cap;
} vso_image_info;

/* Reads the image-info file at path.  On failure returns false with one
 * line in err naming the file and the JSON path of the problem (e.g.
 * "$.repos[0].images[1].platforms[2].osType: missing (required)"). */
bool vso_image_info_load(const char *path, vso_image_info *out, vso_buf *err);
void vso_image_info_free(vso_image_info *ii);

/* Marks the platforms of m whose matching image-info entry is isUnchanged,
 * matched as ImageBuilder matches them (ImageInfoHelper.LoadFromContent and
 * GetMatchingPlatformData).  vars ("name=value", as ImageBuilder's --var)
 * override the manifest's variables in product versions.  Returns false
 * when a match could not be decided as ImageBuilder decides it (a product
 * version holds a variable vsorelay cannot resolve), with why in *why
 * (static text); the marks are then a guess.  Returns how many platforms
 * it marked in *marked. */
bool vso_image_info_mark(const vso_image_info *ii, vso_manifest *m, const char *const *vars, size_t nvars,
                         size_t *marked, const char **why);

#endif
