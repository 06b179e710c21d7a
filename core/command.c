/* SPDX-License-Identifier: MIT */
#include "command.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "dialect.h"
#include "scan.h"

static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* .NET's OrdinalIgnoreCase (casefold.h).  Names are ASCII nearly always:
 * eight bytes at a time while both are; the first non-ASCII byte hands the
 * rest to the Unicode comparison (ASCII bytes decode alone in UTF-8, so the
 * prefix compared here stays compared). */
bool vso_ieq(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if ((x | y) & 0x8080808080808080u) break;
    if (x != y && vso_ascii_lower8(x) != vso_ascii_lower8(y)) return false;
  }
  for (; i < n; i++) {
    unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
    if ((x | y) & 0x80) return (x & y & 0x80) && vso_ieq_unicode(a + i, an - i, b + i, bn - i);
    if (x != y && lower(x) != lower(y)) return false;
  }
  return an == bn; /* the longer one has a char more */
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

bool vso_escape(const char *p, size_t n, vso_buf *out) { return vso_escape_as(p, n, true, out); }

/* By byte: 0 for one that Escape leaves as it is, else its escape's index
 * in escapes[] (1, the '%', only when percents are decoded). */
static const unsigned char escape_of[256] = {['%'] = 1, [';'] = 2, ['\r'] = 3, ['\n'] = 4, [']'] = 5};
static const char *const escapes[6] = {NULL, "%AZP25", "%3B", "%0D", "%0A", "%5D"};

bool vso_escape_changes(const char *p, size_t n, bool decode_percents) {
  unsigned char least = decode_percents ? 1 : 2;
  for (size_t i = 0; i < n; i++)
    if (escape_of[(unsigned char)p[i]] >= least) return true;
  return false;
}

bool vso_escape_as(const char *p, size_t n, bool decode_percents, vso_buf *out) {
  if (!vso_buf_reserve(out, n)) return false; /* most values need no escape: one append */
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char e = escape_of[(unsigned char)p[i]];
    if (!e || (e == 1 && !decode_percents)) continue;
    if (!vso_buf_append(out, p + from, i - from) || !vso_buf_append_str(out, escapes[e])) return false;
    from = i + 1;
  }
  return vso_buf_append(out, p + from, n - from); /* NUL-terminated even when empty */
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
static const char *split_name(const char *info, vso_slice parts[2]) {
  int n = 0;
  const char *p = info;
  for (;;) {
    while (*p == '.') p++;
    if (stops[(unsigned char)*p] & (STOP_SPACE | STOP_BRACKET)) break;
    const char *start = p;
    p = scan_to(p, STOP_DOT | STOP_SPACE | STOP_BRACKET);
    if (n == 2) return NULL;
    parts[n++] = (vso_slice){start, (size_t)(p - start)};
  }
  return n == 2 ? p : NULL;
}

/* One "key=value" piece of the properties. */
typedef struct piece {
  vso_slice key, value;
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
  *out = (piece){{key, key_len}, {value, (size_t)(p - value)}, percent};
  *kept = p > value;
  return p;
}

/* The properties array being filled: few_, or the heap past VSO_FEW_PROPS. */
static vso_prop *props_of(vso_command *cmd) { return cmd->heap_ ? cmd->heap_ : cmd->few_; }

static size_t find_prop(const vso_command *cmd, const char *key, size_t n) {
  for (size_t i = 0; i < cmd->nprops; i++)
    if (vso_ieq(cmd->props[i].key.p, cmd->props[i].key.n, key, n)) return i;
  return SIZE_MAX;
}

static bool room_for_property(vso_command *cmd) {
  if (cmd->nprops < cmd->cap_) return true;
  if (cmd->heap_) return vso_grow(&cmd->heap_, &cmd->cap_, cmd->nprops, sizeof *cmd->heap_);
  vso_prop *heap = malloc(2 * VSO_FEW_PROPS * sizeof *heap);
  if (!heap) return false;
  memcpy(heap, cmd->few_, sizeof cmd->few_);
  cmd->heap_ = heap;
  cmd->cap_ = 2 * VSO_FEW_PROPS;
  return true;
}

/* Keys stay as they were written; values are unescaped later, if needed. */
static bool add_property(vso_command *cmd, const piece *pc) {
  size_t at = find_prop(cmd, pc->key.p, pc->key.n);
  if (at != SIZE_MAX) { /* last value wins, first spelling stays */
    props_of(cmd)[at].value = pc->value;
    return true;
  }
  if (!room_for_property(cmd)) return false;
  props_of(cmd)[cmd->nprops] = (vso_prop){pc->key, pc->value};
  cmd->nprops++;
  cmd->props = props_of(cmd);
  return true;
}

