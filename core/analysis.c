/* SPDX-License-Identifier: MIT */
#include "analysis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vso_analysis_init(vso_analysis *a, bool decode_percents) {
  memset(a, 0, sizeof *a);
  a->decode_percents = decode_percents;
}

void vso_analysis_free(vso_analysis *a) {
  for (size_t i = 0; i < a->ncounts; i++) free(a->counts[i].name);
  free(a->counts);
  vso_index_free(&a->count_index_);
  for (size_t i = 0; i < a->nsetvars; i++) {
    free(a->setvars[i].raw_);
    free(a->setvars[i].unescaped_);
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
  if (!msg || !vso_grow(&a->diags, &a->diags_cap_, a->ndiags, sizeof *a->diags)) {
    free(msg);
    a->out_of_memory = true;
    return;
  }
  a->diags[a->ndiags++] = (vso_diag){sev, source, line_no, msg};
}

/* char.IsWhiteSpace for one UTF-8 sequence at p, returning its length or 0. */
static size_t white_space_at(const unsigned char *p, size_t n) {
  if (p[0] == '\0' || p[0] == ' ' || (p[0] >= 0x09 && p[0] <= 0x0D)) return 1;
  if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0)) return 2;
  if (n < 3) return 0;
  unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
  bool ws = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
            cp == 0x202F || cp == 0x205F || cp == 0x3000;
  return ws ? 3 : 0;
}

/* Length of the white space that ends p[0..n). */
static size_t trailing_white_space(const unsigned char *p, size_t n) {
  size_t cut = 0;
  for (;;) {
    size_t rest = n - cut, w = 0;
    if (rest >= 1 && white_space_at(p + rest - 1, 1) == 1) w = 1;
    else if (rest >= 2 && white_space_at(p + rest - 2, 2) == 2) w = 2;
    else if (rest >= 3 && white_space_at(p + rest - 3, 3) == 3) w = 3;
    if (!w) return cut;
    cut += w;
  }
}

bool vso_parse_bool(const char *p, size_t n) {
  const unsigned char *q = (const unsigned char *)p;
  size_t w;
  while (n && (w = white_space_at(q, n))) q += w, n -= w;
  n -= trailing_white_space(q, n);
  return vso_ieq((const char *)q, n, "true", 4);
}

/* A name and its length, so that a lookup compares lengths before bytes
 * (this runs for every command of a log that may hold millions). */
typedef struct known_name {
  const char *p;
  size_t n;
} known_name;
#define KNOWN(s) {s, sizeof s - 1}

static const struct {
  known_name area;
  known_name events[16];
} known_commands[] = {
    {KNOWN("task"),
     {KNOWN("logdetail"), KNOWN("uploadsummary"), KNOWN("uploadfile"), KNOWN("addattachment"), KNOWN("logissue"),
      KNOWN("issue"), KNOWN("complete"), KNOWN("setprogress"), KNOWN("setsecret"), KNOWN("setvariable"),
      KNOWN("debug"), KNOWN("settaskvariable"), KNOWN("setendpoint"), KNOWN("prependpath")}},
    {KNOWN("artifact"), {KNOWN("associate"), KNOWN("upload")}},
    {KNOWN("build"), {KNOWN("uploadlog"), KNOWN("uploadsummary"), KNOWN("updatebuildnumber"), KNOWN("addbuildtag")}},
    {KNOWN("release"), {KNOWN("updatereleasename")}},
    {KNOWN("codecoverage"), {KNOWN("publish")}},
    {KNOWN("results"), {KNOWN("publish")}},
    {KNOWN("telemetry"), {KNOWN("publish")}},
};

int vso_known_command(const char *area, size_t an, const char *event, size_t en) {
  for (size_t i = 0; i < sizeof known_commands / sizeof known_commands[0]; i++) {
    if (!vso_ieq(area, an, known_commands[i].area.p, known_commands[i].area.n)) continue;
    for (const known_name *e = known_commands[i].events; e->p; e++)
      if (vso_ieq(event, en, e->p, e->n)) return 1;
    return 0;
  }
  return -1;
}

