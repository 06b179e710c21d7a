/* SPDX-License-Identifier: MIT */
#include "analysis.h"
#include "analysis_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vso_analysis_init(vso_analysis *a, vso_knobs knobs) {
  memset(a, 0, sizeof *a);
  a->knobs = knobs;
}

void vso_analysis_free(vso_analysis *a) {
  for (size_t i = 0; i < a->ncounts; i++) free(a->counts[i].name);
  free(a->counts);
  vso_index_free(&a->count_index_);
  for (size_t i = 0; i < a->nsetvars; i++) {
    free(a->setvars[i].raw_);
    free(a->setvars[i].unescaped_);
    free(a->setvars[i].known_why_);
  }
  free(a->setvars);
  for (size_t i = 0; i < a->nmatrices_; i++) {
    vso_matrix_free(&a->matrices_[i].matrix);
    free(a->matrices_[i].why);
  }
  free(a->matrices_);
  vso_index_free(&a->last_set_);
  for (size_t i = 0; i < a->ndiags; i++) free(a->diags[i].message);
  free(a->diags);
  vso_secrets_free(&a->secrets);
  memset(a, 0, sizeof *a);
}

void vso_analysis_restart(vso_analysis *a) {
  vso_secrets kept = a->secrets;
  const vso_policy *policy = a->policy;
  void (*on_command)(void *, const vso_command *, const vso_line *, const char *, bool) = a->on_command;
  void *on_command_ctx = a->on_command_ctx;
  vso_knobs knobs = a->knobs;
  memset(&a->secrets, 0, sizeof a->secrets);
  vso_analysis_free(a);
  vso_analysis_init(a, knobs);
  a->secrets = kept;
  a->policy = policy;
  a->on_command = on_command;
  a->on_command_ctx = on_command_ctx;
}

static const char *const diag_kind_names[VSO_DIAG_KINDS] = {
    [VSO_DIAG_NOT_A_COMMAND] = "not-a-command", [VSO_DIAG_UNKNOWN_AREA] = "unknown-area",
    [VSO_DIAG_UNKNOWN_EVENT] = "unknown-event", [VSO_DIAG_RESTRICTED] = "restricted",
    [VSO_DIAG_NOT_SETTABLE] = "not-settable",   [VSO_DIAG_NO_NAME] = "no-name",
    [VSO_DIAG_MULTILINE_SECRET] = "multi-line-secret", [VSO_DIAG_TOO_LONG] = "too-long",
    [VSO_DIAG_CUT] = "cut",                     [VSO_DIAG_OTHER] = "other",
};

const char *vso_diag_kind_name(vso_diag_kind k) { return k < VSO_DIAG_KINDS ? diag_kind_names[k] : "other"; }

/* Keeps msg (taking it over) unless its kind has kept enough: then it is only counted. */
static void keep_diag(vso_analysis *a, vso_diag_kind kind, vso_severity sev, const char *source, uint64_t line_no,
                      char *msg) {
  if (++a->diag_counts[kind] > VSO_DIAGS_PER_KIND) {
    a->diags_omitted++;
    free(msg);
    return;
  }
  if (!msg || !vso_grow(&a->diags, &a->diags_cap_, a->ndiags, sizeof *a->diags)) {
    free(msg);
    a->out_of_memory = true;
    return;
  }
  a->diags[a->ndiags++] = (vso_diag){kind, sev, source, line_no, msg};
}

void vso_analysis_diag_kind(vso_analysis *a, vso_diag_kind kind, vso_severity sev, const char *source,
                            uint64_t line_no, const char *message) {
  if (kind >= VSO_DIAG_KINDS) kind = VSO_DIAG_OTHER;
  if (a->diag_counts[kind] >= VSO_DIAGS_PER_KIND) { /* no copy for one that is only counted */
    keep_diag(a, kind, sev, source, line_no, NULL);
    return;
  }
  keep_diag(a, kind, sev, source, line_no, strdup(message));
}

void vso_analysis_diag(vso_analysis *a, vso_severity sev, const char *source, uint64_t line_no,
                       const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = NULL;
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n >= 0 && (msg = malloc((size_t)n + 1))) {
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  keep_diag(a, VSO_DIAG_OTHER, sev, source, line_no, msg);
}

