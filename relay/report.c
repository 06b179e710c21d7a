/* SPDX-License-Identifier: MIT */
/* The JSON report (--report) and the Markdown summary (--summary).
 *
 * Both are built in memory, then written atomically: a temporary file in the
 * destination's directory (mode 0600, as mkstemp makes it and fchmod
 * confirms), every byte written and fsync'ed, closed, then renamed over the
 * destination.  A reader never sees half a report, and a failure leaves the
 * old file (if any) in place.
 *
 * Nothing here prints a variable's value.  Every string that comes from the
 * child, the command line or a file passes through secret masking first (the
 * secrets registered by the analysis: issecret=true values and
 * task.setsecret data), and neither file can hold an executable "##vso":
 * the JSON writes the second '#' of "##vso" as \u0023 (the same string once
 * parsed), the Markdown deactivates it the agent's way ("**vso").  The
 * schema is documented in README.md ("Reports"). */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matrix.h"
#include "text.h"
#include "version.h"

#define REPORT_SCHEMA "vsorelay-report/1"

/* At most this many leg names per cell of the Markdown table. */
enum { MD_MAX_LEGS = 64 };

/* ---- an output buffer that remembers running out of memory -------------- */

typedef struct out {
  vso_buf b;
  const vso_secrets *secrets;
  bool ok;
} out;

static void put(out *w, const char *s) {
  if (w->ok && !vso_buf_append_str(&w->b, s)) w->ok = false;
}

static void putn(out *w, const char *p, size_t n) {
  if (w->ok && !vso_buf_append(&w->b, p, n)) w->ok = false;
}

static void putf(out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out *w, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    w->ok = false;
    return;
  }
  putn(w, tmp, (size_t)n);
}

static size_t safe_strlen(const char *s) { return s ? strlen(s) : 0; }

/* ---- JSON ----------------------------------------------------------------- */

/* p[0..n) as a JSON string literal. */
static void json_string(out *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf j = {0};
  if (vso_json_string(&j, p, n)) putn(w, j.data, j.len);
  else w->ok = false;
  vso_buf_free(&j);
}

/* Text from the child, the command line or a file: masked, then a JSON
 * string (in which vso_json_string leaves no "##vso"). */
static void jtext(out *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf m = {0};
  if (vso_mask(w->secrets, p ? p : "", p ? n : 0, &m)) json_string(w, m.data ? m.data : "", m.len);
  else w->ok = false;
  vso_buf_free(&m);
}

/* A NUL-terminated string, or null. */
static void jtextz(out *w, const char *s) {
  if (s) jtext(w, s, strlen(s));
  else put(w, "null");
}

/* One of vsorelay's own words (schema, mode, status...): not masked. */
static void jword(out *w, const char *s) { json_string(w, s ? s : "", safe_strlen(s)); }

static void jbool(out *w, bool b) { put(w, b ? "true" : "false"); }

static void ju64(out *w, uint64_t v) { putf(w, "%llu", (unsigned long long)v); }

/* The leg names of a setvariable's value, when it is a usable build matrix
 * and not a secret; otherwise NULL. */
static bool parse_legs(const vso_setvar *sv, vso_matrix *m) {
  memset(m, 0, sizeof *m);
  if (!sv || sv->is_secret || !sv->value.p || !sv->value.n) return false;
  vso_buf why = {0};
  bool ok = vso_matrix_parse(sv->value.p, sv->value.n, m, &why);
  vso_buf_free(&why);
  return ok;
}

static void jlegs(out *w, const vso_setvar *sv) {
  vso_matrix m;
  if (!parse_legs(sv, &m)) {
    put(w, "null");
    return;
  }
  put(w, "[");
  for (size_t i = 0; i < m.nlegs; i++) {
    if (i) put(w, ", ");
    jtextz(w, m.legs[i].name);
  }
  put(w, "]");
  vso_matrix_free(&m);
}

static void json_command(out *w, const vso_outcome *o) {
  put(w, "[");
  for (int i = 0; i < o->ncommand; i++) {
    if (i) put(w, ", ");
    jtextz(w, o->command[i]);
  }
  put(w, "]");
}

