/* SPDX-License-Identifier: MIT */
/* Command-line options of every sub-command, parsed into one structure. */
#ifndef VSO_OPTIONS_H
#define VSO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "dialect.h"
#include "policy.h"

typedef enum { VSO_CMD_RUN, VSO_CMD_REPLAY, VSO_CMD_EXPECT, VSO_CMD_HELP, VSO_CMD_VERSION } vso_cmd;
typedef enum { VSO_FORMAT_TEXT, VSO_FORMAT_JSON } vso_format;

typedef struct vso_strlist {
  char **items;
  size_t n;
} vso_strlist;

typedef struct vso_options {
  vso_cmd cmd;
  /* expectations */
  vso_strlist expect_lists;     /* --expect values, as given */
  vso_strlist expect_files;
  const char *manifest;
  const char *os_type, *architecture;
  vso_strlist os_versions;
  vso_strlist paths;
  vso_strlist distinct_os_versions;
  const char *image_info;       /* --image-info */
  bool trim_cached_images;      /* --trim-cached-images */
  bool matrix;
  bool allow_empty;             /* --allow-empty: a source may yield no name */
  bool no_announced;            /* --no-announced: the generator's announcement is not read */
  bool no_imagebuilder_args;    /* --no-imagebuilder-args: the command's own arguments are not read */
  vso_knobs knobs;              /* the agent's settings (DECODE_PERCENTS, --no-decode-percents) */
  /* outputs */
  vso_format format;
  const char *report;
  const char *summary;
  const char *capture;
  /* run */
  int retries;
  bool stream;
  bool verbose;           /* --verbose: the whole neutralised line as a held command's live copy */
  double drain_timeout;   /* seconds */
  double timeout;         /* seconds, 0 = none */
  double kill_after;      /* seconds */
  /* restricted mode */
  bool restrict_commands;
  vso_strlist allow_variables;
  /* the long names of the options set by their VSORELAY_ variable */
  vso_strlist from_environment;
  /* operands: the command (run) or the files (replay) */
  char **operands;
  int noperands;
} vso_options;

/* Parses argv, then the VSORELAY_ variables of the options argv does not
 * give (see vso_option_variable).  On a usage error returns false with a
 * message in err. */
bool vso_parse_options(int argc, char **argv, vso_options *o, vso_buf *err);
/* The environment variable of an option: "--drain-timeout" is
 * VSORELAY_DRAIN_TIMEOUT (name without its dashes; size >= 64). */
void vso_option_variable(const char *long_name, char *out, size_t size);
/* How a message names where an option's value came from: "--expect", or
 * "VSORELAY_EXPECT" when its variable set it.  out has size >= 64. */
const char *vso_option_said(const vso_options *o, const char *long_name, char *out, size_t size);
void vso_options_free(vso_options *o);
/* --restrict and --allow-variables as the agent's restrictions: false when
 * memory runs out. */
bool vso_options_policy(const vso_options *o, vso_policy *policy);

/* The files the options read (--manifest, --expect-file, replay's FILEs),
 * which no destination may replace: a malloc'd array of borrowed pointers
 * (the caller frees the array), *n set; NULL with *n = 0 when there is none,
 * NULL with *n = SIZE_MAX when memory runs out. */
const char **vso_options_inputs(const vso_options *o, size_t *n);

/* A duration as coreutils' timeout reads one, plus milliseconds: a
 * non-negative number, fractions allowed, with an optional suffix ms, s, m,
 * h or d ("1.5", "250ms", "1h", "2d", "inf").  Seconds, or -1 when
 * malformed. */
double vso_parse_duration(const char *s);

/* --help: the usage, then the environment variables (from the option table). */
bool vso_print_usage(FILE *f);

#endif
