/* SPDX-License-Identifier: MIT */
#include "builder.h"

#include <stdarg.h>
#include <stdio.h>

void vso_put(vso_builder *w, const char *s) {
  if (w->ok && !vso_buf_append_str(&w->b, s)) w->ok = false;
}

void vso_putn(vso_builder *w, const char *p, size_t n) {
  if (w->ok && !vso_buf_append(&w->b, p, n)) w->ok = false;
}

void vso_putf(vso_builder *w, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    w->ok = false;
    return;
  }
  vso_putn(w, tmp, (size_t)n);
}
