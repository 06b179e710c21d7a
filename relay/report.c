/* SPDX-License-Identifier: MIT */
/* The JSON report (--report); its schema is in README.md ("Reports").
 *
 * Nothing here prints a variable's value.  Every string that comes from the
 * child, the command line or a file is masked with the secrets the
 * analysis registered (issecret=true values, task.setsecret data), and the
 * JSON writes the second '#' of "##vso" as \u0023 (the same string once
 * parsed), so that no line of the file is a command the agent would run. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "matrix.h"
#include "files.h"
#include "text.h"
#include "version.h"
#include "writer.h"

#define REPORT_SCHEMA "vsorelay-report/2"

static size_t safe_strlen(const char *s) { return s ? strlen(s) : 0; }

/* ---- JSON ----------------------------------------------------------------- */

/* p[0..n) as a JSON string literal. */
static void json_string(vso_builder *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf j = {0};
  if (vso_json_string(&j, p, n)) vso_putn(w, j.data, j.len);
  else w->ok = false;
  vso_buf_free(&j);
}

/* Text from the child, the command line or a file: masked, then a JSON
 * string (in which vso_json_string leaves no "##vso"). */
static void jtext(vso_builder *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf m = {0};
  if (vso_mask(w->secrets, p ? p : "", p ? n : 0, &m)) json_string(w, m.data ? m.data : "", m.len);
  else w->ok = false;
  vso_buf_free(&m);
}

/* Text the analysis quoted when it read the line (a reason, a diagnostic):
 * made safe again with the final secrets (vso_inert_line: a value may have
 * become secret after the text was made, even where a quotation was cut). */
static void jquoted(vso_builder *w, const char *s) {
  if (!s) {
    vso_put(w, "null");
    return;
  }
  vso_buf safe = {0};
  if (vso_inert_line(w->secrets, s, strlen(s), &safe)) json_string(w, safe.data ? safe.data : "", safe.len);
  else w->ok = false;
  vso_buf_free(&safe);
}

/* A NUL-terminated string, or null. */
static void jtextz(vso_builder *w, const char *s) {
  if (s) jtext(w, s, strlen(s));
  else vso_put(w, "null");
}

/* One of vsorelay's own words (schema, mode, status...): not masked. */
static void jword(vso_builder *w, const char *s) { json_string(w, s ? s : "", safe_strlen(s)); }

static void jbool(vso_builder *w, bool b) { vso_put(w, b ? "true" : "false"); }

static void ju64(vso_builder *w, uint64_t v) { vso_putf(w, "%llu", (unsigned long long)v); }

/* The legs of a setvariable's value, read once before the report and the
 * summary were written (vso_outcome_finish); NULL when it is no usable
 * matrix or a secret (whose legs are never shown). */
static const vso_matrix *legs_of(const vso_analysis *a, const vso_setvar *sv) {
  const vso_value_matrix *m = sv && !sv->is_secret ? vso_analysis_matrix(a, (size_t)(sv - a->setvars)) : NULL;
  return m && m->usable ? &m->matrix : NULL;
}
static void jlegs(vso_builder *w, const vso_analysis *a, const vso_setvar *sv) {
  const vso_matrix *m = legs_of(a, sv);
  if (!m) {
    vso_put(w, "null");
    return;
  }
  vso_put(w, "[");
  for (size_t i = 0; i < m->nlegs; i++) {
    if (i) vso_put(w, ", ");
    jtextz(w, m->legs[i].name);
  }
  vso_put(w, "]");
}

static void json_command(vso_builder *w, const vso_outcome *o) {
  vso_put(w, "[");
  for (int i = 0; i < o->ncommand; i++) {
    if (i) vso_put(w, ", ");
    jtextz(w, o->command[i]);
  }
  vso_put(w, "]");
}

static void json_child(vso_builder *w, const vso_outcome *o) {
  if (o->mode != VSO_MODE_RUN) {
    vso_put(w, "null");
    return;
  }
  vso_put(w, "{\"exited\": ");
  jbool(w, o->facts.child_exited);
  vso_put(w, ", \"exitStatus\": ");
  if (o->facts.child_exited && !o->facts.term_signal) vso_putf(w, "%d", o->facts.exit_status);
  else vso_put(w, "null");
  vso_put(w, ", \"termSignal\": ");
  if (o->facts.term_signal) vso_putf(w, "%d", o->facts.term_signal);
  else vso_put(w, "null");
  vso_put(w, "}");
}

