/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memmem */
#include "oracle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference_command.h"

typedef struct verdict {
  char *why;
  size_t size;
  bool failed;
} verdict;

__attribute__((format(printf, 2, 3))) static bool fail(verdict *v, const char *fmt, ...) {
  if (v->failed) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->why, v->size, fmt, ap);
  va_end(ap);
  v->failed = true;
  return false;
}

static bool ieq(const char *a, size_t an, const char *b) {
  size_t bn = strlen(b);
  if (an != bn) return false;
  for (size_t i = 0; i < an; i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
    if (x != y) return false;
  }
  return true;
}

/* Boolean.TryParse: "true" in any case, white space around it ignored. */
static bool agent_bool(const ref_field *f) {
  size_t a = 0, b = f->n;
  while (a < b && (f->p[a] == ' ' || f->p[a] == '\t')) a++;
  while (b > a && (f->p[b - 1] == ' ' || f->p[b - 1] == '\t')) b--;
  return ieq(f->p + a, b - a, "true");
}

static const ref_field *prop_of(const ref_command *c, const char *key) {
  for (size_t i = 0; i < c->nprops; i++)
    if (ieq(c->keys[i].p, c->keys[i].n, key)) return &c->values[i];
  return NULL;
}

/* The agent's StreamReader: a UTF-16 or UTF-32 byte-order mark makes the
 * whole stream unreadable for commands; a UTF-8 one is dropped. */
static bool unreadable(const char *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  return (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) ||
         (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF);
}

/* Calls each(line) for every line as StreamReader.ReadLine ends them. */
typedef bool (*line_fn)(void *ctx, const char *p, size_t n);
static bool each_line(const char *p, size_t n, line_fn each, void *ctx) {
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && p[j] != '\n' && p[j] != '\r') j++;
    if (!each(ctx, p + i, j - i)) return false;
    i = j < n && p[j] == '\r' && j + 1 < n && p[j + 1] == '\n' ? j + 2 : j + 1;
  }
  return true;
}

/* ---- what the agent reads on stdout ---------------------------------------------- */

/* Called for each task.setvariable with a name that the agent reads on stdout:
 * rejected when the agent throws on it (a multi-line secret), else output is
 * its value when it sets the step's output (isoutput=true), NULL when it
 * does not (a later set without isoutput leaves the output as it was:
 * docs/agent.md). */
typedef void (*setvariable_fn)(void *ctx, const ref_field *name, bool rejected, const ref_field *output);

typedef struct setvariable_reader {
  setvariable_fn each;
  void *ctx;
} setvariable_reader;

static bool read_setvariable(void *ctx, const char *p, size_t n) {
  const setvariable_reader *reader = ctx;
  ref_command c;
  if (!ref_parse_command(p, n, true, &c)) return true;
  const ref_field *name = prop_of(&c, "variable");
  if (ieq(c.area.p, c.area.n, "task") && ieq(c.event.p, c.event.n, "setvariable") && name && name->n) {
    const ref_field *out = prop_of(&c, "isoutput"), *secret = prop_of(&c, "issecret");
    bool multiline_secret = secret && agent_bool(secret) && memchr(c.data.p, '\n', c.data.n);
    reader->each(reader->ctx, name, multiline_secret, out && agent_bool(out) ? &c.data : NULL);
  }
  ref_command_free(&c);
  return true;
}

