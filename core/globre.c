/* SPDX-License-Identifier: MIT */
/* A small .NET-compatible regex: parsed into a tree, compiled into a
 * Thompson program, run as a Pike machine without captures. */
#include "globre.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "casefold.h"

enum kind { N_EMPTY, N_SET, N_CLASS, N_ANY, N_BOL, N_EOL, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST, N_LOOK, N_NLOOK };

typedef struct node {
  enum kind kind;
  uint16_t c;     /* N_SET: the literal unit */
  uint32_t a, b;  /* children (node indexes); N_CLASS: a is the class */
} node;

typedef struct klass {
  bool negate;
  uint16_t (*ranges)[2];
  size_t n, cap;
} klass;

enum op { OP_SET, OP_CLASS, OP_ANY, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_LOOK, OP_NLOOK, OP_MATCH };

typedef struct inst {
  uint8_t op;
  uint8_t nset;   /* OP_SET: the literal and its case equivalents */
  uint16_t set[4];
  uint32_t x, y;  /* SPLIT: both ways; JMP: x; CLASS: x the class; LOOK: x the sub-program, y its number */
} inst;

struct vso_regex {
  inst *prog;
  size_t n, cap;
  klass *classes;
  size_t nclasses, classes_cap;
  size_t nsubs; /* lookaheads */
};

/* ---- parsing ---------------------------------------------------------- */

typedef struct parser {
  const uint16_t *re;
  size_t n, i;
  node *nodes;
  size_t nnodes, cap;
  vso_regex *r;
  bool invalid, oom;
  int depth;
} parser;

static uint32_t new_node(parser *ps, enum kind kind, uint32_t a, uint32_t b) {
  if (ps->nnodes == ps->cap && !vso_grow(&ps->nodes, &ps->cap, ps->nnodes, sizeof *ps->nodes)) {
    ps->oom = true;
    return 0;
  }
  ps->nodes[ps->nnodes] = (node){.kind = kind, .a = a, .b = b};
  return (uint32_t)ps->nnodes++;
}

static bool more(const parser *ps) { return ps->i < ps->n && !ps->invalid && !ps->oom; }
static uint16_t peek(const parser *ps, size_t ahead) { return ps->i + ahead < ps->n ? ps->re[ps->i + ahead] : 0; }

/* \X outside or inside a class: the port only ever escapes non-word
 * characters, which stand for themselves; anything else is not this subset. */
static bool escaped(parser *ps, uint16_t *c) {
  if (ps->i + 1 >= ps->n) return ps->invalid = true, false; /* "Illegal \ at end of pattern" */
  uint16_t x = ps->re[ps->i + 1];
  bool word = (x >= '0' && x <= '9') || (x >= 'A' && x <= 'Z') || (x >= 'a' && x <= 'z') || x == '_';
  if (word) return ps->invalid = true, false;
  ps->i += 2;
  *c = x;
  return true;
}

static bool add_range(parser *ps, klass *k, uint16_t lo, uint16_t hi) {
  if (lo > hi) return ps->invalid = true, false; /* "[x-y] range in reverse order" */
  if (k->n == k->cap && !vso_grow(&k->ranges, &k->cap, k->n, sizeof *k->ranges)) return ps->oom = true, false;
  k->ranges[k->n][0] = lo, k->ranges[k->n][1] = hi;
  k->n++;
  return true;
}

/* One class member: a unit, or \X. */
static bool class_unit(parser *ps, uint16_t *c) {
  if (peek(ps, 0) == '\\') return escaped(ps, c);
  *c = ps->re[ps->i++];
  return true;
}

/* [...] as RegexParser.ScanCharClass reads it: ^ first negates, ] first is
 * a member, a-b is a range unless b is the closing ]. */