bool vso_analysis_omitted_text(const vso_analysis *a, vso_buf *out) {
  if (!a->diags_omitted) return false;
  bool ok = vso_buf_appendf(out, "%llu more diagnostics not kept (the first %d of each kind are:",
                            (unsigned long long)a->diags_omitted, VSO_DIAGS_PER_KIND);
  const char *sep = " ";
  for (int k = 0; ok && k < VSO_DIAG_KINDS; k++) {
    if (a->diag_counts[k] <= VSO_DIAGS_PER_KIND) continue;
    ok = vso_buf_appendf(out, "%s%s: %llu in all", sep, diag_kind_names[k], (unsigned long long)a->diag_counts[k]);
    sep = ", ";
  }
  return ok && vso_buf_append_str(out, ")");
}

static void count_name(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_analysis *a = ctx;
  *key = a->counts[i].name;
  *len = a->counts[i].len;
}

/* A new entry for name, with a copy of it that counts keeps. */
static bool add_count(vso_analysis *a, const char *name, size_t len) {
  if (!vso_grow(&a->counts, &a->counts_cap_, a->ncounts, sizeof *a->counts)) return false;
  char *copy = vso_slice_dup((vso_slice){name, len});
  if (!copy) return false;
  a->counts[a->ncounts] = (vso_count){copy, len, 1};
  const vso_index_keys keys = {a, count_name};
  if (!vso_index_put(&a->count_index_, &keys, copy, len, a->ncounts)) {
    free(copy);
    return false;
  }
  a->ncounts++;
  return true;
}

/* Whether c counts cmd: "area.event", compared case-insensitively. */
static bool is_count_of(const vso_count *c, const vso_command *cmd) {
  size_t an = cmd->area.n, en = cmd->event.n;
  return c->len == an + 1 + en && c->name[an] == '.' && vso_ieq(c->name, an, cmd->area.p, an) &&
         vso_ieq(c->name + an + 1, en, cmd->event.p, en);
}

/* Counts one more command under name[0..len) (lower case, NUL-terminated).
 * Past VSO_COUNT_NAMES distinct names, new ones are counted together under
 * VSO_COUNT_OTHERS: a log of two million made-up commands keeps a table of
 * 131,072. */
void vso__analysis_count_under(vso_analysis *a, const char *name, size_t len) {
  const vso_index_keys keys = {a, count_name};
  size_t at;
  if (a->ncounts >= VSO_COUNT_NAMES && !vso_index_get(&a->count_index_, &keys, name, len, &at)) {
    name = VSO_COUNT_OTHERS;
    len = strlen(VSO_COUNT_OTHERS);
  }
  if (vso_index_get(&a->count_index_, &keys, name, len, &at)) {
    a->counts[at].n++;
    a->last_count_ = at;
  } else if (add_count(a, name, len)) {
    a->last_count_ = a->ncounts - 1;
  } else {
    a->out_of_memory = true;
  }
}

/* Counts the command under "area.event", lower-cased.  An index finds the
 * entry: a log of a million distinct unknown commands must not take a
 * million squared comparisons.  The name is put together on the stack, since
 * almost every command is counted under a name seen before. */
static void count_command(vso_analysis *a, const vso_command *cmd) {
  /* a log mostly repeats the command before: try that first */
  if (a->ncounts && is_count_of(&a->counts[a->last_count_], cmd)) {
    a->counts[a->last_count_].n++;
    return;
  }
  char small[128];
  size_t len = cmd->area.n + 1 + cmd->event.n;
  char *name = len < sizeof small ? small : malloc(len + 1);
  if (!name) {
    a->out_of_memory = true;
    return;
  }
  memcpy(name, cmd->area.p, cmd->area.n);
  name[cmd->area.n] = '.';
  memcpy(name + cmd->area.n + 1, cmd->event.p, cmd->event.n);
  name[len] = '\0';
  for (size_t i = 0; i < len; i++)
    if (name[i] >= 'A' && name[i] <= 'Z') name[i] = (char)(name[i] + 32);
  vso__analysis_count_under(a, name, len);
  if (name != small) free(name);
}

void vso__analysis_setvar_name(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_analysis *a = ctx;
  *key = a->setvars[i].name.p;
  *len = a->setvars[i].name.n;
}

const vso_setvar *vso_analysis_last(const vso_analysis *a, const char *name, size_t n) {
  const vso_index_keys keys = {a, vso__analysis_setvar_name};
  size_t i;
  return vso_index_get(&a->last_set_, &keys, name, n, &i) ? &a->setvars[i] : NULL;
}

