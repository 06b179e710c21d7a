/* SPDX-License-Identifier: MIT */
/* Minimatch's brace expansion and "/+" split, on UTF-16 code units
 * (Minimatcher.cs BraceExpand, followed as it is, quirks included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefold.h"
#include "glob_int.h"

enum { MAX_EXPANSIONS = 65536, MAX_EXPANDED = 16 << 20 };

/* ---- UTF-16 strings ----------------------------------------------------- */

void put(u16 *s, uint16_t c) {
  if (s->oom) return;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 32;
    uint16_t *p = realloc(s->p, cap * sizeof *p);
    if (!p) {
      s->oom = true;
      return;
    }
    s->p = p;
    s->cap = cap;
  }
  s->p[s->n++] = c;
}

void put_units(u16 *s, const uint16_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) put(s, p[i]);
}

void put_ascii(u16 *s, const char *a) {
  while (*a) put(s, (unsigned char)*a++);
}

/* UTF-8 as the agent decodes it (U+FFFD for each invalid subpart). */
void put_utf8(u16 *s, const char *p, size_t n) {
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    i += vso_utf8_next((const unsigned char *)p + i, n - i, &cp);
    if (cp < 0x10000) {
      put(s, (uint16_t)cp);
    } else {
      put(s, (uint16_t)(0xD800 + ((cp - 0x10000) >> 10)));
      put(s, (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    }
  }
}

bool same(const uint16_t *p, size_t n, const char *ascii) {
  size_t k = strlen(ascii);
  if (k != n) return false;
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)ascii[i]) return false;
  return true;
}

/* Char.IsWhiteSpace, for String.Trim and IsNullOrWhiteSpace. */
bool white(uint16_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static u16 *add(list *l) {
  if (l->n == MAX_EXPANSIONS || l->units > MAX_EXPANDED) {
    l->too_big = true;
    return NULL;
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    u16 *at = realloc(l->at, cap * sizeof *at);
    if (!at) {
      l->oom = true;
      return NULL;
    }
    l->at = at;
    l->cap = cap;
  }
  l->at[l->n] = (u16){0};
  return &l->at[l->n++];
}

void add_copy(list *l, const uint16_t *p, size_t n) {
  u16 *s = add(l);
  if (!s) return;
  put_units(s, p, n);
  l->units += n;
  if (s->oom) l->oom = true;
}

void list_free(list *l) {
  for (size_t i = 0; i < l->n; i++) free(l->at[i].p);
  free(l->at);
  memset(l, 0, sizeof *l);
}

/* ---- BraceExpand -------------------------------------------------------- */

/* new Regex(@"\{.*\}").IsMatch: a { and a later } with no \n between. */
static bool has_braces(const uint16_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != '{') continue;
    for (size_t j = i + 1; j < n && p[j] != '\n'; j++)
      if (p[j] == '}') return true;
  }
  return false;
}

/* Every a + b for a in left and b in right, right's order outermost: the
 * SelectMany(s1 => set.Select(s2 => s2 + s1)) of the port. */
static void concat(const list *left, const list *right, list *out) {
  for (size_t j = 0; j < right->n && !out->oom && !out->too_big; j++)
    for (size_t i = 0; i < left->n && !out->oom && !out->too_big; i++) {
      u16 *s = add(out);
      if (!s) return;
      put_units(s, left->at[i].p, left->at[i].n);
      put_units(s, right->at[j].p, right->at[j].n);
      out->units += s->n;
      if (s->oom) out->oom = true;
    }
}

static void merge_flags(list *into, const list *from) {
  into->oom |= from->oom;
  into->too_big |= from->too_big;
}

/* "^\{(-?[0-9]+)\.\.(-?[0-9]+)\}": its length, and the two ints (int.Parse
 * overflowing is the agent's exception: too_big here). */
static size_t numeric_set(const uint16_t *p, size_t n, long long *from, long long *to, bool *overflow) {
  size_t i = 1;
  long long *v[2] = {from, to};
  for (int k = 0; k < 2; k++) {
    bool minus = i < n && p[i] == '-';
    i += minus;
    size_t digits = 0;
    long long x = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
      x = x * 10 + (p[i] - '0');
      if (x > 2147483648LL) *overflow = true, x = 2147483648LL;
    }
    if (!digits) return 0;
    if (x > (minus ? 2147483648LL : 2147483647LL)) *overflow = true;
    *v[k] = minus ? -x : x;
    if (k == 0) {
      if (i + 1 >= n || p[i] != '.' || p[i + 1] != '.') return 0;
      i += 2;
    }
  }
  return i < n && p[i] == '}' ? i + 1 : 0;
}

