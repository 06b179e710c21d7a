/* SPDX-License-Identifier: MIT */
/* A text being built in memory (the JSON report, the Markdown summary): the
 * first allocation that fails is remembered, so a writer checks once, at
 * the end, instead of after every piece. */
#ifndef VSO_BUILDER_H
#define VSO_BUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

#include "buf.h"
#include "text.h"

typedef struct vso_builder {
  vso_buf b;                  /* public: the text so far */
  const vso_secrets *secrets; /* public: masked in every piece of child text */
  bool ok;                    /* read-only: false once memory ran out */
} vso_builder;

void vso_put(vso_builder *w, const char *s);
void vso_putn(vso_builder *w, const char *p, size_t n);
/* At most 255 bytes a call: numbers and short words. */
void vso_putf(vso_builder *w, const char *fmt, ...) VSO_PRINTF(2, 3);

#endif
