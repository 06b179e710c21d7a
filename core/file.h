/* SPDX-License-Identifier: MIT */
/* Reading a whole (small) file: manifests, includes, expectation lists. */
#ifndef VSO_FILE_H
#define VSO_FILE_H

#include <stddef.h>

#include "buf.h"

/* Appends the file at path to out (NUL-terminated).  Returns 0, or an errno
 * value: EFBIG when it holds more than max bytes, ENOMEM. */
int vso_read_file(const char *path, size_t max, vso_buf *out);

#endif
