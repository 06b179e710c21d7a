/* SPDX-License-Identifier: MIT */
/* Minimatch (SLaks/Minimatch 2.0, Minimatcher.cs) with IgnoreCase, ported
 * step by step on UTF-16 code units: Check, the Make of the constructor
 * (negation, brace expansion, the split at "/+", Parse of each part into a
 * .NET regex), Match and MatchOne.  The C# is followed as it is, its
 * quirks included, so that vsorelay allows exactly the names the agent does. */
#include "glob.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob_int.h"
#include "globre.h"

/* ---- Parse: one part into a .NET regex -------------------------------- */

#define STAR "[^/]*?" /* any run of characters but / */
#define QMARK "[^/]"  /* one character but / */

/* "().*{}+?[]^$\\!": what a regex escapes. */
static bool special(uint16_t c) { return c < 128 && strchr("().*{}+?[]^$\\!", (char)c) && c != 0; }

typedef struct pattern_list {
  uint16_t type;
  size_t re_start;
} pattern_list;

typedef struct parse {
  const uint16_t *pat;
  size_t n;
  u16 re;
  bool has_magic, escaping, in_class, oom;
  int state_char;          /* -1: none */
  long class_start;        /* -1: none yet (the port's int) */
  size_t re_class_start;
  pattern_list stack[64];  /* open extglobs; more than 64 nested: treated as literal */
  size_t depth;
} parse;

/* clearStateChar: a pending ? * + @ ! that no ( followed. */
static void clear_state_char(parse *ps) {
  if (ps->state_char < 0) return;
  if (ps->state_char == '*') put_ascii(&ps->re, STAR), ps->has_magic = true;
  else if (ps->state_char == '?') put_ascii(&ps->re, QMARK), ps->has_magic = true;
  else put(&ps->re, '\\'), put(&ps->re, (uint16_t)ps->state_char);
  ps->state_char = -1;
}

static void open_list(parse *ps) {
  if (ps->state_char < 0 || ps->depth == sizeof ps->stack / sizeof ps->stack[0]) {
    put_ascii(&ps->re, "\\(");
    return;
  }
  ps->stack[ps->depth++] = (pattern_list){(uint16_t)ps->state_char, ps->re.n};
  put_ascii(&ps->re, ps->state_char == '!' ? "(?:(?!" : "(?:");
  ps->state_char = -1;
}

static void close_list(parse *ps) {
  ps->has_magic = true;
  put(&ps->re, ')');
  uint16_t type = ps->stack[--ps->depth].type;
  if (type == '!') put_ascii(&ps->re, "[^/]*?)"); /* negation is (?:(?!js)[^/]*?) */
  else if (type != '@') put(&ps->re, type);
}

/* One character of the pattern, as the port's switch takes it. */
static void parse_char(parse *ps, long i, uint16_t c) {
  if (ps->escaping && special(c)) { /* skip over any that are escaped */
    put(&ps->re, '\\'), put(&ps->re, c);
    ps->escaping = false;
    return;
  }
  switch (c) {
    case '\\': clear_state_char(ps); ps->escaping = true; return;
    case '?': case '*': case '+': case '@': case '!':
      if (ps->in_class) { /* literals in a class, but [!a] is [^a] */
        put(&ps->re, c == '!' && i == ps->class_start + 1 ? '^' : c);
        return;
      }
      clear_state_char(ps);
      ps->state_char = c;
      return;
    case '(':
      if (ps->in_class) put(&ps->re, '(');
      else open_list(ps);
      return;
    case ')':
      if (ps->in_class || ps->depth == 0) put_ascii(&ps->re, "\\)");
      else close_list(ps);
      return;
    case '|':
      if (ps->in_class || ps->depth == 0 || ps->escaping) put_ascii(&ps->re, "\\|"), ps->escaping = false;
      else put(&ps->re, '|');
      return;
    case '[':
      clear_state_char(ps);
      if (ps->in_class) {
        put_ascii(&ps->re, "\\[");
        return;
      }
      ps->in_class = true, ps->class_start = i, ps->re_class_start = ps->re.n;
      put(&ps->re, '[');
      return;
    case ']': /* first in a class, or outside one: itself */
      if (i == ps->class_start + 1 || !ps->in_class) put_ascii(&ps->re, "\\]"), ps->escaping = false;
      else ps->has_magic = true, ps->in_class = false, put(&ps->re, ']');
      return;
    default:
      clear_state_char(ps);
      if (ps->escaping) ps->escaping = false;
      else if (special(c) && !(c == '^' && ps->in_class)) put(&ps->re, '\\');
      put(&ps->re, c);
      return;
  }
}