static uint32_t parse_class(parser *ps) {
  vso_regex *r = ps->r;
  if (r->nclasses == r->classes_cap &&
      !vso_grow(&r->classes, &r->classes_cap, r->nclasses, sizeof *r->classes))
    return ps->oom = true, 0;
  klass *k = &r->classes[r->nclasses];
  *k = (klass){0};
  uint32_t index = (uint32_t)r->nclasses++;
  ps->i++; /* [ */
  if (peek(ps, 0) == '^' && ps->i < ps->n) k->negate = true, ps->i++;
  for (bool first = true;; first = false) {
    if (!more(ps)) return ps->invalid = !ps->oom, 0; /* "Unterminated [] set" */
    if (peek(ps, 0) == ']' && !first) break;
    uint16_t lo, hi;
    if (!class_unit(ps, &lo)) return 0;
    hi = lo;
    if (ps->i + 1 < ps->n && peek(ps, 0) == '-' && peek(ps, 1) != ']') {
      ps->i++;
      if (!class_unit(ps, &hi)) return 0;
    }
    if (!add_range(ps, k, lo, hi)) return 0;
  }
  ps->i++; /* ] */
  return new_node(ps, N_CLASS, index, 0);
}

static uint32_t parse_alt(parser *ps);

/* ( (?: (?= (?! ... ) */
static uint32_t parse_group(parser *ps) {
  enum kind kind = N_EMPTY;
  ps->i++;
  if (peek(ps, 0) == '?') {
    uint16_t t = peek(ps, 1);
    kind = t == ':' ? N_EMPTY : t == '=' ? N_LOOK : t == '!' ? N_NLOOK : N_SET;
    if (kind == N_SET) return ps->invalid = true, 0; /* another construct: not this subset */
    ps->i += 2;
  }
  if (++ps->depth > 1000) return ps->invalid = true, 0;
  uint32_t inner = parse_alt(ps);
  ps->depth--;
  if (peek(ps, 0) != ')' || ps->i >= ps->n) return ps->invalid = !ps->oom, 0; /* "Not enough )'s" */
  ps->i++;
  return kind == N_EMPTY ? inner : new_node(ps, kind, inner, 0);
}

static uint32_t parse_atom(parser *ps) {
  uint16_t c = ps->re[ps->i];
  uint32_t lit;
  switch (c) {
    case '(': return parse_group(ps);
    case '[': return parse_class(ps);
    case '.': ps->i++; return new_node(ps, N_ANY, 0, 0);
    case '^': ps->i++; return new_node(ps, N_BOL, 0, 0);
    case '$': ps->i++; return new_node(ps, N_EOL, 0, 0);
    case '*': case '+': case '?': return ps->invalid = true, 0; /* "Quantifier following nothing" */
    case '\\':
      if (!escaped(ps, &c)) return 0;
      break;
    default: ps->i++; break;
  }
  lit = new_node(ps, N_SET, 0, 0);
  if (!ps->oom) ps->nodes[lit].c = c;
  return lit;
}

/* An atom and its quantifier: * + ? (a following ? makes it lazy, which a
 * yes/no match does not see). */
static uint32_t parse_quantified(parser *ps) {
  uint32_t atom = parse_atom(ps);
  if (!more(ps)) return atom;
  uint16_t q = peek(ps, 0);
  if (q != '*' && q != '+' && q != '?') return atom;
  ps->i++;
  if (peek(ps, 0) == '?' && ps->i < ps->n) ps->i++;
  if (more(ps) && (peek(ps, 0) == '*' || peek(ps, 0) == '+' || peek(ps, 0) == '?'))
    return ps->invalid = true, 0; /* "Nested quantifier" */
  return new_node(ps, q == '*' ? N_STAR : q == '+' ? N_PLUS : N_QUEST, atom, 0);
}

static uint32_t parse_seq(parser *ps) {
  uint32_t seq = new_node(ps, N_EMPTY, 0, 0);
  while (more(ps) && peek(ps, 0) != '|' && peek(ps, 0) != ')') seq = new_node(ps, N_CAT, seq, parse_quantified(ps));
  return seq;
}

static uint32_t parse_alt(parser *ps) {
  uint32_t alt = parse_seq(ps);
  while (more(ps) && peek(ps, 0) == '|') {
    ps->i++;
    alt = new_node(ps, N_ALT, alt, parse_seq(ps));
  }
  return alt;
}

/* ---- compiling -------------------------------------------------------- */

static uint32_t emit(parser *ps, inst in) {
  vso_regex *r = ps->r;
  if (r->n == r->cap && !vso_grow(&r->prog, &r->cap, r->n, sizeof *r->prog)) return ps->oom = true, 0;
  r->prog[r->n] = in;
  return (uint32_t)r->n++;
}

static void compile(parser *ps, uint32_t at);

