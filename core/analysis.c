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
  vso_index_free(&a->count_index);
  for (size_t i = 0; i < a->nsetvars; i++) {
    if (!a->setvars[i].name_in_raw) free(a->setvars[i].name.p);
    if (!a->setvars[i].value_in_raw) free(a->setvars[i].value.p);
    free(a->setvars[i].raw.p);
  }
  free(a->setvars);
  vso_index_free(&a->last_set);
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
  if (!msg || !vso_grow(&a->diags, &a->diags_cap, a->ndiags, sizeof *a->diags)) {
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
  if (!vso_grow(&a->counts, &a->counts_cap, a->ncounts, sizeof *a->counts)) return false;
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, name, len + 1);
  a->counts[a->ncounts] = (vso_count){copy, len, 1};
  const vso_index_keys keys = {a, count_name};
  if (!vso_index_put(&a->count_index, &keys, copy, len, a->ncounts)) {
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
  if (a->ncounts && is_count_of(&a->counts[a->last_count], cmd)) {
    a->counts[a->last_count].n++;
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
  if (vso_index_get(&a->count_index, &keys, name, len, &at)) {
    a->counts[at].n++;
    a->last_count = at;
  } else if (add_count(a, name, len)) {
    a->last_count = a->ncounts - 1;
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
  return vso_index_get(&a->last_set, &keys, name, n, &i) ? &a->setvars[i] : NULL;
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

static bool take_str(vso_str *dst, vso_str *src) {
  *dst = *src;
  src->p = NULL;
  src->n = 0;
  return true;
}

static bool copy_str(vso_str *dst, const char *p, size_t n) {
  if (n == SIZE_MAX || !(dst->p = malloc(n + 1))) return false;
  memcpy(dst->p, p, n);
  dst->p[n] = '\0';
  dst->n = n;
  return true;
}

/* The properties task.setvariable reads, found in one pass (this runs for
 * every command of a log that may hold millions). */
typedef struct setvar_props {
  const vso_prop *variable, *issecret, *isoutput, *isreadonly;
} setvar_props;

static setvar_props setvar_props_of(const vso_command *cmd) {
  setvar_props sp = {0};
  for (size_t i = 0; i < cmd->nprops; i++) {
    const vso_prop *p = &cmd->props[i];
    if (p->key.n == 8 && vso_ieq(p->key.p, 8, "variable", 8)) sp.variable = p;
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "issecret", 8)) sp.issecret = p;
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "isoutput", 8)) sp.isoutput = p;
    else if (p->key.n == 10 && vso_ieq(p->key.p, 10, "isreadonly", 10)) sp.isreadonly = p;
  }
  return sp;
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

static bool read_setvariable(vso_analysis *a, vso_command *cmd, const vso_line *line, const char *source) {
  vso_setvar sv = {0};
  setvar_props props = setvar_props_of(cmd);
  const vso_prop *name = props.variable, *secret = props.issecret, *output = props.isoutput,
                 *readonly = props.isreadonly;
  sv.is_secret = secret && vso_parse_bool(secret->value.p, secret->value.n);
  sv.is_output = output && vso_parse_bool(output->value.p, output->value.n);
  sv.is_readonly = readonly && vso_parse_bool(readonly->value.p, readonly->value.n);
  sv.source = source;
  sv.line_no = line->line_no;
  ptrdiff_t at = vso_find_prefix(line->text, line->len);
  bool ok;
  /* a long line's buffer is taken over rather than copied; a short one is
   * copied at its exact size and the scanner keeps reusing its buffer */
  bool raw_is_line = at == 0 && line->len >= 65536 && line->owner && line->owner->data == line->text &&
                     line->owner->len == line->len;
  if (raw_is_line)
    ok = (sv.raw.p = vso_buf_steal(line->owner, &sv.raw.n)) != NULL; /* no second copy */
  else
    ok = copy_str(&sv.raw, line->text + at, line->len - (size_t)at);
  bool own_secret = sv.is_secret; /* the multi-line check reads this command's flag only */
  if (ok && name && name->value.n && !name->value_owned) {
    /* nothing was unescaped: the name is a slice of raw, not a copy */
    sv.name = (vso_str){sv.raw.p + (name->value.p - (line->text + at)), name->value.n};
    sv.name_in_raw = true;
  } else if (ok && name && name->value.n) {
    ok = copy_str(&sv.name, name->value.p, name->value.n);
  }
  if (ok && sv.name.p) {
    /* "once secret, always secret": the agent keeps masking the variable */
    const vso_setvar *before = vso_analysis_last(a, sv.name.p, sv.name.n);
    if (before && before->is_secret) sv.is_secret = true;
  }
  if (ok && cmd->data_borrowed) {
    /* nothing was unescaped: the value is the tail of raw, not a copy */
    sv.value = (vso_str){sv.raw.p + (cmd->data.p - (line->text + at)), cmd->data.n};
    sv.value_in_raw = true;
  } else if (ok) {
    take_str(&sv.value, &cmd->data);
  }
  if (!ok || !vso_grow(&a->setvars, &a->setvars_cap, a->nsetvars, sizeof *a->setvars)) {
    if (!sv.name_in_raw) free(sv.name.p);
    if (!sv.value_in_raw) free(sv.value.p);
    free(sv.raw.p);
    a->out_of_memory = true;
    return false;
  }
  if (sv.name.p && refused_variable(a, sv.name.p, sv.name.n, line, source)) sv.refused = true;
  else if (!sv.name.p) {
    sv.rejected = true;
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "task.setvariable without a variable name: the agent fails the step "
                      "(\"Required field 'variable' is missing\")");
  } else if (own_secret && memchr(sv.value.p, '\n', sv.value.n)) {
    sv.rejected = true;
    char *q = quoted(a, sv.name.p, sv.name.n, 200);
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "secret variable '%s' has a multi-line value: the agent fails the step "
                      "(\"Secrets cannot contain multiple lines\")",
                      q ? q : "?");
    free(q);
  }
  if (sv.is_secret && !vso_secrets_add(&a->secrets, sv.value.p, sv.value.n)) a->out_of_memory = true;
  a->setvars[a->nsetvars] = sv;
  const vso_index_keys keys = {a, setvar_name};
  if (sv.name.p && !sv.refused && !vso_index_put(&a->last_set, &keys, sv.name.p, sv.name.n, a->nsetvars))
    a->out_of_memory = true;
  a->nsetvars++;
  return !sv.refused;
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