static void json_child(out *w, const vso_outcome *o) {
  if (strcmp(o->mode ? o->mode : "", "run") != 0) {
    put(w, "null");
    return;
  }
  put(w, "{\"exited\": ");
  jbool(w, o->child_exited);
  put(w, ", \"exitStatus\": ");
  if (o->child_exited && !o->term_signal) putf(w, "%d", o->exit_status);
  else put(w, "null");
  put(w, ", \"termSignal\": ");
  if (o->term_signal) putf(w, "%d", o->term_signal);
  else put(w, "null");
  put(w, "}");
}

static void json_streams(out *w, const vso_outcome *o) {
  put(w, "[");
  for (size_t i = 0; i < o->nstreams; i++) {
    put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    jtextz(w, o->streams[i].name);
    put(w, ", \"bytes\": ");
    ju64(w, o->streams[i].bytes);
    put(w, ", \"lines\": ");
    ju64(w, o->streams[i].lines);
    put(w, "}");
  }
  put(w, o->nstreams ? "\n  ]" : "]");
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
static void json_commands(out *w, const vso_analysis *a) {
  vso_buf *keys = a->ncounts ? calloc(a->ncounts, sizeof *keys) : NULL;
  uint64_t *counts = a->ncounts ? calloc(a->ncounts, sizeof *counts) : NULL;
  vso_name_index seen = {0};
  const vso_index_keys index_keys = {keys, json_key_of};
  if (a->ncounts && (!keys || !counts)) w->ok = false;
  size_t nkeys = 0;
  for (size_t i = 0; i < a->ncounts && w->ok; i++) {
    out k = {.secrets = w->secrets, .ok = true};
    jtextz(&k, a->counts[i].name);
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
  put(w, "{");
  for (size_t j = 0; j < nkeys && w->ok; j++) {
    put(w, j ? ",\n    " : "\n    ");
    putn(w, keys[j].data, keys[j].len);
    put(w, ": ");
    ju64(w, counts[j]);
  }
  put(w, nkeys ? "\n  }" : "}");
  if (keys) /* calloc'd: the entries past nkeys are empty or hold a key the index refused */
    for (size_t j = 0; j < a->ncounts; j++) vso_buf_free(&keys[j]);
  vso_index_free(&seen);
  free(keys);
  free(counts);
}

static void json_setvars(out *w, const vso_analysis *a) {
  put(w, "[");
  for (size_t i = 0; i < a->nsetvars; i++) {
    const vso_setvar *sv = &a->setvars[i];
    put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    if (sv->name.p) jtext(w, sv->name.p, sv->name.n);
    else put(w, "null");
    put(w, ", \"source\": ");
    jtextz(w, sv->source);
    put(w, ", \"line\": ");
    ju64(w, sv->line_no);
    put(w, ", \"isOutput\": ");
    jbool(w, sv->is_output);
    put(w, ", \"isSecret\": ");
    jbool(w, sv->is_secret);
    put(w, ", \"isReadOnly\": ");
    jbool(w, sv->is_readonly);
    put(w, ", \"valueLength\": ");
    ju64(w, sv->value.n);
    put(w, ", \"rejected\": ");
    jbool(w, sv->rejected);
    put(w, ", \"legs\": ");
    jlegs(w, sv);
    put(w, "}");
  }
  put(w, a->nsetvars ? "\n  ]" : "]");
}

static void json_expected(out *w, const vso_expect_set *e) {
  put(w, "[");
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    put(w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
    jtextz(w, x->name);
    put(w, ", \"matrix\": ");
    jbool(w, x->matrix);
    put(w, ", \"status\": ");
    jword(w, vso_exp_status_name(x->status));
    put(w, ", \"reason\": ");
    jtextz(w, x->reason);
    put(w, ", \"source\": ");
    jtextz(w, x->last ? x->last->source : NULL);
    put(w, ", \"line\": ");
    if (x->last) ju64(w, x->last->line_no);
    else put(w, "null");
    put(w, ", \"legs\": ");
    jlegs(w, x->last);
    put(w, "}");
  }
  put(w, e->n ? "\n  ]" : "]");
}

/* The names of the expectations that are missing (missing == true) or
 * otherwise unmet (missing == false). */
static void json_names(out *w, const vso_expect_set *e, bool missing) {
  put(w, "[");
  bool first = true;
  for (size_t i = 0; i < e->n; i++) {
    vso_exp_status st = e->items[i].status;
    if (st == VSO_EXP_MET || (st == VSO_EXP_MISSING) != missing) continue;
    if (!first) put(w, ", ");
    first = false;
    jtextz(w, e->items[i].name);
  }
  put(w, "]");
}

static void json_diags(out *w, const vso_analysis *a) {
  put(w, "[");
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    put(w, i ? ",\n    {\"severity\": " : "\n    {\"severity\": ");
    jword(w, d->severity == VSO_ERROR ? "error" : "warning");
    put(w, ", \"source\": ");
    jtextz(w, d->source);
    put(w, ", \"line\": ");
    if (d->line_no) ju64(w, d->line_no);
    else put(w, "null");
    put(w, ", \"message\": ");
    jtextz(w, d->message);
    put(w, "}");
  }
  put(w, a->ndiags ? "\n  ]" : "]");
}

static bool manifest_present(const vso_manifest_result *m) { return m && (m->n || m->nwarnings); }

static void json_manifest(out *w, const vso_manifest_result *m) {
  if (!manifest_present(m)) {
    put(w, "null");
    return;
  }
  put(w, "{\n    \"matrices\": [");
  for (size_t i = 0; i < m->n; i++) {
    const vso_manifest_matrix *mx = &m->matrices[i];
    put(w, i ? ",\n      {\"name\": " : "\n      {\"name\": ");
    jtextz(w, mx->name);
    put(w, ", \"platforms\": [");
    for (size_t k = 0; k < mx->nplatforms; k++) {
      const vso_manifest_platform *p = &mx->platforms[k];
      put(w, k ? ",\n        {\"dockerfile\": " : "\n        {\"dockerfile\": ");
      jtextz(w, p->dockerfile);
      put(w, ", \"osType\": ");
      jtextz(w, p->os_type);
      put(w, ", \"osVersion\": ");
      jtextz(w, p->os_version);
      put(w, ", \"architecture\": ");
      jtextz(w, p->architecture);
      put(w, "}");
    }
    put(w, mx->nplatforms ? "\n      ]}" : "]}");
  }
  put(w, m->n ? "\n    ],\n    \"warnings\": [" : "],\n    \"warnings\": [");
  for (size_t i = 0; i < m->nwarnings; i++) {
    put(w, i ? ",\n      " : "\n      ");
    jtextz(w, m->warnings[i]);
  }
  put(w, m->nwarnings ? "\n    ]\n  }" : "]\n  }");
}

static double finite_or_zero(double d) { return isfinite(d) && d >= 0 ? d : 0.0; }

static void build_json(out *w, const vso_outcome *o, const vso_analysis *a, const vso_expect_set *e) {
  put(w, "{\n  \"schema\": ");
  jword(w, REPORT_SCHEMA);
  put(w, ",\n  \"version\": ");
  jword(w, VSO_VERSION);
  put(w, ",\n  \"mode\": ");
  jword(w, o->mode ? o->mode : "run");
  put(w, ",\n  \"command\": ");
  json_command(w, o);
  put(w, ",\n  \"attempts\": ");
  putf(w, "%d", o->attempts);
  put(w, ",\n  \"child\": ");
  json_child(w, o);
  put(w, ",\n  \"timedOut\": ");
  jbool(w, o->timed_out);
  put(w, ",\n  \"outputTruncated\": ");
  jbool(w, o->output_truncated);
  put(w, ",\n  \"stoppedBySignal\": ");
  if (o->stopped_by_signal) putf(w, "%d", o->stopped_by_signal);
  else put(w, "null");
  put(w, ",\n  \"durationSeconds\": ");
  putf(w, "%.3f", finite_or_zero(o->duration));
  put(w, ",\n  \"streams\": ");
  json_streams(w, o);
  put(w, ",\n  \"commands\": ");
  json_commands(w, a);
  put(w, ",\n  \"setvariables\": ");
  json_setvars(w, a);
  put(w, ",\n  \"expected\": ");
  json_expected(w, e);
  put(w, ",\n  \"missing\": ");
  json_names(w, e, true);
  put(w, ",\n  \"invalid\": ");
  json_names(w, e, false);
  put(w, ",\n  \"diagnostics\": ");
  json_diags(w, a);
  put(w, ",\n  \"manifest\": ");
  json_manifest(w, o->manifest);
  put(w, ",\n  \"verdict\": ");
  jword(w, o->verdict ? o->verdict : "unknown");
  put(w, ",\n  \"exitCode\": ");
  putf(w, "%d", o->exit_code);
  put(w, "\n}\n");
}

/* ---- atomic write ----------------------------------------------------------- */

static void err_path(vso_buf *err, const char *path) {
  vso_buf_append_char(err, '\'');
  vso_quote(NULL, path, strlen(path), err);
  vso_buf_append_char(err, '\'');
}

static void err_errno(vso_buf *err, const char *what, const char *path, int e) {
  vso_buf_append_str(err, what);
  if (path) {
    vso_buf_append_char(err, ' ');
    err_path(err, path);
  }
  vso_buf_append_str(err, ": ");
  vso_buf_append_str(err, strerror(e));
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return false;
    if (k == 0) {
      errno = EIO;
      return false;
    }
    p += k;
    n -= (size_t)k;
  }
  return true;
}