static void brace_prefix(const uint16_t *p, size_t n, list *out) {
  bool escaping = false; /* toggled by each \, cleared by nothing else: as in the port */
  size_t i = 0;
  for (; i < n; i++) {
    if (p[i] == '\\') escaping = !escaping;
    else if (p[i] == '{' && !escaping) break;
  }
  if (i == n) { /* every { escaped: no set */
    add_copy(out, p, n);
    return;
  }
  list prefix = {0}, rest = {0};
  add_copy(&prefix, p, i);
  brace_expand(p + i, n - i, &rest);
  concat(&prefix, &rest, out);
  merge_flags(out, &prefix);
  merge_flags(out, &rest);
  list_free(&prefix);
  list_free(&rest);
}

/* {a..b}: a, a +- 1, ... b, each before every expansion of what follows. */
static void brace_numbers(const uint16_t *p, size_t n, size_t len, long long from, long long to, list *out) {
  list suffixes = {0}, numbers = {0};
  brace_expand(p + len, n - len, &suffixes);
  long long step = from > to ? -1 : 1;
  for (long long w = from; !numbers.oom && !numbers.too_big; w += step) {
    char digits[24];
    u16 *s = add(&numbers);
    if (!s) break;
    snprintf(digits, sizeof digits, "%lld", w);
    put_ascii(s, digits);
    if (w == to) break;
  }
  for (size_t i = 0; i < numbers.n && !out->oom && !out->too_big; i++) { /* w outer, suffixes inner */
    list one = {0};
    add_copy(&one, numbers.at[i].p, numbers.at[i].n);
    concat(&one, &suffixes, out);
    list_free(&one);
  }
  merge_flags(out, &suffixes);
  merge_flags(out, &numbers);
  list_free(&suffixes);
  list_free(&numbers);
}

/* The members of the set that opens p (at depth 1, split at its commas),
 * or SIZE_MAX when the set is not closed; *end: where it closes + 1. */
static void brace_members(const uint16_t *p, size_t n, list *set, size_t *end, int *depth_left) {
  bool escaping = false;
  int depth = 1;
  u16 member = {0};
  size_t i = 1;
  for (; i < n && depth > 0; i++) {
    uint16_t c = p[i];
    if (escaping) {
      escaping = false;
      put(&member, '\\');
      put(&member, c);
    } else if (c == '\\') {
      escaping = true;
    } else if (c == '{') {
      depth++;
      put(&member, c);
    } else if (c == '}' && --depth == 0) {
      add_copy(set, member.p, member.n);
      member.n = 0;
    } else if (c == ',' && depth == 1) {
      add_copy(set, member.p, member.n);
      member.n = 0;
    } else {
      put(&member, c);
    }
  }
  if (member.oom) set->oom = true;
  free(member.p);
  *end = i;
  *depth_left = depth;
}

/* {b,c{d,e},{f,g}h}x: each member expanded, a lone member kept in its
 * braces, then each before every expansion of what follows.  A set that
 * does not close is expanded as if its { were escaped. */
static void brace_set(const uint16_t *p, size_t n, list *out) {
  list set = {0}, members = {0}, suffixes = {0};
  size_t end;
  int depth;
  brace_members(p, n, &set, &end, &depth);
  if (depth != 0) {
    u16 escaped = {0};
    put(&escaped, '\\');
    put_units(&escaped, p, n);
    if (escaped.oom) out->oom = true;
    else brace_expand(escaped.p, escaped.n, out);
    free(escaped.p);
    list_free(&set);
    return;
  }
  for (size_t i = 0; i < set.n; i++) brace_expand(set.at[i].p, set.at[i].n, &members);
  if (set.n == 1) /* {a} stays {a}, with its member expanded */
    for (size_t i = 0; i < members.n; i++) {
      u16 braced = {0};
      put(&braced, '{');
      put_units(&braced, members.at[i].p, members.at[i].n);
      put(&braced, '}');
      members.oom |= braced.oom;
      free(members.at[i].p);
      members.at[i] = braced;
    }
  brace_expand(p + end, n - end, &suffixes);
  concat(&members, &suffixes, out);
  merge_flags(out, &set);
  merge_flags(out, &members);
  merge_flags(out, &suffixes);
  list_free(&set);
  list_free(&members);
  list_free(&suffixes);
}

/* Minimatcher.BraceExpand. */
void brace_expand(const uint16_t *p, size_t n, list *out) {
  if (out->oom || out->too_big) return;
  if (!has_braces(p, n)) {
    add_copy(out, p, n);
    return;
  }
  if (p[0] != '{') {
    brace_prefix(p, n, out);
    return;
  }
  long long from, to;
  bool overflow = false;
  size_t len = numeric_set(p, n, &from, &to, &overflow);
  if (len && overflow) out->too_big = true;
  else if (len) brace_numbers(p, n, len, from, to, out);
  else brace_set(p, n, out);
}

/* Regex.Split(s, "/+"). */
void split_slashes(const uint16_t *p, size_t n, list *out) {
  size_t from = 0;
  for (size_t i = 0; i < n;) {
    if (p[i] != '/') {
      i++;
      continue;
    }
    add_copy(out, p + from, i - from);
    while (i < n && p[i] == '/') i++;
    from = i;
  }
  add_copy(out, p + from, n - from);
}