const vso_setvar *vso_analysis_output(const vso_analysis *a, const vso_setvar *sv) {
  return sv && sv->output_at ? &a->setvars[sv->output_at - 1] : NULL;
}

const vso_setvar *vso_analysis_rejected(const vso_analysis *a, const vso_setvar *sv) {
  return sv && sv->rejected_at ? &a->setvars[sv->rejected_at - 1] : NULL;
}

/* Records the dialect's words for f as a diagnostic (a and b quoted). */
static void say(vso_analysis *a, vso_severity sev, const char *source, const vso_line *line, vso_finding f,
                const char *qa, const char *qb) {
  static const vso_diag_kind kinds[] = {
      [VSO_SAY_NOT_A_COMMAND] = VSO_DIAG_NOT_A_COMMAND, [VSO_SAY_UNKNOWN_AREA] = VSO_DIAG_UNKNOWN_AREA,
      [VSO_SAY_UNKNOWN_EVENT] = VSO_DIAG_UNKNOWN_EVENT, [VSO_SAY_RESTRICTED] = VSO_DIAG_RESTRICTED,
      [VSO_SAY_NOT_SETTABLE] = VSO_DIAG_NOT_SETTABLE,   [VSO_SAY_NO_NAME] = VSO_DIAG_NO_NAME,
      [VSO_SAY_MULTILINE_SECRET] = VSO_DIAG_MULTILINE_SECRET, [VSO_SAY_REJECTED] = VSO_DIAG_OTHER,
      [VSO_SAY_NOT_OUTPUT] = VSO_DIAG_OTHER,
  };
  vso_diag_kind kind = kinds[f];
  if (a->diag_counts[kind] >= VSO_DIAGS_PER_KIND) { /* only counted: no words made */
    vso_analysis_diag_kind(a, kind, sev, source, line->line_no, "");
    return;
  }
  vso_buf words = {0};
  if (vso_dialect_say(&words, f, qa ? qa : "?", qb ? qb : "?"))
    vso_analysis_diag_kind(a, kind, sev, source, line->line_no, words.data);
  else
    a->out_of_memory = true;
  vso_buf_free(&words);
}

/* A quoted, length-limited copy of child text for a diagnostic of kind;
 * NULL, and no work, when that kind keeps no more diagnostics.  Masked
 * before it is cut: a cut through a secret would leave its beginning. */
static char *quoted(const vso_analysis *a, vso_diag_kind kind, const char *p, size_t n, size_t limit) {
  if (a->diag_counts[kind] >= VSO_DIAGS_PER_KIND) return NULL;
  vso_buf masked = {0}, q = {0};
  bool ok = true;
  if (!vso_secrets_empty(&a->secrets)) { /* the whole text: a line holds few secrets */
    ok = vso_mask(&a->secrets, p, n, &masked);
    p = masked.data ? masked.data : "";
    n = masked.len;
  }
  size_t keep = n > limit ? limit : n;
  while (keep && keep < n && ((unsigned char)p[keep] & 0xC0) == 0x80) keep--; /* not inside a character */
  ok = ok && vso_quote(NULL, p, keep, &q) && (keep == n || vso_buf_append_str(&q, "..."));
  vso_buf_free(&masked);
  if (!ok) {
    vso_buf_free(&q);
    return NULL;
  }
  return vso_buf_steal(&q, NULL);
}

/* Whether the policy refuses to set the variable (or "path", for prependpath). */
static bool refused_variable(vso_analysis *a, const char *name, size_t n, const vso_line *line, const char *source) {
  if (!a->policy || vso_policy_allows_variable(a->policy, name, n)) return false;
  char *q = quoted(a, VSO_DIAG_NOT_SETTABLE, name, n, 200);
  say(a, VSO_WARNING, source, line, VSO_SAY_NOT_SETTABLE, q, NULL);
  free(q);
  return true;
}

/* s, a slice of the parsed line or of the command's unescaped text, as the
 * same slice of the setvar's own copies. */