/* The properties between the name's ' ' and the ']': pieces split at ';'.
 * *to_unescape adds the length of every value that holds a '%'. */
static bool parse_properties(vso_command *cmd, const char *p, size_t *to_unescape) {
  while (*p != ']') {
    piece pc;
    bool kept;
    p = next_piece(p, &pc, &kept);
    if (kept && !add_property(cmd, &pc)) return false;
    if (kept && pc.value_has_percent) *to_unescape += pc.value.n;
    if (*p == ';') p++;
  }
  return true;
}

/* s unescaped into the command's buffer, reserved beforehand for all of
 * them, so that the slices already handed out stay where they are. */
static bool unescape_in_place(vso_command *cmd, vso_slice *s, bool decode) {
  const char *base = cmd->unescaped_.data;
  size_t from = cmd->unescaped_.len;
  if (!vso_unescape(s->p, s->n, decode, &cmd->unescaped_) || cmd->unescaped_.data != base) return false;
  *s = (vso_slice){cmd->unescaped_.data + from, cmd->unescaped_.len - from};
  return true;
}

/* The second pass, only when some value or the data holds a '%':
 * unescaping never makes text longer, so one reservation holds it all. */
static bool unescape_values(vso_command *cmd, size_t total, bool data_has_percent, bool decode) {
  if (!vso_buf_reserve(&cmd->unescaped_, total)) return false;
  vso_prop *props = props_of(cmd);
  for (size_t i = 0; i < cmd->nprops; i++)
    if (memchr(props[i].value.p, '%', props[i].value.n) && !unescape_in_place(cmd, &props[i].value, decode))
      return false;
  return !data_has_percent || unescape_in_place(cmd, &cmd->data, decode);
}

/* An empty command, holding no pointer; the few_ slots are left as they
 * are, since they are only read below nprops (this runs for every command
 * of a log). */
static void clear_command(vso_command *cmd) {
  cmd->area = cmd->event = cmd->data = (vso_slice){0};
  cmd->data_at = 0;
  cmd->props = NULL;
  cmd->nprops = 0;
  cmd->heap_ = NULL;
  cmd->cap_ = VSO_FEW_PROPS;
  cmd->unescaped_ = (vso_buf){0};
}

bool vso_parse_command(const char *line, size_t len, bool decode_percents, vso_command *out, bool *oom) {
  ptrdiff_t at = vso_find_prefix(line, len);
  if (at < 0) {
    clear_command(out);
    if (oom) *oom = false;
    return false;
  }
  return vso_parse_command_at(line, len, (size_t)at, decode_percents, out, oom);
}

bool vso_parse_command_at(const char *line, size_t len, size_t at, bool decode_percents, vso_command *out,
                          bool *oom) {
  clear_command(out);
  if (oom) *oom = false;
  const char *info = line + at + vso_dialect_prefix_len;
  const char *end = line + len;
  const char *rb = memchr(info, ']', (size_t)(end - info));
  if (!rb) return false;
  vso_slice name[2];
  const char *name_end = split_name(info, name);
  if (!name_end) return false;
  out->area = name[0];
  out->event = name[1];
  out->data_at = (size_t)(rb + 1 - line);
  out->data = (vso_slice){rb + 1, (size_t)(end - rb - 1)};
  size_t to_unescape = 0;
  /* properties only after a ' ' at index > 0: a name that starts with ' ' is empty and split_name refused it */
  bool ok = *name_end != ' ' || parse_properties(out, name_end + 1, &to_unescape);
  bool data_has_percent = ok && memchr(out->data.p, '%', out->data.n) != NULL;
  if (data_has_percent) to_unescape += out->data.n;
  if (ok && to_unescape) ok = unescape_values(out, to_unescape, data_has_percent, decode_percents);
  if (!ok) {
    vso_command_free(out);
    if (oom) *oom = true;
  }
  return ok;
}

void vso_command_keep_unescaped(vso_command *cmd, vso_buf *out) {
  *out = cmd->unescaped_;
  cmd->unescaped_ = (vso_buf){0};
}

void vso_command_free(vso_command *cmd) {
  free(cmd->heap_);
  vso_buf_free(&cmd->unescaped_);
  clear_command(cmd);
}

const vso_prop *vso_command_prop(const vso_command *cmd, const char *key) {
  size_t at = find_prop(cmd, key, strlen(key));
  return at == SIZE_MAX ? NULL : &cmd->props[at];
}