static void json_streams(vso_builder *w, const vso_outcome *o) {
  vso_put(w, "[");
  for (size_t i = 0; i < o->nstreams; i++) {
    vso_put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    jtextz(w, o->streams[i].name);
    vso_put(w, ", \"bytes\": ");
    ju64(w, o->streams[i].bytes);
    vso_put(w, ", \"lines\": ");
    ju64(w, o->streams[i].lines);
    vso_put(w, "}");
  }
  vso_put(w, o->nstreams ? "\n  ]" : "]");
}

static void json_key_of(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_buf *keys = ctx;
  *key = keys[i].data;
  *len = keys[i].len;
}

/* "area.event" -> count.  Keys are unique in the analysis, but masking and
 * the U+FFFD of invalid UTF-8 may make two equal: their counts are added.
 * An index finds equal keys (the names are lower-cased already, so its
 * case-insensitive match is equality), in time linear in their number. */
static void json_commands(vso_builder *w, const vso_analysis *a) {
  vso_buf *keys = a->ncounts ? calloc(a->ncounts, sizeof *keys) : NULL;
  uint64_t *counts = a->ncounts ? calloc(a->ncounts, sizeof *counts) : NULL;
  vso_name_index seen = {0};
  const vso_index_keys index_keys = {keys, json_key_of};
  if (a->ncounts && (!keys || !counts)) w->ok = false;
  size_t nkeys = 0;
  for (size_t i = 0; i < a->ncounts && w->ok; i++) {
    vso_builder k = {.secrets = w->secrets, .ok = true};
    jtext(&k, a->counts[i].name, a->counts[i].len); /* a name may hold a NUL: len, not strlen */
    size_t j;
    if (!k.ok) {
      w->ok = false;
    } else if (vso_index_get(&seen, &index_keys, k.b.data, k.b.len, &j)) {
      counts[j] += a->counts[i].n;
    } else {
      keys[nkeys] = k.b;
      counts[nkeys] = a->counts[i].n;
      k.b = (vso_buf){0};
      if (vso_index_put(&seen, &index_keys, keys[nkeys].data, keys[nkeys].len, nkeys)) nkeys++;
      else w->ok = false;
    }
    vso_buf_free(&k.b);
  }
  vso_put(w, "{");
  for (size_t j = 0; j < nkeys && w->ok; j++) {
    vso_put(w, j ? ",\n    " : "\n    ");
    vso_putn(w, keys[j].data, keys[j].len);
    vso_put(w, ": ");
    ju64(w, counts[j]);
  }
  vso_put(w, nkeys ? "\n  }" : "}");
  if (keys) /* calloc'd: the entries past nkeys are empty or hold a key the index refused */
    for (size_t j = 0; j < a->ncounts; j++) vso_buf_free(&keys[j]);
  vso_index_free(&seen);
  free(keys);
  free(counts);
}

static void json_setvars(vso_builder *w, const vso_analysis *a) {
  vso_put(w, "[");
  for (size_t i = 0; i < a->nsetvars; i++) {
    const vso_setvar *sv = &a->setvars[i];
    vso_put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    if (sv->name.p) jtext(w, sv->name.p, sv->name.n);
    else vso_put(w, "null");
    vso_put(w, ", \"source\": ");
    jtextz(w, sv->source);
    vso_put(w, ", \"line\": ");
    ju64(w, sv->line_no);
    vso_put(w, ", \"isOutput\": ");
    jbool(w, sv->is_output);
    vso_put(w, ", \"isSecret\": ");
    jbool(w, sv->is_secret);
    vso_put(w, ", \"isReadOnly\": ");
    jbool(w, sv->is_readonly);
    vso_put(w, ", \"valueLength\": ");
    ju64(w, sv->length);
    vso_put(w, ", \"rejected\": ");
    jbool(w, sv->rejected);
    vso_put(w, ", \"legs\": ");
    jlegs(w, a, sv);
    vso_put(w, "}");
  }
  vso_put(w, a->nsetvars ? "\n  ]" : "]");
}

/* The sources of an expectation, by name. */
static void json_sources(vso_builder *w, unsigned sources) {
  vso_put(w, "[");
  bool first = true;
  for (int bit = 0; bit < VSO_SRC_COUNT; bit++) {
    if (!(sources & (1u << bit))) continue;
    if (!first) vso_put(w, ", ");
    first = false;
    jword(w, vso_exp_source_name((vso_exp_source)(1u << bit)));
  }
  vso_put(w, "]");
}