/* Creates the temporary file that write_atomically renames over path:
 * ".NAME.XXXXXX" in path's directory.  Returns its descriptor and its name
 * in *tmpl, or -1 with err set. */
static int create_temporary(const char *path, vso_buf *tmpl, vso_buf *err) {
  size_t plen = strlen(path);
  if (plen == 0) {
    vso_buf_append_str(err, "the path is empty");
    return -1;
  }
  if (path[plen - 1] == '/') {
    vso_buf_append_str(err, "the path ");
    err_path(err, path);
    vso_buf_append_str(err, " names a directory, not a file");
    return -1;
  }
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0; /* with its '/' */
  vso_buf dir = {0};
  bool ok = vso_buf_append(tmpl, path, dirlen) && vso_buf_append_char(tmpl, '.') &&
            vso_buf_append_str(tmpl, path + dirlen) && vso_buf_append_str(tmpl, ".XXXXXX") &&
            (slash ? vso_buf_append(&dir, path, dirlen > 1 ? dirlen - 1 : dirlen) : vso_buf_append_str(&dir, "."));
  int fd = ok ? mkstemp(tmpl->data) : -1;
  if (!ok) vso_buf_append_str(err, "out of memory");
  else if (fd < 0) err_errno(err, "cannot create a temporary file in the directory", dir.data, errno);
  vso_buf_free(&dir);
  return fd;
}

