/* SPDX-License-Identifier: MIT */
/* Build-matrix values (see matrix.h).
 *
 * What a usable value is: the text Azure's `strategy.matrix: $[ ... ]` turns
 * into jobs.  ImageBuilder writes strict JSON ({ "leg": { "var": "v" } }),
 * without escaping the values (docs/imagebuilder.md, "The emitted lines"), so a backslash
 * in a value makes the whole line invalid JSON: that is reported as a parse
 * error with its byte offset, never repaired.  Microsoft's docs use a
 * single-quoted form ({'a':{'myvar':'A'}}) which Azure accepts; when the
 * strict parse fails and the value has single quotes outside double-quoted
 * strings, it is rewritten to JSON and parsed again.
 *
 * cJSON 1.7.15 rules followed (as in json.h): the bytes are copied
 * with a trailing NUL that lies inside the length given to
 * cJSON_ParseWithLengthOpts (require_null_terminated = 1), errors come from
 * return_parse_end (cJSON_GetErrorPtr is a global), and raw NUL bytes are
 * rejected before cJSON sees them (it would stop at the first one).
 *
 * Byte offsets in messages are 0-based offsets into the value as given. */
#include "matrix.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names quoted in a reason are cut here: a reason is one short line. */
enum { QUOTED_NAME_MAX = 60 };

/* ---- reasons ------------------------------------------------------------ */

/* Appends s as a short, printable, single-line quotation: control bytes,
 * quotes, backslashes and non-ASCII bytes become \xNN, and anything past
 * QUOTED_NAME_MAX bytes of the name becomes "...". */
static void append_quoted_name(vso_buf *why, const char *s) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s);
  size_t shown = n > QUOTED_NAME_MAX ? QUOTED_NAME_MAX : n;
  vso_buf_append_char(why, '\'');
  for (size_t i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      vso_buf_append_char(why, (char)c);
    } else {
      char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
      vso_buf_append(why, esc, sizeof esc);
    }
  }
  if (shown < n) vso_buf_append_str(why, "...");
  vso_buf_append_char(why, '\'');
}

static void set_parse_error(vso_buf *why, size_t offset) {
  char line[64];
  snprintf(line, sizeof line, "JSON parse error at byte %zu", offset);
  vso_buf_append_str(why, line);
}

/* ---- single-quoted pseudo-JSON ------------------------------------------ */

typedef enum { OUTSIDE, IN_DOUBLE, IN_SINGLE } quote_state;

/* True if the value has a single quote outside double-quoted strings, i.e.
 * the docs' form (or a typo): only then is a rewrite worth trying. */
static bool has_single_quoted_strings(const char *p, size_t n) {
  bool in_double = false;
  for (size_t i = 0; i < n; i++) {
    if (in_double) {
      if (p[i] == '\\') i++;
      else if (p[i] == '"') in_double = false;
    } else if (p[i] == '"') {
      in_double = true;
    } else if (p[i] == '\'') {
      return true;
    }
  }
  return false;
}

/* Rewrites single-quoted strings as JSON strings: the quotes become '"', a
 * '"' inside becomes \", and \' becomes a plain '.  Other escapes are kept
 * (they mean the same in both forms), and double-quoted strings are copied
 * untouched.  When out is NULL nothing is written: the walk stops once
 * stop_at output bytes would have been produced and returns the input
 * offset reached, which maps an error offset in the rewrite back to the
 * value.  Returns SIZE_MAX when out runs out of memory. */
