/* SPDX-License-Identifier: MIT */
#include "expect.h"

#include <stdlib.h>
#include <string.h>


static void expectation_name(const void *ctx, size_t at, const char **key, size_t *len) {
  const vso_expect_set *set = ctx;
  *key = set->items[at].name;
  *len = strlen(*key); /* names hold no NUL (checked when added) */
}

bool vso_expect_add(vso_expect_set *set, const char *name, size_t n, bool matrix, vso_buf *err) {
  const vso_index_keys keys = {set, expectation_name};
  if (n == 0) {
    vso_buf_append_str(err, "an expected variable name is empty");
    return false;
  }
  size_t at;
  if (vso_index_get(&set->index, &keys, name, n, &at)) {
    set->items[at].matrix |= matrix;
    return true;
  }
  if (memchr(name, '\0', n)) {
    vso_buf_append_str(err, "an expected variable name holds a NUL byte");
    return false;
  }
  bool room = vso_grow(&set->items, &set->cap, set->n, sizeof *set->items);
  char *copy = room ? malloc(n + 1) : NULL;
  if (copy) {
    memcpy(copy, name, n);
    copy[n] = '\0';
  }
  if (!copy) {
    vso_buf_append_str(err, "out of memory");
    return false;
  }
  set->items[set->n] = (vso_expectation){.name = copy, .matrix = matrix}; /* key_of reads it */
  if (!vso_index_put(&set->index, &keys, copy, n, set->n)) {
    free(copy);
    vso_buf_append_str(err, "out of memory");
    return false;
  }
  set->n++;
  return true;
}

vso_expectation *vso_expect_find(vso_expect_set *set, const char *name, size_t n) {
  const vso_index_keys keys = {set, expectation_name};
  size_t at;
  return vso_index_get(&set->index, &keys, name, n, &at) ? &set->items[at] : NULL;
}

