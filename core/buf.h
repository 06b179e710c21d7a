/* SPDX-License-Identifier: MIT */
/* A growable byte buffer.  Every piece of child output vsorelay keeps lives in
 * one of these, so memory stays proportional to what is actually held. */
#ifndef VSO_BUF_H
#define VSO_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vso_buf {
  char *data;   /* always NUL-terminated when non-NULL, for convenience only: */
  size_t len;   /* the bytes may hold NULs, so len is the truth.              */
  size_t cap;
} vso_buf;

/* Each returns false when memory runs out; the buffer is then unchanged. */
bool vso_buf_append(vso_buf *b, const void *p, size_t n);
bool vso_buf_append_str(vso_buf *b, const char *s);
bool vso_buf_append_char(vso_buf *b, char c);
bool vso_buf_reserve(vso_buf *b, size_t extra);
void vso_buf_clear(vso_buf *b);
void vso_buf_free(vso_buf *b);
/* Hand the bytes to the caller (who frees them) and reset the buffer. */
char *vso_buf_steal(vso_buf *b, size_t *len);

/* Makes room for one more element in *array (of *cap), doubling the capacity
 * so that n appends cost O(n).  False when memory runs out. */
bool vso_grow(void *array, size_t *cap, size_t n, size_t elem);

#endif
