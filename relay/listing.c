/* SPDX-License-Identifier: MIT */
/* The listing of a replay: what it read, as a person reads it (stdout). */
#include "listing.h"

#include <stdlib.h>
#include <string.h>

#include "writer.h"

/* A listing is for people: past this many entries a list says how many more
 * there are (every one is in --report and --format json). */
enum { LIST_LIMIT = 1000 };

static void print_counts(FILE *f, const vso_analysis *a) {
  fprintf(f, "logging commands: %llu\n", (unsigned long long)a->commands);
  for (size_t i = 0; i < a->ncounts; i++) {
    if (i == LIST_LIMIT) {
      fprintf(f, "  ... and %zu more names (see --report)\n", a->ncounts - i);
      break;
    }
    vso_buf q = {0};
    vso_quote(&a->secrets, a->counts[i].name, a->counts[i].len, &q); /* a name may hold a NUL */
    fprintf(f, "  %-28s %llu\n", q.data ? q.data : "?", (unsigned long long)a->counts[i].n);
    vso_buf_free(&q);
  }
}

static void print_setvars(FILE *f, const vso_analysis *a) {
  if (!a->nsetvars) return;
  fprintf(f, "%s:\n", vso_dialect_term(VSO_TERM_SETVARIABLE));
  for (size_t i = 0; i < a->nsetvars; i++) {
    if (i == LIST_LIMIT) {
      fprintf(f, "  ... and %zu more (see --report or --format json)\n", a->nsetvars - i);
      break;
    }
    const vso_setvar *sv = &a->setvars[i];
    vso_buf name = {0};
    if (sv->name.p) vso_quote(&a->secrets, sv->name.p, sv->name.n, &name);
    const char *shown = name.data ? name.data : sv->name.p ? "?" : "(no name)"; /* "?": it could not be masked */
    fprintf(f, "  %s:%llu  %s  output=%s secret=%s readonly=%s  value: %s%zu bytes\n", sv->source,
            (unsigned long long)sv->line_no, shown, sv->is_output ? "yes" : "no",
            sv->is_secret ? "yes" : "no", sv->is_readonly ? "yes" : "no", sv->is_secret ? "secret, " : "",
            (size_t)sv->length);
    vso_buf_free(&name);
  }
}

/* Text the analysis quoted when it read the line (a diagnostic, a reason):
 * masked again with every secret known at the end, inert. */
static void print_inert(FILE *f, const vso_analysis *a, const char *text) {
  vso_buf safe = {0};
  if (text && vso_inert_line(&a->secrets, text, strlen(text), &safe)) fputs(safe.data, f);
  vso_buf_free(&safe);
}

static void print_diags(FILE *f, const vso_analysis *a) {
  if (!a->ndiags && !a->diags_omitted) return;
  fprintf(f, "diagnostics:\n");
  for (size_t i = 0; i < a->ndiags; i++) {
    if (i == LIST_LIMIT) {
      fprintf(f, "  ... and %zu more (see --report)\n", a->ndiags - i);
      break;
    }
    const vso_diag *d = &a->diags[i];
    fprintf(f, "  %s:%llu: %s: ", d->source ? d->source : "-", (unsigned long long)d->line_no,
            d->severity == VSO_ERROR ? "error" : "warning");
    print_inert(f, a, d->message);
    fputc('\n', f);
  }
  vso_buf omitted = {0};
  if (vso_analysis_omitted_text(a, &omitted)) fprintf(f, "  ... %s\n", omitted.data);
  vso_buf_free(&omitted);
}

static void print_announcement(FILE *f, const vso_outcome *o) {
  const vso_announcement *a = o->announcement;
  if (!a) return;
  if (!vso_announcement_seen(a)) fprintf(f, "announcement: none seen\n");
  else fprintf(f, "announcement: %zu matri%s%s\n", a->n, a->n == 1 ? "x" : "ces", a->overflow ? " (too large to check)" : "");
}

static void print_expectations(FILE *f, const vso_outcome *o) {
  const vso_expect_set *e = o->expect;
  if (!e->n) {
    fprintf(f, "expectations: none given\n");
    return;
  }
  size_t counted = vso_expect_counted(e);
  fprintf(f, "expectations: %zu of %zu met\n", counted - vso_expect_unmet(e), counted);
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    vso_buf name = {0};
    vso_quote(&o->analysis->secrets, x->name, strlen(x->name), &name);
    if (!vso_expectation_counts(x))
      fprintf(f, "  -        %s: not set (allowed: the manifest's names are an upper bound)\n", name.data);
    else if (x->status == VSO_EXP_MET)
      fprintf(f, "  ok       %s (%s:%llu)\n", name.data, x->last->source, (unsigned long long)x->last->line_no);
    else {
      fprintf(f, "  %-8s %s: ", vso_exp_status_name(x->status), name.data);
      print_inert(f, o->analysis, x->reason); /* a reason may quote a leg's name */
      fputc('\n', f);
    }
    vso_buf_free(&name);
  }
  if (o->facts.unchecked) fprintf(f, "  not checked: %s\n", o->facts.unchecked);
}

void vso_print_listing(FILE *f, const vso_outcome *o) {
  for (size_t i = 0; i < o->nstreams; i++)
    fprintf(f, "%s: %llu lines, %llu bytes\n", o->streams[i].name, (unsigned long long)o->streams[i].lines,
            (unsigned long long)o->streams[i].bytes);
  print_counts(f, o->analysis);
  print_setvars(f, o->analysis);
  print_diags(f, o->analysis);
  print_announcement(f, o);
  print_expectations(f, o);
  fprintf(f, "verdict: %s\n", vso_verdict_name(o->verdict));
}
