/* SPDX-License-Identifier: MIT */
/* The Markdown summary (--summary), which run also shows on the run's page
 * (task.uploadsummary): the verdict first, then each expected variable and
 * what to do about the unmet ones, then the command and the diagnostics.
 *
 * Nothing here prints a variable's value.  Text from the child, the command
 * line or a file is masked, its "##vso" deactivated the agent's way
 * ("**vso"), its control bytes shown as escapes and its Markdown escaped.
 * The agent's own terms come from the dialect (dialect.h). */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "matrix.h"
#include "files.h"
#include "text.h"
#include "verdict.h"
#include "version.h"
#include "writer.h"

/* At most this many leg names per cell of the Markdown table. */
enum { MD_MAX_LEGS = 64 };

static size_t safe_strlen(const char *s) { return s ? strlen(s) : 0; }

static bool manifest_present(const vso_manifest_result *m) { return m && (m->n || m->nwarnings); }

static double finite_or_zero(double d) { return isfinite(d) && d >= 0 ? d : 0.0; }

/* The legs of a setvariable's value, read once before the report and the
 * summary were written (vso_outcome_finish); NULL when it is no usable
 * matrix or a secret (whose legs are never shown). */
static const vso_matrix *legs_of(const vso_analysis *a, const vso_setvar *sv) {
  const vso_value_matrix *m = sv && !sv->is_secret ? vso_analysis_matrix(a, (size_t)(sv - a->setvars)) : NULL;
  return m && m->usable ? &m->matrix : NULL;
}
/* Text that is already one safe line except for Markdown: every character
 * that could start emphasis, a link, HTML, an entity or a table cell is
 * backslash-escaped (CommonMark allows that for any ASCII punctuation). */
static void md_escape(vso_builder *w, const char *p, size_t n) {
  static const char special[] = "\\`*_[]<>|~&#";
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    if (!p[i] || !strchr(special, p[i])) continue;
    vso_putn(w, p + from, i - from);
    vso_put(w, "\\");
    from = i;
  }
  vso_putn(w, p + from, n - from);
}

/* Raw text (child, command line, file): masked, "##vso" deactivated,
 * control bytes and invalid UTF-8 shown as escapes, Markdown escaped. */
static void md_text(vso_builder *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf q = {0};
  if (vso_quote(w->secrets, p ? p : "", p ? n : 0, &q)) md_escape(w, q.data ? q.data : "", q.len);
  else w->ok = false;
  vso_buf_free(&q);
}

static void md_textz(vso_builder *w, const char *s) { md_text(w, s, safe_strlen(s)); }

/* Text the analysis already quoted (reasons, diagnostics): made safe again
 * with the final secrets (vso_inert_line: a value may have become secret
 * after the text was made, even where a quotation was cut), Markdown
 * escaped.  It holds no control bytes, so it is not quoted twice. */
static void md_quoted(vso_builder *w, const char *s) {
  if (!w->ok) return;
  vso_buf safe = {0};
  if (vso_inert_line(w->secrets, s ? s : "", s ? strlen(s) : 0, &safe)) md_escape(w, safe.data ? safe.data : "", safe.len);
  else w->ok = false;
  vso_buf_free(&safe);
}

/* A code span around already safe text: a fence longer than any run of
 * backticks inside it. */
