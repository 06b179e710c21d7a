/* SPDX-License-Identifier: MIT */
#ifndef VSO_REPLAY_H
#define VSO_REPLAY_H

#include "options.h"

/* Returns the exit status: 0 passed, 3 expectations failed, 2 usage or
 * unreadable file, 125 vsorelay's own failure. */
int vso_replay(const vso_options *opts);

#endif
