#include "command.h"

#include <stdlib.h>
#include <string.h>

#include "scan.h"

static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

bool vso_ieq(const char *a, size_t an, const char *b, size_t bn) {
  if (an != bn) return false;
  for (size_t i = 0; i < an; i++)
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return false;
  return true;
}

/* The agent replaces the four escapes in order, then %AZP25.  None of the
 * replacements can form a new escape, so one left-to-right pass gives the
 * same result as the agent's successive string.Replace calls. */
bool vso_unescape(const char *p, size_t n, bool decode_percents, vso_buf *out) {
  static const struct { const char *esc; char ch; } map[] = {
      {"%3B", ';'}, {"%0D", '\r'}, {"%0A", '\n'}, {"%5D", ']'}};
  if (!vso_buf_reserve(out, n)) return false;
  size_t from = 0;
  for (size_t i = 0; i < n;) {
    const char *pct = memchr(p + i, '%', n - i);
    if (!pct) break;
    i = (size_t)(pct - p);
    size_t rest = n - i;
    int hit = -1;
    size_t width = 0;
    for (int m = 0; m < 4 && hit < 0; m++)
      if (rest >= 3 && memcmp(p + i, map[m].esc, 3) == 0) hit = m, width = 3;
    char ch = hit >= 0 ? map[hit].ch : '%';
    if (hit < 0 && decode_percents && rest >= 6 && memcmp(p + i, "%AZP25", 6) == 0) hit = 4, width = 6;
    if (hit < 0) {
      i++;
      continue;
    }
    if (!vso_buf_append(out, p + from, i - from) || !vso_buf_append_char(out, ch)) return false;
    i += width;
    from = i;
  }
  return vso_buf_append(out, p + from, n - from);
}

bool vso_escape(const char *p, size_t n, vso_buf *out) {
  for (size_t i = 0; i < n; i++) {
    const char *rep = NULL;
    switch (p[i]) {
      case '%': rep = "%AZP25"; break;
      case ';': rep = "%3B"; break;
      case '\r': rep = "%0D"; break;
      case '\n': rep = "%0A"; break;
      case ']': rep = "%5D"; break;
      default: break;
    }
    if (!(rep ? vso_buf_append_str(out, rep) : vso_buf_append_char(out, p[i]))) return false;
  }
  return vso_buf_append(out, "", 0); /* a NUL-terminated string even when empty */
}

static bool str_from_buf(vso_str *s, vso_buf *b) {
  s->p = vso_buf_steal(b, &s->n);
  return s->p != NULL;
}

static bool str_copy(vso_str *s, const char *p, size_t n) {
  vso_buf b = {0};
  if (!vso_buf_append(&b, p, n)) return false;
  return str_from_buf(s, &b);
}

static bool str_unescape(vso_str *s, const char *p, size_t n, bool decode) {
  vso_buf b = {0};
  if (!vso_unescape(p, n, decode, &b)) {
    vso_buf_free(&b);
    return false;
  }
  return str_from_buf(s, &b);
}

/* commandName.Split('.', RemoveEmptyEntries) must give exactly two parts. */
static bool split_name(const char *p, size_t n, size_t part_at[2], size_t part_len[2]) {
  int parts = 0;
  for (size_t i = 0; i < n;) {
    if (p[i] == '.') {
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && p[j] != '.') j++;
    if (parts == 2) return false;
    part_at[parts] = i;
    part_len[parts] = j - i;
    parts++;
    i = j;
  }
  return parts == 2;
}

/* piece.Split('=', 2, RemoveEmptyEntries): the key is the first non-empty
 * field, the value is what follows its '=' with any further '=' skipped.
 * Only a piece that yields both is kept. */
static bool split_property(const char *p, size_t n, size_t *key_at, size_t *key_len, size_t *val_at) {
  size_t i = 0;
  while (i < n && p[i] == '=') i++;
  const char *eq = memchr(p + i, '=', n - i);
  if (i == n || !eq) return false;
  *key_at = i;
  *key_len = (size_t)(eq - (p + i));
  size_t v = (size_t)(eq - p) + 1;
  while (v < n && p[v] == '=') v++;
  if (v == n) return false;
  *val_at = v;
  return true;
}

static vso_prop *find_prop(vso_command *cmd, const char *key, size_t n) {
  for (size_t i = 0; i < cmd->nprops; i++)
    if (vso_ieq(cmd->props[i].key.p, cmd->props[i].key.n, key, n)) return &cmd->props[i];
  return NULL;
}

/* Sets *s to p[0..n), unescaped if asked.  When borrowing, a string with
 * nothing to unescape points into the line instead of being copied; *owned
 * says which it is. */
