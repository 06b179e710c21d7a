/* SPDX-License-Identifier: MIT */
/* The facts line of a capture's @line record (capture.h): one line of
 * "key=value" words, each value percent-encoded (every byte outside
 * '!'..'~', and '%' and ',', as %XX), booleans present only when true. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

static const char *const kind_names[] = {
    [VSO_LINE_NOT_COMMAND] = "text",       [VSO_LINE_COMMAND] = "command", [VSO_LINE_COMPLETE] = "complete",
    [VSO_LINE_SETVARIABLE] = "setvariable", [VSO_LINE_REFUSED] = "refused",
};
static const char *const matrix_names[] = {"unread", "unusable", "usable"}; /* matrix + 1 */

/* ---- writing ------------------------------------------------------------------- */

static bool put_encoded(vso_buf *out, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    bool plain = c > 0x20 && c < 0x7F && c != '%' && c != ',';
    if (!(plain ? vso_buf_append_char(out, (char)c) : vso_buf_appendf(out, "%%%02X", c))) return false;
  }
  return true;
}

bool vso_capture_put_word(vso_buf *out, const char *key, const char *p, size_t n) {
  return vso_buf_appendf(out, " %s=", key) && put_encoded(out, p, n);
}

/* The word with its value masked. */
static bool put_text(vso_buf *out, const char *key, const char *p, size_t n, const vso_secrets *secrets) {
  vso_buf masked = {0};
  bool ok = vso_mask(secrets, p, n, &masked) &&
            vso_capture_put_word(out, key, masked.data ? masked.data : "", masked.len);
  vso_buf_free(&masked);
  return ok;
}

static bool put_flag(vso_buf *out, const char *key, bool on) { return !on || vso_buf_appendf(out, " %s=1", key); }

static bool put_setvar(vso_buf *out, const vso_line_facts *f, const vso_secrets *secrets) {
  bool ok = put_flag(out, "setvar", true) && (!f->name.p || put_text(out, "name", f->name.p, f->name.n, secrets)) &&
            (f->expect < 0 || vso_buf_appendf(out, " expect=%ld", f->expect)) &&
            vso_buf_appendf(out, " length=%llu", (unsigned long long)f->length) &&
            put_flag(out, "secret", f->is_secret) && put_flag(out, "output", f->is_output) &&
            put_flag(out, "readonly", f->is_readonly) && put_flag(out, "rejected", f->rejected) &&
            put_flag(out, "refused", f->refused) &&
            vso_buf_appendf(out, " matrix=%s", matrix_names[f->matrix + 1]);
  /* a secret value, and the reason or legs of one, never reach the file */
  if (ok && !f->is_secret && f->value.p) ok = put_text(out, "value", f->value.p, f->value.n, secrets);
  if (ok && !f->is_secret && f->matrix == 0 && f->why.p) ok = put_text(out, "why", f->why.p, f->why.n, secrets);
  return ok;
}

bool vso_capture_put_facts(vso_buf *out, const vso_line_facts *f, const vso_secrets *secrets) {
  bool ok = vso_buf_appendf(out, "no=%llu kind=%s", (unsigned long long)f->line_no, kind_names[f->kind]) &&
            put_flag(out, "exact", f->exact) && put_flag(out, "cut", f->cut) &&
            put_flag(out, "truncated", f->truncated) && put_flag(out, "unread", f->unread);
  if (ok && f->exact) return true; /* replay reads the line again */
  if (ok && f->count.p) ok = put_text(out, "count", f->count.p, f->count.n, secrets);
  for (size_t i = 0; ok && f->diags.p && i < f->diags.n;) { /* one word per diagnostic */
    const char *nl = memchr(f->diags.p + i, '\n', f->diags.n - i);
    size_t end = nl ? (size_t)(nl - f->diags.p) : f->diags.n;
    const char *colon = memchr(f->diags.p + i, ':', end - i);
    size_t head = colon ? (size_t)(colon - f->diags.p) + 1 - i : 0; /* "E<kind>:", never masked */
    vso_buf masked = {0};
    ok = vso_mask(secrets, f->diags.p + i + head, end - i - head, &masked) && vso_buf_append_str(out, " diag=") &&
         put_encoded(out, f->diags.p + i, head) && put_encoded(out, masked.data ? masked.data : "", masked.len);
    vso_buf_free(&masked);
    i = end + 1;
  }
  return ok && (!f->setvar || put_setvar(out, f, secrets));
}

/* ---- reading -------------------------------------------------------------------- */

static int hex(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes p[0..n) into storage (reserved: it never moves). */
bool vso_capture_decode(const char *p, size_t n, vso_buf *storage, vso_slice *out) {
  size_t from = storage->len;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '%') {
      if (i + 2 >= n) return false;
      int hi = hex(p[i + 1]), lo = hex(p[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = (char)(hi * 16 + lo);
      i += 2;
    } else if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7F) {
      return false;
    }
    storage->data[storage->len++] = c;
  }
  storage->data[storage->len] = '\0';
  *out = (vso_slice){storage->data + from, storage->len - from};
  return true;
}