static void md_code_safe(vso_builder *w, const char *p, size_t n) {
  if (!n) {
    vso_put(w, "(empty)");
    return;
  }
  size_t longest = 0, run = 0;
  for (size_t i = 0; i < n; i++) {
    run = p[i] == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  bool pad = p[0] == '`' || p[n - 1] == '`' || p[0] == ' ' || p[n - 1] == ' ';
  for (size_t i = 0; i <= longest; i++) vso_put(w, "`");
  if (pad) vso_put(w, " ");
  vso_putn(w, p, n);
  if (pad) vso_put(w, " ");
  for (size_t i = 0; i <= longest; i++) vso_put(w, "`");
}

/* Raw text in a code span (not for table cells). */
static void md_code(vso_builder *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf q = {0};
  if (vso_quote(w->secrets, p ? p : "", p ? n : 0, &q)) md_code_safe(w, q.data ? q.data : "", q.len);
  else w->ok = false;
  vso_buf_free(&q);
}

/* An argument as a shell would need it, for showing the command. */
static bool shell_plain(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-", *s)) return false;
  return true;
}

static void md_command(vso_builder *w, const vso_outcome *o) {
  vso_buf line = {0};
  bool ok = true;
  for (int i = 0; i < o->ncommand && ok; i++) {
    /* masked before the shell quoting, which could split a secret */
    vso_buf arg = {0};
    const char *raw = o->command[i] ? o->command[i] : "";
    ok = vso_mask(w->secrets, raw, strlen(raw), &arg) && vso_buf_reserve(&arg, 0);
    const char *s = arg.data ? arg.data : "";
    if (ok && i) ok = vso_buf_append_char(&line, ' ');
    if (ok && shell_plain(s)) {
      ok = vso_buf_append_str(&line, s);
    } else if (ok) {
      ok = vso_buf_append_char(&line, '\'');
      for (const char *c = s; *c && ok; c++)
        ok = *c == '\'' ? vso_buf_append_str(&line, "'\\''") : vso_buf_append_char(&line, *c);
      ok = ok && vso_buf_append_char(&line, '\'');
    }
    vso_buf_free(&arg);
  }
  if (ok) md_code(w, line.data ? line.data : "", line.len);
  else w->ok = false;
  vso_buf_free(&line);
}

static void md_legs(vso_builder *w, const vso_analysis *a, const vso_setvar *sv) {
  const vso_matrix *m = legs_of(a, sv);
  if (!m) {
    vso_put(w, "—");
    return;
  }
  for (size_t i = 0; i < m->nlegs && i < MD_MAX_LEGS; i++) {
    if (i) vso_put(w, ", ");
    md_textz(w, m->legs[i].name);
  }
  if (m->nlegs > MD_MAX_LEGS) vso_putf(w, " … and %zu more", m->nlegs - MD_MAX_LEGS);
}

static void md_where(vso_builder *w, const vso_setvar *sv) {
  if (!sv) {
    vso_put(w, "—");
    return;
  }
  md_textz(w, sv->source ? sv->source : "-");
  vso_putf(w, ":%llu", (unsigned long long)sv->line_no);
}

/* What the verdict means, in a title a person reads first. */
static void md_headline(vso_builder *w, const vso_outcome *o, const vso_expect_set *e, bool good) {
  switch (o->verdict) {
    case VSO_VERDICT_PASSED:
      if (!good) vso_put(w, "the expectations were met, but vsorelay failed afterwards");
      else if (vso_expect_counted(e))
        vso_putf(w, "%zu of %zu expected output %s verified", vso_expect_counted(e), vso_expect_counted(e),
                 vso_expect_counted(e) == 1 ? "variable" : "variables");
      else vso_put(w, "the command succeeded (no expected output variables to verify)");
      break;
    case VSO_VERDICT_EXPECTATIONS_FAILED:
      if (vso_expect_unmet(e))
        vso_putf(w, "%zu of %zu expected output %s missing or unusable", vso_expect_unmet(e), vso_expect_counted(e),
                 vso_expect_counted(e) == 1 ? "variable" : "variables");
      else vso_put(w, "the expected output variables could not be checked");
      break;
    case VSO_VERDICT_COMMAND_FAILED:
      if (o->facts.term_signal) vso_putf(w, "the command was killed by signal %d", o->facts.term_signal);
      else if (o->facts.child_exited) vso_putf(w, "the command exited with status %d", o->facts.exit_status);
      else vso_put(w, "the command failed");
      break;
    case VSO_VERDICT_TIMED_OUT: vso_put(w, "the command ran past --timeout and was stopped"); break;
    case VSO_VERDICT_STOPPED_BY_SIGNAL: vso_putf(w, "vsorelay was stopped by signal %d", o->facts.stop_signal); break;
    case VSO_VERDICT_SPAWN_FAILED: vso_put(w, "the command could not be started"); break;
    case VSO_VERDICT_VSORELAY_FAILED: vso_put(w, "vsorelay itself failed (see the step's log)"); break;
  }
}

static void md_title(vso_builder *w, const vso_outcome *o, const vso_expect_set *e) {
  const char *v = vso_verdict_name(o->verdict);
  bool good = o->exit_code == VSO_EXIT_OK && o->verdict == VSO_VERDICT_PASSED;
  vso_put(w, good ? "# ✅ vsorelay: " : "# ❌ vsorelay: ");
  md_headline(w, o, e, good);
  vso_put(w, "\n\nVerdict: ");
  md_code_safe(w, v, strlen(v)); /* one of vsorelay's own words */
  vso_putf(w, ", exit code %d.", o->exit_code);
  if (o->mode == VSO_MODE_RUN) {
    const char *setvariable = vso_dialect_term(VSO_TERM_SETVARIABLE);
    if (good) vso_putf(w, " The held `%s` commands were passed on to the agent.", setvariable);
    else if (o->verdict == VSO_VERDICT_EXPECTATIONS_FAILED)
      vso_putf(w, " No held `%s` command was passed on: a partial matrix never reaches a downstream job.", setvariable);
  }
  vso_put(w, "\n\n");
}

/* When the check is weaker than usual, why, before anything else. */
static void md_weaker(vso_builder *w, const vso_outcome *o) {
  const vso_sources *s = o->sources;
  if (!s || !s->upper_bound) return;
  vso_put(w, "> ⚠️ **The check is weaker than usual.** ");
  md_textz(w, s->upper_bound);
  vso_put(w, ". The manifest's names are only an upper bound: each may be absent, and what the generator "
             "announced is what must arrive.\n\n");
}

/* Where the step ran, as the agent tells it: the names a person looks for
 * in the run's page.  Nothing outside the agent. */
static void md_place(vso_builder *w, const vso_step_place *p) {
  if (!p->step && !p->job && !p->stage) return;
  vso_put(w, "Step ");
  if (p->step) md_code(w, p->step, strlen(p->step));
  else vso_put(w, "`<step>`");
  if (p->step_display) vso_put(w, " ("), md_textz(w, p->step_display), vso_put(w, ")");
  vso_put(w, " of job ");
  if (p->job) md_code(w, p->job, strlen(p->job));
  else vso_put(w, "`<job>`");
  if (p->job_display) vso_put(w, " ("), md_textz(w, p->job_display), vso_put(w, ")");
  if (p->stage) vso_put(w, ", stage "), md_code(w, p->stage, strlen(p->stage));
  vso_put(w, ".\n\n");
}

/* One line of the log's words (verdict.h) as a bullet. */
static void md_words(vso_builder *w, bool ok, vso_buf *words) {
  if (!ok) {
    w->ok = false;
    return;
  }
  if (!words->len) return;
  vso_put(w, "- ");
  if (words->data[0] >= 'a' && words->data[0] <= 'z') words->data[0] -= 'a' - 'A'; /* a sentence */
  md_quoted(w, words->data);
  vso_put(w, "\n");
}

/* The same facts as the step's log, first: what was lost or verified, and
 * why nothing was passed on. */
static void md_happened(vso_builder *w, const vso_outcome *o) {
  const vso_expect_set *e = o->expect;
  vso_put(w, "## What happened\n\n");
  vso_buf words = {0};
  if (o->verdict == VSO_VERDICT_PASSED) {
    md_words(w, vso_words_verified(o, &words), &words);
    if (o->attempts > 1)
      vso_putf(w, "- It passed on attempt %d: each earlier attempt lost expected variables (the warnings of the "
                  "step's log name them).\n", o->attempts);
  } else if (o->verdict == VSO_VERDICT_EXPECTATIONS_FAILED) {
    if (o->facts.unchecked) {
      vso_buf_clear(&words);
      md_words(w, vso_buf_append_str(&words, o->facts.unchecked) && vso_buf_append_char(&words, '.'), &words);
    }
    for (size_t i = 0; i < e->n; i++) {
      if (!vso_expectation_unmet(&e->items[i])) continue;
      vso_buf_clear(&words);
      md_words(w, vso_words_unmet(o, &e->items[i], &words), &words);
    }
  } else if (o->verdict == VSO_VERDICT_VSORELAY_FAILED) {
    vso_put(w, "- vsorelay itself failed: the step's log says why.\n");
  } else {
    md_words(w, vso_words_command_failed(o, &words), &words);
  }
  vso_buf_free(&words);
  vso_put(w, "\n");
}

static void md_expected(vso_builder *w, const vso_analysis *a, const vso_expect_set *e) {
  vso_put(w, "## Expected output variables\n\n");
  if (!e->n) {
    vso_put(w, "None were given (`--expect`, `--expect-file`, `--manifest` or ImageBuilder's arguments), and the "
               "generator announced none.\n\n");
    return;
  }
  size_t counted = vso_expect_counted(e);
  vso_putf(w, "%zu of %zu met.\n\n", counted - vso_expect_unmet(e), counted);
  vso_put(w, "| Variable | Status | Legs | Source line |\n| --- | --- | --- | --- |\n");
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    bool met = !vso_expectation_unmet(x);
    vso_put(w, "| ");
    if (!met) vso_put(w, "**");
    md_textz(w, x->name);
    if (!met) vso_put(w, "**");
    vso_put(w, !vso_expectation_counts(x) ? " | ➖ not set (allowed: an upper bound) " : met ? " | ✅ " : " | ❌ ");
    if (vso_expectation_counts(x)) vso_put(w, vso_exp_status_name(x->status));
    if (x->matrix) vso_put(w, " (matrix)");
    vso_put(w, " | ");
    md_legs(w, a, x->last);
    vso_put(w, " | ");
    md_where(w, x->last);
    vso_put(w, " |\n");
  }
  vso_put(w, "\n");
}

