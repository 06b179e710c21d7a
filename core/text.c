/* SPDX-License-Identifier: MIT */
#include "text.h"

#include "dialect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t vso_utf8_seq(const unsigned char *p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else
    return 0;
  if (n < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return len;
}

bool vso_quote(const vso_secrets *s, const char *p, size_t n, vso_buf *out) {
  vso_buf masked = {0}, plain = {0};
  bool ok = vso_mask(s, p, n, &masked) && vso_deactivate(masked.data ? masked.data : "", masked.len, &plain);
  const unsigned char *q = (const unsigned char *)(plain.data ? plain.data : "");
  for (size_t i = 0; ok && i < plain.len;) {
    size_t seq = vso_utf8_seq(q + i, plain.len - i);
    char esc[8];
    if (seq == 1 && (q[i] < 0x20 || q[i] == 0x7F)) {
      const char *named = q[i] == '\r' ? "\\r" : q[i] == '\n' ? "\\n" : q[i] == '\t' ? "\\t" : NULL;
      if (!named) snprintf(esc, sizeof esc, "\\x%02X", q[i]);
      ok = vso_buf_append_str(out, named ? named : esc);
      i++;
    } else if (seq == 1 && q[i] == '\\') {
      ok = vso_buf_append_str(out, "\\\\");
      i++;
    } else if (seq == 0) {
      snprintf(esc, sizeof esc, "\\x%02X", q[i]);
      ok = vso_buf_append_str(out, esc);
      i++;
    } else {
      ok = vso_buf_append(out, q + i, seq);
      i += seq;
    }
  }
  vso_buf_free(&masked);
  vso_buf_free(&plain);
  return ok && vso_buf_append(out, "", 0); /* a NUL-terminated string even when empty */
}

bool vso_json_string(vso_buf *out, const char *p, size_t n) {
  const unsigned char *q = (const unsigned char *)p;
  if (!vso_buf_append_char(out, '"')) return false;
  size_t from = 0;
  size_t keyword = vso_next_keyword(p, n); /* where the next "##vso" starts */
  for (size_t i = 0; i < n;) {
    size_t seq = vso_utf8_seq(q + i, n - i);
    /* the keyword's second byte as \u00XX ("##vso": \u0023): the same string
     * once parsed, but a line of this JSON printed in a step is no command */
    bool hide_hash = i == keyword + 1;
    if (!hide_hash && (seq > 1 || (seq == 1 && q[i] >= 0x20 && q[i] != '"' && q[i] != '\\' && q[i] != 0x7F))) {
      i += seq;
      continue;
    }
    if (!vso_buf_append(out, p + from, i - from)) return false;
    char esc[8];
    const char *rep = esc;
    if (hide_hash) snprintf(esc, sizeof esc, "\\u%04x", q[i]);
    else if (seq == 0) rep = "\xEF\xBF\xBD"; /* U+FFFD */
    else if (q[i] == '"') rep = "\\\"";
    else if (q[i] == '\\') rep = "\\\\";
    else if (q[i] == '\n') rep = "\\n";
    else if (q[i] == '\r') rep = "\\r";
    else if (q[i] == '\t') rep = "\\t";
    else snprintf(esc, sizeof esc, "\\u%04x", q[i]);
    if (!vso_buf_append_str(out, rep)) return false;
    size_t rest = vso_dialect_keyword_len - 1;
    if (hide_hash) keyword = i + rest + vso_next_keyword(p + i + rest, n - i - rest);
    i++;
    from = i;
  }
  return vso_buf_append(out, p + from, n - from) && vso_buf_append_char(out, '"');
}