static int index_of(const vso_slice *v, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (names[i] && vso_slice_is(*v, names[i])) return i;
  return -1;
}

/* Appends one diagnostic ("E<kind>:<message>" or "W...") to the list in storage. */
static bool add_diag(vso_line_facts *f, const vso_slice *v, vso_buf *diags) {
  if (!v->n || (v->p[0] != 'E' && v->p[0] != 'W') || memchr(v->p, '\n', v->n)) return false;
  size_t i = 1;
  while (i < v->n && i < 4 && v->p[i] >= '0' && v->p[i] <= '9') i++;
  if (i == 1 || i == v->n || v->p[i] != ':' || atoi(v->p + 1) >= VSO_DIAG_KINDS) return false;
  return vso_buf_append(diags, v->p, v->n) && vso_buf_append_char(diags, '\n') &&
         (f->diags = (vso_slice){diags->data, diags->len}, true);
}

static bool flag_of(const char *key, size_t kn, const vso_slice *v, vso_line_facts *f, bool *known) {
  static const char *const keys[] = {"exact", "cut", "truncated", "unread", "setvar", "secret",
                                     "output", "readonly", "rejected", "refused"};
  bool *fields[] = {&f->exact,     &f->cut,       &f->truncated,   &f->unread,   &f->setvar,
                    &f->is_secret, &f->is_output, &f->is_readonly, &f->rejected, &f->refused};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (kn != strlen(keys[i]) || memcmp(key, keys[i], kn) != 0) continue;
    *known = true;
    *fields[i] = true;
    return vso_slice_is(*v, "1");
  }
  *known = false;
  return true;
}

/* One "key=value" word, the value decoded. */
static bool read_word(vso_line_facts *f, const char *key, size_t kn, const vso_slice *v, vso_buf *diags,
                      bool *have_kind) {
  bool known;
  if (!flag_of(key, kn, v, f, &known)) return false;
  if (known) return true;
  vso_slice k = {key, kn};
  uint64_t u;
  if (vso_slice_is(k, "no")) return vso_capture_number(*v, UINT64_MAX, &f->line_no);
  if (vso_slice_is(k, "kind")) {
    int i = index_of(v, kind_names, (int)(sizeof kind_names / sizeof kind_names[0]));
    f->kind = (vso_line_kind)(i < 0 ? 0 : i);
    return (*have_kind = i >= 0);
  }
  if (vso_slice_is(k, "length")) return vso_capture_number(*v, UINT64_MAX, &f->length);
  if (vso_slice_is(k, "expect"))
    return vso_capture_number(*v, VSO_CAPTURE_MAX_INDEX - 1, &u) && (f->expect = (long)u, true);
  if (vso_slice_is(k, "matrix")) return (f->matrix = index_of(v, matrix_names, 3) - 1) >= -1 && v->n;
  if (vso_slice_is(k, "count")) return (f->count = *v, true);
  if (vso_slice_is(k, "name")) return (f->name = *v, true);
  if (vso_slice_is(k, "value")) return (f->value = *v, true);
  if (vso_slice_is(k, "why")) return (f->why = *v, true);
  if (vso_slice_is(k, "diag")) return add_diag(f, v, diags);
  return false;
}

bool vso_capture_each_word(const char *p, size_t n, vso_buf *storage, vso_capture_word_fn each, void *ctx) {
  for (size_t i = 0; i < n;) {
    const char *sp = memchr(p + i, ' ', n - i);
    size_t end = sp ? (size_t)(sp - p) : n;
    const char *eq = memchr(p + i, '=', end - i);
    vso_slice v;
    if (!eq || eq == p + i || !vso_capture_decode(eq + 1, (size_t)(p + end - eq - 1), storage, &v)) return false;
    if (!each(ctx, (vso_slice){p + i, (size_t)(eq - p - i)}, v)) return false;
    if (sp && end + 1 == n) return false; /* a trailing space */
    i = end + 1;
  }
  return true;
}

typedef struct facts_reading {
  vso_line_facts *f;
  vso_buf *diags;
  bool have_kind, have_no;
} facts_reading;

static bool facts_word(void *ctx, vso_slice key, vso_slice value) {
  facts_reading *r = ctx;
  r->have_no = r->have_no || vso_slice_is(key, "no");
  return read_word(r->f, key.p, key.n, &value, r->diags, &r->have_kind);
}

bool vso_capture_read_facts(const char *p, size_t n, vso_line_facts *f, vso_capture_facts_buf *storage,
                            const char **why) {
  *f = (vso_line_facts){.expect = -1, .matrix = -1};
  *why = "malformed facts in a @line record";
  vso_buf_clear(&storage->values);
  vso_buf_clear(&storage->diags);
  /* decoded values are never longer than their words: one reservation, slices never move */
  if (!vso_buf_reserve(&storage->values, n)) return (*why = "out of memory"), false;
  facts_reading r = {.f = f, .diags = &storage->diags};
  if (!vso_capture_each_word(p, n, &storage->values, facts_word, &r)) return false;
  return r.have_kind && r.have_no &&
         (!f->setvar || f->kind == VSO_LINE_SETVARIABLE || f->kind == VSO_LINE_REFUSED);
}