static void md_reason(vso_builder *w, const vso_expectation *x) {
  if (x->reason) {
    vso_put(w, ": ");
    md_quoted(w, x->reason);
  }
}

/* A term of the agent's (dialect.h) in a code span. */
static void md_term(vso_builder *w, vso_term t) {
  const char *s = vso_dialect_term(t);
  md_code_safe(w, s, strlen(s));
}

/* What an unmet expectation means for the run and what to do; ref is how a
 * consuming job names the variable. */
static void md_advice(vso_builder *w, const vso_expectation *x, const vso_buf *ref) {
  switch (x->status) {
    case VSO_EXP_MISSING:
      if (x->refused) {
        vso_put(w, "is **missing**");
        md_reason(w, x);
        vso_put(w, ": allow it with `--allow-variables`, or stop expecting it.");
        break;
      }
      vso_put(w, "is **missing**: the generator never printed it, or its output lost it (the lost-tail failure "
                 "of dotnet/docker-tools \\#2125): the job that consumes ");
      md_code(w, ref->data, ref->len);
      vso_put(w, " would have been skipped in silence; look at the generator's exit, rerun with `--retries`, "
                 "or use an ImageBuilder that writes its variables directly");
      /* only a name the manifest gave can come from filters that do not match the generator's */
      vso_put(w, x->sources & (VSO_SRC_MANIFEST | VSO_SRC_IMAGEBUILDER) ? "; or check the manifest filters." : ".");
      break;
    case VSO_EXP_NOT_OUTPUT:
      vso_put(w, "is **not an output variable**: it was set without ");
      md_term(w, VSO_TERM_OUTPUT_FLAG);
      vso_put(w, ", so ");
      md_code(w, ref->data, ref->len);
      vso_put(w, " is Null and the consuming job is skipped in silence; add ");
      md_term(w, VSO_TERM_OUTPUT_FLAG);
      vso_put(w, " to its ");
      md_term(w, VSO_TERM_SETVARIABLE);
      vso_put(w, ".");
      break;
    case VSO_EXP_EMPTY:
      vso_put(w, "is **empty**: it was set as an output with an empty value, so the consuming job's condition "
                 "is false and it is skipped in silence; check what the generator printed for it.");
      break;
    case VSO_EXP_REJECTED:
      vso_put(w, "is **rejected**");
      md_reason(w, x);
      vso_put(w, "; the agent fails the step on this command (see the diagnostics below): fix the command.");
      break;
    case VSO_EXP_INVALID:
      vso_put(w, "is **invalid**");
      md_reason(w, x);
      vso_put(w, "; ");
      md_term(w, VSO_TERM_MATRIX_USE);
      vso_put(w, " cannot use it: fix the value the generator prints.");
      break;
    case VSO_EXP_CUT:
      vso_put(w, "is **cut**");
      md_reason(w, x);
      vso_put(w, "; a background process was still writing it when the drain timeout stopped the command: "
                 "make the generator wait for what it starts, or raise `--drain-timeout`.");
      break;
    case VSO_EXP_UNREADABLE:
      vso_put(w, "is **unreadable**");
      md_reason(w, x);
      vso_put(w, "; make the generator write UTF-8 without a UTF-16 or UTF-32 byte-order mark.");
      break;
    case VSO_EXP_MET:
      break;
  }
}

