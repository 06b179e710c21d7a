/* SPDX-License-Identifier: MIT */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool vso_buf_reserve(vso_buf *b, size_t extra) {
  if (extra >= SIZE_MAX - b->len) return false;
  size_t need = b->len + extra + 1; /* room for the trailing NUL */
  if (need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) { cap = need; break; }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p) return false;
  p[b->len] = '\0'; /* a fresh buffer is an empty string, not garbage */
  b->data = p;
  b->cap = cap;
  return true;
}

bool vso_buf_append(vso_buf *b, const void *p, size_t n) {
  if (!vso_buf_reserve(b, n)) return false;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

bool vso_buf_append_str(vso_buf *b, const char *s) { return vso_buf_append(b, s, strlen(s)); }

bool vso_buf_append_char(vso_buf *b, char c) { return vso_buf_append(b, &c, 1); }

bool vso_buf_appendf(vso_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !vso_buf_reserve(b, (size_t)n)) return false;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return true;
}

void vso_buf_clear(vso_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void vso_buf_free(vso_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

char *vso_buf_steal(vso_buf *b, size_t *len) {
  if (!b->data && !vso_buf_reserve(b, 0)) return NULL;
  char *p = b->data;
  if (len) *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

bool vso_grow(void *array, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return true;
  size_t want = *cap ? *cap * 2 : 16;
  if (want > SIZE_MAX / elem) return false;
  void **p = array;
  void *grown = realloc(*p, want * elem);
  if (!grown) return false;
  *p = grown;
  *cap = want;
  return true;
}

vso_slice vso_buf_slice(const vso_buf *b) { return (vso_slice){b->data ? b->data : "", b->len}; }

bool vso_slice_is(vso_slice s, const char *text) { return s.n == strlen(text) && memcmp(s.p, text, s.n) == 0; }

char *vso_slice_dup(vso_slice s) {
  char *copy = malloc(s.n + 1);
  if (!copy) return NULL;
  if (s.n) memcpy(copy, s.p, s.n);
  copy[s.n] = '\0';
  return copy;
}