static bool is_command(const vso_command *cmd, const char *area, const char *event) {
  return vso_ieq(cmd->area.p, cmd->area.n, area, strlen(area)) &&
         vso_ieq(cmd->event.p, cmd->event.n, event, strlen(event));
}

static void count_name(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_analysis *a = ctx;
  *key = a->counts[i].name;
  *len = a->counts[i].len;
}

/* A new entry for name, with a copy of it that counts keeps. */
static bool add_count(vso_analysis *a, const char *name, size_t len) {
  if (!vso_grow(&a->counts, &a->counts_cap_, a->ncounts, sizeof *a->counts)) return false;
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, name, len + 1);
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
  const vso_index_keys keys = {a, count_name};
  size_t at;
  if (vso_index_get(&a->count_index_, &keys, name, len, &at)) {
    a->counts[at].n++;
    a->last_count_ = at;
  } else if (add_count(a, name, len)) {
    a->last_count_ = a->ncounts - 1;
  } else {
    a->out_of_memory = true;
  }
  if (name != small) free(name);
}

static void setvar_name(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_analysis *a = ctx;
  *key = a->setvars[i].name.p;
  *len = a->setvars[i].name.n;
}

const vso_setvar *vso_analysis_last(const vso_analysis *a, const char *name, size_t n) {
  const vso_index_keys keys = {a, setvar_name};
  size_t i;
  return vso_index_get(&a->last_set_, &keys, name, n, &i) ? &a->setvars[i] : NULL;
}

/* A quoted, length-limited copy of child text for a diagnostic. */
static char *quoted(const vso_analysis *a, const char *p, size_t n, size_t limit) {
  vso_buf q = {0};
  bool cut = n > limit;
  if (!vso_quote(&a->secrets, p, cut ? limit : n, &q) || (cut && !vso_buf_append_str(&q, "..."))) {
    vso_buf_free(&q);
    return NULL;
  }
  return vso_buf_steal(&q, NULL);
}

/* What a task.setvariable says, read from its properties in one pass (this
 * runs for every command of a log that may hold millions). */
typedef struct setvar_fields {
  const vso_prop *variable;  /* the name, or NULL */
  bool is_secret, is_output, is_readonly;
} setvar_fields;

static setvar_fields setvar_fields_of(const vso_command *cmd) {
  setvar_fields f = {0};
  for (size_t i = 0; i < cmd->nprops; i++) {
    const vso_prop *p = &cmd->props[i];
    if (p->key.n == 8 && vso_ieq(p->key.p, 8, "variable", 8)) f.variable = p->value.n ? p : NULL;
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "issecret", 8)) f.is_secret = vso_parse_bool(p->value.p, p->value.n);
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "isoutput", 8)) f.is_output = vso_parse_bool(p->value.p, p->value.n);
    else if (p->key.n == 10 && vso_ieq(p->key.p, 10, "isreadonly", 10))
      f.is_readonly = vso_parse_bool(p->value.p, p->value.n);
  }
  return f;
}

/* Whether the policy refuses to set the variable (or "path", for prependpath). */
static bool refused_variable(vso_analysis *a, const char *name, size_t n, const vso_line *line, const char *source) {
  if (!a->policy || vso_policy_allows_variable(a->policy, name, n)) return false;
  char *q = quoted(a, name, n, 200);
  vso_analysis_diag(a, VSO_WARNING, source, line->line_no,
                    "setting variable '%s' is not allowed by --allow-variables: dropped, as the agent drops it",
                    q ? q : "?");
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
static bool keep_setvar(vso_setvar *sv, vso_command *cmd, const setvar_fields *f, const vso_line *line) {
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

/* Why the agent would fail the step on this setvariable, said as a
 * diagnostic; false when it would not. */
static bool rejects(vso_analysis *a, const vso_setvar *sv, bool own_secret, const vso_line *line, const char *source) {
  if (!sv->name.p) {
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "task.setvariable without a variable name: the agent fails the step "
                      "(\"Required field 'variable' is missing\")");
    return true;
  }
  if (!own_secret || !memchr(sv->value.p, '\n', sv->value.n)) return false;
  char *q = quoted(a, sv->name.p, sv->name.n, 200);
  vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                    "secret variable '%s' has a multi-line value: the agent fails the step "
                    "(\"Secrets cannot contain multiple lines\")",
                    q ? q : "?");
  free(q);
  return true;
}