static size_t rewrite_single_quotes(const char *p, size_t n, vso_buf *out, size_t stop_at) {
  quote_state st = OUTSIDE;
  size_t produced = 0;
  size_t i = 0;
#define EMIT(ptr, len)                                                           \
  do {                                                                           \
    if (out) {                                                                   \
      if (!vso_buf_append(out, (ptr), (len))) return SIZE_MAX;                   \
    } else if (produced + (len) > stop_at) {                                     \
      return i;                                                                  \
    }                                                                            \
    produced += (len);                                                           \
  } while (0)
  while (i < n) {
    char c = p[i];
    if (st == IN_SINGLE && c == '\\' && i + 1 < n && p[i + 1] == '\'') {
      EMIT("'", 1);
      i += 2;
    } else if (st != OUTSIDE && c == '\\' && i + 1 < n) {
      EMIT(p + i, 2);
      i += 2;
    } else if (st == IN_SINGLE && c == '"') {
      EMIT("\\\"", 2);
      i++;
    } else if ((st == OUTSIDE || st == IN_SINGLE) && c == '\'') {
      st = st == OUTSIDE ? IN_SINGLE : OUTSIDE;
      EMIT("\"", 1);
      i++;
    } else {
      if (st == OUTSIDE && c == '"') st = IN_DOUBLE;
      else if (st == IN_DOUBLE && c == '"') st = OUTSIDE;
      EMIT(p + i, 1);
      i++;
    }
  }
#undef EMIT
  return i;
}

/* ---- parsing -------------------------------------------------------------- */

/* Parses text[0..n) (no NUL inside) as strict JSON.  On failure returns NULL
 * and *error_at is the 0-based offset where cJSON stopped (at most n). */
static cJSON *parse_strict(const char *text, size_t n, size_t *error_at, bool *oom) {
  *oom = false;
  char *copy = malloc(n + 1);
  if (!copy) {
    *oom = true;
    return NULL;
  }
  if (n) memcpy(copy, text, n);
  copy[n] = '\0'; /* inside the length: require_null_terminated needs it */
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(copy, n + 1, &end, 1);
  if (!root) {
    size_t at = end ? (size_t)(end - copy) : 0;
    *error_at = at > n ? n : at;
  }
  free(copy);
  return root;
}

/* Offset of an escaped NUL (\u0000) inside a string of valid JSON text, or
 * SIZE_MAX.  cJSON decodes it into a C string and silently truncates there,
 * so such a value would be checked as something it is not. */
static size_t escaped_nul_at(const char *p, size_t n) {
  bool in_string = false;
  for (size_t i = 0; i < n; i++) {
    if (!in_string) {
      if (p[i] == '"') in_string = true;
    } else if (p[i] == '"') {
      in_string = false;
    } else if (p[i] == '\\' && i + 1 < n) {
      if (p[i + 1] == 'u' && i + 6 <= n && memcmp(p + i + 2, "0000", 4) == 0) return i;
      i++;
    }
  }
  return SIZE_MAX;
}

/* Parses the value strictly, then in the single-quoted form.  On failure
 * writes the reason and returns NULL. */
static cJSON *parse_value(const char *value, size_t n, vso_buf *why) {
  size_t error_at = 0;
  bool oom = false;
  cJSON *root = parse_strict(value, n, &error_at, &oom);
  if (root || oom) {
    if (!root) vso_buf_append_str(why, "out of memory");
    else if (escaped_nul_at(value, n) != SIZE_MAX) {
      cJSON_Delete(root);
      root = NULL;
      vso_buf_append_str(why, "a string holds an escaped NUL (\\u0000)");
    }
    return root;
  }
  if (!has_single_quoted_strings(value, n)) {
    set_parse_error(why, error_at);
    return NULL;
  }
  vso_buf json = {0};
  if (rewrite_single_quotes(value, n, &json, 0) == SIZE_MAX) {
    vso_buf_free(&json);
    vso_buf_append_str(why, "out of memory");
    return NULL;
  }
  size_t rewritten_error_at = 0;
  root = parse_strict(json.data ? json.data : "", json.len, &rewritten_error_at, &oom);
  if (!root && oom) {
    vso_buf_append_str(why, "out of memory");
  } else if (!root) {
    set_parse_error(why, rewrite_single_quotes(value, n, NULL, rewritten_error_at));
  } else if (escaped_nul_at(json.data, json.len) != SIZE_MAX) {
    cJSON_Delete(root);
    root = NULL;
    vso_buf_append_str(why, "a string holds an escaped NUL (\\u0000)");
  }
  vso_buf_free(&json);
  return root;
}

/* ---- checking and copying ------------------------------------------------- */

/* The first member of obj named like item: cJSON keeps duplicate keys and we
 * keep the first, as cJSON_GetObjectItemCaseSensitive would. */