static bool take(vso_str *s, const char *p, size_t n, bool unescape, bool decode, bool borrow, bool *owned) {
  *owned = !(borrow && (!unescape || !memchr(p, '%', n)));
  if (!*owned) {
    *s = (vso_str){(char *)p, n};
    return true;
  }
  return unescape ? str_unescape(s, p, n, decode) : str_copy(s, p, n);
}

static void drop(vso_str *s, bool owned) {
  if (owned) free(s->p);
  *s = (vso_str){0};
}

static bool add_property(vso_command *cmd, const char *p, size_t n, bool decode, bool borrow) {
  size_t key_at, key_len, val_at;
  if (!split_property(p, n, &key_at, &key_len, &val_at)) return true;
  vso_str value;
  bool value_owned;
  if (!take(&value, p + val_at, n - val_at, true, decode, borrow, &value_owned)) return false;
  vso_prop *prop = find_prop(cmd, p + key_at, key_len);
  if (prop) { /* last value wins, first spelling stays */
    drop(&prop->value, prop->value_owned);
    prop->value = value;
    prop->value_owned = value_owned;
    return true;
  }
  if (!vso_grow(&cmd->props, &cmd->props_cap, cmd->nprops, sizeof *cmd->props)) {
    drop(&value, value_owned);
    return false;
  }
  prop = &cmd->props[cmd->nprops];
  /* the agent unescapes values only; keys stay as they were written */
  if (!take(&prop->key, p + key_at, key_len, false, decode, borrow, &prop->key_owned)) {
    drop(&value, value_owned);
    return false;
  }
  prop->value = value;
  prop->value_owned = value_owned;
  cmd->nprops++;
  return true;
}

static bool parse_properties(vso_command *cmd, const char *p, size_t n, bool decode, bool borrow) {
  for (size_t i = 0; i < n;) {
    const char *semi = memchr(p + i, ';', n - i);
    size_t j = semi ? (size_t)(semi - p) : n;
    if (j > i && !add_property(cmd, p + i, j - i, decode, borrow)) return false;
    i = j + 1;
  }
  return true;
}

static bool parse(const char *line, size_t len, bool decode_percents, bool borrow, vso_command *out, bool *oom);

bool vso_parse_command(const char *line, size_t len, bool decode_percents, vso_command *out, bool *oom) {
  return parse(line, len, decode_percents, false, out, oom);
}

bool vso_parse_command_borrowing(const char *line, size_t len, bool decode_percents, vso_command *out,
                                 bool *oom) {
  return parse(line, len, decode_percents, true, out, oom);
}

static bool parse(const char *line, size_t len, bool decode_percents, bool borrow, vso_command *out, bool *oom) {
  memset(out, 0, sizeof *out);
  if (oom) *oom = false;
  ptrdiff_t at = vso_find_prefix(line, len);
  if (at < 0) return false;
  const char *info = line + at + VSO_PREFIX_LEN;
  const char *end = line + len;
  const char *rb = memchr(info, ']', (size_t)(end - info));
  if (!rb) return false;
  size_t info_len = (size_t)(rb - info);
  const char *space = memchr(info, ' ', info_len);
  size_t name_len = space ? (size_t)(space - info) : info_len;
  size_t part_at[2], part_len[2];
  if (!split_name(info, name_len, part_at, part_len)) return false;

  bool data_owned = false;
  bool ok = take(&out->area, info + part_at[0], part_len[0], false, false, borrow, &out->area_owned) &&
            take(&out->event, info + part_at[1], part_len[1], false, false, borrow, &out->event_owned);
  if (ok && space && name_len > 0)
    ok = parse_properties(out, space + 1, info_len - name_len - 1, decode_percents, borrow);
  if (ok) ok = take(&out->data, rb + 1, (size_t)(end - rb - 1), true, decode_percents, borrow, &data_owned);
  out->data_borrowed = ok && !data_owned;
  if (!ok) {
    vso_command_free(out);
    if (oom) *oom = true;
    return false;
  }
  return true;
}

void vso_command_free(vso_command *cmd) {
  drop(&cmd->area, cmd->area_owned);
  drop(&cmd->event, cmd->event_owned);
  for (size_t i = 0; i < cmd->nprops; i++) {
    drop(&cmd->props[i].key, cmd->props[i].key_owned);
    drop(&cmd->props[i].value, cmd->props[i].value_owned);
  }
  free(cmd->props);
  drop(&cmd->data, !cmd->data_borrowed);
  memset(cmd, 0, sizeof *cmd);
}

const vso_prop *vso_command_prop(const vso_command *cmd, const char *key) {
  return find_prop((vso_command *)cmd, key, strlen(key));
}
