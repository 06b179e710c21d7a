/* SPDX-License-Identifier: MIT */
/* The sub-commands of vsorelay, one file each (cmd_<name>.c).  Each takes
 * the parsed options and returns vsorelay's exit status (outcome.h). */
#ifndef VSO_COMMANDS_H
#define VSO_COMMANDS_H

#include "options.h"

/* vsorelay run -- COMMAND: relay the command's output, hold its variables,
 * judge them, re-emit them or fail the step. */
int vso_cmd_run(const vso_options *opts);
/* vsorelay replay [FILE...]: the same reading and judgement, offline. */
int vso_cmd_replay(const vso_options *opts);
/* vsorelay expect --manifest FILE: the matrix names a manifest yields. */
int vso_cmd_expect(const vso_options *opts);

#endif