/* Everything x stood for (the log cuts the list). */
static void md_stands_for(vso_builder *w, const vso_expectation *x) {
  if (!x->nplatforms) return;
  vso_buf words = {0};
  if (vso_words_platforms(w->secrets, x, true, &words)) {
    vso_put(w, " It stands for ");
    md_quoted(w, words.data);
    vso_put(w, ".");
  } else {
    w->ok = false;
  }
  vso_buf_free(&words);
}

/* How a later stage reads x, when the step's stage is known. */
static void md_stage_reference(vso_builder *w, const vso_expectation *x, const vso_step_place *place) {
  if (!place->stage || x->status != VSO_EXP_MISSING) return;
  vso_buf ref = {0};
  if (vso_dialect_stage_output_reference(&ref, place, x->name)) {
    vso_put(w, " A later stage reads it as ");
    md_code(w, ref.data, ref.len);
    vso_put(w, ".");
  } else {
    w->ok = false;
  }
  vso_buf_free(&ref);
}


static void md_next_steps(vso_builder *w, const vso_expect_set *e, const vso_step_place *place,
                          const char *unchecked) {
  if (!vso_expect_unmet(e) && !unchecked) return;
  vso_put(w, "## What to do next\n\n");
  if (unchecked) {
    vso_put(w, "- **Not checked**: ");
    md_textz(w, unchecked);
    vso_put(w, ". Run the generator again, or pass `--no-announced` if it does not announce its matrices.\n");
  }
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    if (!vso_expectation_unmet(x)) continue;
    vso_put(w, "- **");
    md_textz(w, x->name);
    vso_put(w, "** ");
    vso_buf ref = {0};
    if (vso_dialect_output_reference(&ref, place, x->name ? x->name : "")) md_advice(w, x, &ref);
    else w->ok = false;
    vso_buf_free(&ref);
    md_stage_reference(w, x, place);
    md_stands_for(w, x);
    if (x->last) {
      vso_put(w, " (last set at ");
      md_where(w, x->last);
      vso_put(w, ")");
    }
    vso_put(w, "\n");
  }
  vso_put(w, "\n");
}

