/* SPDX-License-Identifier: MIT */
/* A line recorded without its text: the facts a capture keeps of a held
 * line whose shown text masking changed (capture.h), made from the
 * analysis of the line in run, and recorded into the analysis in replay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_int.h"

vso_analysis_mark vso_analysis_mark_now(const vso_analysis *a) {
  return (vso_analysis_mark){a->ndiags, a->commands};
}

vso_line_facts vso_analysis_line_facts(vso_analysis *a, const vso_line *line, vso_line_result r,
                                       vso_analysis_mark before, vso_buf *diags) {
  vso_line_facts f = {.line_no = line->line_no, .kind = r.kind, .cut = line->cut, .truncated = line->truncated,
                      .unread = r.unread, .expect = -1, .matrix = -1};
  if (a->commands > before.commands && a->ncounts)
    f.count = (vso_slice){a->counts[a->last_count_].name, a->counts[a->last_count_].len};
  vso_buf_clear(diags);
  for (size_t i = before.ndiags; i < a->ndiags; i++) /* "E<kind>:<message>\n" */
    if (!vso_buf_appendf(diags, "%c%d:%s\n", a->diags[i].severity == VSO_ERROR ? 'E' : 'W', (int)a->diags[i].kind,
                         a->diags[i].message))
      a->out_of_memory = true;
  if (diags->len) f.diags = (vso_slice){diags->data, diags->len};
  const vso_setvar *sv = r.setvar;
  if (!sv) return f;
  f.setvar = true;
  f.name = sv->name;
  f.value = sv->value;
  f.length = sv->length;
  f.is_secret = sv->is_secret, f.is_output = sv->is_output, f.is_readonly = sv->is_readonly;
  f.rejected = sv->rejected, f.refused = sv->refused;
  const vso_value_matrix *m = sv->length ? vso_analysis_read_matrix(a, (size_t)(sv - a->setvars)) : NULL;
  if (m) {
    f.matrix = m->usable;
    if (m->why) f.why = (vso_slice){m->why, strlen(m->why)};
  }
  return f;
}

/* Gives sv its own name and value in one block, "name\0value\0" (a facts
 * line's setvar has no raw command to point into).  A NULL name stays none. */
static bool own_name_and_value(vso_setvar *sv, vso_slice name, vso_slice value) {
  size_t nn = name.p ? name.n : 0;
  char *both = malloc(nn + value.n + 2);
  if (!both) return false;
  if (nn) memcpy(both, name.p, nn);
  both[nn] = '\0';
  if (value.n) memcpy(both + nn + 1, value.p, value.n);
  both[nn + 1 + value.n] = '\0';
  free(sv->unescaped_);
  sv->unescaped_ = both;
  sv->name = name.p ? (vso_slice){both, nn} : (vso_slice){0};
  sv->value = (vso_slice){both + nn + 1, value.n};
  return true;
}

/* The setvariable of a line's facts, owning copies of its text, name and value. */
static bool setvar_of_facts(vso_setvar *sv, const vso_line_facts *f, const char *source) {
  *sv = (vso_setvar){.length = f->length, .source = source, .line_no = f->line_no, .is_secret = f->is_secret,
                     .is_output = f->is_output, .is_readonly = f->is_readonly, .rejected = f->rejected,
                     .refused = f->refused, .cut = f->cut, .known_matrix_ = (signed char)(f->matrix == 1 ? 1 : f->matrix == 0 ? 2 : 0)};
  sv->raw_ = vso_slice_dup(f->text);
  sv->known_why_ = f->why.p ? vso_slice_dup(f->why) : NULL;
  if (!sv->raw_ || (f->why.p && !sv->known_why_)) return false;
  sv->raw = (vso_slice){sv->raw_, f->text.n};
  return own_name_and_value(sv, f->name, f->value);
}

/* Each "E<kind>:<message>\n" of the facts (checked when they were read). */
static void diags_of_facts(vso_analysis *a, const vso_line_facts *f, const char *source) {
  for (size_t i = 0; f->diags.p && i < f->diags.n;) {
    const char *nl = memchr(f->diags.p + i, '\n', f->diags.n - i);
    size_t end = nl ? (size_t)(nl - f->diags.p) : f->diags.n;
    const char *colon = memchr(f->diags.p + i, ':', end - i);
    int kind = colon ? atoi(f->diags.p + i + 1) : VSO_DIAG_OTHER;
    char *msg = colon ? vso_slice_dup((vso_slice){colon + 1, (size_t)(f->diags.p + end - colon - 1)}) : NULL;
    if (msg) /* the run quoted it */
      vso_analysis_diag_kind(a, (vso_diag_kind)kind, f->diags.p[i] == 'E' ? VSO_ERROR : VSO_WARNING, source,
                             f->line_no, msg);
    else
      a->out_of_memory = true;
    free(msg);
    i = end + 1;
  }
}

vso_line_result vso_analysis_facts(vso_analysis *a, const vso_line_facts *f, const char *source) {
  vso_line_result r = {f->kind, NULL, 0, f->unread, false};
  if (f->unread) a->unread_lines++;
  if (f->count.p) {
    a->commands++;
    vso__analysis_count_under(a, f->count.p, f->count.n);
  }
  diags_of_facts(a, f, source);
  if (!f->setvar) return r;
  vso_setvar sv;
  if (!setvar_of_facts(&sv, f, source) || !vso_grow(&a->setvars, &a->setvars_cap_, a->nsetvars, sizeof *a->setvars)) {
    free(sv.raw_);
    free(sv.unescaped_);
    free(sv.known_why_);
    a->out_of_memory = true;
    return r;
  }
  vso__analysis_follow(a, &sv, a->nsetvars);
  a->setvars[a->nsetvars] = sv;
  const vso_index_keys keys = {a, vso__analysis_setvar_name};
  if (sv.name.p && !sv.refused && !vso_index_put(&a->last_set_, &keys, sv.name.p, sv.name.n, a->nsetvars))
    a->out_of_memory = true;
  r.setvar = &a->setvars[a->nsetvars++];
  return r;
}

bool vso_analysis_rename(vso_analysis *a, size_t i, const char *name, size_t n) {
  return own_name_and_value(&a->setvars[i], (vso_slice){name, n}, a->setvars[i].value);
}

bool vso_analysis_reindex(vso_analysis *a) {
  vso_index_free(&a->last_set_);
  const vso_index_keys keys = {a, vso__analysis_setvar_name};
  bool ok = true;
  for (size_t i = 0; i < a->nsetvars; i++) {
    vso_setvar *sv = &a->setvars[i];
    vso__analysis_follow(a, sv, i);
    if (sv->name.p && !sv->refused && !vso_index_put(&a->last_set_, &keys, sv->name.p, sv->name.n, i)) ok = false;
  }
  if (!ok) a->out_of_memory = true;
  return ok;
}