/* What x stands for (vso_expectation.platforms): an announced leg has no
 * OS fields (null). */
static void json_stands_for(vso_builder *w, const vso_expectation *x) {
  vso_put(w, "[");
  for (size_t i = 0; i < x->nplatforms; i++) {
    const vso_manifest_platform *p = &x->platforms[i];
    vso_put(w, i ? ", {\"dockerfile\": " : "{\"dockerfile\": ");
    jtextz(w, p->dockerfile);
    vso_put(w, ", \"osType\": ");
    jtextz(w, p->os_type);
    vso_put(w, ", \"osVersion\": ");
    jtextz(w, p->os_version);
    vso_put(w, ", \"architecture\": ");
    jtextz(w, p->architecture);
    vso_put(w, "}");
  }
  vso_put(w, "]");
}

static void json_expected(vso_builder *w, const vso_analysis *a, const vso_expect_set *e) {
  vso_put(w, "[");
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    vso_put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    jtextz(w, x->name);
    vso_put(w, ", \"sources\": ");
    json_sources(w, x->sources);
    vso_put(w, ", \"required\": ");
    jbool(w, vso_expectation_required(x));
    vso_put(w, ", \"standsFor\": ");
    json_stands_for(w, x);
    vso_put(w, ", \"matrix\": ");
    jbool(w, x->matrix);
    vso_put(w, ", \"status\": ");
    jword(w, vso_exp_status_name(x->status));
    vso_put(w, ", \"reason\": ");
    jquoted(w, x->reason);
    vso_put(w, ", \"source\": ");
    jtextz(w, x->last ? x->last->source : NULL);
    vso_put(w, ", \"line\": ");
    if (x->last) ju64(w, x->last->line_no);
    else vso_put(w, "null");
    vso_put(w, ", \"legs\": ");
    jlegs(w, a, x->last);
    vso_put(w, "}");
  }
  vso_put(w, e->n ? "\n  ]" : "]");
}

/* The names of the expectations that are missing (missing == true) or
 * otherwise unmet (missing == false). */
static void json_names(vso_builder *w, const vso_expect_set *e, bool missing) {
  vso_put(w, "[");
  bool first = true;
  for (size_t i = 0; i < e->n; i++) {
    vso_exp_status st = e->items[i].status;
    if (!vso_expectation_unmet(&e->items[i]) || (st == VSO_EXP_MISSING) != missing) continue;
    if (!first) vso_put(w, ", ");
    first = false;
    jtextz(w, e->items[i].name);
  }
  vso_put(w, "]");
}

/* Every diagnostic counted by kind, kept or not: {"unknown-area": 2000000}. */
static void json_diag_counts(vso_builder *w, const vso_analysis *a) {
  bool any = false;
  vso_put(w, "{");
  for (int k = 0; k < VSO_DIAG_KINDS; k++) {
    if (!a->diag_counts[k]) continue;
    vso_put(w, any ? ", " : "");
    jword(w, vso_diag_kind_name((vso_diag_kind)k));
    vso_put(w, ": ");
    ju64(w, a->diag_counts[k]);
    any = true;
  }
  vso_put(w, "}");
}

static void json_diags(vso_builder *w, const vso_analysis *a) {
  vso_put(w, "[");
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    vso_put(w, i ? ",\n    {\"severity\": " : "\n    {\"severity\": ");
    jword(w, d->severity == VSO_ERROR ? "error" : "warning");
    vso_put(w, ", \"source\": ");
    jtextz(w, d->source);
    vso_put(w, ", \"line\": ");
    if (d->line_no) ju64(w, d->line_no);
    else vso_put(w, "null");
    vso_put(w, ", \"message\": ");
    jquoted(w, d->message);
    vso_put(w, "}");
  }
  vso_put(w, a->ndiags ? "\n  ]" : "]");
}

static bool manifest_present(const vso_manifest_result *m) { return m && (m->n || m->nwarnings); }