/* a*: L1: SPLIT L2, L3  L2: a  JMP L1  L3:    a+: L1: a  SPLIT L1, L3  L3: */
static void compile_repeat(parser *ps, const node *nd) {
  vso_regex *r = ps->r;
  if (nd->kind == N_PLUS) {
    uint32_t top = (uint32_t)r->n;
    compile(ps, nd->a);
    uint32_t split = emit(ps, (inst){.op = OP_SPLIT, .x = top});
    if (!ps->oom) r->prog[split].y = (uint32_t)r->n;
    return;
  }
  uint32_t split = emit(ps, (inst){.op = OP_SPLIT});
  if (!ps->oom) r->prog[split].x = (uint32_t)r->n;
  compile(ps, nd->a);
  if (nd->kind == N_STAR) emit(ps, (inst){.op = OP_JMP, .x = split});
  if (!ps->oom) r->prog[split].y = (uint32_t)r->n;
}

/* (?=a): LOOK L1  JMP L2  L1: a  MATCH  L2: */
static void compile_look(parser *ps, const node *nd) {
  vso_regex *r = ps->r;
  uint32_t look = emit(ps, (inst){.op = nd->kind == N_LOOK ? OP_LOOK : OP_NLOOK, .y = (uint32_t)r->nsubs++});
  uint32_t jmp = emit(ps, (inst){.op = OP_JMP});
  if (!ps->oom) r->prog[look].x = (uint32_t)r->n;
  compile(ps, nd->a);
  emit(ps, (inst){.op = OP_MATCH});
  if (!ps->oom) r->prog[jmp].x = (uint32_t)r->n;
}

static void compile(parser *ps, uint32_t at) {
  if (ps->oom) return;
  node nd = ps->nodes[at];
  vso_regex *r = ps->r;
  switch (nd.kind) {
    case N_EMPTY: break;
    case N_SET: {
      inst in = {.op = OP_SET};
      in.nset = (uint8_t)vso_regex_equivalents(nd.c, in.set);
      emit(ps, in);
      break;
    }
    case N_CLASS: emit(ps, (inst){.op = OP_CLASS, .x = nd.a}); break;
    case N_ANY: emit(ps, (inst){.op = OP_ANY}); break;
    case N_BOL: emit(ps, (inst){.op = OP_BOL}); break;
    case N_EOL: emit(ps, (inst){.op = OP_EOL}); break;
    case N_CAT: compile(ps, nd.a); compile(ps, nd.b); break;
    case N_ALT: {
      uint32_t split = emit(ps, (inst){.op = OP_SPLIT});
      if (!ps->oom) r->prog[split].x = (uint32_t)r->n;
      compile(ps, nd.a);
      uint32_t jmp = emit(ps, (inst){.op = OP_JMP});
      if (!ps->oom) r->prog[split].y = (uint32_t)r->n;
      compile(ps, nd.b);
      if (!ps->oom) r->prog[jmp].x = (uint32_t)r->n;
      break;
    }
    case N_STAR: case N_PLUS: case N_QUEST: compile_repeat(ps, &nd); break;
    case N_LOOK: case N_NLOOK: compile_look(ps, &nd); break;
  }
}

void vso_regex_free(vso_regex *r) {
  if (!r) return;
  for (size_t i = 0; i < r->nclasses; i++) free(r->classes[i].ranges);
  free(r->classes);
  free(r->prog);
  free(r);
}

vso_regex *vso_regex_compile(const uint16_t *re, size_t n, bool *invalid) {
  *invalid = false;
  vso_regex *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  parser ps = {.re = re, .n = n, .r = r};
  uint32_t root = parse_alt(&ps);
  if (!ps.invalid && !ps.oom && ps.i < n) ps.invalid = true; /* a ) too many: "Too many )'s" */
  if (!ps.invalid && !ps.oom) {
    compile(&ps, root);
    emit(&ps, (inst){.op = OP_MATCH});
  }
  free(ps.nodes);
  if (ps.invalid || ps.oom) {
    *invalid = ps.invalid;
    vso_regex_free(r);
    return NULL;
  }
  return r;
}

/* ---- running ---------------------------------------------------------- */

typedef struct run {
  const vso_regex *r;
  const uint16_t *s;
  size_t n;
  signed char *memo; /* memo[sub * (n + 1) + pos]: 0 unknown, 1 matches, -1 does not */
  bool oom;
} run;

