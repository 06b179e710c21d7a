/* SPDX-License-Identifier: MIT */
/* Command-line options of every sub-command, parsed into one structure. */
#ifndef VSO_OPTIONS_H
#define VSO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

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
  const char *os_type, *architecture, *os_version;
  vso_strlist paths;
  vso_strlist distinct_os_versions;
  bool matrix;
  vso_knobs knobs;              /* the agent's settings (DECODE_PERCENTS, --no-decode-percents) */
  /* outputs */
  vso_format format;
  const char *report;
  const char *summary;
  const char *capture;
  /* run */
  int retries;
  bool stream;
  double drain_timeout;   /* seconds */
  double timeout;         /* seconds, 0 = none */
  double kill_after;      /* seconds */
  /* restricted mode */
  bool restrict_commands;
  vso_strlist allow_variables;
  /* operands: the command (run) or the files (replay) */
  char **operands;
  int noperands;
} vso_options;

/* Parses argv.  On a usage error returns false with a message in err. */
bool vso_parse_options(int argc, char **argv, vso_options *o, vso_buf *err);
void vso_options_free(vso_options *o);
/* --restrict and --allow-variables as the agent's restrictions: false when
 * memory runs out. */
bool vso_options_policy(const vso_options *o, vso_policy *policy);

/* "1.5", "250ms", "2s", "1m": seconds, or -1 when malformed. */
double vso_parse_duration(const char *s);

extern const char vso_usage[];

#endif