void vso_expect_stands_for(vso_expect_set *set, const char *name, const vso_manifest_platform *platforms,
                           size_t n) {
  vso_expectation *x = vso_expect_find(set, name, strlen(name));
  if (!x || x->nplatforms || !n) return;
  x->platforms = platforms;
  x->nplatforms = n;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Adds p[0..n) trimmed of blanks, if anything is left. */
static bool add_trimmed(vso_expect_set *set, const char *p, size_t n, bool matrix, bool allow_empty,
                        vso_buf *err) {
  while (n && is_blank(*p)) p++, n--;
  while (n && is_blank(p[n - 1])) n--;
  if (!n && allow_empty) return true;
  return vso_expect_add(set, p, n, matrix, err);
}

bool vso_expect_add_list(vso_expect_set *set, const char *list, bool matrix, vso_buf *err) {
  for (const char *p = list;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (!add_trimmed(set, p, n, matrix, false, err)) return false;
    if (!comma) return true;
    p = comma + 1;
  }
}

bool vso_expect_add_text(vso_expect_set *set, const char *text, size_t n, bool matrix, vso_buf *err) {
  for (size_t i = 0; i < n;) {
    const char *nl = memchr(text + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - text) : n;
    const char *hash = memchr(text + i, '#', end - i);
    size_t stop = hash ? (size_t)(hash - text) : end;
    if (!add_trimmed(set, text + i, stop - i, matrix, true, err)) return false;
    i = end + 1;
  }
  return true;
}

void vso_expect_require_matrix(vso_expect_set *set) {
  for (size_t i = 0; i < set->n; i++) set->items[i].matrix = true;
}

static void set_reason(vso_expectation *e, const char *text) {
  free(e->reason);
  e->reason = text ? strdup(text) : NULL;
}

/* A reason that quotes the child's text (a leg's name): made inert, since a
 * name may hold the agent's keyword, and masked with the secrets known. */
static void set_reason_inert(vso_expectation *e, const vso_secrets *secrets, const char *text) {
  vso_buf masked = {0}, inert = {0};
  bool ok = vso_mask(secrets, text, strlen(text), &masked) &&
            vso_deactivate(masked.data ? masked.data : "", masked.len, &inert);
  set_reason(e, ok ? inert.data : "not a usable build matrix (out of memory)");
  vso_buf_free(&masked);
  vso_buf_free(&inert);
}

/* The reason in the agent's terms (dialect.h). */
static void set_reason_said(vso_expectation *e, vso_finding f) {
  vso_buf words = {0};
  set_reason(e, vso_dialect_say(&words, f, "", "") ? words.data : NULL);
  vso_buf_free(&words);
}

static void evaluate_one(vso_expectation *e, vso_analysis *a) {
  const vso_setvar *sv = vso_analysis_last(a, e->name, strlen(e->name));
  const vso_value_matrix *m = NULL;
  e->last = sv;
  set_reason(e, NULL);
  if (!sv) {
    e->status = VSO_EXP_MISSING;
    set_reason(e, "never set");
  } else if (sv->cut) {
    e->status = VSO_EXP_CUT;
    set_reason(e, "its last command line had not ended when vsorelay stopped the command (the pipes were "
                  "still open after it exited): the value may be incomplete");
  } else if (sv->rejected) {
    e->status = VSO_EXP_REJECTED;
    set_reason_said(e, VSO_SAY_REJECTED);
  } else if (!sv->is_output) {
    e->status = VSO_EXP_NOT_OUTPUT;
    set_reason_said(e, VSO_SAY_NOT_OUTPUT);
  } else if (sv->length == 0) {
    e->status = VSO_EXP_EMPTY;
    set_reason(e, "set as an output variable, but with an empty value");
  } else if (e->matrix && !(m = vso_analysis_read_matrix(a, (size_t)(sv - a->setvars)), m && m->usable)) {
    /* the value is read once; its legs stay with the analysis for the report */
    e->status = VSO_EXP_INVALID;
    vso_buf msg = {0};
    vso_buf_append_str(&msg, "not a usable build matrix: ");
    /* why names the leg or variable at fault: of a secret value, even its
     * keys are never shown */
    vso_buf_append_str(&msg, !m ? "out of memory" : sv->is_secret ? "(a secret value: the details are not shown)" : m->why);
    set_reason_inert(e, &a->secrets, msg.data ? msg.data : "not a usable build matrix");
    vso_buf_free(&msg);
  } else {
    e->status = VSO_EXP_MET;
  }
}

void vso_expect_evaluate(vso_expect_set *set, vso_analysis *a) {
  for (size_t i = 0; i < set->n; i++) evaluate_one(&set->items[i], a);
}

bool vso_expect_index_of(const vso_expect_set *set, const char *name, size_t n, size_t *at) {
  const vso_index_keys keys = {set, expectation_name};
  return vso_index_get(&set->index, &keys, name, n, at);
}

void vso_expect_all_unreadable(vso_expect_set *set, const char *why) {
  for (size_t i = 0; i < set->n; i++) {
    set->items[i].status = VSO_EXP_UNREADABLE;
    set_reason(&set->items[i], why);
  }
}

size_t vso_expect_unmet(const vso_expect_set *set) {
  size_t n = 0;
  for (size_t i = 0; i < set->n; i++) n += set->items[i].status != VSO_EXP_MET;
  return n;
}

bool vso_expect_all_met(const vso_expect_set *set) { return vso_expect_unmet(set) == 0; }

const char *vso_exp_status_name(vso_exp_status st) {
  switch (st) {
    case VSO_EXP_MET: return "met";
    case VSO_EXP_MISSING: return "missing";
    case VSO_EXP_NOT_OUTPUT: return "not-output";
    case VSO_EXP_EMPTY: return "empty";
    case VSO_EXP_REJECTED: return "rejected";
    case VSO_EXP_INVALID: return "invalid";
    case VSO_EXP_CUT: return "cut";
    case VSO_EXP_UNREADABLE: return "unreadable";
  }
  return "?";
}

void vso_expect_free(vso_expect_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    free(set->items[i].name);
    free(set->items[i].reason);
  }
  free(set->items);
  vso_index_free(&set->index);
  memset(set, 0, sizeof *set);
}