static void md_run(vso_builder *w, const vso_outcome *o) {
  bool run = o->mode == VSO_MODE_RUN;
  const vso_facts *f = &o->facts;
  vso_put(w, "## Command\n\n");
  vso_put(w, run ? "- Command: " : "- Replayed: ");
  if (o->ncommand) md_command(w, o);
  else vso_put(w, run ? "—" : "standard input");
  vso_putf(w, "\n- Attempts: %d\n", o->attempts);
  if (o->sources && o->sources->imagebuilder_note) {
    vso_put(w, "- ImageBuilder's arguments: ");
    md_textz(w, o->sources->imagebuilder_note);
    vso_put(w, "\n");
  }
  if (run) {
    vso_put(w, "- Child: ");
    if (f->term_signal) vso_putf(w, "killed by signal %d", f->term_signal);
    else if (f->child_exited) vso_putf(w, "exited with status %d", f->exit_status);
    else vso_put(w, "did not run to an exit");
    vso_put(w, "\n");
    if (f->timed_out) vso_put(w, "- **Timed out** (`--timeout`)\n");
    if (f->output_truncated)
      vso_put(w, "- **Output may be truncated**: the pipes were still open at the drain timeout (a background "
             "process held them)\n");
    if (f->stop_signal) vso_putf(w, "- **Stopped** by signal %d\n", f->stop_signal);
  }
  vso_putf(w, "- Duration: %.3f s\n\n", finite_or_zero(o->duration));
  if (!o->nstreams) return;
  vso_put(w, "| Stream | Bytes | Lines |\n| --- | ---: | ---: |\n");
  for (size_t i = 0; i < o->nstreams; i++) {
    vso_put(w, "| ");
    md_textz(w, o->streams[i].name);
    vso_putf(w, " | %llu | %llu |\n", (unsigned long long)o->streams[i].bytes,
         (unsigned long long)o->streams[i].lines);
  }
  vso_put(w, "\n");
}

