/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <errno.h>
#include <string.h>

#include "command.h"
#include "file.h"

/* Names and keys quoted in a path are cut here. */
enum { QUOTE_MAX = 60 };

bool vso_json_append_printable(vso_buf *b, const char *s, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s);
  size_t shown = n > max ? max : n;
  for (size_t i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok = c >= 0x20 && c < 0x7f && c != '\\'
                  ? vso_buf_append_char(b, (char)c)
                  : vso_buf_append(b, (char[]){'\\', 'x', hex[c >> 4], hex[c & 15]}, 4);
    if (!ok) return false;
  }
  return shown == n || vso_buf_append_str(b, "...");
}

/* ---- failures ------------------------------------------------------------- */

/* Starts the one-line failure message "<file>: ", once. */
static bool begin_failure(vso_json_reader *r) {
  if (r->failed) return false;
  r->failed = true;
  vso_json_append_printable(r->err, r->file, 200);
  vso_buf_append_str(r->err, ": ");
  return true;
}

bool vso_json_fail_at(vso_json_reader *r, const char *what) {
  if (begin_failure(r)) {
    vso_buf_append(r->err, r->path_.data ? r->path_.data : "$", r->path_.data ? r->path_.len : 1);
    vso_buf_append_str(r->err, ": ");
    vso_buf_append_str(r->err, what);
  }
  return false;
}

bool vso_json_fail_oom(vso_json_reader *r) {
  if (begin_failure(r)) vso_buf_append_str(r->err, "out of memory");
  return false;
}

bool vso_json_fail_member(vso_json_reader *r, const char *name, const char *what) {
  size_t mark = vso_json_path_mark(r);
  if (vso_json_path_key(r, name)) vso_json_fail_at(r, what);
  vso_json_path_truncate(r, mark);
  return false;
}

/* ---- the path ------------------------------------------------------------------ */

bool vso_json_path_key(vso_json_reader *r, const char *key) {
  return vso_buf_append_char(&r->path_, '.') && vso_buf_append_str(&r->path_, key) ? true : vso_json_fail_oom(r);
}

bool vso_json_path_index(vso_json_reader *r, size_t i) {
  return vso_buf_appendf(&r->path_, "[%zu]", i) ? true : vso_json_fail_oom(r);
}

bool vso_json_path_quoted_key(vso_json_reader *r, const char *key) {
  bool ok = vso_buf_append_str(&r->path_, "['") && vso_json_append_printable(&r->path_, key, QUOTE_MAX) &&
            vso_buf_append_str(&r->path_, "']");
  return ok ? true : vso_json_fail_oom(r);
}

size_t vso_json_path_mark(const vso_json_reader *r) { return r->path_.len; }

void vso_json_path_truncate(vso_json_reader *r, size_t mark) {
  r->path_.len = mark;
  if (r->path_.data) r->path_.data[mark] = '\0';
}

/* ---- reading and parsing ----------------------------------------------------------- */

static bool fail_read(vso_json_reader *r, int rc, const char *max_text) {
  if (!begin_failure(r)) return false;
  if (rc == EFBIG) vso_buf_appendf(r->err, "larger than %s", max_text);
  else if (rc == ENOMEM) vso_buf_append_str(r->err, "out of memory");
  else vso_buf_appendf(r->err, "cannot read: %s", strerror(rc));
  errno = rc; /* the caller tells a lack of descriptors or memory from a bad file by it */
  return false;
}

/* 1-based line and byte column of text[offset]. */
static void line_and_column(const char *text, size_t offset, size_t *line, size_t *column) {
  *line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; i++)
    if (text[i] == '\n') {
      (*line)++;
      line_start = i + 1;
    }
  *column = offset - line_start + 1;
}

static bool fail_text(vso_json_reader *r, const char *text, size_t offset, const char *what) {
  size_t line, column;
  line_and_column(text, offset, &line, &column);
  if (begin_failure(r)) vso_buf_appendf(r->err, "%s at line %zu, column %zu", what, line, column);
  return false;
}

/* Parses text[0..len) (NUL at len). */
static cJSON *parse(vso_json_reader *r, const char *text, size_t len) {
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    fail_text(r, text, (size_t)(nul - text), "NUL byte");
    return NULL;
  }
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (!root) {
    size_t at = end ? (size_t)(end - text) : 0;
    fail_text(r, text, at > len ? len : at, "JSON parse error");
  }
  return root;
}

bool vso_json_load(vso_json_reader *r, size_t max, const char *max_text, bool *missing, cJSON **root) {
  *root = NULL;
  vso_json_path_truncate(r, 0);
  if (!vso_buf_append_char(&r->path_, '$')) return vso_json_fail_oom(r);
  vso_buf text = {0};
  int rc = vso_read_file(r->file, max, &text);
  if ((rc == ENOENT || rc == ENOTDIR) && missing) *missing = true;
  else if (rc) fail_read(r, rc, max_text);
  else *root = parse(r, text.data, text.len);
  vso_buf_free(&text);
  return *root != NULL || (missing && *missing);
}

void vso_json_reader_free(vso_json_reader *r) { vso_buf_free(&r->path_); }

/* ---- typed members -------------------------------------------------------------------- */

const cJSON *vso_json_member(const cJSON *obj, const char *name) {
  const cJSON *found = NULL;
  for (const cJSON *it = obj->child; it; it = it->next)
    if (it->string && vso_ieq(it->string, strlen(it->string), name, strlen(name))) found = it;
  return found;
}

bool vso_json_get_string(vso_json_reader *r, const cJSON *obj, const char *name, vso_json_presence need,
                         const char **out) {
  const cJSON *v = vso_json_member(obj, name);
  *out = NULL;
  if (!v || cJSON_IsNull(v)) {
    if (need == VSO_JSON_OPTIONAL) return true;
    return vso_json_fail_member(r, name, v ? "expected a string, not null" : "missing (required)");
  }
  if (!cJSON_IsString(v)) return vso_json_fail_member(r, name, "expected a string");
  *out = v->valuestring;
  return true;
}

bool vso_json_get_container(vso_json_reader *r, const cJSON *obj, const char *name, vso_json_presence need,
                            int type, const cJSON **out) {
  const cJSON *v = vso_json_member(obj, name);
  *out = NULL;
  if ((!v || cJSON_IsNull(v)) && need == VSO_JSON_OPTIONAL) return true;
  if (v && (v->type & 0xFF) == type) {
    *out = v;
    return true;
  }
  return vso_json_fail_member(r, name, !v ? "missing (required)" : type == cJSON_Array ? "expected an array"
                                                                                         : "expected an object");
}

bool vso_json_each(vso_json_reader *r, const cJSON *array, const char *key,
                   bool (*read_one)(vso_json_reader *, const cJSON *, void *), void *ctx) {
  size_t mark = vso_json_path_mark(r);
  if (!vso_json_path_key(r, key)) return false;
  size_t base = vso_json_path_mark(r);
  size_t i = 0;
  for (const cJSON *el = array->child; el; el = el->next, i++) {
    if (!vso_json_path_index(r, i) || !read_one(r, el, ctx)) return false;
    vso_json_path_truncate(r, base);
  }
  vso_json_path_truncate(r, mark);
  return true;
}