bool vso_report_path_usable(const char *path, vso_buf *err) {
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  bool ok = fd >= 0;
  if (ok && close(fd) != 0) {
    err_errno(err, "cannot close", tmpl.data, errno);
    ok = false;
  }
  if (fd >= 0 && unlink(tmpl.data) != 0) {
    if (ok) err_errno(err, "cannot remove", tmpl.data, errno);
    ok = false;
  }
  vso_buf_free(&tmpl);
  return ok;
}

/* Writes data to path atomically, mode 0600. */
static bool write_atomically(const char *path, const char *data, size_t len, vso_buf *err) {
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  if (fd < 0) {
    vso_buf_free(&tmpl);
    return false;
  }
  const char *step = NULL;
  int e = 0;
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) step = "cannot set close-on-exec on";
  else if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) step = "cannot set mode 0600 on";
  else if (!write_all(fd, data, len)) step = "cannot write";
  else if (fsync(fd) != 0) step = "cannot flush";
  if (step) e = errno;
  if (close(fd) != 0 && !step) {
    step = "cannot close";
    e = errno;
  }
  if (!step && rename(tmpl.data, path) != 0) {
    e = errno;
    vso_buf_append_str(err, "cannot rename ");
    err_path(err, tmpl.data);
    vso_buf_append_str(err, " to ");
    err_path(err, path);
    vso_buf_append_str(err, ": ");
    vso_buf_append_str(err, strerror(e));
    step = "rename";
  } else if (step) {
    err_errno(err, step, tmpl.data, e);
  }
  if (step && unlink(tmpl.data) != 0 && errno != ENOENT) {
    vso_buf_append_str(err, "; and cannot remove it: ");
    vso_buf_append_str(err, strerror(errno));
  }
  vso_buf_free(&tmpl);
  return step == NULL;
}

static const vso_analysis *analysis_of(const vso_outcome *o, vso_analysis *empty) {
  if (o->analysis) return o->analysis;
  memset(empty, 0, sizeof *empty);
  return empty;
}

static const vso_expect_set *expect_of(const vso_outcome *o, vso_expect_set *empty) {
  if (o->expect) return o->expect;
  memset(empty, 0, sizeof *empty);
  return empty;
}

