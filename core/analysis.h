/* SPDX-License-Identifier: MIT */
/* What the agent makes of the logging commands in a step's output: the
 * command parser's results, task.setvariable semantics (§5 of
 * azure-logging-commands.md), secrets, and the diagnostics for everything
 * that would make the agent warn or fail the step.  Fed one held line at a
 * time by the scanner, from any number of sources (streams or files). */
#ifndef VSO_ANALYSIS_H
#define VSO_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"
#include "nameindex.h"
#include "policy.h"
#include "scan.h"
#include "text.h"

typedef enum { VSO_WARNING, VSO_ERROR } vso_severity;

typedef struct vso_diag {
  vso_severity severity;
  const char *source;  /* stream or file name, owned by the caller */
  uint64_t line_no;    /* 0 when not tied to a line */
  char *message;       /* already quoted: safe to print as it is */
} vso_diag;

typedef struct vso_setvar {
  vso_str name;        /* p == NULL when the command has no usable name; may point
                          into raw (name_in_raw), so it is not NUL-terminated */
  vso_str value;        /* may point into raw (value_in_raw) */
  bool name_in_raw, value_in_raw;
  bool is_secret, is_output, is_readonly;
  const char *source;
  uint64_t line_no;
  vso_str raw;         /* the line from "##vso[" to its end, as received */
  bool rejected;       /* the agent fails the step on it (see diagnostics) */
  bool refused;        /* not allowed by the policy: the agent does not set it */
} vso_setvar;

typedef struct vso_count {
  char *name;          /* "area.event", lower-cased (ASCII) */
  size_t len;
  uint64_t n;
} vso_count;

typedef enum {
  VSO_LINE_NOT_COMMAND,   /* holds "##vso[" but the agent prints it as text */
  VSO_LINE_COMMAND,       /* a command other than those below */
  VSO_LINE_COMPLETE,      /* task.complete: after done=true the agent drops what follows */
  VSO_LINE_SETVARIABLE,   /* a task.setvariable (see the last entry of setvars) */
  VSO_LINE_REFUSED,       /* a command the policy does not allow: the agent skips it */
} vso_line_kind;

typedef struct vso_analysis {
  bool decode_percents;
  bool out_of_memory;
  uint64_t commands;
  vso_count *counts;       /* in the order first seen */
  size_t ncounts, counts_cap;
  vso_name_index count_index; /* name -> position in counts */
  size_t last_count;          /* the entry counted last */
  vso_setvar *setvars;    /* every task.setvariable, in order */
  size_t nsetvars, setvars_cap;
  vso_name_index last_set; /* name -> index in setvars of its last carried-out set */
  vso_diag *diags;
  size_t ndiags, diags_cap;
  vso_secrets secrets;
  const vso_policy *policy;  /* optional: --restrict, --allow-variables */
  /* Optional observer, called for each parsed command (replay --format json). */
  void (*on_command)(void *ctx, const vso_command *cmd, const vso_line *line, const char *source,
                     bool is_secret_value);
  void *on_command_ctx;
} vso_analysis;

void vso_analysis_init(vso_analysis *a, bool decode_percents);
void vso_analysis_free(vso_analysis *a);

/* Read one held line (from the scanner) as the agent would. */
vso_line_kind vso_analysis_line(vso_analysis *a, const vso_line *line, const char *source);

/* Record a diagnostic; fmt's arguments must already be quoted. */
void vso_analysis_diag(vso_analysis *a, vso_severity sev, const char *source, uint64_t line_no,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The last setvariable for name (case-insensitive) that the agent would
 * carry out (not refused by the policy), or NULL. */
const vso_setvar *vso_analysis_last(const vso_analysis *a, const char *name, size_t n);

/* Boolean.TryParse: "true"/"false" in any case, surrounding white space and
 * NULs ignored; anything else is false. */
bool vso_parse_bool(const char *p, size_t n);

/* Whether the agent knows area.event (case-insensitive): 1 known command,
 * 0 known area but unknown event (fails the step), -1 unknown area (warns). */
int vso_known_command(const char *area, size_t an, const char *event, size_t en);

/* The length of the line up to and including the ']' that ends its command
 * (what stays visible when a secret value is hidden), or its whole length. */
size_t vso_line_visible_part(const vso_line *line);

/* The neutralised live copy of a held line: "##vso" deactivated, a secret
 * variable's value shown as "***", registered secrets masked. */
bool vso_neutralise(const vso_analysis *a, const vso_line *line, bool secret_value, vso_buf *out);

#endif