typedef struct threads {
  uint32_t *pc;
  size_t n;
  uint32_t *mark; /* mark[pc] == gen: already in the list */
  uint32_t gen;
} threads;

static bool in_class(const klass *k, uint16_t c) {
  uint16_t eq[4];
  size_t n = vso_regex_equivalents(c, eq);
  bool in = false;
  for (size_t e = 0; e < n && !in; e++)
    for (size_t i = 0; i < k->n && !in; i++) in = eq[e] >= k->ranges[i][0] && eq[e] <= k->ranges[i][1];
  return in != k->negate;
}

static bool lookahead(run *rn, uint32_t pc, uint32_t sub, size_t pos);

/* Adds pc and what it reaches without reading (at pos) to the list. */
static void add_thread(run *rn, threads *t, uint32_t pc, size_t pos) {
  if (t->mark[pc] == t->gen) return;
  t->mark[pc] = t->gen;
  const inst *in = &rn->r->prog[pc];
  switch (in->op) {
    case OP_JMP: add_thread(rn, t, in->x, pos); return;
    case OP_SPLIT: add_thread(rn, t, in->x, pos); add_thread(rn, t, in->y, pos); return;
    case OP_BOL: if (pos == 0) add_thread(rn, t, pc + 1, pos); return;
    case OP_EOL: /* $ without Multiline: at the end, or before a final \n */
      if (pos == rn->n || (pos + 1 == rn->n && rn->s[pos] == '\n')) add_thread(rn, t, pc + 1, pos);
      return;
    case OP_LOOK: case OP_NLOOK:
      if (lookahead(rn, in->x, in->y, pos) == (in->op == OP_LOOK)) add_thread(rn, t, pc + 1, pos);
      return;
    default: t->pc[t->n++] = pc; return;
  }
}

static bool reads(const run *rn, const inst *in, uint16_t c) {
  switch (in->op) {
    case OP_SET:
      for (size_t k = 0; k < in->nset; k++)
        if (in->set[k] == c) return true;
      return false;
    case OP_CLASS: return in_class(&rn->r->classes[in->x], c);
    case OP_ANY: return c != '\n';
    default: return false;
  }
}

/* Whether the program at start reaches its MATCH from pos: anywhere when
 * prefix (a lookahead), else... also anywhere: the main program ends with
 * its own $ and MATCH. */
static bool simulate(run *rn, uint32_t start, size_t pos) {
  size_t len = rn->r->n;
  threads a = {calloc(len, sizeof(uint32_t)), 0, calloc(len, sizeof(uint32_t)), 1};
  threads b = {calloc(len, sizeof(uint32_t)), 0, a.mark, 0};
  bool found = false;
  if (!a.pc || !a.mark || !b.pc) rn->oom = true;
  else add_thread(rn, &a, start, pos);
  for (threads *cur = &a, *next = &b; !rn->oom && cur->n; pos++) {
    for (size_t k = 0; k < cur->n && !found; k++) found = rn->r->prog[cur->pc[k]].op == OP_MATCH;
    if (found || pos >= rn->n) break;
    next->n = 0;
    next->gen = cur->gen + 1;
    for (size_t k = 0; k < cur->n; k++) {
      const inst *in = &rn->r->prog[cur->pc[k]];
      if (reads(rn, in, rn->s[pos])) add_thread(rn, next, cur->pc[k] + 1, pos + 1);
    }
    threads *swap = cur;
    cur = next;
    next = swap;
  }
  free(a.pc);
  free(b.pc);
  free(a.mark);
  return found;
}

static bool lookahead(run *rn, uint32_t pc, uint32_t sub, size_t pos) {
  signed char *m = &rn->memo[sub * (rn->n + 1) + pos];
  if (*m == 0) *m = simulate(rn, pc, pos) ? 1 : -1;
  return *m == 1;
}

bool vso_regex_match(const vso_regex *r, const uint16_t *s, size_t n) {
  run rn = {.r = r, .s = s, .n = n};
  if (r->nsubs && !(rn.memo = calloc(r->nsubs * (n + 1), 1))) return false;
  bool found = simulate(&rn, 0, 0); /* ^ anchors it: a start past 0 finds nothing more */
  free(rn.memo);
  return found && !rn.oom;
}