/* escapeCheck.Replace(tail, ...) of the port: each | not escaped gets a \,
 * and the run of \ before it doubles ("I am sorry that you have to see this"). */
static void escape_bars(const uint16_t *tail, size_t n, u16 *out) {
  size_t last = 0;
  for (size_t j = 0; j < n; j++) {
    if (tail[j] != '|') continue;
    size_t k = 0;
    while (j - k > last && tail[j - k - 1] == '\\') k++;
    put_units(out, tail + last, j - k - last);
    for (size_t b = 0; b < 4 * (k / 2); b++) put(out, '\\'); /* the pairs, written twice */
    put(out, '\\');
    put(out, '|');
    last = j + 1;
  }
  put_units(out, tail + last, n - last);
}

enum part_kind { PART_EMPTY, PART_GLOBSTAR, PART_REGEX };

/* Minimatcher.Parse(pattern, isSub) into *re; returns the kind.  For a sub
 * (the unclosed class) the source only counts, as the port splices it. */
static enum part_kind parse_part(const uint16_t *pat, size_t n, u16 *re, bool *has_magic, bool *oom);

/* What follows the loop: an unclosed [ re-read as \[, unclosed extglobs
 * turned back into their characters, the state char, a trailing \. */
static void finish_parse(parse *ps) {
  if (ps->in_class) { /* "[abc" is valid, equivalent to "\[abc" */
    u16 sub = {0};
    bool sub_magic = false;
    size_t from = (size_t)ps->class_start + 1;
    parse_part(ps->pat + from, ps->n - from, &sub, &sub_magic, &ps->oom);
    ps->re.n = ps->re_class_start;
    put_ascii(&ps->re, "\\[");
    put_units(&ps->re, sub.p, sub.n);
    ps->has_magic = ps->has_magic || sub_magic;
    free(sub.p);
  }
  while (ps->depth && !ps->re.oom) { /* a +( thing at the end */
    pattern_list pl = ps->stack[--ps->depth];
    u16 tail = {0};
    escape_bars(ps->re.p + pl.re_start + 3, ps->re.n - pl.re_start - 3, &tail);
    ps->re.n = pl.re_start;
    if (pl.type == '*') put_ascii(&ps->re, STAR);
    else if (pl.type == '?') put_ascii(&ps->re, QMARK);
    else put(&ps->re, '\\'), put(&ps->re, pl.type);
    put_ascii(&ps->re, "\\(");
    put_units(&ps->re, tail.p, tail.n);
    ps->oom |= tail.oom;
    free(tail.p);
    ps->has_magic = true;
  }
  clear_state_char(ps);
  if (ps->escaping) put_ascii(&ps->re, "\\\\"); /* trailing \\ */
}

/* (?!\.) unless the part starts with a dot, and (?=.): then * and ? and
 * classes never match a leading dot, nor an empty part. */
