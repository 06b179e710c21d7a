/* SPDX-License-Identifier: MIT */
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

/* The bytes that end a scan inside the command info.  Every scan stops at
 * the ']' that closes the info at the latest, so the loops need no bounds
 * check: one table lookup per byte, each byte visited once. */
enum { STOP_SPACE = 1, STOP_DOT = 2, STOP_SEMICOLON = 4, STOP_EQUALS = 8, STOP_PERCENT = 16, STOP_BRACKET = 32 };
static const unsigned char stops[256] = {[' '] = STOP_SPACE,  ['.'] = STOP_DOT,     [';'] = STOP_SEMICOLON,
                                         ['='] = STOP_EQUALS, ['%'] = STOP_PERCENT, [']'] = STOP_BRACKET};

/* The first byte at or after p in the class mask (p's info ends with ']'). */
static const char *scan_to(const char *p, unsigned mask) {
  while (!(stops[(unsigned char)*p] & mask)) p++;
  return p;
}

/* The command name runs from info to the first ' ' (or the ']'), and
 * commandName.Split('.', RemoveEmptyEntries) must give exactly two parts.
 * Returns where the name ends, or NULL when it is not two parts. */
static const char *split_name(const char *info, vso_str parts[2]) {
  int n = 0;
  const char *p = info;
  for (;;) {
    while (*p == '.') p++;
    if (stops[(unsigned char)*p] & (STOP_SPACE | STOP_BRACKET)) break;
    const char *start = p;
    p = scan_to(p, STOP_DOT | STOP_SPACE | STOP_BRACKET);
    if (n == 2) return NULL;
    parts[n++] = (vso_str){(char *)start, (size_t)(p - start)};
  }
  return n == 2 ? p : NULL;
}

/* One "key=value" piece of the properties. */
typedef struct piece {
  const char *key, *value;
  size_t key_len, value_len;
  bool value_has_percent;  /* false: the value needs no unescaping */
} piece;

/* The piece at p, up to the next ';' or the ']', split the way
 * piece.Split('=', 2, RemoveEmptyEntries) splits it: the key is the first
 * non-empty field, the value what follows its '=' once any further '=' are
 * skipped.  Returns where the piece ends; *kept says whether it gave both
 * (an empty key or value drops the piece, as in the agent). */
static const char *next_piece(const char *p, piece *out, bool *kept) {
  *kept = false;
  while (*p == '=') p++;
  const char *key = p;
  p = scan_to(p, STOP_EQUALS | STOP_SEMICOLON | STOP_BRACKET);
  if (*p != '=') return p; /* no '=': not a property */
  size_t key_len = (size_t)(p - key);
  while (*p == '=') p++;
  const char *value = p;
  bool percent = false;
  while (*(p = scan_to(p, STOP_SEMICOLON | STOP_PERCENT | STOP_BRACKET)) == '%') percent = true, p++;
  *out = (piece){key, value, key_len, (size_t)(p - value), percent};
  *kept = p > value;
  return p;
}

static vso_prop *find_prop(vso_command *cmd, const char *key, size_t n) {
  for (size_t i = 0; i < cmd->nprops; i++)
    if (vso_ieq(cmd->props[i].key.p, cmd->props[i].key.n, key, n)) return &cmd->props[i];
  return NULL;
}

/* Sets *s to p[0..n), unescaped if it holds a '%' and unescaping is asked.
 * When borrowing, a string with nothing to unescape points into the line
 * instead of being copied; *owned says which it is. */
static bool take(vso_str *s, const char *p, size_t n, bool unescape, bool has_percent, bool decode, bool borrow,
                 bool *owned) {
  *owned = !(borrow && (!unescape || !has_percent));
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

static bool room_for_property(vso_command *cmd) {
  if (!cmd->props) {
    cmd->props = cmd->few;
    cmd->props_cap = VSO_FEW_PROPS;
  }
  if (cmd->nprops < cmd->props_cap) return true;
  if (cmd->props != cmd->few) return vso_grow(&cmd->props, &cmd->props_cap, cmd->nprops, sizeof *cmd->props);
  vso_prop *heap = malloc(2 * VSO_FEW_PROPS * sizeof *heap);
  if (!heap) return false;
  memcpy(heap, cmd->few, sizeof cmd->few);
  cmd->props = heap;
  cmd->props_cap = 2 * VSO_FEW_PROPS;
  return true;
}

static bool add_property(vso_command *cmd, const piece *pc, bool decode, bool borrow) {
  vso_str value;
  bool value_owned;
  if (!take(&value, pc->value, pc->value_len, true, pc->value_has_percent, decode, borrow, &value_owned))
    return false;
  vso_prop *prop = find_prop(cmd, pc->key, pc->key_len);
  if (prop) { /* last value wins, first spelling stays */
    drop(&prop->value, prop->value_owned);
    prop->value = value;
    prop->value_owned = value_owned;
    return true;
  }
  if (!room_for_property(cmd)) {
    drop(&value, value_owned);
    return false;
  }
  prop = &cmd->props[cmd->nprops];
  /* the agent unescapes values only; keys stay as they were written */
  if (!take(&prop->key, pc->key, pc->key_len, false, false, decode, borrow, &prop->key_owned)) {
    drop(&value, value_owned);
    return false;
  }
  prop->value = value;
  prop->value_owned = value_owned;
  cmd->nprops++;
  return true;
}

/* The properties between the name's ' ' and the ']': pieces split at ';'. */
static bool parse_properties(vso_command *cmd, const char *p, bool decode, bool borrow) {
  while (*p != ']') {
    piece pc;
    bool kept;
    p = next_piece(p, &pc, &kept);
    if (kept && !add_property(cmd, &pc, decode, borrow)) return false;
    if (*p == ';') p++;
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

/* An empty command; the few[] slots are left as they are, since they are
 * only read below nprops (this runs for every command of a log). */
static void clear_command(vso_command *cmd) {
  cmd->area = cmd->event = cmd->data = (vso_str){0};
  cmd->props = NULL;
  cmd->nprops = cmd->props_cap = 0;
  cmd->area_owned = cmd->event_owned = cmd->data_borrowed = false;
}

static bool parse(const char *line, size_t len, bool decode_percents, bool borrow, vso_command *out, bool *oom) {
  clear_command(out);
  if (oom) *oom = false;
  ptrdiff_t at = vso_find_prefix(line, len);
  if (at < 0) return false;
  const char *info = line + at + VSO_PREFIX_LEN;
  const char *end = line + len;
  const char *rb = memchr(info, ']', (size_t)(end - info));
  if (!rb) return false;
  vso_str name[2];
  const char *name_end = split_name(info, name);
  if (!name_end) return false;

  bool data_owned = false;
  const char *data = rb + 1;
  size_t data_len = (size_t)(end - data);
  bool ok = take(&out->area, name[0].p, name[0].n, false, false, false, borrow, &out->area_owned) &&
            take(&out->event, name[1].p, name[1].n, false, false, false, borrow, &out->event_owned);
  /* properties only after a ' ' at index > 0: a name that starts with ' ' is empty and split_name refused it */
  if (ok && *name_end == ' ') ok = parse_properties(out, name_end + 1, decode_percents, borrow);
  if (ok)
    ok = take(&out->data, data, data_len, true, memchr(data, '%', data_len) != NULL, decode_percents, borrow,
              &data_owned);
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
  if (cmd->props != cmd->few) free(cmd->props);
  drop(&cmd->data, !cmd->data_borrowed);
  clear_command(cmd);
}

const vso_prop *vso_command_prop(const vso_command *cmd, const char *key) {
  return find_prop((vso_command *)cmd, key, strlen(key));
}