static void json_manifest(vso_builder *w, const vso_manifest_result *m) {
  if (!manifest_present(m)) {
    vso_put(w, "null");
    return;
  }
  vso_put(w, "{\n    \"matrices\": [");
  for (size_t i = 0; i < m->n; i++) {
    const vso_manifest_matrix *mx = &m->matrices[i];
    vso_put(w, i ? ",\n      {\"name\": " : "\n      {\"name\": ");
    jtextz(w, mx->name);
    vso_put(w, ", \"platforms\": [");
    for (size_t k = 0; k < mx->nplatforms; k++) {
      const vso_manifest_platform *p = &mx->platforms[k];
      vso_put(w, k ? ",\n        {\"dockerfile\": " : "\n        {\"dockerfile\": ");
      jtextz(w, p->dockerfile);
      vso_put(w, ", \"osType\": ");
      jtextz(w, p->os_type);
      vso_put(w, ", \"osVersion\": ");
      jtextz(w, p->os_version);
      vso_put(w, ", \"architecture\": ");
      jtextz(w, p->architecture);
      vso_put(w, "}");
    }
    vso_put(w, mx->nplatforms ? "\n      ]}" : "]}");
  }
  vso_put(w, m->n ? "\n    ],\n    \"warnings\": [" : "],\n    \"warnings\": [");
  for (size_t i = 0; i < m->nwarnings; i++) {
    vso_put(w, i ? ",\n      " : "\n      ");
    jtextz(w, m->warnings[i]);
  }
  vso_put(w, m->nwarnings ? "\n    ]\n  }" : "]\n  }");
}

static double finite_or_zero(double d) { return isfinite(d) && d >= 0 ? d : 0.0; }

/* ---- where the expected names came from ------------------------------------- */

static void jstrings(vso_builder *w, const char *const *items, size_t n) {
  vso_put(w, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) vso_put(w, ", ");
    jtextz(w, items[i]);
  }
  vso_put(w, "]");
}

static void json_announced_leg(vso_builder *w, const vso_announced_leg *leg, bool first) {
  vso_put(w, first ? "{\"name\": " : ", {\"name\": ");
  jtextz(w, leg->name);
  vso_put(w, ", \"dockerfiles\": ");
  jstrings(w, (const char *const *)leg->dockerfiles, leg->ndockerfiles);
  vso_put(w, ", \"architecture\": ");
  jtextz(w, leg->architecture);
  vso_put(w, "}");
}

/* What arrived for an announced matrix: its legs, and how they differ. */
static void json_arrived(vso_builder *w, const vso_outcome *o, const vso_announced_matrix *m) {
  const vso_expectation *x = NULL;
  for (size_t i = 0; i < o->expect->n && !x; i++)
    if (o->expect->items[i].announced == m) x = &o->expect->items[i];
  const vso_setvar *sv = x && x->status != VSO_EXP_MISSING && x->status != VSO_EXP_REJECTED ? x->last : NULL;
  const vso_matrix *legs = legs_of(o->analysis, sv);
  vso_put(w, ", \"arrived\": ");
  jbool(w, sv != NULL);
  vso_put(w, ", \"arrivedLegs\": ");
  jlegs(w, o->analysis, sv);
  vso_leg_diff d = {0};
  if (legs && !vso_announce_compare(m, legs, &d)) w->ok = false;
  vso_put(w, ", \"missingLegs\": ");
  if (legs) jstrings(w, d.missing, d.nmissing);
  else vso_put(w, "null");
  vso_put(w, ", \"unexpectedLegs\": ");
  if (legs) jstrings(w, d.unexpected, d.nunexpected);
  else vso_put(w, "null");
  vso_leg_diff_free(&d);
}

/* The generator's announcement against what arrived. */
static void json_announcement(vso_builder *w, const vso_outcome *o) {
  const vso_announcement *a = o->announcement;
  if (!a) {
    vso_put(w, "null");
    return;
  }
  vso_put(w, "{\"seen\": ");
  jbool(w, vso_announcement_seen(a));
  vso_putf(w, ", \"listings\": %llu, \"complete\": ", (unsigned long long)a->listings);
  jbool(w, !a->overflow);
  vso_put(w, ", \"matrices\": [");
  for (size_t i = 0; i < a->n; i++) {
    const vso_announced_matrix *m = &a->matrices[i];
    vso_put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    jtextz(w, m->name);
    vso_put(w, ", \"source\": ");
    jtextz(w, m->source);
    vso_put(w, ", \"line\": ");
    ju64(w, m->line_no);
    vso_put(w, ", \"legs\": [");
    for (size_t k = 0; k < m->nlegs; k++) json_announced_leg(w, &m->legs[k], k == 0);
    vso_put(w, "]");
    json_arrived(w, o, m);
    vso_put(w, "}");
  }
  vso_put(w, a->n ? "\n  ]}" : "]}");
}

