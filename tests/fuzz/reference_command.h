/* SPDX-License-Identifier: MIT */
/* A plain transcription of the agent's Command.TryParse, written for
 * clarity, not speed: every field is copied and every Split is literal.
 * fuzz_command checks core/command.c, which is tuned for speed, against it. */
#ifndef VSO_REFERENCE_COMMAND_H
#define VSO_REFERENCE_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ref_field {
  char *p;
  size_t n;
} ref_field;

typedef struct ref_command {
  ref_field area, event, data;
  ref_field keys[64], values[64]; /* a fuzz input of 4 KiB cannot hold more distinct keys... */
  size_t nprops;
  bool too_many;                   /* ...and when it does, the comparison is skipped */
} ref_command;

bool ref_parse_command(const char *line, size_t len, bool decode_percents, ref_command *out);
void ref_command_free(ref_command *cmd);

#endif