static vso_slice moved(vso_slice s, const vso_line *line, const vso_setvar *sv, const char *unescaped_base) {
  uintptr_t at = (uintptr_t)s.p, from = (uintptr_t)(line->text + line->command_at);
  if (at >= from && at <= (uintptr_t)(line->text + line->len)) /* borrowed from the line */
    return (vso_slice){sv->raw_ + (at - from), s.n};
  return (vso_slice){sv->unescaped_ + (at - (uintptr_t)unescaped_base), s.n};
}

/* Makes sv own the command: its raw line (taken over when long, copied
 * otherwise) and its unescaped text, with name and value pointing there. */
static bool keep_setvar(vso_setvar *sv, vso_command *cmd, const vso_setvar_fields *f, const vso_line *line) {
  vso_buf raw = {0}, unescaped = {0};
  if (!vso_line_keep(line, line->command_at, &raw)) return false;
  const char *unescaped_base = cmd->unescaped_.data;
  vso_command_keep_unescaped(cmd, &unescaped);
  sv->raw_ = raw.data;
  sv->unescaped_ = unescaped.data;
  sv->raw = (vso_slice){raw.data, raw.len};
  sv->data_at = cmd->data_at - line->command_at;
  sv->value = moved(cmd->data, line, sv, unescaped_base);
  if (f->variable) sv->name = moved(f->variable->value, line, sv, unescaped_base);
  return true;
}

/* Whether the value holds the agent's Environment.NewLine. */
static bool holds_newline(vso_slice v) {
  size_t len = strlen(vso_dialect_newline);
  for (const char *q = v.p, *end = v.p + v.n; (q = memchr(q, vso_dialect_newline[0], (size_t)(end - q))); q++)
    if ((size_t)(end - q) >= len && memcmp(q, vso_dialect_newline, len) == 0) return true;
  return false;
}

/* With DECODE_PERCENTS off, the agent also masks a secret unescaped once
 * more with %AZP25 decoded (unescaping changes only what holds a '%'). */
static bool add_unescaped_secret(vso_analysis *a, const char *p, size_t n) {
  if (a->knobs.decode_percents || !memchr(p, '%', n)) return true;
  vso_buf u = {0};
  bool ok = vso_unescape(p, n, true, &u) && vso_secrets_add(&a->secrets, u.data ? u.data : "", u.len);
  vso_buf_free(&u);
  return ok;
}

/* TaskCommandHelper.AddSecret(value): the value and its unescaped form. */
static bool add_secret(vso_analysis *a, const char *p, size_t n) {
  return vso_secrets_add(&a->secrets, p, n) && add_unescaped_secret(a, p, n);
}

/* What the agent registers for an issecret=true task.setvariable besides
 * the value itself (TaskSetVariableCommand): the value escaped as a
 * logging command's data (CommandStringConvertor.Escape), so that a secret
 * p;q never shows as p%3Bq.  The value is registered already (read_setvariable):
 * when escaping leaves it as it is, only its unescaped form may be new. */
static bool add_escaped_secret(vso_analysis *a, const char *p, size_t n) {
  if (!vso_escape_changes(p, n, a->knobs.decode_percents)) return add_unescaped_secret(a, p, n);
  vso_buf e = {0};
  bool ok = vso_escape_as(p, n, a->knobs.decode_percents, &e) && add_secret(a, e.data, e.len);
  vso_buf_free(&e);
  return ok;
}

/* Why the agent would fail the step on this setvariable, said as a
 * diagnostic; false when it would not. */
static bool rejects(vso_analysis *a, const vso_setvar *sv, bool own_secret, const vso_line *line, const char *source) {
  if (!sv->name.p) {
    say(a, VSO_ERROR, source, line, VSO_SAY_NO_NAME, NULL, NULL);
    return true;
  }
  if (!own_secret || a->knobs.allow_multiline_secret || !holds_newline(sv->value)) return false;
  char *q = quoted(a, VSO_DIAG_MULTILINE_SECRET, sv->name.p, sv->name.n, 200);
  say(a, VSO_ERROR, source, line, VSO_SAY_MULTILINE_SECRET, q, NULL);
  free(q);
  return true;
}

/* What a name's last set hands on to its next (copied: the array of
 * setvars may move while the next is added). */
typedef struct history {
  bool secret;                    /* "once secret, always secret" */
  uint32_t output_at, rejected_at;
} history;

static history history_of(const vso_setvar *before) {
  return before ? (history){before->is_secret, before->output_at, before->rejected_at} : (history){0};
}

/* The name's history (output_at, rejected_at) with sv, the next setvar,
 * which is setvars[at]. */
