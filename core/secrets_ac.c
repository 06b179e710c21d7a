/* SPDX-License-Identifier: MIT */
/* Aho-Corasick automata over sorted patterns, built breadth first in one
 * pass; nodes with many children get a row of transitions. */
#include <stdlib.h>
#include <string.h>

#include "secrets_int.h"

/* The members whose patterns share a node's prefix: sorted members that
 * share a prefix are contiguous, those that end there first. */
typedef struct span {
  size_t lo, hi;
} span;

typedef struct builder {
  vso_secret_group *g;
  const vso_secret_pattern *patterns;
  const unsigned char **bytes; /* the members' patterns, in member order: one load less */
  size_t *lens;
  span *spans;
  size_t nrows, rows_cap;
  unsigned char byte_of_class[257];
} builder;

/* Byte classes (the bytes of some pattern, numbered) and the start bytes. */
static void classify(builder *b) {
  vso_secret_group *g = b->g;
  bool used[256] = {false};
  memset(g->starts, 0, sizeof g->starts);
  for (size_t i = 0; i < g->n; i++) {
    const vso_secret_pattern *pat = &b->patterns[g->members[i]];
    for (size_t k = 0; k < pat->n; k++) used[(unsigned char)pat->p[k]] = true;
    g->starts[(unsigned char)pat->p[0]] = true;
  }
  uint32_t k = 0;
  for (int c = 0; c < 256; c++) {
    g->classes[c] = used[c] ? (uint16_t)++k : 0;
    if (used[c]) b->byte_of_class[k] = (unsigned char)c;
  }
  g->width = k + 1; /* up to 256 classes and the one for other bytes: 257 */
  int first = -1, nfirst = 0;
  g->has_short = false;
  for (size_t i = 0; i < g->n; i++) {
    const vso_secret_pattern *pat = &b->patterns[g->members[i]];
    if (pat->n < 4) g->has_short = true;
    else vso_filter_add(g->prefixes, g->prefix_log, vso_prefix_hash(pat->p));
  }
  for (int c = 0; c < 256; c++)
    if (g->starts[c]) first = c, nfirst++;
  g->first_byte = nfirst == 1 ? first : -1;
}

/* A row costs width entries: worth it for the root and busy nodes. */
static bool wants_row(const vso_secret_group *g, size_t v, uint32_t nchild) {
  uint32_t least = g->width / 16 > 3 ? g->width / 16 : 3;
  return v == 0 || nchild >= least;
}

/* Gives node v (whose children exist) its row: the transitions of its fail
 * node, then its children. */
static bool make_row(builder *b, size_t v) {
  vso_secret_group *g = b->g;
  if (b->nrows == b->rows_cap) {
    size_t cap = b->rows_cap ? b->rows_cap * 2 : 16;
    uint32_t *rows = realloc(g->rows, cap * g->width * sizeof *rows);
    if (!rows) return false;
    g->rows = rows;
    b->rows_cap = cap;
  }
  ac_node *node = &g->nodes[v];
  uint32_t *row = &g->rows[b->nrows * g->width];
  const ac_node *fail = &g->nodes[node->fail];
  if (v == 0) memset(row, 0, g->width * sizeof *row);
  else if (fail->nchild == AC_DENSE) memcpy(row, &g->rows[(size_t)fail->child * g->width], g->width * sizeof *row);
  else {
    row[0] = 0; /* a byte of no pattern leads to the root */
    for (uint32_t k = 1; k < g->width; k++) row[k] = vso_ac_step(g, node->fail, b->byte_of_class[k]);
  }
  for (uint32_t k = 0; k < node->nchild; k++) row[g->classes[g->nodes[node->child + k].label]] = node->child + k;
  node->child = (uint32_t)b->nrows++;
  node->nchild = AC_DENSE;
  return true;
}

/* Creates the children of node v: one per distinct byte at v's depth among
 * the members of its span, each with its fail link: where v's fail node
 * goes on that byte (it is lower in breadth-first order, so finished). */
static size_t add_children(builder *b, size_t v, size_t count) {
  vso_secret_group *g = b->g;
  ac_node *nodes = g->nodes;
  size_t lo = b->spans[v].lo, hi = b->spans[v].hi;
  uint32_t depth = nodes[v].depth;
  while (lo < hi && b->lens[lo] == depth) lo++; /* they end here */
  nodes[v].child = (uint32_t)count;
  while (lo < hi) {
    unsigned char c = b->bytes[lo][depth];
    size_t end = lo + 1;
    while (end < hi && b->bytes[end][depth] == c) end++;
    size_t w = count++;
    uint32_t fail = v == 0 ? 0 : vso_ac_step(g, nodes[v].fail, c);
    nodes[w] = (ac_node){.fail = fail, .depth = depth + 1, .label = c};
    b->spans[w] = (span){lo, end};
    lo = end;
  }
  nodes[v].nchild = (uint16_t)(count - nodes[v].child);
  return count;
}

/* The trie, fail links, outputs and rows, breadth first: everything a
 * node's fail link leads to is finished before the node. */
static bool build_trie(builder *b) {
  vso_secret_group *g = b->g;
  g->nodes[0] = (ac_node){0};
  b->spans[0] = (span){0, g->n};
  size_t count = 1;
  for (size_t v = 0; v < count; v++) {
    ac_node *node = &g->nodes[v];
    size_t lo = b->spans[v].lo;
    bool ends_here = v != 0 && lo < b->spans[v].hi && b->lens[lo] == node->depth;
    node->out = ends_here ? node->depth : v == 0 ? 0 : g->nodes[node->fail].out;
    count = add_children(b, v, count);
    if (wants_row(g, v, node->nchild) && !make_row(b, v)) return false;
  }
  g->nnodes = count;
  return true;
}

bool vso_ac_build(vso_secret_group *g, const vso_secret_pattern *patterns) {
  size_t bound = 1; /* a node per byte of every pattern at most, and the root */
  for (size_t i = 0; i < g->n; i++) bound += patterns[g->members[i]].n;
  if (bound >= UINT32_MAX) return false;
  builder b = {.g = g, .patterns = patterns};
  int bits_log = 9; /* 32 bits a pattern, 512 at least */
  while (bits_log < 31 && ((size_t)1 << bits_log) < 32 * g->n) bits_log++;
  g->prefix_log = bits_log;
  g->prefixes = calloc(((size_t)1 << bits_log) / 64, sizeof *g->prefixes);
  g->nodes = malloc(bound * sizeof *g->nodes);
  b.spans = malloc(bound * sizeof *b.spans);
  b.bytes = malloc(g->n * sizeof *b.bytes);
  b.lens = malloc(g->n * sizeof *b.lens);
  g->rows = NULL;
  bool ok = g->nodes && b.spans && g->prefixes && b.bytes && b.lens;
  if (ok) {
    for (size_t i = 0; i < g->n; i++) {
      b.bytes[i] = (const unsigned char *)patterns[g->members[i]].p;
      b.lens[i] = patterns[g->members[i]].n;
    }
    classify(&b);
    ok = build_trie(&b);
  }
  free(b.spans);
  free(b.bytes);
  free(b.lens);
  if (ok) {
    ac_node *shrunk = realloc(g->nodes, g->nnodes * sizeof *g->nodes);
    if (shrunk) g->nodes = shrunk;
  } else {
    vso_ac_free(g);
  }
  return ok;
}

void vso_ac_free(vso_secret_group *g) {
  free(g->nodes);
  free(g->rows);
  free(g->prefixes);
  g->nodes = NULL;
  g->rows = NULL;
  g->prefixes = NULL;
  g->nnodes = 0;
}
