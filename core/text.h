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
#include "secrets.h" /* the secret masker: vso_secrets, vso_mask */

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