bool vso_write_report(const char *path, const vso_outcome *o, vso_buf *err) {
  vso_analysis no_analysis;
  vso_expect_set no_expect;
  const vso_analysis *a = analysis_of(o, &no_analysis);
  const vso_expect_set *e = expect_of(o, &no_expect);
  out w = {.secrets = &a->secrets, .ok = true};
  build_json(&w, o, a, e);
  bool ok = w.ok;
  if (!ok) vso_buf_append_str(err, "out of memory while building the report");
  else ok = write_atomically(path, w.b.data, w.b.len, err);
  vso_buf_free(&w.b);
  return ok;
}

/* ---- Markdown -------------------------------------------------------------- */

/* Text that is already one safe line except for Markdown: every character
 * that could start emphasis, a link, HTML, an entity or a table cell is
 * backslash-escaped (CommonMark allows that for any ASCII punctuation). */
static void md_escape(out *w, const char *p, size_t n) {
  static const char special[] = "\\`*_[]<>|~&#";
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    if (!p[i] || !strchr(special, p[i])) continue;
    putn(w, p + from, i - from);
    put(w, "\\");
    from = i;
  }
  putn(w, p + from, n - from);
}

/* Raw text (child, command line, file): masked, "##vso" deactivated,
 * control bytes and invalid UTF-8 shown as escapes, Markdown escaped. */
static void md_text(out *w, const char *p, size_t n) {
  if (!w->ok) return;
  vso_buf q = {0};
  if (vso_quote(w->secrets, p ? p : "", p ? n : 0, &q)) md_escape(w, q.data ? q.data : "", q.len);
  else w->ok = false;
  vso_buf_free(&q);
}

static void md_textz(out *w, const char *s) { md_text(w, s, safe_strlen(s)); }

/* Text the analysis already quoted (reasons, diagnostics): masked again
 * (a secret may have been registered after it was written), deactivated,
 * Markdown escaped.  It holds no control bytes, so it is not quoted twice. */
static void md_quoted(out *w, const char *s) {
  if (!w->ok) return;
  vso_buf m = {0}, d = {0};
  size_t n = safe_strlen(s);
  if (vso_mask(w->secrets, s ? s : "", n, &m) && vso_deactivate(m.data ? m.data : "", m.len, &d)) {
    for (size_t i = 0; i < d.len; i++) /* defensive: keep it one line */
      if ((unsigned char)d.data[i] < 0x20 || d.data[i] == 0x7F) d.data[i] = ' ';
    md_escape(w, d.data ? d.data : "", d.len);
  } else {
    w->ok = false;
  }
  vso_buf_free(&m);
  vso_buf_free(&d);
}

/* A code span around already safe text: a fence longer than any run of
 * backticks inside it. */