static void follow_history(vso_setvar *sv, size_t at, history before) {
  uint32_t self = (uint32_t)at + 1; /* at < UINT32_MAX: the name index holds no more */
  sv->output_at = before.output_at;
  sv->rejected_at = before.rejected_at;
  if (sv->refused || sv->cut) return; /* the agent carries out neither */
  if (sv->rejected) sv->rejected_at = self;
  else if (sv->is_output) sv->output_at = self;
}

void vso__analysis_follow(const vso_analysis *a, vso_setvar *sv, size_t at) {
  follow_history(sv, at, history_of(sv->name.p ? vso_analysis_last(a, sv->name.p, sv->name.n) : NULL));
}

/* Records the setvariable; returns it, or NULL when memory ran out. */
static const vso_setvar *read_setvariable(vso_analysis *a, vso_command *cmd, const vso_setvar_fields *f,
                                          history before, const vso_line *line, const char *source) {
  bool secret = f->is_secret || before.secret;
  vso_setvar sv = {.is_secret = secret, .is_output = f->is_output, .is_readonly = f->is_readonly,
                   .cut = line->cut, .source = source, .line_no = line->line_no};
  bool kept = keep_setvar(&sv, cmd, f, line);
  sv.length = sv.value.n;
  if (!kept || !vso_grow(&a->setvars, &a->setvars_cap_, a->nsetvars, sizeof *a->setvars)) {
    free(sv.raw_);
    free(sv.unescaped_);
    a->out_of_memory = true;
    return NULL;
  }
  if (sv.name.p && refused_variable(a, sv.name.p, sv.name.n, line, source)) sv.refused = true;
  else sv.rejected = rejects(a, &sv, f->is_secret, line, source); /* only this command's flag counts */
  if (sv.is_secret && !vso_secrets_add(&a->secrets, sv.value.p, sv.value.n)) a->out_of_memory = true;
  if (f->is_secret && !sv.rejected && !add_escaped_secret(a, sv.value.p, sv.value.n)) a->out_of_memory = true;
  follow_history(&sv, a->nsetvars, before);
  a->setvars[a->nsetvars] = sv;
  const vso_index_keys keys = {a, vso__analysis_setvar_name};
  if (sv.name.p && !sv.refused && !vso_index_put(&a->last_set_, &keys, sv.name.p, sv.name.n, a->nsetvars))
    a->out_of_memory = true;
  return &a->setvars[a->nsetvars++];
}

/* --restrict and --allow-variables: the agent skips what they do not allow. */
static bool refused_command(vso_analysis *a, const vso_command *cmd, vso_command_kind kind, const vso_line *line,
                            const char *source) {
  if (!a->policy) return false;
  if (!vso_policy_allows_command(a->policy, cmd->area.p, cmd->area.n, cmd->event.p, cmd->event.n)) {
    char *area = quoted(a, VSO_DIAG_RESTRICTED, cmd->area.p, cmd->area.n, 100);
    char *event = quoted(a, VSO_DIAG_RESTRICTED, cmd->event.p, cmd->event.n, 100);
    say(a, VSO_WARNING, source, line, VSO_SAY_RESTRICTED, area, event);
    free(area);
    free(event);
    return true;
  }
  const char *settable = vso_dialect_settable_name(kind);
  return settable && refused_variable(a, settable, strlen(settable), line, source);
}

static void check_known(vso_analysis *a, const vso_command *cmd, const vso_line *line, const char *source) {
  int known = vso_known_command(cmd->area.p, cmd->area.n, cmd->event.p, cmd->event.n);
  if (known == 1) return;
  vso_diag_kind dk = known == 0 ? VSO_DIAG_UNKNOWN_EVENT : VSO_DIAG_UNKNOWN_AREA;
  char *area = quoted(a, dk, cmd->area.p, cmd->area.n, 100);
  char *event = quoted(a, dk, cmd->event.p, cmd->event.n, 100);
  if (known == 0) say(a, VSO_ERROR, source, line, VSO_SAY_UNKNOWN_EVENT, area, event);
  else say(a, VSO_WARNING, source, line, VSO_SAY_UNKNOWN_AREA, area, NULL);
  free(area);
  free(event);
}