static void prepend_starts(parse *ps) {
  uint16_t first = ps->re.n ? ps->re.p[0] : 0;
  bool add_pattern_start = first == '.' || first == '[' || first == '(';
  u16 head = {0};
  if (add_pattern_start && ps->pat[0] != '.') put_ascii(&head, "(?!\\.)");
  if (ps->re.n && ps->has_magic) put_ascii(&head, "(?=.)");
  put_units(&head, ps->re.p, ps->re.n);
  ps->oom |= head.oom;
  free(ps->re.p);
  ps->re = head;
}

static enum part_kind parse_part(const uint16_t *pat, size_t n, u16 *re, bool *has_magic, bool *oom) {
  if (same(pat, n, "**")) return PART_GLOBSTAR; /* its source is null: nothing to splice */
  if (n == 0) return PART_EMPTY;
  parse ps = {.pat = pat, .n = n, .has_magic = true /* NoCase */, .state_char = -1, .class_start = -1};
  for (size_t i = 0; i < n; i++) parse_char(&ps, (long)i, pat[i]);
  finish_parse(&ps);
  prepend_starts(&ps);
  *oom |= ps.oom || ps.re.oom;
  *has_magic = ps.has_magic;
  *re = ps.re;
  return PART_REGEX;
}

/* ---- the Minimatcher ---------------------------------------------------- */

typedef struct item {
  enum part_kind kind;
  vso_regex *re;  /* PART_REGEX: "^" + source + "$"; NULL: .NET would throw */
} item;

typedef struct parts {
  item *at;
  size_t n;
} parts;

struct vso_glob {
  enum { MATCH_NOTHING, MATCH_EMPTY, MATCH_SET } mode;
  bool negate;
  parts *set; /* one per brace expansion: the pattern split at "/+" */
  size_t nset;
};

void vso_glob_free(vso_glob *g) {
  if (!g) return;
  for (size_t i = 0; i < g->nset; i++) {
    for (size_t k = 0; k < g->set[i].n; k++) vso_regex_free(g->set[i].at[k].re);
    free(g->set[i].at);
  }
  free(g->set);
  free(g);
}

/* One expansion: its parts, each parsed, a regex compiled for each. */
static bool compile_parts(const u16 *expansion, parts *out) {
  list split = {0};
  split_slashes(expansion->p, expansion->n, &split);
  bool ok = !split.oom && (out->at = calloc(split.n ? split.n : 1, sizeof *out->at));
  for (size_t k = 0; ok && k < split.n; k++) {
    u16 source = {0}, re = {0};
    bool magic = false, oom = false, invalid = false;
    item *it = &out->at[out->n++];
    it->kind = parse_part(split.at[k].p, split.at[k].n, &source, &magic, &oom);
    if (it->kind == PART_REGEX) {
      put(&re, '^');
      put_units(&re, source.p, source.n);
      put(&re, '$');
      oom |= re.oom;
      if (!oom) it->re = vso_regex_compile(re.p, re.n, &invalid);
      ok = !oom && (it->re || invalid);
    }
    free(source.p);
    free(re.p);
  }
  list_free(&split);
  return ok;
}

/* Trim, the leading "!", BraceExpand, and each expansion compiled (Make). */
static bool make(vso_glob *g, const uint16_t *p, size_t n) {
  while (n && white(p[n - 1])) n--;
  while (n && white(p[0])) p++, n--;
  if (n && p[0] == '#') return true; /* a comment matches nothing */
  for (; n && p[0] == '!'; p++, n--) g->negate = !g->negate;
  list expansions = {0};
  brace_expand(p, n, &expansions);
  if (expansions.too_big) { /* the agent would run out of memory: nothing */
    list_free(&expansions);
    return true;
  }
  bool ok = !expansions.oom && (g->set = calloc(expansions.n ? expansions.n : 1, sizeof *g->set));
  for (size_t i = 0; ok && i < expansions.n; i++) ok = compile_parts(&expansions.at[i], &g->set[g->nset++]);
  list_free(&expansions);
  if (ok) g->mode = MATCH_SET;
  return ok;
}

