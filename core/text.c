/* SPDX-License-Identifier: MIT */
#include "text.h"

#include "dialect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool vso_secrets_add(vso_secrets *s, const char *p, size_t n) {
  if (n == 0) return true; /* the agent ignores empty secrets */
  for (size_t i = 0; i < s->n; i++)
    if (s->lens[i] == n && memcmp(s->items[i], p, n) == 0) return true;
  char **items = realloc(s->items, (s->n + 1) * sizeof *items);
  if (!items) return false;
  s->items = items;
  size_t *lens = realloc(s->lens, (s->n + 1) * sizeof *lens);
  if (!lens) return false;
  s->lens = lens;
  char *copy = malloc(n + 1);
  if (!copy) return false;
  memcpy(copy, p, n);
  copy[n] = '\0';
  s->items[s->n] = copy;
  s->lens[s->n] = n;
  unsigned char first = (unsigned char)p[0];
  s->first_byte = s->n == 0 || s->first_byte == first ? first : -1;
  s->starts[first] = true;
  s->n++;
  return true;
}

bool vso_secrets_empty(const vso_secrets *s) { return s->n == 0; }

/* The longest secret that starts at p, or 0. */
static size_t secret_at(const vso_secrets *s, const char *p, size_t n) {
  size_t best = 0;
  for (size_t k = 0; k < s->n; k++)
    if (s->lens[k] <= n && s->lens[k] > best && memcmp(p, s->items[k], s->lens[k]) == 0) best = s->lens[k];
  return best;
}

/* Where the next secret could start in p[from..n), or n. */
static size_t next_start(const vso_secrets *s, const char *p, size_t n, size_t from) {
  if (from >= n) return n;
  if (s->first_byte >= 0) {
    const char *q = memchr(p + from, s->first_byte, n - from);
    return q ? (size_t)(q - p) : n;
  }
  while (from < n && !s->starts[(unsigned char)p[from]]) from++;
  return from;
}

/* Whether p[0..n) is the beginning of a secret longer than n: more bytes
 * may still complete it. */
static bool begins_secret(const vso_secrets *s, const char *p, size_t n) {
  for (size_t k = 0; k < s->n; k++)
    if (s->lens[k] > n && memcmp(p, s->items[k], n) == 0) return true;
  return false;
}

/* Appends p[0..n) masked; with stop_at_partial, stops at the first place
 * where a secret may begin that later bytes would complete.  *done: how
 * much of p went out. */
static bool mask(const vso_secrets *s, const char *p, size_t n, bool stop_at_partial, vso_buf *out, size_t *done) {
  size_t from = 0, i = 0;
  *done = n;
  while (s && s->n && (i = next_start(s, p, n, i)) < n) {
    if (stop_at_partial && begins_secret(s, p + i, n - i)) {
      *done = i;
      break;
    }
    size_t hit = secret_at(s, p + i, n - i);
    if (!hit) {
      i++;
      continue;
    }
    if (!vso_buf_append(out, p + from, i - from) || !vso_buf_append_str(out, "***")) return false;
    i += hit;
    from = i;
  }
  return vso_buf_append(out, p + from, *done - from);
}

bool vso_mask(const vso_secrets *s, const char *p, size_t n, vso_buf *out) {
  size_t done;
  return mask(s, p, n, false, out, &done);
}

bool vso_mask_complete(const vso_secrets *s, const char *p, size_t n, vso_buf *out, size_t *done) {
  return mask(s, p, n, true, out, done);
}

void vso_secrets_free(vso_secrets *s) {
  for (size_t i = 0; i < s->n; i++) free(s->items[i]);
  free(s->items);
  free(s->lens);
  memset(s, 0, sizeof *s);
}

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
