/* SPDX-License-Identifier: MIT */
/* ImageBuilder's own arguments in the command vsorelay runs: when the
 * command line holds ImageBuilder's generateBuildMatrix (docker-tools runs
 * `$(runImageBuilderBaseCmd) $(imageBuilderImageName) generateBuildMatrix
 * --manifest manifest.json --type platformDependencyGraph --os-type '*'
 * --architecture '*' ...`, or on Windows `...\Microsoft.DotNet.ImageBuilder.exe
 * generateBuildMatrix ...`), the options that decide which matrices it
 * emits, read as its System.CommandLine parser reads them
 * (docs/imagebuilder.md, "ImageBuilder's command line"). */
#ifndef VSO_IBARGS_H
#define VSO_IBARGS_H

#include <stdbool.h>
#include <stddef.h>

/* A list of values, each borrowed from the command line. */
typedef struct vso_ib_list {
  const char **items;
  size_t n;
} vso_ib_list;

typedef struct vso_ib_args {
  /* read-only; every string is borrowed from the command line */
  bool found;                 /* the command line holds generateBuildMatrix */
  int at;                     /* its position in the command line */
  const char *manifest;       /* --manifest, or ImageBuilder's default "manifest.json" */
  const char *type;           /* --type, or NULL */
  const char *os_type;        /* --os-type, or NULL: ImageBuilder's default, the Docker host's */
  const char *architecture;   /* --architecture, or NULL: the same */
  vso_ib_list os_versions, paths, distinct_os_versions, repos, vars;
  const char *image_info;     /* --image-info, or NULL */
  bool trim_cached_images;    /* --trim-cached-images */
  /* what vsorelay cannot follow */
  bool product_versions;      /* --version: a filter on product versions, not applied here */
  bool response_file;         /* an @file: arguments vsorelay does not see */
  bool help;                  /* -h, --help, -?: ImageBuilder prints its help */
  const char *stray;          /* a word ImageBuilder would refuse, or NULL */
} vso_ib_args;

/* Looks for generateBuildMatrix among argv[0..argc) and reads the words
 * after it.  False only when memory runs out. */
bool vso_ib_args_read(char *const *argv, int argc, vso_ib_args *out);
void vso_ib_args_free(vso_ib_args *a);

/* ImageBuilder's defaults for --os-type and --architecture: the Docker
 * host's OS and architecture (DockerHelper), taken here as those of the
 * machine vsorelay was built for ("linux" or "windows"; "amd64", "arm64",
 * "arm"), or NULL when it is none of those. */
const char *vso_ib_default_os_type(void);
const char *vso_ib_default_architecture(void);

#endif