/* A line that holds "##vso[" but is no command: the agent prints it. */
static vso_line_result not_a_command(vso_analysis *a, const vso_line *line, const char *source, bool oom) {
  vso_line_result r = {VSO_LINE_NOT_COMMAND, NULL, line->len, oom, false};
  if (oom) {
    a->out_of_memory = true;
    return r;
  }
  size_t at = line->command_at;
  char *q = quoted(a, VSO_DIAG_NOT_A_COMMAND, line->text + at, line->len - at, 120);
  say(a, VSO_WARNING, source, line, VSO_SAY_NOT_A_COMMAND, q, NULL);
  free(q);
  return r;
}

/* A task.setvariable, read once: the observer and the record get the same
 * fields. */
static vso_line_result setvariable(vso_analysis *a, vso_command *cmd, const vso_line *line, const char *source) {
  vso_setvar_fields f = vso_dialect_setvariable(cmd);
  /* the name's last set: its secrecy and its output value carry on */
  history before = history_of(f.variable ? vso_analysis_last(a, f.variable->value.p, f.variable->value.n) : NULL);
  if (a->on_command) a->on_command(a->on_command_ctx, cmd, line, source, f.is_secret || before.secret);
  const vso_setvar *sv = read_setvariable(a, cmd, &f, before, line, source);
  /* out of memory, it is not held either: shown neutralised, never live */
  vso_line_kind kind = !sv || sv->refused ? VSO_LINE_REFUSED : VSO_LINE_SETVARIABLE;
  return (vso_line_result){kind, sv, cmd->data_at, !sv, false};
}

/* A command whose line had not ended when vsorelay stopped the command. */
static void cut_command(vso_analysis *a, vso_command_kind kind, const vso_line *line, const char *source) {
  vso_analysis_diag_kind(a, VSO_DIAG_CUT, VSO_ERROR, source, line->line_no,
                         kind == VSO_KIND_SETVARIABLE
                             ? "a logging command line had not ended when vsorelay stopped the command: its value "
                               "may be incomplete and is never re-emitted; shown neutralised"
                             : "a logging command line had not ended when vsorelay stopped the command: not "
                               "carried out; shown neutralised");
}

vso_line_result vso_analysis_line(vso_analysis *a, const vso_line *line, const char *source) {
  if (line->truncated) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "a line holding a logging command is longer than vsorelay can hold (%zu bytes read): not verified, "
             "shown neutralised",
             line->len);
    vso_analysis_diag_kind(a, VSO_DIAG_TOO_LONG, VSO_ERROR, source, line->line_no, msg);
    return (vso_line_result){VSO_LINE_NOT_COMMAND, NULL, line->len, false, false};
  }
  if (line->command_at >= line->len) return (vso_line_result){VSO_LINE_NOT_COMMAND, NULL, line->len, false, false};
  vso_command cmd;
  bool oom = false;
  /* the line outlives the command, which is freed before this returns:
   * its slices borrow from the line */
  if (!vso_parse_command_at(line->text, line->len, line->command_at, a->knobs.decode_percents, &cmd, &oom))
    return not_a_command(a, line, source, oom);
  a->commands++;
  count_command(a, &cmd);
  vso_command_kind kind = vso_dialect_kind(&cmd);
  vso_line_result r = {VSO_LINE_REFUSED, NULL, cmd.data_at, false, false};
  if (line->cut) cut_command(a, kind, line, source);
  if (line->cut && kind != VSO_KIND_SETVARIABLE) {
    r.kind = VSO_LINE_NOT_COMMAND; /* not carried out; a setvariable is kept, marked cut */
    /* but what a cut task.setsecret began to register stays secret: shown masked, and registered */
    r.cut_secret = kind == VSO_KIND_SETSECRET && cmd.data.n > 0;
    if (r.cut_secret && !vso_secrets_add(&a->secrets, cmd.data.p, cmd.data.n)) a->out_of_memory = true;
  } else if (!refused_command(a, &cmd, kind, line, source)) {
    check_known(a, &cmd, line, source);
    if (kind == VSO_KIND_SETVARIABLE) {
      r = setvariable(a, &cmd, line, source);
    } else {
      bool setsecret = kind == VSO_KIND_SETSECRET;
      if (setsecret && !add_secret(a, cmd.data.p, cmd.data.n)) a->out_of_memory = true;
      if (a->on_command) a->on_command(a->on_command_ctx, &cmd, line, source, setsecret);
      r.kind = kind == VSO_KIND_COMPLETE ? VSO_LINE_COMPLETE : VSO_LINE_COMMAND;
    }
  }
  vso_command_free(&cmd);
  return r;
}

