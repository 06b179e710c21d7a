/* SPDX-License-Identifier: MIT */
/* Files vsorelay leaves behind.  A report or summary is written atomically:
 * a temporary file ".NAME.XXXXXX" in the destination's directory (owner
 * only), every byte written (writer.c) and flushed to disk, then renamed
 * over the destination; a reader never sees half a file, and a failure
 * leaves the old file in place.  The system calls are platform.h's. */
#ifndef VSO_FILES_H
#define VSO_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* False with err set (naming the path and the reason) when it cannot. */
bool vso_file_replace(const char *path, const char *data, size_t len, vso_buf *err);
/* Whether vso_file_replace could start: the temporary file can be created
 * (it is removed again). */
bool vso_file_creatable(const char *path, vso_buf *err);

#endif
