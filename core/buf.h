/* SPDX-License-Identifier: MIT */
/* Bytes, and who owns them.
 *
 * THE OWNERSHIP RULE, for every structure of vsorelay:
 *
 *   - A vso_slice (or a const char *) is BORROWED: it points into bytes
 *     that someone else owns and that outlive the structure holding it; the
 *     field's comment names that owner.  It is never freed, never written
 *     through, and never NUL-terminated unless it says so.
 *   - A vso_buf (or a char *) is OWNED by the structure that holds it and
 *     is freed by that structure's own free function.
 *
 * No field is sometimes one and sometimes the other, and no flag says which:
 * where a result may come from the input or from a copy (an unescaped
 * value), the structure owns a buffer for the copies and hands out slices
 * of either (vso_command, vso_setvar).  Ownership moves only by taking a
 * whole buffer (vso_buf_steal, vso_line_keep), never by casting const away.
 *
 * Every piece of child output vsorelay keeps lives in a vso_buf, so memory
 * stays proportional to what is actually held. */
#ifndef VSO_BUF_H
#define VSO_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

/* Borrowed bytes: p[0..n), which may hold NULs.  p == NULL means "none"
 * (not the same as an empty slice, whose p points somewhere). */
typedef struct vso_slice {
  const char *p;
  size_t n;
} vso_slice;

/* Owned, growable bytes. */
typedef struct vso_buf {
  char *data;   /* always NUL-terminated when non-NULL, for convenience only: */
  size_t len;   /* the bytes may hold NULs, so len is the truth.              */
  size_t cap;
} vso_buf;

/* Each returns false when memory runs out; the buffer is then unchanged. */
bool vso_buf_append(vso_buf *b, const void *p, size_t n);
bool vso_buf_append_str(vso_buf *b, const char *s);
bool vso_buf_append_char(vso_buf *b, char c);
bool vso_buf_appendf(vso_buf *b, const char *fmt, ...) VSO_PRINTF(2, 3);
bool vso_buf_reserve(vso_buf *b, size_t extra);
void vso_buf_clear(vso_buf *b);
void vso_buf_free(vso_buf *b);
/* Hand the bytes to the caller (who frees them) and reset the buffer. */
char *vso_buf_steal(vso_buf *b, size_t *len);
/* The buffer's bytes as a slice (valid until the buffer changes). */
vso_slice vso_buf_slice(const vso_buf *b);

/* Whether s holds exactly the bytes of the C string text. */
bool vso_slice_is(vso_slice s, const char *text);
/* An owned, NUL-terminated copy of s (strndup, which msvcrt lacks; s.p may
 * be NULL when s.n is 0), or NULL when memory runs out. */
char *vso_slice_dup(vso_slice s);

/* Makes room for one more element in *array (of *cap), doubling the capacity
 * so that n appends cost O(n).  False when memory runs out. */
bool vso_grow(void *array, size_t *cap, size_t n, size_t elem);

#endif