vso_line_kind vso_analysis_line(vso_analysis *a, const vso_line *line, const char *source) {
  if (line->truncated) {
    vso_analysis_diag(a, VSO_ERROR, source, line->line_no,
                      "a line holding a logging command is longer than vsorelay can hold (%zu bytes "
                      "read): not verified, shown neutralised",
                      line->len);
    return VSO_LINE_NOT_COMMAND;
  }
  vso_command cmd;
  bool oom = false;
  /* the line outlives the command, which is freed before this returns:
   * borrow rather than copy */
  bool parsed = vso_parse_command_borrowing(line->text, line->len, a->decode_percents, &cmd, &oom);
  if (!parsed) {
    if (oom) {
      a->out_of_memory = true;
      return VSO_LINE_NOT_COMMAND;
    }
    ptrdiff_t at = vso_find_prefix(line->text, line->len);
    char *q = quoted(a, line->text + (at > 0 ? at : 0), line->len - (size_t)(at > 0 ? at : 0), 120);
    vso_analysis_diag(a, VSO_WARNING, source, line->line_no,
                      "'%s' holds the logging command keyword but is not a command: the agent "
                      "prints it as text",
                      q ? q : "?");
    free(q);
    return VSO_LINE_NOT_COMMAND;
  }
  a->commands++;
  count_command(a, &cmd);
  if (refused_command(a, &cmd, line, source)) {
    vso_command_free(&cmd);
    return VSO_LINE_REFUSED;
  }
  check_known(a, &cmd, line, source);
  bool setvariable = is_command(&cmd, "task", "setvariable");
  bool setsecret = is_command(&cmd, "task", "setsecret");
  bool complete = is_command(&cmd, "task", "complete");
  if (setsecret && !vso_secrets_add(&a->secrets, cmd.data.p, cmd.data.n)) a->out_of_memory = true;
  if (a->on_command) {
    bool secret_value = setsecret;
    if (setvariable) {
      setvar_props props = setvar_props_of(&cmd);
      const vso_prop *s = props.issecret, *n = props.variable;
      const vso_setvar *before = n ? vso_analysis_last(a, n->value.p, n->value.n) : NULL;
      secret_value = (s && vso_parse_bool(s->value.p, s->value.n)) || (before && before->is_secret);
    }
    a->on_command(a->on_command_ctx, &cmd, line, source, secret_value);
  }
  bool carried_out = setvariable ? read_setvariable(a, &cmd, line, source) : true;
  vso_command_free(&cmd);
  if (!carried_out) return VSO_LINE_REFUSED;
  if (setvariable) return VSO_LINE_SETVARIABLE;
  return complete ? VSO_LINE_COMPLETE : VSO_LINE_COMMAND;
}

size_t vso_line_visible_part(const vso_line *line) {
  ptrdiff_t at = vso_find_prefix(line->text, line->len);
  const char *rb = at >= 0 ? memchr(line->text + at, ']', line->len - (size_t)at) : NULL;
  return rb ? (size_t)(rb - line->text) + 1 : line->len;
}

bool vso_neutralise(const vso_analysis *a, const vso_line *line, bool secret_value, vso_buf *out) {
  size_t keep = secret_value ? vso_line_visible_part(line) : line->len;
  if (vso_secrets_empty(&a->secrets)) /* nothing to mask: one copy, not two */
    return vso_deactivate(line->text, keep, out) && (keep == line->len || vso_buf_append_str(out, "***"));
  vso_buf masked = {0};
  bool ok = vso_mask(&a->secrets, line->text, keep, &masked) &&
            (keep == line->len || vso_buf_append_str(&masked, "***")) &&
            vso_deactivate(masked.data ? masked.data : "", masked.len, out);
  vso_buf_free(&masked);
  return ok;
}