/* ImageBuilder's own arguments in the command, when it held them. */
static void json_imagebuilder(vso_builder *w, const vso_outcome *o) {
  const vso_sources *s = o->sources;
  if (!s || !s->imagebuilder.found) {
    vso_put(w, "null");
    return;
  }
  vso_put(w, "{\"arguments\": [");
  bool recorded = s->imagebuilder.at < 0; /* replay of a capture: as the run's command held them */
  int from = recorded ? 0 : s->imagebuilder.at + 1, to = recorded ? (int)s->nrecorded_args_ : o->ncommand;
  for (int i = from; i < to; i++) {
    if (i > from) vso_put(w, ", ");
    jtextz(w, recorded ? s->recorded_args_[i] : o->command[i]);
  }
  vso_put(w, "], \"manifest\": ");
  jtextz(w, s->imagebuilder.manifest);
  vso_put(w, ", \"used\": ");
  jbool(w, s->imagebuilder_used);
  vso_put(w, ", \"note\": ");
  jtextz(w, s->imagebuilder_note);
  vso_put(w, "}");
}

static void build_json(vso_builder *w, const vso_outcome *o, const vso_analysis *a, const vso_expect_set *e) {
  vso_put(w, "{\n  \"schema\": ");
  jword(w, REPORT_SCHEMA);
  vso_put(w, ",\n  \"version\": ");
  jword(w, VSO_VERSION);
  vso_put(w, ",\n  \"mode\": ");
  jword(w, vso_mode_name(o->mode));
  vso_put(w, ",\n  \"command\": ");
  json_command(w, o);
  vso_put(w, ",\n  \"attempts\": ");
  vso_putf(w, "%d", o->attempts);
  vso_put(w, ",\n  \"child\": ");
  json_child(w, o);
  vso_put(w, ",\n  \"timedOut\": ");
  jbool(w, o->facts.timed_out);
  vso_put(w, ",\n  \"outputTruncated\": ");
  jbool(w, o->facts.output_truncated);
  vso_put(w, ",\n  \"stoppedBySignal\": ");
  if (o->facts.stop_signal) vso_putf(w, "%d", o->facts.stop_signal);
  else vso_put(w, "null");
  vso_put(w, ",\n  \"durationSeconds\": ");
  vso_putf(w, "%.3f", finite_or_zero(o->duration));
  vso_put(w, ",\n  \"streams\": ");
  json_streams(w, o);
  vso_put(w, ",\n  \"commands\": ");
  json_commands(w, a);
  vso_put(w, ",\n  \"setvariables\": ");
  json_setvars(w, a);
  vso_put(w, ",\n  \"expected\": ");
  json_expected(w, a, e);
  vso_put(w, ",\n  \"missing\": ");
  json_names(w, e, true);
  vso_put(w, ",\n  \"invalid\": ");
  json_names(w, e, false);
  vso_put(w, ",\n  \"diagnostics\": ");
  json_diags(w, a);
  vso_put(w, ",\n  \"diagnosticCounts\": ");
  json_diag_counts(w, a);
  vso_put(w, ",\n  \"diagnosticsOmitted\": ");
  ju64(w, a->diags_omitted);
  vso_put(w, ",\n  \"manifest\": ");
  json_manifest(w, o->manifest);
  vso_put(w, ",\n  \"imageBuilder\": ");
  json_imagebuilder(w, o);
  vso_put(w, ",\n  \"upperBound\": ");
  jtextz(w, o->sources ? o->sources->upper_bound : NULL);
  vso_put(w, ",\n  \"announcement\": ");
  json_announcement(w, o);
  vso_put(w, ",\n  \"unchecked\": ");
  jtextz(w, o->facts.unchecked);
  vso_put(w, ",\n  \"verdict\": ");
  jword(w, vso_verdict_name(o->verdict));
  vso_put(w, ",\n  \"exitCode\": ");
  vso_putf(w, "%d", o->exit_code);
  vso_put(w, "\n}\n");
}

bool vso_write_report(const char *path, const vso_outcome *o, vso_buf *err) {
  vso_builder w = {.secrets = &o->analysis->secrets, .ok = true};
  build_json(&w, o, o->analysis, o->expect);
  bool ok = w.ok;
  if (!ok) vso_buf_append_str(err, "out of memory while building the report");
  else ok = vso_file_replace(path, w.b.data, w.b.len, err);
  vso_buf_free(&w.b);
  return ok;
}

