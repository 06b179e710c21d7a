/* SPDX-License-Identifier: MIT */
/* The Markdown summary of a run or a replay (--summary). */
#ifndef VSO_SUMMARY_H
#define VSO_SUMMARY_H

#include <stdbool.h>

#include "buf.h"
#include "outcome.h"

/* Writes the summary to path atomically, mode 0600.  False with err set
 * when it cannot. */
bool vso_write_summary(const char *path, const vso_outcome *o, vso_buf *err);

#endif
