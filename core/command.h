/* SPDX-License-Identifier: MIT */
/* The agent's logging-command grammar: Command.TryParse and
 * CommandStringConvertor from microsoft/azure-pipelines-agent, to the byte
 * (docs/agent.md, "Grammar" and "Escaping"). */
#ifndef VSO_COMMAND_H
#define VSO_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct vso_prop {
  vso_slice key;    /* as first spelled, not trimmed */
  vso_slice value;  /* unescaped; the last value given for the key */
} vso_prop;

#define VSO_FEW_PROPS 4

/* A parsed logging command.  Every slice is borrowed: it points into the
 * parsed line, or, where unescaping changed it, into the command's own
 * buffer (unescaped_), so it is valid while both live.  A vso_command must
 * not be copied by value: props may point into it. */
typedef struct vso_command {
  /* read-only */
  vso_slice area;         /* as spelled in the line */
  vso_slice event;
  vso_slice data;         /* unescaped, may be empty */
  size_t data_at;         /* where the data starts in the line: just after the ']' */
  const vso_prop *props;  /* in the order first seen */
  size_t nprops;
  /* private */
  vso_prop few_[VSO_FEW_PROPS]; /* task.setvariable has four: no allocation for them */
  vso_prop *heap_;              /* past VSO_FEW_PROPS properties */
  size_t cap_;
  vso_buf unescaped_;           /* every unescaped value, reserved once */
} vso_command;

/* Command.TryParse: parses one line the way the agent does.  The line may
 * hold anything before "##vso[".  Returns false when the agent would not
 * treat it as a command (and leaves *out empty); true with *out filled
 * otherwise.  Returns false and sets *oom when memory runs out.  Nothing is
 * copied that needs no unescaping, so a command without escapes costs no
 * allocation, and a 64 MiB value is never held twice. */
bool vso_parse_command(const char *line, size_t len, bool decode_percents, vso_command *out, bool *oom);
/* The same for a line whose "##vso[" is known to start at offset at (the
 * scanner found it): it is not searched again. */
bool vso_parse_command_at(const char *line, size_t len, size_t at, bool decode_percents, vso_command *out,
                          bool *oom);
/* Takes the command's buffer of unescaped text over, so that its slices stay
 * valid after vso_command_free (the analysis keeps a setvariable's value). */
void vso_command_keep_unescaped(vso_command *cmd, vso_buf *out);
void vso_command_free(vso_command *cmd);

/* Case-insensitive property lookup (the agent's OrdinalIgnoreCase, for ASCII). */
const vso_prop *vso_command_prop(const vso_command *cmd, const char *key);

/* CommandStringConvertor.Unescape: %3B %0D %0A %5D, then %AZP25 if asked. */
bool vso_unescape(const char *p, size_t n, bool decode_percents, vso_buf *out);
/* CommandStringConvertor.Escape with percents on: % first, then ; \r \n ]. */
bool vso_escape(const char *p, size_t n, vso_buf *out);
/* CommandStringConvertor.Escape(p, percents), for an agent that decodes
 * percents or not: without decoding, a '%' stays as it is (the agent would
 * not turn %AZP25 back into one). */
bool vso_escape_as(const char *p, size_t n, bool decode_percents, vso_buf *out);
/* Whether vso_escape_as would change p (most values: no, and then there is
 * nothing to build). */
bool vso_escape_changes(const char *p, size_t n, bool decode_percents);

/* .NET's StringComparison.OrdinalIgnoreCase on two UTF-8 byte strings, the
 * way the agent compares names: "Über" equals "über" (casefold.h). */
bool vso_ieq(const char *a, size_t an, const char *b, size_t bn);

#endif