static void md_code_safe(out *w, const char *p, size_t n) {
  if (!n) {
    put(w, "(empty)");
    return;
  }
  size_t longest = 0, run = 0;
  for (size_t i = 0; i < n; i++) {
    run = p[i] == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  bool pad = p[0] == '`' || p[n - 1] == '`' || p[0] == ' ' || p[n - 1] == ' ';
  for (size_t i = 0; i <= longest; i++) put(w, "`");
  if (pad) put(w, " ");
  putn(w, p, n);
  if (pad) put(w, " ");
  for (size_t i = 0; i <= longest; i++) put(w, "`");
}

/* Raw text in a code span (not for table cells). */
static void md_code(out *w, const char *p, size_t n) {
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

static void md_command(out *w, const vso_outcome *o) {
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

static void md_legs(out *w, const vso_setvar *sv) {
  vso_matrix m;
  if (!parse_legs(sv, &m)) {
    put(w, "—");
    return;
  }
  for (size_t i = 0; i < m.nlegs && i < MD_MAX_LEGS; i++) {
    if (i) put(w, ", ");
    md_textz(w, m.legs[i].name);
  }
  if (m.nlegs > MD_MAX_LEGS) putf(w, " … and %zu more", m.nlegs - MD_MAX_LEGS);
  vso_matrix_free(&m);
}

static void md_where(out *w, const vso_setvar *sv) {
  if (!sv) {
    put(w, "—");
    return;
  }
  md_textz(w, sv->source ? sv->source : "-");
  putf(w, ":%llu", (unsigned long long)sv->line_no);
}

static void md_title(out *w, const vso_outcome *o, const vso_expect_set *e) {
  const char *v = o->verdict ? o->verdict : "unknown";
  bool good = o->exit_code == 0 && strcmp(v, "passed") == 0;
  put(w, good ? "# ✅ vsorelay: " : "# ❌ vsorelay: ");
  size_t unmet = vso_expect_unmet(e);
  if (strcmp(v, "passed") == 0) {
    if (!good) put(w, "the expectations were met, but vsorelay failed afterwards");
    else if (e->n) putf(w, "all %zu expected output variable(s) set", e->n);
    else put(w, "the command succeeded (no expected output variables given)");
  } else if (strcmp(v, "expectations-failed") == 0) {
    putf(w, "%zu of %zu expected output variable(s) missing or unusable", unmet, e->n);
  } else if (strcmp(v, "command-failed") == 0) {
    if (o->term_signal) putf(w, "the command was killed by signal %d", o->term_signal);
    else if (o->child_exited) putf(w, "the command failed with exit status %d", o->exit_status);
    else put(w, "the command failed");
  } else if (strcmp(v, "timed-out") == 0) {
    put(w, "the command ran past --timeout and was stopped");
  } else if (strcmp(v, "stopped-by-signal") == 0) {
    putf(w, "vsorelay was stopped by signal %d", o->stopped_by_signal);
  } else if (strcmp(v, "spawn-failed") == 0) {
    put(w, "the command could not be started");
  } else if (strcmp(v, "vsorelay-failed") == 0) {
    put(w, "vsorelay itself failed (see the step's log)");
  } else {
    md_textz(w, v);
  }
  put(w, "\n\nVerdict: ");
  md_code_safe(w, v, strlen(v)); /* one of vsorelay's own words */
  putf(w, ", exit code %d.", o->exit_code);
  if (strcmp(o->mode ? o->mode : "", "run") == 0) {
    if (good) put(w, " The held `task.setvariable` commands were passed on to the agent.");
    else if (strcmp(v, "expectations-failed") == 0)
      put(w, " No held `task.setvariable` command was passed on: a partial matrix never reaches a downstream job.");
  }
  put(w, "\n\n");
}

static void md_expected(out *w, const vso_expect_set *e) {
  put(w, "## Expected output variables\n\n");
  if (!e->n) {
    put(w, "None were given (`--expect`, `--expect-file` or `--manifest`).\n\n");
    return;
  }
  putf(w, "%zu of %zu met.\n\n", e->n - vso_expect_unmet(e), e->n);
  put(w, "| Variable | Status | Legs | Source line |\n| --- | --- | --- | --- |\n");
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    bool met = x->status == VSO_EXP_MET;
    put(w, "| ");
    if (!met) put(w, "**");
    md_textz(w, x->name);
    if (!met) put(w, "**");
    put(w, met ? " | ✅ " : " | ❌ ");
    put(w, vso_exp_status_name(x->status));
    if (x->matrix) put(w, " (matrix)");
    put(w, " | ");
    md_legs(w, x->last);
    put(w, " | ");
    md_where(w, x->last);
    put(w, " |\n");
  }
  put(w, "\n");
}

static void md_reason(out *w, const vso_expectation *x) {
  if (x->reason) {
    put(w, ": ");
    md_quoted(w, x->reason);
  }
}

static void md_next_steps(out *w, const vso_expect_set *e) {
  if (!vso_expect_unmet(e)) return;
  put(w, "## What to do next\n\n");
  for (size_t i = 0; i < e->n; i++) {
    const vso_expectation *x = &e->items[i];
    if (x->status == VSO_EXP_MET) continue;
    put(w, "- **");
    md_textz(w, x->name);
    put(w, "** ");
    vso_buf ref = {0};
    bool ok = vso_buf_append_str(&ref, "dependencies.<job>.outputs['<step>.") &&
              vso_buf_append_str(&ref, x->name ? x->name : "") && vso_buf_append_str(&ref, "']");
    switch (x->status) {
      case VSO_EXP_MISSING:
        put(w, "is **missing**: the generator never printed it: the job that consumes ");
        if (ok) md_code(w, ref.data, ref.len);
        put(w, " would have been skipped in silence; look at the generator's exit, rerun with `--retries`, "
               "or check the manifest filters.");
        break;
      case VSO_EXP_NOT_OUTPUT:
        put(w, "is **not an output variable**: it was set without `isoutput=true`, so ");
        if (ok) md_code(w, ref.data, ref.len);
        put(w, " is Null and the consuming job is skipped in silence; add `isoutput=true` to its "
               "`task.setvariable`.");
        break;
      case VSO_EXP_EMPTY:
        put(w, "is **empty**: it was set as an output with an empty value, so the consuming job's condition "
               "is false and it is skipped in silence; check what the generator printed for it.");
        break;
      case VSO_EXP_REJECTED:
        put(w, "is **rejected**");
        md_reason(w, x);
        put(w, "; the agent fails the step on this command (see the diagnostics below): fix the command.");
        break;
      case VSO_EXP_INVALID:
        put(w, "is **invalid**");
        md_reason(w, x);
        put(w, "; `strategy.matrix: $[ ... ]` cannot use it: fix the value the generator prints.");
        break;
      case VSO_EXP_MET:
        break;
    }
    if (!ok) w->ok = false;
    vso_buf_free(&ref);
    if (x->last) {
      put(w, " (last set at ");
      md_where(w, x->last);
      put(w, ")");
    }
    put(w, "\n");
  }
  put(w, "\n");
}

static void md_run(out *w, const vso_outcome *o) {
  bool run = strcmp(o->mode ? o->mode : "", "run") == 0;
  put(w, "## Command\n\n");
  put(w, run ? "- Command: " : "- Replayed: ");
  if (o->ncommand) md_command(w, o);
  else put(w, run ? "—" : "standard input");
  putf(w, "\n- Attempts: %d\n", o->attempts);
  if (run) {
    put(w, "- Child: ");
    if (o->term_signal) putf(w, "killed by signal %d", o->term_signal);
    else if (o->child_exited) putf(w, "exited with status %d", o->exit_status);
    else put(w, "did not run to an exit");
    put(w, "\n");
    if (o->timed_out) put(w, "- **Timed out** (`--timeout`)\n");
    if (o->output_truncated)
      put(w, "- **Output may be truncated**: the pipes were still open at the drain timeout (a background "
             "process held them)\n");
    if (o->stopped_by_signal) putf(w, "- **Stopped** by signal %d\n", o->stopped_by_signal);
  }
  putf(w, "- Duration: %.3f s\n\n", finite_or_zero(o->duration));
  if (!o->nstreams) return;
  put(w, "| Stream | Bytes | Lines |\n| --- | ---: | ---: |\n");
  for (size_t i = 0; i < o->nstreams; i++) {
    put(w, "| ");
    md_textz(w, o->streams[i].name);
    putf(w, " | %llu | %llu |\n", (unsigned long long)o->streams[i].bytes,
         (unsigned long long)o->streams[i].lines);
  }
  put(w, "\n");
}

static void md_diags(out *w, const vso_analysis *a, const vso_manifest_result *m) {
  size_t nwarn = manifest_present(m) ? m->nwarnings : 0;
  if (!a->ndiags && !nwarn) return;
  put(w, "## Diagnostics\n\n");
  for (size_t i = 0; i < a->ndiags; i++) {
    const vso_diag *d = &a->diags[i];
    put(w, d->severity == VSO_ERROR ? "- ❌ error, " : "- ⚠️ warning, ");
    md_textz(w, d->source ? d->source : "-");
    if (d->line_no) putf(w, ":%llu", (unsigned long long)d->line_no);
    put(w, ": ");
    md_quoted(w, d->message);
    put(w, "\n");
  }
  for (size_t i = 0; i < nwarn; i++) {
    put(w, "- ⚠️ manifest: ");
    md_textz(w, m->warnings[i]);
    put(w, "\n");
  }
  put(w, "\n");
}

bool vso_write_markdown(const char *path, const vso_outcome *o, vso_buf *err) {
  vso_analysis no_analysis;
  vso_expect_set no_expect;
  const vso_analysis *a = analysis_of(o, &no_analysis);
  const vso_expect_set *e = expect_of(o, &no_expect);
  out w = {.secrets = &a->secrets, .ok = true};
  md_title(&w, o, e);
  md_expected(&w, e);
  md_next_steps(&w, e);
  md_run(&w, o);
  md_diags(&w, a, o->manifest);
  putf(&w, "<sub>vsorelay %s</sub>\n", VSO_VERSION);
  /* belt and braces: nothing above can hold "##vso", and now nothing does */
  vso_buf safe = {0};
  bool ok = w.ok && vso_deactivate(w.b.data ? w.b.data : "", w.b.len, &safe);
  if (!ok) vso_buf_append_str(err, "out of memory while building the summary");
  else ok = write_atomically(path, safe.data ? safe.data : "", safe.len, err);
  vso_buf_free(&safe);
  vso_buf_free(&w.b);
  return ok;
}