/* Records the setvariable; returns it, or NULL when memory ran out. */
static const vso_setvar *read_setvariable(vso_analysis *a, vso_command *cmd, const setvar_fields *f,
                                          bool secret, const vso_line *line, const char *source) {
  vso_setvar sv = {.is_secret = secret, .is_output = f->is_output, .is_readonly = f->is_readonly,
                   .source = source, .line_no = line->line_no};
  if (!keep_setvar(&sv, cmd, f, line) || !vso_grow(&a->setvars, &a->setvars_cap_, a->nsetvars, sizeof *a->setvars)) {
    free(sv.raw_);
    free(sv.unescaped_);
    a->out_of_memory = true;
    return NULL;
  }
  if (sv.name.p && refused_variable(a, sv.name.p, sv.name.n, line, source)) sv.refused = true;
  else sv.rejected = rejects(a, &sv, f->is_secret, line, source); /* only this command's flag counts */
  if (sv.is_secret && !vso_secrets_add(&a->secrets, sv.value.p, sv.value.n)) a->out_of_memory = true;
  a->setvars[a->nsetvars] = sv;
  const vso_index_keys keys = {a, setvar_name};
  if (sv.name.p && !sv.refused && !vso_index_put(&a->last_set_, &keys, sv.name.p, sv.name.n, a->nsetvars))
    a->out_of_memory = true;
  return &a->setvars[a->nsetvars++];
}

/* --restrict: the agent skips what restricted mode does not allow. */
static bool refused_command(vso_analysis *a, const vso_command *cmd, const vso_line *line, const char *source) {
  if (a->policy && !vso_policy_allows_command(a->policy, cmd->area.p, cmd->area.n, cmd->event.p, cmd->event.n)) {
    char *area = quoted(a, cmd->area.p, cmd->area.n, 100);
    char *event = quoted(a, cmd->event.p, cmd->event.n, 100);
    vso_analysis_diag(a, VSO_WARNING, source, line->line_no,
                      "'%s.%s' is not allowed in restricted mode: neutralised, as the agent skips it",
                      area ? area : "?", event ? event : "?");
    free(area);
    free(event);
    return true;
  }
  if (a->policy && is_command(cmd, "task", "prependpath") && refused_variable(a, "path", 4, line, source))
    return true;
  return false;
}

static void check_known(vso_analysis *a, const vso_command *cmd, const vso_line *line, const char *source) {
  int known = vso_known_command(cmd->area.p, cmd->area.n, cmd->event.p, cmd->event.n);
  if (known == 1) return;
  char *area = quoted(a, cmd->area.p, cmd->area.n, 100);
  char *event = quoted(a, cmd->event.p, cmd->event.n, 100);
  if (known == 0)
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "'%s.%s' is not a command of the '%s' area: the agent fails the step",
                      area ? area : "?", event ? event : "?", area ? area : "?");
  else
    vso_analysis_diag(a, VSO_WARNING, source, line->line_no,
                      "unknown command area '%s': the agent warns and ignores the command",
                      area ? area : "?");
  free(area);
  free(event);
}

/* A line that holds "##vso[" but is no command: the agent prints it. */
static vso_line_result not_a_command(vso_analysis *a, const vso_line *line, const char *source, bool oom) {
  vso_line_result r = {VSO_LINE_NOT_COMMAND, NULL, line->len};
  if (oom) {
    a->out_of_memory = true;
    return r;
  }
  size_t at = line->command_at;
  char *q = quoted(a, line->text + at, line->len - at, 120);
  vso_analysis_diag(a, VSO_WARNING, source, line->line_no,
                    "'%s' holds the logging command keyword but is not a command: the agent prints it as text",
                    q ? q : "?");
  free(q);
  return r;
}

