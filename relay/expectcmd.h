/* SPDX-License-Identifier: MIT */
#ifndef VSO_EXPECTCMD_H
#define VSO_EXPECTCMD_H

#include "options.h"

/* vsorelay expect: prints the matrix names a manifest yields. */
int vso_expect_command(const vso_options *opts);

#endif
