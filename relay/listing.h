/* SPDX-License-Identifier: MIT */
/* The listing of `replay` (--format text): what was read and judged. */
#ifndef VSO_LISTING_H
#define VSO_LISTING_H

#include <stdio.h>

#include "outcome.h"

void vso_print_listing(FILE *f, const vso_outcome *o);

#endif
