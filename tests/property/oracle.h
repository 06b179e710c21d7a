/* SPDX-License-Identifier: MIT */
/* The property test's own model of the agent, written apart from
 * vsorelay's core (it parses with tests/fuzz/reference_command.c, the plain
 * transcription of the agent's Command.TryParse), and the invariants of a
 * run checked against it. */
#ifndef VSO_PROP_ORACLE_H
#define VSO_PROP_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "prop.h"

/* What one run left behind. */
typedef struct prop_result {
  bool signalled;          /* vsorelay itself died of a signal */
  int code;                /* its exit status */
  int replay_code;         /* replay of the capture, or -1 when not run */
  const char *out, *err;   /* its stdout and stderr */
  size_t nout, nerr;
  const char *files[3];    /* the capture, the report, the summary (NULL: none) */
  size_t nfiles[3];
  const char *replay_report; /* replay's --report, when the run wrote one (NULL: none) */
} prop_result;

/* The first invariant that does not hold, in words (into why), or false
 * when all hold:
 *   - vsorelay ends with an exit status it may give (never a signal, never
 *     its own failure here);
 *   - exit 0 only if, reading vsorelay's stdout as the agent does, every
 *     expected variable is set as an output with a non-empty value, and
 *     every matrix the generator's listing announced (scenario.c) is set as
 *     an output holding exactly the announced legs;
 *   - no secret in the capture, report or summary, and on stdout and
 *     stderr only inside logging commands or after the agent registered it;
 *   - no logging command reaches the agent that vsorelay did not intend:
 *     vsorelay's own, the command's own that pass through, and the
 *     command's variables only when the step passes (or with --stream);
 *   - replay of the capture exits as the run did, and names the same
 *     missing and invalid variables in its report. */
bool prop_violation(const prop_scenario *s, const prop_result *r, char *why, size_t size);

#endif