/* A task.setvariable, read once: the observer and the record get the same
 * fields. */
static vso_line_result setvariable(vso_analysis *a, vso_command *cmd, const vso_line *line, const char *source) {
  setvar_fields f = setvar_fields_of(cmd);
  /* "once secret, always secret": the agent keeps masking the variable */
  const vso_setvar *before = f.variable ? vso_analysis_last(a, f.variable->value.p, f.variable->value.n) : NULL;
  bool secret = f.is_secret || (before && before->is_secret);
  if (a->on_command) a->on_command(a->on_command_ctx, cmd, line, source, secret);
  const vso_setvar *sv = read_setvariable(a, cmd, &f, secret, line, source);
  /* out of memory, it is not held either: shown neutralised, never live */
  vso_line_kind kind = !sv || sv->refused ? VSO_LINE_REFUSED : VSO_LINE_SETVARIABLE;
  return (vso_line_result){kind, sv, cmd->data_at};
}

vso_line_result vso_analysis_line(vso_analysis *a, const vso_line *line, const char *source) {
  if (line->truncated) {
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "a line holding a logging command is longer than vsorelay can hold (%zu bytes "
                      "read): not verified, shown neutralised",
                      line->len);
    return (vso_line_result){VSO_LINE_NOT_COMMAND, NULL, line->len};
  }
  if (line->command_at >= line->len) return (vso_line_result){VSO_LINE_NOT_COMMAND, NULL, line->len};
  vso_command cmd;
  bool oom = false;
  /* the line outlives the command, which is freed before this returns:
   * its slices borrow from the line */
  if (!vso_parse_command_at(line->text, line->len, line->command_at, a->decode_percents, &cmd, &oom))
    return not_a_command(a, line, source, oom);
  a->commands++;
  count_command(a, &cmd);
  vso_line_result r = {VSO_LINE_REFUSED, NULL, cmd.data_at};
  if (!refused_command(a, &cmd, line, source)) {
    check_known(a, &cmd, line, source);
    if (is_command(&cmd, "task", "setvariable")) {
      r = setvariable(a, &cmd, line, source);
    } else {
      bool setsecret = is_command(&cmd, "task", "setsecret");
      if (setsecret && !vso_secrets_add(&a->secrets, cmd.data.p, cmd.data.n)) a->out_of_memory = true;
      if (a->on_command) a->on_command(a->on_command_ctx, &cmd, line, source, setsecret);
      r.kind = is_command(&cmd, "task", "complete") ? VSO_LINE_COMPLETE : VSO_LINE_COMMAND;
    }
  }
  vso_command_free(&cmd);
  return r;
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

const vso_value_matrix *vso_analysis_read_matrix(vso_analysis *a, size_t i) {
  if (!a->matrices_) {
    if (!(a->matrices_ = calloc(a->nsetvars ? a->nsetvars : 1, sizeof *a->matrices_))) return NULL;
    a->nmatrices_ = a->nsetvars;
  }
  vso_value_matrix *m = &a->matrices_[i];
  if (m->read) return m;
  const vso_setvar *sv = &a->setvars[i];
  vso_buf why = {0};
  m->usable = vso_matrix_parse(sv->value.p, sv->value.n, &m->matrix, &why);
  m->why = m->usable ? NULL : vso_buf_steal(&why, NULL);
  vso_buf_free(&why);
  if (!m->usable && !m->why) return NULL;
  m->read = true;
  return m;
}

void vso_analysis_read_matrices(vso_analysis *a) {
  for (size_t i = 0; i < a->nsetvars; i++)
    if (!a->setvars[i].is_secret && a->setvars[i].value.n && !vso_analysis_read_matrix(a, i))
      a->out_of_memory = true;
}

const vso_value_matrix *vso_analysis_matrix(const vso_analysis *a, size_t i) {
  return a->matrices_ && i < a->nmatrices_ && a->matrices_[i].read ? &a->matrices_[i] : NULL;
}
