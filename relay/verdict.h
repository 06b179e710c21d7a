/* SPDX-License-Identifier: MIT */
/* The end of a run in words, from one place: what the person reading the
 * step's log (or the summary's first lines) learns about what happened and
 * what to do.  docs/reference.md ("The log") shows each case.
 *
 * Every function appends one line of vsorelay's own words, without the
 * "vsorelay: " prefix and without a line end.  Whatever it quotes (names,
 * Dockerfiles) is quoted once: masked with the outcome's secrets (the final
 * set), "##vso" deactivated, control bytes escaped; a list is cut to length
 * after that.  The caller makes the line a logging command
 * (vso_out_command), a line on stderr (vso_warn) or Markdown. */
#ifndef VSO_VERDICT_H
#define VSO_VERDICT_H

#include <stdbool.h>

#include "buf.h"
#include "expect.h"
#include "outcome.h"

/* "5 of 5 expected output variables verified (linuxArm32, …)", or
 * "no expected output variables to verify (none given, no generator
 * announcement seen)"; then, when the manifest's names were only an upper
 * bound, "; not set, as the manifest's upper bound allows: linuxArm64". */
bool vso_words_verified(const vso_outcome *o, vso_buf *out);

/* "3 of 5 expected output variables missing or unusable" (of those that
 * count: an upper bound's absent names do not), or "the expected output
 * variables could not be checked" when that alone failed the step. */
bool vso_words_unmet_count(const vso_outcome *o, vso_buf *out);

/* One unmet expectation: its status, what it stood for, and, when the
 * command succeeded but the variable never arrived, the lost tail and what
 * to do about it. */
bool vso_words_unmet(const vso_outcome *o, const vso_expectation *x, vso_buf *out);

/* What the name stood for: "linuxAmd64: src/a, src/b, … (amd64)" (the
 * Dockerfiles sorted, cut at about a line's width), or the name alone when
 * no source knows.  all: every Dockerfile (the summary), not cut. */
bool vso_words_stands_for(const vso_secrets *secrets, const vso_expectation *x, bool all, vso_buf *out);
/* The same without the name: "src/a, src/b, … (amd64)", or nothing. */
bool vso_words_platforms(const vso_secrets *secrets, const vso_expectation *x, bool all, vso_buf *out);

/* Every expected name, in the order added: "linuxAmd64, linuxArm64, … and
 * 12 more".  secrets may be NULL (before the command runs). */
bool vso_words_names(const vso_secrets *secrets, const vso_expect_set *e, vso_buf *out);

/* The command did not end well (its status, a signal, a timeout, vsorelay
 * stopped): nothing was re-emitted, and which expected variables had
 * arrived.  Appends nothing when there is nothing to say: the command
 * failed, but nothing was expected and nothing held, so the agent's own
 * "exited with code" says it all. */
bool vso_words_command_failed(const vso_outcome *o, vso_buf *out);

/* A failed attempt of --retries: what it lost (and why its expectations
 * could not be checked, when unchecked is not NULL), and that the command
 * runs again.  succeeded: the attempt's command exited 0. */
bool vso_words_attempt_lost(const vso_expect_set *e, const vso_secrets *secrets, const char *unchecked, int attempt,
                            int attempts, bool succeeded, vso_buf *out);

/* An attempt that printed no generator announcement, while an earlier one
 * did: the earlier listing is what is checked (announce.h). */
bool vso_words_announcement_carried(int attempt, vso_buf *out);

/* A run that passed after attempts that lost variables: "passed on attempt
 * 3, after 2 attempts that lost expected output variables". */
bool vso_words_passed_after_retries(const vso_outcome *o, vso_buf *out);

/* "SIGKILL" for 9, or NULL for a signal without a name here. */
const char *vso_signal_name(int sig);

#endif
