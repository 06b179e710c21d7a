/* SPDX-License-Identifier: MIT */
#include "expect.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* At most this many leg names in a reason; the rest are counted. */
enum { REASON_LEGS = 5 };

static void expectation_name(const void *ctx, size_t at, const char **key, size_t *len) {
  const vso_expect_set *set = ctx;
  *key = set->items[at].name;
  *len = strlen(*key); /* names hold no NUL (checked when added) */
}

vso_expectation *vso_expect_add(vso_expect_set *set, const char *name, size_t n, bool matrix, unsigned source,
                                vso_buf *err) {
  const vso_index_keys keys = {set, expectation_name};
  if (n == 0) {
    vso_buf_append_str(err, "an expected variable name is empty");
    return NULL;
  }
  size_t at;
  bool asked = matrix && source != VSO_SRC_ANNOUNCED;
  if (vso_index_get(&set->index, &keys, name, n, &at)) {
    set->items[at].matrix |= matrix;
    set->items[at].matrix_asked_ |= asked;
    set->items[at].sources |= source;
    return &set->items[at];
  }
  if (memchr(name, '\0', n)) {
    vso_buf_append_str(err, "an expected variable name holds a NUL byte");
    return NULL;
  }
  bool room = vso_grow(&set->items, &set->cap, set->n, sizeof *set->items);
  char *copy = room ? malloc(n + 1) : NULL;
  if (copy) {
    memcpy(copy, name, n);
    copy[n] = '\0';
  }
  if (!copy) {
    vso_buf_append_str(err, "out of memory");
    return NULL;
  }
  set->items[set->n] = (vso_expectation){.name = copy, .matrix = matrix, .sources = source, .matrix_asked_ = asked};
  if (!vso_index_put(&set->index, &keys, copy, n, set->n)) {
    free(copy);
    vso_buf_append_str(err, "out of memory");
    return NULL;
  }
  return &set->items[set->n++];
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
static bool add_trimmed(vso_expect_set *set, const char *p, size_t n, bool matrix, unsigned source, bool allow_empty,
                        vso_buf *err) {
  while (n && is_blank(*p)) p++, n--;
  while (n && is_blank(p[n - 1])) n--;
  if (!n && allow_empty) return true;
  return vso_expect_add(set, p, n, matrix, source, err) != NULL;
}

bool vso_expect_add_list(vso_expect_set *set, const char *list, bool matrix, unsigned source, vso_buf *err) {
  for (const char *p = list;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (!add_trimmed(set, p, n, matrix, source, false, err)) return false;
    if (!comma) return true;
    p = comma + 1;
  }
}

bool vso_expect_add_text(vso_expect_set *set, const char *text, size_t n, bool matrix, unsigned source,
                         vso_buf *err) {
  for (size_t i = 0; i < n;) {
    const char *nl = memchr(text + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - text) : n;
    const char *hash = memchr(text + i, '#', end - i);
    size_t stop = hash ? (size_t)(hash - text) : end;
    if (!add_trimmed(set, text + i, stop - i, matrix, source, true, err)) return false;
    i = end + 1;
  }
  return true;
}

void vso_expect_require_matrix(vso_expect_set *set) {
  for (size_t i = 0; i < set->n; i++) set->items[i].matrix = set->items[i].matrix_asked_ = true;
}

/* ---- the announcement --------------------------------------------------------- */

/* What each announced matrix stands for, in one array for the whole
 * announcement: a leg's Dockerfiles, each with the leg's architecture (a leg
 * without a Dockerfile: its architecture alone).  Strings borrowed. */
static vso_manifest_platform *announced_platforms(const vso_announcement *a) {
  size_t total = 0;
  for (size_t i = 0; i < a->n; i++)
    for (size_t k = 0; k < a->matrices[i].nlegs; k++)
      total += a->matrices[i].legs[k].ndockerfiles ? a->matrices[i].legs[k].ndockerfiles : 1;
  return calloc(total ? total : 1, sizeof(vso_manifest_platform));
}

bool vso_expect_add_announced(vso_expect_set *set, const vso_announcement *a, vso_buf *err) {
  vso_manifest_platform *all = announced_platforms(a);
  if (!all) {
    vso_buf_append_str(err, "out of memory");
    return false;
  }
  free(set->announced_);
  set->announced_ = all;
  for (size_t i = 0; i < a->n; i++) {
    const vso_announced_matrix *m = &a->matrices[i];
    vso_expectation *e = vso_expect_add(set, m->name, strlen(m->name), true, VSO_SRC_ANNOUNCED, err);
    if (!e) return false;
    e->announced = m;
    e->listing_open = a->tail_open && a->tail_matrix == i + 1;
    vso_manifest_platform *first = all;
    for (size_t k = 0; k < m->nlegs; k++) {
      const vso_announced_leg *leg = &m->legs[k];
      for (size_t d = 0; d < (leg->ndockerfiles ? leg->ndockerfiles : 1); d++)
        *all++ = (vso_manifest_platform){.dockerfile = leg->ndockerfiles ? leg->dockerfiles[d] : NULL,
                                         .architecture = leg->architecture};
    }
    /* an upper bound's platforms (the manifest's, before ImageBuilder trimmed
     * cached ones) are more than the name stands for: the announcement says
     * what ImageBuilder kept */
    if ((!e->nplatforms || (e->optional && !e->stands_announced_)) && all > first) {
      e->own_platforms_ = e->platforms;
      e->own_nplatforms_ = e->nplatforms;
      e->platforms = first;
      e->nplatforms = (size_t)(all - first);
      e->stands_announced_ = true;
    }
  }
  return true;
}

void vso_expect_forget_announced(vso_expect_set *set) {
  size_t kept = 0;
  for (size_t i = 0; i < set->n; i++) {
    vso_expectation *e = &set->items[i];
    e->announced = NULL;
    e->listing_open = false;
    if (e->stands_announced_) {
      e->platforms = e->own_platforms_, e->nplatforms = e->own_nplatforms_, e->stands_announced_ = false;
      e->own_platforms_ = NULL, e->own_nplatforms_ = 0;
    }
    if (e->sources == VSO_SRC_ANNOUNCED) {
      free(e->name);
      free(e->reason);
      continue;
    }
    e->sources &= ~(unsigned)VSO_SRC_ANNOUNCED;
    e->matrix = e->matrix_asked_;
    set->items[kept++] = *e;
  }
  free(set->announced_);
  set->announced_ = NULL;
  if (kept == set->n) return;
  set->n = kept;
  /* the positions moved: index them again (each name is there once) */
  vso_index_free(&set->index);
  const vso_index_keys keys = {set, expectation_name};
  for (size_t i = 0; i < set->n; i++)
    (void)vso_index_put(&set->index, &keys, set->items[i].name, strlen(set->items[i].name), i);
}

/* ---- judging ---------------------------------------------------------------------- */

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

/* "'a', 'b' and 3 more": leg names from the child, quoted. */
static void append_legs(vso_buf *b, const vso_secrets *secrets, const char *const *names, size_t n) {
  for (size_t i = 0; i < n && i < REASON_LEGS; i++) {
    vso_buf_append_str(b, i == 0 ? "'" : i + 1 == n ? " and '" : ", '");
    vso_quote(secrets, names[i], strlen(names[i]), b);
    vso_buf_append_char(b, '\'');
  }
  if (n > REASON_LEGS) vso_buf_appendf(b, " and %zu more", n - REASON_LEGS);
}

/* The legs of a usable matrix value against those the generator announced;
 * false (with the reason) when they differ.  Replay of a capture that does
 * not show the value as it was takes the run's finding (vso_setvar.known_legs_). */
static bool holds_announced_legs(vso_expectation *e, const vso_setvar *sv, const vso_matrix *value,
                                 const vso_secrets *secrets) {
  bool secret = sv->is_secret;
  if (sv->known_legs_) {
    if (sv->known_legs_ == 2)
      set_reason(e, "not the legs the generator announced (as the run found: the capture shows the value masked)");
    return sv->known_legs_ == 1;
  }
  vso_leg_diff d;
  if (!vso_announce_compare(e->announced, value, &d)) {
    set_reason(e, "out of memory while comparing the announced legs");
    return false;
  }
  if (e->listing_open) d.nunexpected = 0; /* the listing's tail, not the value, was lost */
  bool same = d.nmissing == 0 && d.nunexpected == 0;
  if (!same && secret) {
    set_reason(e, "not the legs the generator announced (a secret value: its legs are not shown)");
  } else if (!same) {
    vso_buf msg = {0};
    vso_buf_append_str(&msg, "not the legs the generator announced:");
    if (d.nmissing) {
      vso_buf_appendf(&msg, " %s ", d.nmissing == 1 ? "leg" : "legs");
      append_legs(&msg, secrets, d.missing, d.nmissing);
      vso_buf_append_str(&msg, d.nmissing == 1 ? " is missing" : " are missing");
    }
    if (d.nunexpected) {
      vso_buf_appendf(&msg, "%s %s ", d.nmissing ? ";" : "", d.nunexpected == 1 ? "leg" : "legs");
      append_legs(&msg, secrets, d.unexpected, d.nunexpected);
      vso_buf_append_str(&msg, d.nunexpected == 1 ? " was never announced" : " were never announced");
    }
    set_reason(e, msg.data ? msg.data : "out of memory");
    vso_buf_free(&msg);
  }
  vso_leg_diff_free(&d);
  return same;
}

/* The output value sv holds, judged: empty, not a usable matrix, not the
 * announced legs, or met. */
static void judge_value(vso_expectation *e, vso_analysis *a, const vso_setvar *sv) {
  const vso_value_matrix *m = NULL;
  if (sv->length == 0) {
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
  } else if (e->announced && !holds_announced_legs(e, sv, &m->matrix, &a->secrets)) {
    e->status = VSO_EXP_INVALID;
  } else {
    e->status = VSO_EXP_MET;
  }
}

static void evaluate_one(vso_expectation *e, vso_analysis *a) {
  const vso_setvar *last = vso_analysis_last(a, e->name, strlen(e->name));
  const vso_setvar *output = vso_analysis_output(a, last), *rejected = vso_analysis_rejected(a, last);
  set_reason(e, NULL);
  e->last = output ? output : last;
  e->refused = false;
  if (!last) {
    e->status = VSO_EXP_MISSING;
    /* a set the policy refused is not in the name index: say why it is absent */
    e->refused = a->policy && !vso_policy_allows_variable(a->policy, e->name, strlen(e->name));
    set_reason(e, e->refused ? "--allow-variables does not allow this name, and the agent drops every command "
                               "that sets it"
                             : "never set");
  } else if (last->cut) { /* never re-emitted: whatever came before, the value the generator meant was lost */
    e->last = last;
    e->status = VSO_EXP_CUT;
    set_reason(e, "its last command line had not ended when vsorelay stopped the command (the pipes were "
                  "still open after it exited): the value may be incomplete");
  } else if (rejected && (!output || rejected > output)) {
    e->last = rejected;
    e->status = VSO_EXP_REJECTED;
    set_reason_said(e, VSO_SAY_REJECTED);
  } else if (!output) {
    e->status = VSO_EXP_NOT_OUTPUT;
    set_reason_said(e, VSO_SAY_NOT_OUTPUT);
  } else {
    judge_value(e, a, output);
  }
}

void vso_expect_evaluate(vso_expect_set *set, vso_analysis *a) {
  for (size_t i = 0; i < set->n; i++) evaluate_one(&set->items[i], a);
}

bool vso_expectation_required(const vso_expectation *e) { return !e->optional || (e->sources & VSO_SRC_ANNOUNCED); }

bool vso_expectation_counts(const vso_expectation *e) {
  return vso_expectation_required(e) || e->status != VSO_EXP_MISSING;
}

bool vso_expectation_unmet(const vso_expectation *e) { return e->status != VSO_EXP_MET && vso_expectation_counts(e); }

bool vso_expect_index_of(const vso_expect_set *set, const char *name, size_t n, size_t *at) {
  const vso_index_keys keys = {set, expectation_name};
  return vso_index_get(&set->index, &keys, name, n, at);
}

void vso_expect_all_unreadable(vso_expect_set *set, const char *why) {
  for (size_t i = 0; i < set->n; i++) {
    if (!vso_expectation_counts(&set->items[i])) continue;
    set->items[i].status = VSO_EXP_UNREADABLE;
    set_reason(&set->items[i], why);
  }
}

size_t vso_expect_unmet(const vso_expect_set *set) {
  size_t n = 0;
  for (size_t i = 0; i < set->n; i++) n += vso_expectation_unmet(&set->items[i]);
  return n;
}

size_t vso_expect_counted(const vso_expect_set *set) {
  size_t n = 0;
  for (size_t i = 0; i < set->n; i++) n += vso_expectation_counts(&set->items[i]);
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

const char *vso_exp_source_name(vso_exp_source bit) {
  switch (bit) {
    case VSO_SRC_EXPECT: return "expect";
    case VSO_SRC_EXPECT_FILE: return "expect-file";
    case VSO_SRC_MANIFEST: return "manifest";
    case VSO_SRC_IMAGEBUILDER: return "imagebuilder-arguments";
    case VSO_SRC_ANNOUNCED: return "announcement";
  }
  return "?";
}

void vso_expect_free(vso_expect_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    free(set->items[i].name);
    free(set->items[i].reason);
  }
  free(set->items);
  free(set->announced_);
  vso_index_free(&set->index);
  memset(set, 0, sizeof *set);
}