vso_glob *vso_glob_compile(const char *pattern, size_t n) {
  vso_glob *g = calloc(1, sizeof *g);
  u16 p = {0};
  if (!g) return NULL;
  put_utf8(&p, pattern, n);
  bool ok = !p.oom, blank = true;
  for (size_t i = 0; i < p.n; i++) blank &= white(p.p[i]);
  /* Check: "#..." matches nothing, a blank pattern only "" */
  if (ok && p.n && p.p[0] == '#') g->mode = MATCH_NOTHING;
  else if (ok && blank) g->mode = MATCH_EMPTY;
  else if (ok) ok = make(g, p.p, p.n);
  free(p.p);
  if (!ok) {
    vso_glob_free(g);
    return NULL;
  }
  return g;
}

static bool dot_part(const u16 *f) { return same(f->p, f->n, ".") || same(f->p, f->n, ".."); }

/* p.Match(f): "" for the empty part, else the regex.  *error: .NET threw. */
static bool item_matches(const item *it, const u16 *f, bool *error) {
  if (it->kind == PART_EMPTY) return f->n == 0;
  if (!it->re) return *error = true, false;
  return vso_regex_match(it->re, f->p, f->n);
}

/* MatchOne(file, pattern, partial: false). */
static bool match_one(const u16 *file, size_t nf, const item *pat, size_t np, bool *error) {
  size_t fi = 0, pi = 0;
  for (; fi < nf && pi < np && !*error; fi++, pi++) {
    if (pat[pi].kind != PART_GLOBSTAR) {
      if (!item_matches(&pat[pi], &file[fi], error)) return false;
      continue;
    }
    if (pi + 1 == np) { /* ** at the end swallows the rest, but never . .. or .x */
      for (; fi < nf; fi++)
        if (dot_part(&file[fi]) || (file[fi].n && file[fi].p[0] == '.')) return false;
      return true;
    }
    for (size_t fr = fi; fr < nf && !*error; fr++) { /* swallow parts until the rest matches */
      if (match_one(file + fr, nf - fr, pat + pi + 1, np - pi - 1, error)) return true;
      if (dot_part(&file[fr])) break;
      if (file[fr].n == 0) return *error = true, false; /* swallowee[0] on "": IndexOutOfRangeException */
      if (file[fr].p[0] == '.') break;
    }
    return false;
  }
  if (*error) return false;
  if (fi == nf && pi == np) return true;
  if (fi == nf) return false;
  return fi == nf - 1 && file[fi].n == 0; /* a name ending in / matches a pattern one part shorter */
}

bool vso_glob_matches(const vso_glob *g, const char *name, size_t n) {
  if (g->mode == MATCH_NOTHING) return false;
  u16 input = {0};
  put_utf8(&input, name, n);
  bool hit = false, error = input.oom;
  if (g->mode == MATCH_EMPTY) hit = input.n == 0;
  list file = {0};
  if (g->mode == MATCH_SET && !error) {
    split_slashes(input.p, input.n, &file);
    error = file.oom;
    for (size_t i = 0; i < g->nset && !hit && !error; i++) hit = match_one(file.at, file.n, g->set[i].at, g->set[i].n, &error);
    hit = hit ? !g->negate : g->negate;
  }
  list_free(&file);
  free(input.p);
  return hit && !error; /* where the agent throws, nothing is allowed */
}

char *vso_glob_part_regex(const char *part, size_t n) {
  u16 pat = {0}, re = {0};
  bool magic = false, oom = false;
  put_utf8(&pat, part, n);
  if (!pat.oom) parse_part(pat.p, pat.n, &re, &magic, &oom);
  char *out = oom || pat.oom ? NULL : malloc(re.n + 1);
  for (size_t i = 0; out && i < re.n; i++) out[i] = re.p[i] < 0x80 ? (char)re.p[i] : '?';
  if (out) out[re.n] = '\0';
  free(pat.p);
  free(re.p);
  return out;
}
