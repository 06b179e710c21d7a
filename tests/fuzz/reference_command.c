/* SPDX-License-Identifier: MIT */
#include "reference_command.h"

#include <stdlib.h>
#include <string.h>

static ref_field copy(const char *p, size_t n) {
  ref_field f = {malloc(n + 1), n};
  if (!f.p) abort();
  memcpy(f.p, p, n);
  f.p[n] = '\0';
  return f;
}

/* s.IndexOf(needle, from), or -1 */
static ptrdiff_t index_of(const char *s, size_t n, const char *needle, size_t m, size_t from) {
  for (size_t i = from; i + m <= n; i++)
    if (memcmp(s + i, needle, m) == 0) return (ptrdiff_t)i;
  return -1;
}

/* CommandStringConvertor.Unescape: four ordinal Replace calls, then %AZP25. */
static ref_field unescape(const char *p, size_t n, bool decode_percents) {
  static const char *const from[] = {"%3B", "%0D", "%0A", "%5D", "%AZP25"};
  static const char to[] = {';', '\r', '\n', ']', '%'};
  ref_field s = copy(p, n);
  for (int r = 0; r < (decode_percents ? 5 : 4); r++) {
    size_t m = strlen(from[r]), w = 0;
    for (size_t i = 0; i < s.n;) {
      if (i + m <= s.n && memcmp(s.p + i, from[r], m) == 0) {
        s.p[w++] = to[r];
        i += m;
      } else {
        s.p[w++] = s.p[i++];
      }
    }
    s.n = w;
    s.p[w] = '\0';
  }
  return s;
}

/* s.Split(sep, RemoveEmptyEntries).Length: the non-empty fields. */
static size_t count_fields(const char *s, size_t n, char sep) {
  size_t fields = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && s[j] != sep) j++;
    if (j > i) fields++;
    i = j + 1;
  }
  return fields;
}

/* s.Split(sep, 2, RemoveEmptyEntries): the first non-empty field, then the
 * rest of the string after the separators that follow it. */
static size_t split_in_two(const char *s, size_t n, char sep, ref_field fields[2]) {
  size_t i = 0;
  while (i < n && s[i] == sep) i++;
  if (i == n) return 0;
  size_t j = i;
  while (j < n && s[j] != sep) j++;
  fields[0] = (ref_field){(char *)s + i, j - i};
  while (j < n && s[j] == sep) j++;
  if (j == n) return 1;
  fields[1] = (ref_field){(char *)s + j, n - j};
  return 2;
}

/* The dictionary's OrdinalIgnoreCase.  fuzz_command compares keys as the
 * agent does, through core's vso_ieq (checked apart against .NET's own
 * case table by test_casefold): a non-ASCII key then folds as in the agent.
 * Built alone (the property test's oracle, whose keys are ASCII), ASCII. */
#ifdef REF_ORDINAL_IGNORE_CASE
#include "command.h"
static bool same_key(ref_field a, const char *p, size_t n) { return vso_ieq(a.p, a.n, p, n); }
#else
static bool same_key(ref_field a, const char *p, size_t n) {
  if (a.n != n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char x = (unsigned char)a.p[i], y = (unsigned char)p[i];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
    if (x != y) return false;
  }
  return true;
}
#endif

static void set_property(ref_command *cmd, ref_field key, ref_field value, bool decode_percents) {
  ref_field v = unescape(value.p, value.n, decode_percents);
  for (size_t i = 0; i < cmd->nprops; i++)
    if (same_key(cmd->keys[i], key.p, key.n)) { /* last value wins, first spelling stays */
      free(cmd->values[i].p);
      cmd->values[i] = v;
      return;
    }
  if (cmd->nprops == sizeof cmd->keys / sizeof cmd->keys[0]) {
    cmd->too_many = true;
    free(v.p);
    return;
  }
  cmd->keys[cmd->nprops] = copy(key.p, key.n);
  cmd->values[cmd->nprops++] = v;
}

/* Split(';', RemoveEmptyEntries) with no count: every non-empty field. */
static void parse_properties(ref_command *cmd, const char *s, size_t n, bool decode_percents) {
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && s[j] != ';') j++;
    ref_field kv[2];
    if (j > i && split_in_two(s + i, j - i, '=', kv) == 2) set_property(cmd, kv[0], kv[1], decode_percents);
    i = j + 1;
  }
}

bool ref_parse_command(const char *line, size_t len, bool decode_percents, ref_command *out) {
  memset(out, 0, sizeof *out);
  ptrdiff_t prefix = index_of(line, len, "##vso[", 6, 0);
  if (prefix < 0) return false;
  ptrdiff_t rb = index_of(line, len, "]", 1, (size_t)prefix);
  if (rb < 0) return false;
  const char *info = line + prefix + 6;
  size_t info_len = (size_t)rb - (size_t)prefix - 6;
  ptrdiff_t space = index_of(info, info_len, " ", 1, 0);
  size_t name_len = space < 0 ? info_len : (size_t)space;
  if (count_fields(info, name_len, '.') != 2) return false;
  ref_field parts[2];
  split_in_two(info, name_len, '.', parts);
  /* with exactly two non-empty fields, the second may end in dots: trim them */
  while (parts[1].n && parts[1].p[parts[1].n - 1] == '.') parts[1].n--;
  out->area = copy(parts[0].p, parts[0].n);
  out->event = copy(parts[1].p, parts[1].n);
  if (space > 0) parse_properties(out, info + space + 1, info_len - (size_t)space - 1, decode_percents);
  out->data = unescape(line + rb + 1, len - (size_t)rb - 1, decode_percents);
  return true;
}

void ref_command_free(ref_command *cmd) {
  free(cmd->area.p);
  free(cmd->event.p);
  free(cmd->data.p);
  for (size_t i = 0; i < cmd->nprops; i++) {
    free(cmd->keys[i].p);
    free(cmd->values[i].p);
  }
  memset(cmd, 0, sizeof *cmd);
}