/* A truncated line: its beginning parsed, to know whether it sets a secret. */
static size_t truncated_shown(const vso_analysis *a, const vso_line *line) {
  vso_command cmd;
  bool oom = false;
  if (!vso_parse_command_at(line->text, line->len, line->command_at, a->knobs.decode_percents, &cmd, &oom))
    return oom ? line->command_at : line->len; /* no ']' yet: no value either */
  size_t shown = line->len;
  if (vso_dialect_kind(&cmd) == VSO_KIND_SETVARIABLE) {
    vso_setvar_fields f = vso_dialect_setvariable(&cmd);
    const vso_setvar *before = f.variable ? vso_analysis_last(a, f.variable->value.p, f.variable->value.n) : NULL;
    if (f.is_secret || (before && before->is_secret)) shown = cmd.data_at;
  }
  vso_command_free(&cmd);
  return shown;
}

size_t vso_analysis_shown(const vso_analysis *a, const vso_line *line, vso_line_result r) {
  if (r.setvar && r.setvar->is_secret) return r.data_at;
  if (r.unread) return line->command_at;
  return line->truncated ? truncated_shown(a, line) : line->len;
}

bool vso_neutralise(const vso_analysis *a, const vso_line *line, size_t shown, vso_buf *out) {
  if (vso_secrets_empty(&a->secrets)) /* nothing to mask: one copy, not two */
    return vso_deactivate(line->text, shown, out) && (shown == line->len || vso_buf_append_str(out, "***"));
  vso_buf masked = {0};
  bool ok = vso_mask(&a->secrets, line->text, shown, &masked) &&
            (shown == line->len || vso_buf_append_str(&masked, "***")) &&
            vso_deactivate(masked.data ? masked.data : "", masked.len, out);
  vso_buf_free(&masked);
  return ok;
}

/* ---- values as build matrices ------------------------------------------------ */

/* matrices_ as long as setvars: a value may be read while more are set
 * (the live copy counts a matrix's legs as it arrives). */
static bool matrices_cover(vso_analysis *a) {
  if (a->nmatrices_ >= a->nsetvars) return true;
  size_t n = a->nsetvars + a->nsetvars / 2 + 16;
  vso_value_matrix *grown = realloc(a->matrices_, n * sizeof *grown);
  if (!grown) return false;
  memset(grown + a->nmatrices_, 0, (n - a->nmatrices_) * sizeof *grown);
  a->matrices_ = grown;
  a->nmatrices_ = n;
  return true;
}

const vso_value_matrix *vso_analysis_read_matrix(vso_analysis *a, size_t i) {
  if (i >= a->nsetvars || !matrices_cover(a)) return NULL;
  vso_value_matrix *m = &a->matrices_[i];
  if (m->read) return m;
  const vso_setvar *sv = &a->setvars[i];
  vso_buf why = {0};
  m->usable = vso_matrix_parse(sv->value.p, sv->value.n, &m->matrix, &why);
  if (sv->known_matrix_) { /* a replayed capture: the run's verdict stands, the legs are shown if readable */
    if (m->usable != (sv->known_matrix_ == 1)) vso_matrix_free(&m->matrix);
    m->usable = sv->known_matrix_ == 1;
    vso_buf_clear(&why);
    if (!m->usable && !vso_buf_append_str(&why, sv->known_why_ ? sv->known_why_ : "not shown (a secret value)"))
      vso_buf_free(&why);
  }
  m->why = m->usable ? NULL : vso_buf_steal(&why, NULL);
  vso_buf_free(&why);
  if (!m->usable && !m->why) return NULL;
  m->read = true;
  return m;
}

void vso_analysis_read_matrices(vso_analysis *a) {
  for (size_t i = 0; i < a->nsetvars; i++)
    if (!a->setvars[i].is_secret && a->setvars[i].length && !vso_analysis_read_matrix(a, i))
      a->out_of_memory = true;
}

const vso_value_matrix *vso_analysis_matrix(const vso_analysis *a, size_t i) {
  return a->matrices_ && i < a->nmatrices_ && i < a->nsetvars && a->matrices_[i].read ? &a->matrices_[i] : NULL;
}
