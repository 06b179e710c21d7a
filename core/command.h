/* SPDX-License-Identifier: MIT */
/* The agent's logging-command grammar: Command.TryParse and
 * CommandStringConvertor from microsoft/azure-pipelines-agent, to the byte.
 * See ../shared/reference/azure-logging-commands.md §2–§3. */
#ifndef VSO_COMMAND_H
#define VSO_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct vso_str {
  char *p;      /* NUL-terminated for convenience (but see borrowing below); may hold NULs */
  size_t n;
} vso_str;

typedef struct vso_prop {
  vso_str key;    /* as first spelled, not trimmed */
  vso_str value;  /* unescaped; the last value given for the key */
  bool key_owned, value_owned;  /* false: points into the parsed line */
} vso_prop;

#define VSO_FEW_PROPS 4

/* A vso_command must not be copied by value: props may point into it. */
typedef struct vso_command {
  vso_str area;   /* as spelled in the line */
  vso_str event;
  vso_prop *props;  /* few, or the heap past VSO_FEW_PROPS properties */
  size_t nprops, props_cap;
  /* task.setvariable has four properties: storing them in the command
   * itself saves an allocation per command, which a log of millions feels */
  vso_prop few[VSO_FEW_PROPS];
  vso_str data;   /* unescaped, may be empty */
  bool area_owned, event_owned;
  bool data_borrowed; /* data points into the parsed line (see below) */
} vso_command;

/* Parse one line the way the agent does.  The line may hold anything before
 * "##vso[".  Returns false when the agent would not treat it as a command
 * (and leaves *out empty); true with *out filled otherwise.  Returns false and
 * sets *oom when memory runs out. */
bool vso_parse_command(const char *line, size_t len, bool decode_percents, vso_command *out,
                       bool *oom);
/* The same, but nothing is copied that needs no unescaping: area, event,
 * keys, and values and data without '%', point into line, which must stay
 * valid while the command is used.  Such strings are NOT NUL-terminated.
 * A 64 MiB value is then not held twice, and a command without escapes
 * costs no allocation at all. */
bool vso_parse_command_borrowing(const char *line, size_t len, bool decode_percents, vso_command *out,
                                 bool *oom);
void vso_command_free(vso_command *cmd);

/* Case-insensitive property lookup (the agent's OrdinalIgnoreCase, for ASCII). */
const vso_prop *vso_command_prop(const vso_command *cmd, const char *key);

/* CommandStringConvertor.Unescape: %3B %0D %0A %5D, then %AZP25 if asked. */
bool vso_unescape(const char *p, size_t n, bool decode_percents, vso_buf *out);
/* CommandStringConvertor.Escape with percents on: % first, then ; \r \n ]. */
bool vso_escape(const char *p, size_t n, vso_buf *out);

/* ASCII case-insensitive equality of two byte strings. */
bool vso_ieq(const char *a, size_t an, const char *b, size_t bn);

#endif
