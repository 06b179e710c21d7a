/* SPDX-License-Identifier: MIT */
#include "verdict.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "text.h"
#include "writer.h"

/* A list of names is cut once it is this long (bytes, after masking and
 * quoting): the rest is counted ("… and 12 more"); the report has them all. */
enum { NAMES_BUDGET = 1000 };
/* What a variable stood for, in the log: Dockerfiles while the list fits
 * about a line's width (the first always), then "…"; the summary and the
 * report have them all. */
enum { DOCKERFILES_BUDGET = 72 };

static const char lost_tail_failure[] = "the lost-tail failure of dotnet/docker-tools #2125";

/* ---- pieces ------------------------------------------------------------------ */

static bool quoted(vso_buf *out, const vso_secrets *s, const char *text) {
  return vso_quote(s, text ? text : "", text ? strlen(text) : 0, out);
}

static const char *plural(size_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* Which expectations a list names: those that count (vso_expectation_counts)
 * and are met, those that count and are not, or those an upper bound let be
 * absent. */
typedef enum { MET, UNMET, ABSENT, ALL } which;

static bool is(const vso_expectation *x, which w) {
  if (w == ALL) return true;
  if (!vso_expectation_counts(x)) return w == ABSENT;
  return w == (x->status == VSO_EXP_MET ? MET : UNMET);
}

/* The names of e's expectations of one kind (every one: ALL), ", "-separated, each quoted,
 * non-missing ones with their status when with_status; cut after
 * NAMES_BUDGET bytes with ", … and N more". */
static bool names(vso_buf *out, const vso_secrets *s, const vso_expect_set *e, which w, bool with_status) {
  size_t start = out->len, shown = 0, total = 0;
  bool ok = true;
  for (size_t i = 0; i < e->n && ok; i++) {
    const vso_expectation *x = &e->items[i];
    if (!is(x, w)) continue;
    total++;
    if (shown && out->len - start > NAMES_BUDGET) continue;
    ok = (!shown || vso_buf_append_str(out, ", ")) && quoted(out, s, x->name) &&
         (!with_status || x->status == VSO_EXP_MISSING || vso_buf_appendf(out, " (%s)", vso_exp_status_name(x->status)));
    shown++;
  }
  return ok && (shown == total || vso_buf_appendf(out, ", … and %zu more", total - shown));
}

bool vso_words_names(const vso_secrets *s, const vso_expect_set *e, vso_buf *out) {
  return names(out, s, e, ALL, false);
}

static size_t count(const vso_expect_set *e, which w) {
  size_t n = 0;
  for (size_t i = 0; i < e->n; i++) n += is(&e->items[i], w);
  return n;
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What x stands for, as the expectation model has it: its Dockerfiles and
 * its architectures, each list borrowed and allocated in one block (free
 * *files).  The one place that reads the model's platforms. */
typedef struct stood_for {
  const char **files, **arches;
  size_t nfiles, narches;
} stood_for;

static bool read_stood_for(const vso_expectation *x, stood_for *sf) {
  *sf = (stood_for){0};
  if (!x->nplatforms) return true;
  if (!(sf->files = malloc(2 * x->nplatforms * sizeof *sf->files))) return false;
  sf->arches = sf->files + x->nplatforms;
  for (size_t i = 0; i < x->nplatforms; i++) {
    const vso_manifest_platform *p = &x->platforms[i];
    if (p->dockerfile) sf->files[sf->nfiles++] = p->dockerfile;
    bool seen = !p->architecture || !*p->architecture; /* each once, in order */
    for (size_t k = 0; k < sf->narches && !seen; k++) seen = strcmp(sf->arches[k], p->architecture) == 0;
    if (!seen) sf->arches[sf->narches++] = p->architecture;
  }
  /* the Dockerfiles sorted, each once */
  qsort(sf->files, sf->nfiles, sizeof *sf->files, compare_strings);
  size_t n = 0;
  for (size_t i = 0; i < sf->nfiles; i++)
    if (n == 0 || strcmp(sf->files[n - 1], sf->files[i]) != 0) sf->files[n++] = sf->files[i];
  sf->nfiles = n;
  return true;
}

/* " (amd64)": the architectures, or nothing when none is known. */
static bool architectures(vso_buf *out, const vso_secrets *s, const stood_for *sf) {
  bool ok = true;
  for (size_t i = 0; i < sf->narches && ok; i++)
    ok = vso_buf_append_str(out, i ? ", " : " (") && quoted(out, s, sf->arches[i]);
  return ok && (!sf->narches || vso_buf_append_char(out, ')'));
}

bool vso_words_stands_for(const vso_secrets *s, const vso_expectation *x, bool all, vso_buf *out) {
  if (!quoted(out, s, x->name)) return false;
  if (!x->nplatforms) return true;
  /* announced legs may list no Dockerfile nor architecture: then nothing, not "name: " */
  vso_buf platforms = {0};
  bool ok = vso_words_platforms(s, x, all, &platforms);
  if (ok && platforms.len) ok = vso_buf_append_str(out, ": ") && vso_buf_append(out, platforms.data, platforms.len);
  vso_buf_free(&platforms);
  return ok;
}

bool vso_words_platforms(const vso_secrets *s, const vso_expectation *x, bool all, vso_buf *out) {
  stood_for sf;
  if (!read_stood_for(x, &sf)) return false;
  bool ok = true;
  size_t start = out->len;
  for (size_t i = 0; i < sf.nfiles && ok; i++) {
    vso_buf one = {0};
    ok = quoted(&one, s, sf.files[i]);
    if (ok && i && !all && out->len - start + 2 + one.len > DOCKERFILES_BUDGET) {
      ok = vso_buf_append_str(out, ", …");
      vso_buf_free(&one);
      break;
    }
    ok = ok && (!i || vso_buf_append_str(out, ", ")) && vso_buf_append(out, one.data, one.len);
    vso_buf_free(&one);
  }
  ok = ok && architectures(out, s, &sf);
  free(sf.files);
  return ok;
}

/* ---- success ---------------------------------------------------------------- */

/* Why nothing had to be verified, in a few words: what the sources said,
 * then the generator's announcement. */
static bool why_nothing(const vso_outcome *o, vso_buf *out) {
  const vso_sources *s = o->sources;
  const vso_announcement *a = o->announcement;
  bool ok;
  if (s && s->manifest_path && s->manifest.nfiltered && s->manifest.nfiltered == s->manifest.nunchanged)
    ok = vso_buf_append_str(out, "every platform is unchanged in the image-info");
  else if (o->expect->n)
    ok = vso_buf_append_str(out, "the manifest's matrices are only an upper bound and none arrived");
  else if (s && (s->manifest_path || s->imagebuilder.found))
    ok = vso_buf_append_str(out, "the sources given name none");
  else
    ok = vso_buf_append_str(out, "none given");
  if (!a) return ok && vso_buf_append_str(out, ", --no-announced");
  if (!vso_announcement_seen(a)) return ok && vso_buf_append_str(out, ", no generator announcement seen");
  return ok && vso_buf_append_str(out, ", the generator announced no matrix");
}

bool vso_words_verified(const vso_outcome *o, vso_buf *out) {
  const vso_expect_set *e = o->expect;
  const vso_secrets *s = &o->analysis->secrets;
  size_t counted = vso_expect_counted(e);
  bool ok = counted ? vso_buf_appendf(out, "%zu of %zu expected output %s verified (", count(e, MET), counted,
                                      plural(counted, "variable", "variables")) &&
                          names(out, s, e, MET, false) && vso_buf_append_char(out, ')')
                    : vso_buf_append_str(out, "no expected output variables to verify (") && why_nothing(o, out) &&
                          vso_buf_append_char(out, ')');
  if (ok && counted < e->n)
    ok = vso_buf_append_str(out, "; not set, as the manifest's upper bound allows: ") &&
         names(out, s, e, ABSENT, false);
  return ok;
}

/* ---- expectations failed --------------------------------------------------------- */

bool vso_words_unmet_count(const vso_outcome *o, vso_buf *out) {
  size_t counted = vso_expect_counted(o->expect), unmet = count(o->expect, UNMET);
  if (!unmet && o->facts.unchecked) return vso_buf_append_str(out, "the expected output variables could not be checked");
  if (!unmet && vso_encoding_unreadable(o->facts.stdout_encoding)) /* nothing was expected: no "0 of 0" */
    return vso_buf_append_str(out, "the agent cannot read the step's stdout (a UTF-16 or UTF-32 byte-order mark)");
  return vso_buf_appendf(out, "%zu of %zu expected output %s missing or unusable", unmet, counted,
                         plural(counted, "variable", "variables"));
}

static bool command_succeeded(const vso_outcome *o) {
  const vso_facts *f = &o->facts;
  return o->mode == VSO_MODE_RUN && f->child_exited && !f->term_signal && f->exit_status == 0;
}

/* The lost tail: the command succeeded, the line never arrived. */
static bool lost_tail(const vso_outcome *o, vso_buf *out) {
  if (o->attempts > 1)
    return vso_buf_appendf(out,
                           " The command succeeded (exit 0) in each of its %d attempts, but its output lost this "
                           "line every time: %s. Use an ImageBuilder that writes its variables directly, or "
                           "raise --retries.",
                           o->attempts, lost_tail_failure);
  return vso_buf_appendf(out,
                         " The command succeeded (exit 0) but its output lost this line: %s. Rerun with --retries "
                         "(e.g. --retries 2), or use an ImageBuilder that writes its variables directly.",
                         lost_tail_failure);
}

bool vso_words_unmet(const vso_outcome *o, const vso_expectation *x, vso_buf *out) {
  const vso_secrets *s = &o->analysis->secrets;
  bool missing = x->status == VSO_EXP_MISSING, lost = missing && !x->refused;
  bool ok = vso_buf_append_str(out, "expected output variable ") &&
            vso_buf_append_str(out, lost ? "missing (never set)" : vso_exp_status_name(x->status)) &&
            vso_buf_append_str(out, ": ") && vso_words_stands_for(s, x, false, out) && vso_buf_append_char(out, '.');
  if (ok && !lost && x->reason) { /* quoted when it was made; masked again with the final secrets */
    size_t sentence = out->len + 1;
    ok = vso_buf_append_char(out, ' ') && vso_inert_line(s, x->reason, strlen(x->reason), out) &&
         vso_buf_append_char(out, '.');
    if (ok && out->data[sentence] >= 'a' && out->data[sentence] <= 'z') out->data[sentence] -= 'a' - 'A';
  }
  if (ok && lost && command_succeeded(o)) ok = lost_tail(o, out);
  if (ok && x->status == VSO_EXP_CUT && command_succeeded(o))
    ok = vso_buf_append_str(out, " The command succeeded (exit 0), but a process it started still held its output "
                                 "when the drain timeout stopped it. Make the generator wait for what it starts, "
                                 "or raise --drain-timeout.");
  if (ok && x->status == VSO_EXP_UNREADABLE)
    ok = vso_buf_append_str(out, " Make the generator write UTF-8, without a UTF-16 or UTF-32 byte-order mark.");
  return ok;
}

/* ---- the command did not end well --------------------------------------------------- */

const char *vso_signal_name(int sig) {
  static const struct {
    int sig;
    const char *name;
  } names[] = {
#ifdef SIGHUP
      {SIGHUP, "SIGHUP"},
#endif
      {SIGINT, "SIGINT"},
#ifdef SIGQUIT
      {SIGQUIT, "SIGQUIT"},
#endif
      {SIGILL, "SIGILL"},   {SIGABRT, "SIGABRT"}, {SIGFPE, "SIGFPE"},
#ifdef SIGKILL
      {SIGKILL, "SIGKILL"},
#endif
#ifdef SIGBUS
      {SIGBUS, "SIGBUS"},
#endif
      {SIGSEGV, "SIGSEGV"},
#ifdef SIGPIPE
      {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"},
#endif
      {SIGTERM, "SIGTERM"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].sig == sig) return names[i].name;
  return NULL;
}

static bool signal_words(vso_buf *out, int sig) {
  const char *name = vso_signal_name(sig);
  return name ? vso_buf_appendf(out, "signal %d (%s)", sig, name) : vso_buf_appendf(out, "signal %d", sig);
}

/* "the command exited with status 1", "the command was killed by signal 9
 * (SIGKILL)", ...; false (and nothing) for a verdict that is no such end. */
static bool how_it_ended(const vso_outcome *o, vso_buf *out, bool *said) {
  const vso_facts *f = &o->facts;
  *said = true;
  switch (o->verdict) {
    case VSO_VERDICT_COMMAND_FAILED:
      if (f->term_signal) return vso_buf_append_str(out, "the command was killed by ") && signal_words(out, f->term_signal);
      return vso_buf_appendf(out, "the command exited with status %d", f->exit_status);
    case VSO_VERDICT_TIMED_OUT: return vso_buf_append_str(out, "the command ran past --timeout and was stopped");
    case VSO_VERDICT_STOPPED_BY_SIGNAL:
      return vso_buf_append_str(out, "vsorelay was stopped by ") && signal_words(out, f->stop_signal);
    case VSO_VERDICT_SPAWN_FAILED:
      return vso_buf_appendf(out, "the command could not be started (exit %d)", o->exit_code);
    default: *said = false; return true;
  }
}

/* Which expected variables had arrived when the command ended. */
static bool arrivals(const vso_outcome *o, vso_buf *out) {
  const vso_expect_set *e = o->expect;
  const vso_secrets *s = &o->analysis->secrets;
  size_t met = count(e, MET), unmet = count(e, UNMET), n = met + unmet;
  if (!n) {
    size_t held = o->analysis->nsetvars;
    return vso_buf_appendf(out, " %s, and %zu %s %s held back.",
                           e->n ? "No expected output variable had to arrive (the manifest's names are only an "
                                  "upper bound)"
                                : "No expected output variables were given",
                           held, vso_dialect_term(VSO_TERM_SETVARIABLE), plural(held, "command was", "commands were"));
  }
  if (n == 1)
    return vso_buf_appendf(out, " The expected output variable had %s (", met ? "arrived" : "not arrived") &&
           names(out, s, e, met ? MET : UNMET, false) && vso_buf_append_str(out, ").");
  if (!unmet)
    return vso_buf_appendf(out, " All %zu expected output variables had arrived (", n) && names(out, s, e, MET, false) &&
           vso_buf_append_str(out, ").");
  if (!met)
    return vso_buf_appendf(out, " None of the %zu expected output variables had arrived (", n) &&
           names(out, s, e, UNMET, false) && vso_buf_append_str(out, ").");
  return vso_buf_appendf(out, " Of the %zu expected output variables, %zu had arrived (", n, met) &&
         names(out, s, e, MET, false) && vso_buf_appendf(out, ") and %zu had not (", unmet) &&
         names(out, s, e, UNMET, false) && vso_buf_append_str(out, ").");
}

bool vso_words_command_failed(const vso_outcome *o, vso_buf *out) {
  if (!o->expect->n && !o->analysis->nsetvars) return true;
  size_t start = out->len;
  bool said;
  bool ok = how_it_ended(o, out, &said);
  if (!ok || !said) return ok;
  ok = o->stream ? vso_buf_appendf(out, ", so the expected ones were not written again (with --stream, every %s "
                                        "went through live as it came).",
                                   vso_dialect_term(VSO_TERM_SETVARIABLE))
                 : vso_buf_append_str(out, ", so nothing was re-emitted: the variables of a command that did not "
                                           "succeed are not passed on.");
  ok = ok && arrivals(o, out);
  if (!ok) out->len = start;
  return ok;
}

/* ---- a failed attempt of --retries ------------------------------------------------------ */

/* Whether every unmet expectation simply never arrived (not refused, not
 * arrived unusable): only then is it the lost tail. */
static bool all_never_set(const vso_expect_set *e) {
  for (size_t i = 0; i < e->n; i++)
    if (is(&e->items[i], UNMET) && (e->items[i].status != VSO_EXP_MISSING || e->items[i].refused)) return false;
  return true;
}

bool vso_words_attempt_lost(const vso_expect_set *e, const vso_secrets *s, const char *unchecked, int attempt,
                            int attempts, bool succeeded, vso_buf *out) {
  size_t unmet = count(e, UNMET), counted = vso_expect_counted(e);
  bool ok = vso_buf_appendf(out, "attempt %d of %d", attempt, attempts);
  if (ok && unmet) {
    ok = vso_buf_appendf(out, " lost %zu of %zu expected output %s (", unmet, counted,
                         plural(counted, "variable", "variables")) &&
         names(out, s, e, UNMET, true) && vso_buf_append_str(out, ")");
    if (ok && succeeded && all_never_set(e))
      ok = vso_buf_appendf(out, ": the command succeeded (exit 0) but its output lost them (%s)", lost_tail_failure);
  }
  if (ok && unchecked) ok = vso_buf_append_str(out, unmet ? "; " : ": ") && vso_buf_append_str(out, unchecked);
  return ok && vso_buf_append_str(out, ". Running the command again.");
}

bool vso_words_announcement_carried(int attempt, vso_buf *out) {
  return vso_buf_appendf(out, "attempt %d printed no generator announcement (GENERATING BUILD MATRIX): the matrices "
                              "an earlier attempt announced are still expected", attempt);
}

bool vso_words_passed_after_retries(const vso_outcome *o, vso_buf *out) {
  return vso_buf_appendf(out, "passed on attempt %d, after %d %s that lost expected output variables", o->attempts,
                         o->attempts - 1, plural((size_t)(o->attempts - 1), "attempt", "attempts"));
}