static void md_diags(vso_builder *w, const vso_analysis *a, const vso_manifest_result *m) {
  size_t nwarn = manifest_present(m) ? m->nwarnings : 0;
  if (!a->ndiags && !nwarn) return;
  vso_put(w, "## Diagnostics\n\n");
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    vso_put(w, d->severity == VSO_ERROR ? "- ❌ error, " : "- ⚠️ warning, ");
    md_textz(w, d->source ? d->source : "-");
    if (d->line_no) vso_putf(w, ":%llu", (unsigned long long)d->line_no);
    vso_put(w, ": ");
    md_quoted(w, d->message);
    vso_put(w, "\n");
  }
  vso_buf omitted = {0};
  if (vso_analysis_omitted_text(a, &omitted)) {
    vso_put(w, "- … ");
    md_quoted(w, omitted.data);
    vso_put(w, "\n");
  }
  vso_buf_free(&omitted);
  for (size_t i = 0; i < nwarn; i++) {
    vso_put(w, "- ⚠️ manifest: ");
    md_textz(w, m->warnings[i]);
    vso_put(w, "\n");
  }
  vso_put(w, "\n");
}

/* The legs of one announced matrix against the arrived value. */
static void md_announced_row(vso_builder *w, const vso_outcome *o, const vso_announced_matrix *m) {
  const vso_expectation *x = NULL;
  for (size_t i = 0; i < o->expect->n && !x; i++)
    if (o->expect->items[i].announced == m) x = &o->expect->items[i];
  const vso_setvar *sv = x && x->status != VSO_EXP_MISSING && x->status != VSO_EXP_REJECTED ? x->last : NULL;
  vso_put(w, "| ");
  md_textz(w, m->name);
  vso_putf(w, " | %zu | ", m->nlegs);
  if (!sv) vso_put(w, "❌ no");
  else vso_put(w, x->status == VSO_EXP_MET ? "✅ yes" : "❌ unusable");
  vso_put(w, " | ");
  if (sv) md_legs(w, o->analysis, sv);
  else vso_put(w, "—");
  vso_put(w, " |\n");
}

/* The generator's announcement against what arrived. */
static void md_announcement(vso_builder *w, const vso_outcome *o) {
  const vso_announcement *a = o->announcement;
  if (!a) return;
  vso_put(w, "## The generator's announcement\n\n");
  if (!vso_announcement_seen(a)) {
    vso_put(w, "None was seen: no `GENERATING BUILD MATRIX` listing of ImageBuilder's in the output.\n\n");
    return;
  }
  if (a->overflow) vso_put(w, "**It was larger than vsorelay keeps; it could not be checked.**\n\n");
  if (!a->n) {
    vso_put(w, "It announced no matrix.\n\n");
    return;
  }
  vso_putf(w, "%zu matrices announced, each of which must arrive with exactly its legs.\n\n", a->n);
  vso_put(w, "| Matrix | Legs announced | Arrived | Legs arrived |\n| --- | ---: | --- | --- |\n");
  for (size_t i = 0; i < a->n; i++) md_announced_row(w, o, &a->matrices[i]);
  vso_put(w, "\n");
}

bool vso_write_summary(const char *path, const vso_outcome *o, vso_buf *err) {
  const vso_analysis *a = o->analysis;
  const vso_expect_set *e = o->expect;
  vso_builder w = {.secrets = &a->secrets, .ok = true};
  vso_step_place place = o->mode == VSO_MODE_RUN ? vso_dialect_step_place() : (vso_step_place){0};
  md_title(&w, o, e);
  md_place(&w, &place);
  md_weaker(&w, o);
  md_happened(&w, o);
  md_next_steps(&w, e, &place, o->facts.unchecked);
  md_expected(&w, a, e);
  md_announcement(&w, o);
  md_run(&w, o);
  md_diags(&w, a, o->manifest);
  vso_putf(&w, "<sub>vsorelay %s</sub>\n", VSO_VERSION);
  /* belt and braces: nothing above can hold "##vso", and now nothing does */
  vso_buf safe = {0};
  bool ok = w.ok && vso_deactivate(w.b.data ? w.b.data : "", w.b.len, &safe);
  if (!ok) vso_buf_append_str(err, "out of memory while building the summary");
  else ok = vso_file_replace(path, safe.data ? safe.data : "", safe.len, err);
  vso_buf_free(&safe);
  vso_buf_free(&w.b);
  return ok;
}