static bool is_first_of_its_name(const cJSON *obj, const cJSON *item) {
  for (const cJSON *it = obj->child; it && it != item; it = it->next)
    if (strcmp(it->string, item->string) == 0) return false;
  return true;
}

static bool check_leg(const cJSON *leg, vso_buf *why) {
  if (!cJSON_IsObject(leg)) {
    vso_buf_append_str(why, "leg ");
    append_quoted_name(why, leg->string);
    vso_buf_append_str(why, " is not an object");
    return false;
  }
  for (const cJSON *var = leg->child; var; var = var->next) {
    if (cJSON_IsString(var)) continue;
    vso_buf_append_str(why, "leg ");
    append_quoted_name(why, leg->string);
    vso_buf_append_str(why, " variable ");
    append_quoted_name(why, var->string);
    vso_buf_append_str(why, " is not a string");
    return false;
  }
  return true;
}

static bool check_matrix(const cJSON *root, vso_buf *why) {
  if (!cJSON_IsObject(root)) {
    vso_buf_append_str(why, "not a JSON object");
    return false;
  }
  if (!root->child) {
    vso_buf_append_str(why, "no legs");
    return false;
  }
  for (const cJSON *leg = root->child; leg; leg = leg->next)
    if (!check_leg(leg, why)) return false;
  return true;
}

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n + 1);
  if (c) memcpy(c, s, n + 1);
  return c;
}

static size_t count_distinct(const cJSON *obj) {
  size_t n = 0;
  for (const cJSON *it = obj->child; it; it = it->next) n += is_first_of_its_name(obj, it);
  return n;
}

static bool copy_leg(const cJSON *src, vso_matrix_leg *leg) {
  size_t nvars = count_distinct(src);
  leg->name = copy_string(src->string);
  leg->var_names = calloc(nvars ? nvars : 1, sizeof *leg->var_names);
  leg->var_values = calloc(nvars ? nvars : 1, sizeof *leg->var_values);
  if (!leg->name || !leg->var_names || !leg->var_values) return false;
  for (const cJSON *var = src->child; var; var = var->next) {
    if (!is_first_of_its_name(src, var)) continue;
    leg->var_names[leg->nvars] = copy_string(var->string);
    leg->var_values[leg->nvars] = copy_string(var->valuestring);
    leg->nvars++; /* counted before the check so a half-copied pair is freed */
    if (!leg->var_names[leg->nvars - 1] || !leg->var_values[leg->nvars - 1]) return false;
  }
  return true;
}

static bool copy_matrix(const cJSON *root, vso_matrix *out) {
  size_t nlegs = count_distinct(root);
  out->legs = calloc(nlegs, sizeof *out->legs);
  if (!out->legs) return false;
  for (const cJSON *leg = root->child; leg; leg = leg->next) {
    if (!is_first_of_its_name(root, leg)) continue;
    out->nlegs++;
    if (!copy_leg(leg, &out->legs[out->nlegs - 1])) return false;
  }
  return true;
}

/* ---- API ------------------------------------------------------------------ */

bool vso_matrix_parse(const char *value, size_t n, vso_matrix *out, vso_buf *why) {
  memset(out, 0, sizeof *out);
  const char *nul = n ? memchr(value, '\0', n) : NULL;
  if (nul) {
    char line[64];
    snprintf(line, sizeof line, "holds a NUL byte at byte %zu", (size_t)(nul - value));
    vso_buf_append_str(why, line);
    return false;
  }
  cJSON *root = parse_value(n ? value : "", n, why);
  if (!root) return false;
  bool ok = check_matrix(root, why);
  if (ok && !copy_matrix(root, out)) {
    vso_matrix_free(out);
    vso_buf_append_str(why, "out of memory");
    ok = false;
  }
  cJSON_Delete(root);
  return ok;
}

void vso_matrix_free(vso_matrix *m) {
  for (size_t i = 0; i < m->nlegs; i++) {
    vso_matrix_leg *leg = &m->legs[i];
    for (size_t k = 0; k < leg->nvars; k++) {
      free(leg->var_names[k]);
      free(leg->var_values[k]);
    }
    free(leg->var_names);
    free(leg->var_values);
    free(leg->name);
  }
  free(m->legs);
  memset(m, 0, sizeof *m);
}
