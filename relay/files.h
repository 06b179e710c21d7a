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
/* Whether vso_file_replace could start: path names no directory, and the
 * temporary file can be created (it is removed again).  False with err set
 * and errno kept (vso_errno_is_resource tells a process out of descriptors
 * from a wrong path). */
bool vso_file_creatable(const char *path, vso_buf *err);
/* Creates a new private file that replaces whatever is at path (a file, or
 * a symbolic link, which is replaced, not followed, as a report replaces
 * it): a temporary file in its directory renamed over it at once, so the
 * capture is there to read while the command runs.  A descriptor, or -1
 * with errno set. */
int vso_create_replacing(const char *path);
/* The key that identifies the file path names as a destination: its
 * directory resolved (vso_absolute_path) and its last component as written
 * (a link there is replaced, not followed).  Two destinations with the same
 * key are the same file.  malloc'd, or NULL with errno set. */
char *vso_destination_key(const char *path);
/* Whether errno e says that a resource ran out (descriptors, memory,
 * processes) rather than that a path or a file is wrong: vsorelay's own
 * failure (125), not a usage error (2). */
bool vso_errno_is_resource(int e);

#endif
