/* SPDX-License-Identifier: MIT */
/* The JSON report of a run or a replay (--report). */
#ifndef VSO_REPORT_H
#define VSO_REPORT_H

#include <stdbool.h>

#include "buf.h"
#include "outcome.h"

/* Writes the report to path atomically, mode 0600.  False with err set when
 * it cannot. */
bool vso_write_report(const char *path, const vso_outcome *o, vso_buf *err);

#endif
