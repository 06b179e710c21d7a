/* SPDX-License-Identifier: MIT */
/* Text transformations for everything vsorelay itself prints about a
 * child's output: secret masking, quoting for one-line diagnostics, JSON
 * strings; the agent's own deactivation is the dialect's (dialect.h).
 * Nothing vsorelay prints may carry a child's command or secret in a form
 * the agent would execute or show. */
#ifndef VSO_TEXT_H
#define VSO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dialect.h"

/* The secrets seen so far: values of issecret=true variables and the data of
 * task.setsecret.  Masked as "***", as the agent masks them. */
typedef struct vso_secrets {
  char **items;
  size_t *lens;
  size_t n;
  /* Masking skips to the next byte that starts a secret: with memchr when
   * one byte starts them all (one secret, the usual case), else through
   * this table.  Without it, a relay with --capture and one secret ran at
   * 100 MB/s, comparing every secret at every byte. */
  bool starts[256];
  int first_byte;      /* the byte every secret starts with, or -1 */
} vso_secrets;

bool vso_secrets_add(vso_secrets *s, const char *p, size_t n);
bool vso_secrets_empty(const vso_secrets *s);
/* Appends p[0..n) to out with every registered secret replaced by "***". */
bool vso_mask(const vso_secrets *s, const char *p, size_t n, vso_buf *out);
/* The same for a stream that goes on: stops where the rest of p could be
 * the beginning of a secret that the next bytes complete, and says in *done
 * how much it masked.  The caller keeps p[*done..n) and puts it before the
 * next bytes (or masks it with vso_mask at the end of the stream). */
bool vso_mask_complete(const vso_secrets *s, const char *p, size_t n, vso_buf *out, size_t *done);
void vso_secrets_free(vso_secrets *s);

/* For a diagnostic or issue message: masks secrets, deactivates "##vso",
 * shows control bytes as \r \n \t \xNN and invalid UTF-8 as \xNN, so the
 * result is one printable line the agent cannot execute. */
bool vso_quote(const vso_secrets *s, const char *p, size_t n, vso_buf *out);

/* Appends p[0..n) as a JSON string literal: valid UTF-8 passes, invalid
 * bytes become U+FFFD, control characters are escaped, and the second byte
 * of the dialect's keyword (the second '#' of "##vso", any case) is written
 * as a \u escape, so that no line of the JSON is a logging command the
 * agent would run. */
bool vso_json_string(vso_buf *out, const char *p, size_t n);

/* Length of the valid UTF-8 sequence at p (1–4), or 0 if invalid. */
size_t vso_utf8_seq(const unsigned char *p, size_t n);

#endif
