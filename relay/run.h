/* SPDX-License-Identifier: MIT */
#ifndef VSO_RUN_H
#define VSO_RUN_H

#include "options.h"

/* vsorelay run: returns the exit status (see vso_usage). */
int vso_run(const vso_options *opts);

#endif