/* Calls each for every task.setvariable of the run's stdout, after its UTF-8 byte-order mark. */
static void each_setvariable(const prop_result *r, setvariable_fn each, void *ctx) {
  setvariable_reader reader = {each, ctx};
  size_t skip = r->nout >= 3 && memcmp(r->out, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  each_line(r->out + skip, r->nout - skip, read_setvariable, &reader);
}

/* ---- exit 0 only if the agent reads every expected variable ---------------------- */

typedef struct reading {
  const prop_scenario *s;
  bool set[PROP_MAX_EXPECT], good[PROP_MAX_EXPECT];
} reading;

static void read_expected(void *ctx, const ref_field *name, bool rejected, const ref_field *output) {
  reading *rd = ctx;
  for (int i = 0; i < rd->s->nexpect; i++) {
    if (!ieq(name->p, name->n, rd->s->expect[i])) continue;
    rd->set[i] = true;
    if (rejected) rd->good[i] = false;
    else if (output) rd->good[i] = output->n > 0;
  }
}

static bool check_passed(const prop_scenario *s, const prop_result *r, verdict *v) {
  if (r->signalled || r->code != 0) return true;
  if (unreadable(r->out, r->nout)) return fail(v, "exit 0, but stdout starts with a UTF-16/32 byte-order mark");
  reading rd = {.s = s};
  each_setvariable(r, read_expected, &rd);
  for (int i = 0; i < s->nexpect; i++)
    if (!rd.good[i])
      return fail(v, "exit 0, but the agent reading stdout finds %s %s", s->expect[i],
                  rd.set[i] ? "not usable (not an output, empty, or a multi-line secret)" : "never set");
  return true;
}

/* ---- exit 0 only if every announced matrix holds its legs ------------------------- */

enum { MAX_ANNOUNCED = PROP_MAX_LISTING };

typedef struct announced {
  char name[16];
  unsigned legs; /* a bit per leg0..leg8 */
  bool good;     /* its last output value is a usable matrix of exactly those legs */
} announced;

typedef struct listing {
  announced m[MAX_ANNOUNCED];
  int n;
} listing;

/* The matrices the scenario's listing announces (a matrix listed again is replaced). */
static void read_listing(const prop_scenario *s, listing *a) {
  static const char cat[] = "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] ";
  announced *now = NULL;
  for (int i = 0; i < s->nlines; i++) {
    const char *t = strstr(s->lines[i].text, cat);
    if (!t || strstr(s->lines[i].text, "##vso[")) continue;
    t += sizeof cat - 1;
    unsigned leg;
    char name[16];
    if (sscanf(t, "    leg%u:", &leg) == 1 && now) now->legs |= 1u << leg;
    else if (t[0] == ' ' && t[1] == ' ' && t[2] != ' ' && sscanf(t + 2, "%15[^:]:", name) == 1) {
      now = NULL;
      for (int k = 0; k < a->n; k++)
        if (strcmp(a->m[k].name, name) == 0) now = &a->m[k];
      if (!now && a->n < MAX_ANNOUNCED) now = &a->m[a->n++];
      if (now) snprintf(now->name, sizeof now->name, "%s", name), now->legs = 0;
    } else now = NULL;
  }
}

/* The leg set of a value as value_of makes them ({"legN":{"a":"b"}}), or 0. */
static unsigned legs_of(const char *p, size_t n) {
  unsigned leg;
  char rest[16];
  char text[64];
  if (n >= sizeof text) return 0;
  memcpy(text, p, n);
  text[n] = '\0';
  if (sscanf(text, "{\"leg%u\":{\"a\":\"b\"%15s", &leg, rest) != 2 || strcmp(rest, "}}") != 0 || leg > 8) return 0;
  return 1u << leg;
}

static void read_announced(void *ctx, const ref_field *name, bool rejected, const ref_field *output) {
  listing *a = ctx;
  for (int i = 0; i < a->n; i++) {
    if (!ieq(name->p, name->n, a->m[i].name)) continue;
    if (rejected) a->m[i].good = false;
    else if (output) a->m[i].good = legs_of(output->p, output->n) == a->m[i].legs && a->m[i].legs;
  }
}

static bool check_announced(const prop_scenario *s, const prop_result *r, verdict *v) {
  if (r->signalled || r->code != 0 || !s->nlisting) return true;
  listing a = {.n = 0};
  read_listing(s, &a);
  each_setvariable(r, read_announced, &a);
  for (int i = 0; i < a.n; i++)
    if (!a.m[i].good)
      return fail(v, "exit 0, but the announced matrix %s is not set as an output holding exactly its legs",
                  a.m[i].name);
  return true;
}

/* ---- secrets ---------------------------------------------------------------------- */

typedef struct masking {
  const prop_scenario *s;
  const char *stream;
  bool registered[PROP_MAX_SECRETS];
  verdict *v;
} masking;

/* A line of stdout or stderr: a logging command the agent consumes may
 * hold a secret (and registers it); any other line only one it registered. */
static bool secret_line(void *ctx, const char *p, size_t n) {
  masking *m = ctx;
  ref_command c;
  if (ref_parse_command(p, n, true, &c)) {
    bool setsecret = ieq(c.area.p, c.area.n, "task") && ieq(c.event.p, c.event.n, "setsecret");
    const ref_field *secret = prop_of(&c, "issecret");
    bool secret_value = ieq(c.event.p, c.event.n, "setvariable") && secret && agent_bool(secret);
    for (int k = 0; k < m->s->nsecrets && (setsecret || secret_value); k++)
      if (c.data.n == PROP_SECRET_LEN && memcmp(c.data.p, m->s->secrets[k], PROP_SECRET_LEN) == 0)
        m->registered[k] = true;
    ref_command_free(&c);
    return true;
  }
  for (int k = 0; k < m->s->nsecrets; k++)
    if (!m->registered[k] && memmem(p, n, m->s->secrets[k], PROP_SECRET_LEN))
      return fail(m->v, "the secret %s is on %s in clear before the agent could mask it: %.*s", m->s->secrets[k],
                  m->stream, (int)(n > 200 ? 200 : n), p);
  return true;
}

static bool check_secrets(const prop_scenario *s, const prop_result *r, verdict *v) {
  masking out = {.s = s, .stream = "stdout", .v = v}, err = {.s = s, .stream = "stderr", .v = v};
  if (!each_line(r->out, r->nout, secret_line, &out) || !each_line(r->err, r->nerr, secret_line, &err)) return false;
  static const char *const names[] = {"the capture", "the report", "the summary"};
  for (int f = 0; f < 3; f++)
    for (int k = 0; r->files[f] && k < s->nsecrets; k++)
      if (memmem(r->files[f], r->nfiles[f], s->secrets[k], PROP_SECRET_LEN))
        return fail(v, "the secret %s is in %s", s->secrets[k], names[f]);
  return true;
}

/* ---- no command the agent runs that vsorelay did not intend ---------------------- */

typedef struct intent {
  const prop_scenario *s;
  const prop_result *r;
  int stream;
  verdict *v;
} intent;

static bool same_text(const char *p, size_t n, const char *text) { return n == strlen(text) && memcmp(p, text, n) == 0; }

/* Whether p[0..n) is a line of the command on stream (whole, as it wrote it). */
static const prop_line *child_line(const prop_scenario *s, int stream, const char *p, size_t n) {
  for (int i = 0; i < s->nlines; i++)
    if ((stream < 0 || s->lines[i].stream == stream) && same_text(p, n, s->lines[i].text)) return &s->lines[i];
  bool tail_whole = s->has_tail && s->end != PROP_GRANDCHILD; /* the command ended it, not vsorelay */
  if (tail_whole && (stream < 0 || s->tail.stream == stream) && same_text(p, n, s->tail.text)) return &s->tail;
  return NULL;
}

/* vsorelay's own commands: its errors and warnings, its verdict, the
 * summary, and secrets registered early (any value the agent would mask:
 * once a variable is secret, each later value of it is one too). */
static bool own_command(const intent *in, const ref_command *c) {
  if (!ieq(c->area.p, c->area.n, "task")) return false;
  bool says = c->data.n >= 10 && memcmp(c->data.p, "vsorelay: ", 10) == 0;
  if (ieq(c->event.p, c->event.n, "logissue") || ieq(c->event.p, c->event.n, "complete")) return says;
  if (ieq(c->event.p, c->event.n, "uploadsummary")) return in->s->summary;
  return ieq(c->event.p, c->event.n, "setsecret");
}

/* Whether vsorelay may have passed the step: it exited 0, or a cancel
 * ended it (it may have come after the variables were re-emitted). */
static bool passed(const prop_result *r) { return r->code == 0 || r->signalled; }

static bool command_line(void *ctx, const char *p, size_t n) {
  intent *in = ctx;
  /* the mark is no text of the line: it starts stdout, and again each attempt of --retries */
  if (in->stream == 0 && in->s->bom && n >= 2 && memcmp(p, "\xFF\xFE", 2) == 0) p += 2, n -= 2;
  ref_command c;
  if (!ref_parse_command(p, n, true, &c)) return true;
  const prop_scenario *s = in->s;
  bool ok = own_command(in, &c);
  const prop_line *mine = ok ? NULL : child_line(s, in->stream, p, n);
  bool held = mine && (mine->setvariable || mine->complete);
  if (!ok && mine && !held) ok = true; /* passes through live, as the agent would have run it */
  if (!ok && held) ok = s->stream_mode || passed(in->r);
  /* re-emitted at the end on stdout: a whole command of either stream */
  const prop_line *again = ok || in->stream != 0 ? NULL : child_line(s, -1, p, n);
  if (!ok && again && (again->setvariable || again->complete)) ok = passed(in->r);
  ref_command_free(&c);
  if (!ok)
    return fail(in->v, "the agent would run a command vsorelay did not intend on %s (exit %d): %.*s",
                in->stream ? "stderr" : "stdout", in->r->code, (int)(n > 200 ? 200 : n), p);
  return true;
}

static bool check_commands(const prop_scenario *s, const prop_result *r, verdict *v) {
  intent out = {s, r, 0, v}, err = {s, r, 1, v};
  return each_line(r->out, r->nout, command_line, &out) && each_line(r->err, r->nerr, command_line, &err);
}

/* ---- the run as a whole ------------------------------------------------------------ */

static bool check_exit(const prop_scenario *s, const prop_result *r, verdict *v) {
  /* a cancel that comes before vsorelay watches its signals ends it as it ends any program */
  if (r->signalled) return s->stop_signal && r->code == s->stop_signal ? true : fail(v, "vsorelay died of signal %d", r->code);
  int c = r->code;
  bool allowed = c == 0 || c == 3 || (s->end == PROP_EXIT && c == s->exit_status && c) ||
                 (s->end == PROP_SIGNAL && c == 128 + s->signal) || (s->stop_signal && c == 128 + s->stop_signal);
  if (!allowed) return fail(v, "vsorelay exited %d", c);
  /* replay judges the expectations; a command that failed on its own is the run's business */
  bool judged = !s->stop_signal && (s->end == PROP_GRANDCHILD || (s->end == PROP_EXIT && s->exit_status == 0));
  if (r->replay_code >= 0 && judged && (c == 0 || c == 3) && r->replay_code != c)
    return fail(v, "replay of the capture exits %d, the run exited %d", r->replay_code, c);
  return true;
}

/* The JSON array after "key": in a report, or an empty slice. */
static void report_array(const char *report, const char *key, const char **p, size_t *n) {
  const char *at = report ? strstr(report, key) : NULL;
  const char *end = at ? strchr(at, ']') : NULL;
  *p = at && end ? at : "";
  *n = at && end ? (size_t)(end - at) : 0;
}

/* Replay of the capture names the run's missing and invalid variables. */
static bool check_replay_lists(const prop_scenario *s, const prop_result *r, verdict *v) {
  bool judged = !s->stop_signal && (s->end == PROP_GRANDCHILD || (s->end == PROP_EXIT && s->exit_status == 0));
  if (!judged || r->signalled || r->replay_code != r->code || !r->files[1] || !r->replay_report) return true;
  static const char *const keys[] = {"\"missing\":", "\"invalid\":"};
  for (int k = 0; k < 2; k++) {
    const char *a, *b;
    size_t na, nb;
    report_array(r->files[1], keys[k], &a, &na);
    report_array(r->replay_report, keys[k], &b, &nb);
    if (na != nb || memcmp(a, b, na) != 0)
      return fail(v, "replay of the capture reports %.*s, the run %.*s", (int)nb, b, (int)na, a);
  }
  return true;
}

bool prop_violation(const prop_scenario *s, const prop_result *r, char *why, size_t size) {
  verdict v = {why, size, false};
  (void)(check_exit(s, r, &v) && check_passed(s, r, &v) && check_announced(s, r, &v) &&
         check_replay_lists(s, r, &v) && check_secrets(s, r, &v) && check_commands(s, r, &v));
  return v.failed;
}
