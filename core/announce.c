/* SPDX-License-Identifier: MIT */
/* Reading the generator's announcement (announce.h).
 *
 * What was read in dotnet/docker-tools (docs/imagebuilder.md, "The
 * announcement"): GenerateBuildMatrixCommand.ExecuteAsync logs
 * "GENERATING BUILD MATRIX", then LogDiagnostics logs, for each matrix,
 * "  {matrix}:", for each leg "    {leg}:", and for each of the leg's
 * variables "      {name}: {value}", each through _logger.LogInformation.
 * The console logger (SimpleConsole, SingleLine, TimestampFormat "HH:mm:ss ")
 * writes "{timestamp}{level}: {category}[{event id}] {message}": so each line
 * holds the category with event id 0, one space, then the message.  The
 * ##vso lines that follow in the same category (before docker-tools #2125)
 * are no listing lines. */
#include "announce.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"

#define CATEGORY "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] "

const char *const vso_announce_watch[] = {CATEGORY "GENERATING BUILD MATRIX", CATEGORY "  "};
const size_t vso_announce_nwatch = sizeof vso_announce_watch / sizeof vso_announce_watch[0];
/* the key "Ge" of "GenerateBuildMatrixCommand" */
const size_t vso_announce_key_at = sizeof "Microsoft.DotNet.ImageBuilder.Commands." - 1;

enum { WATCH_BEGIN, WATCH_LISTING };

/* ---- the model ------------------------------------------------------------ */

static void matrix_name(const void *ctx, size_t i, const char **key, size_t *len) {
  const vso_announcement *a = ctx;
  *key = a->matrices[i].name;
  *len = strlen(*key);
}

/* Counts n more bytes kept; false (and overflow) past the bound. */
static bool take_bytes(vso_announcement *a, size_t n) {
  if (n > VSO_ANNOUNCE_MAX_BYTES - a->bytes_) {
    a->overflow = true;
    return false;
  }
  a->bytes_ += n;
  return true;
}

/* A copy of p[0..n) that counts against the bound, or NULL. */
static char *keep(vso_announcement *a, const char *p, size_t n) {
  if (!take_bytes(a, n + 1)) return NULL;
  char *c = malloc(n + 1);
  if (!c) {
    a->overflow = true; /* out of memory: what is kept is incomplete */
    return NULL;
  }
  memcpy(c, p, n);
  c[n] = '\0';
  return c;
}

static void free_string(vso_announcement *a, char *s) {
  if (!s) return;
  a->bytes_ -= strlen(s) + 1;
  free(s);
}

static void free_leg(vso_announcement *a, vso_announced_leg *leg) {
  free_string(a, leg->name);
  free_string(a, leg->architecture);
  for (size_t i = 0; i < leg->ndockerfiles; i++) free_string(a, leg->dockerfiles[i]);
  free(leg->dockerfiles);
  memset(leg, 0, sizeof *leg);
}

/* The matrix named p[0..n), emptied when it was announced before, or NULL. */
static vso_announced_matrix *matrix_for(vso_announcement *a, const char *p, size_t n) {
  const vso_index_keys keys = {a, matrix_name};
  size_t at;
  if (memchr(p, '\0', n)) return NULL;
  if (vso_index_get(&a->index_, &keys, p, n, &at)) {
    vso_announced_matrix *m = &a->matrices[at];
    for (size_t i = 0; i < m->nlegs; i++) free_leg(a, &m->legs[i]);
    a->legs_ -= m->nlegs;
    m->nlegs = 0;
    return m;
  }
  if (a->n >= VSO_ANNOUNCE_MAX_MATRICES || !vso_grow(&a->matrices, &a->cap_, a->n, sizeof *a->matrices)) {
    a->overflow = true;
    return NULL;
  }
  char *name = keep(a, p, n);
  if (!name) return NULL;
  a->matrices[a->n] = (vso_announced_matrix){.name = name};
  if (!vso_index_put(&a->index_, &keys, name, n, a->n)) {
    free_string(a, name);
    a->overflow = true;
    return NULL;
  }
  return &a->matrices[a->n++];
}

static vso_announced_leg *add_leg(vso_announcement *a, vso_announced_matrix *m, const char *p, size_t n) {
  if (a->legs_ >= VSO_ANNOUNCE_MAX_LEGS || !vso_grow(&m->legs, &m->cap_, m->nlegs, sizeof *m->legs)) {
    a->overflow = true;
    return NULL;
  }
  char *name = keep(a, p, n);
  if (!name) return NULL;
  m->legs[m->nlegs] = (vso_announced_leg){.name = name};
  a->legs_++;
  return &m->legs[m->nlegs++];
}

/* imageBuilderPaths: "--path A --path B", as AddImageBuilderPathsVariable joins them. */
static void set_paths(vso_announcement *a, vso_announced_leg *leg, const char *p, size_t n) {
  for (size_t i = 0; i < leg->ndockerfiles; i++) free_string(a, leg->dockerfiles[i]);
  leg->ndockerfiles = 0;
  size_t cap = 0;
  bool after_path = false;
  for (size_t i = 0; i < n;) {
    while (i < n && p[i] == ' ') i++;
    size_t from = i;
    while (i < n && p[i] != ' ') i++;
    if (i == from) break;
    if (!after_path) {
      after_path = i - from == 6 && memcmp(p + from, "--path", 6) == 0;
      continue;
    }
    after_path = false;
    char *path = keep(a, p + from, i - from);
    if (!path || !vso_grow(&leg->dockerfiles, &cap, leg->ndockerfiles, sizeof *leg->dockerfiles)) {
      free_string(a, path);
      a->overflow = true;
      return;
    }
    leg->dockerfiles[leg->ndockerfiles++] = path;
  }
}

/* ---- the reader ------------------------------------------------------------- */

/* "NAME:" with a non-empty NAME: its length, or 0. */
static size_t heading(const char *p, size_t n) { return n >= 2 && p[n - 1] == ':' && p[0] != ' ' ? n - 1 : 0; }

static void matrix_line(vso_announce_reader *r, const char *p, size_t n, const vso_watched *w) {
  vso_announcement *a = r->into;
  size_t len = heading(p, n);
  r->matrix_ = 0;
  r->in_leg_ = false;
  if (!len) return;
  vso_announced_matrix *m = matrix_for(a, p, len);
  if (!m) return;
  m->source = r->source;
  m->line_no = w->line_no;
  r->matrix_ = (size_t)(m - a->matrices) + 1;
}

static void leg_line(vso_announce_reader *r, const char *p, size_t n) {
  size_t len = heading(p, n);
  r->in_leg_ = false;
  if (!r->matrix_ || !len) return;
  r->in_leg_ = add_leg(r->into, &r->into->matrices[r->matrix_ - 1], p, len) != NULL;
}

static void variable_line(vso_announce_reader *r, const char *p, size_t n) {
  vso_announcement *a = r->into;
  const char *colon = memchr(p, ':', n);
  if (!r->matrix_ || !r->in_leg_ || !colon || (size_t)(colon - p) + 1 >= n || colon[1] != ' ') return;
  vso_announced_matrix *m = &a->matrices[r->matrix_ - 1];
  vso_announced_leg *leg = &m->legs[m->nlegs - 1];
  size_t key = (size_t)(colon - p), at = key + 2;
  if (key == 17 && memcmp(p, "imageBuilderPaths", 17) == 0) {
    set_paths(a, leg, p + at, n - at);
  } else if (key == 12 && memcmp(p, "architecture", 12) == 0) {
    free_string(a, leg->architecture);
    leg->architecture = keep(a, p + at, n - at);
  }
}

void vso_announce_line(vso_announce_reader *r, const vso_watched *w) {
  vso_announcement *a = r->into;
  size_t skip = strlen(vso_announce_watch[w->which]);
  const char *p = w->text + skip;
  size_t n = w->len - skip;
  if (a->overflow) return;
  a->tail_source = r->source;
  a->tail_line_no = w->line_no;
  a->tail_matrix = 0;
  if (w->command_after) { /* a ##vso line in the category: no listing line */
    r->matrix_ = 0;
    return;
  }
  if (w->which == WATCH_BEGIN) {
    while (n && p[n - 1] == ' ') n--;
    if (n == 0) a->listings++;
    r->matrix_ = 0;
    return;
  }
  size_t spaces = 0;
  while (spaces < n && p[spaces] == ' ') spaces++;
  if (w->truncated && spaces < 4) { /* a name cut short cannot be checked */
    a->overflow = true;
    return;
  }
  if (spaces == 0) matrix_line(r, p, n, w);
  else if (spaces == 2) leg_line(r, p + 2, n - 2);
  else if (spaces == 4) variable_line(r, p + 4, n - 4);
  a->tail_matrix = r->matrix_;
}

void vso_announcement_stream_ended(vso_announcement *a, const char *source, uint64_t lines) {
  if (a->tail_matrix && a->tail_source == source && a->tail_line_no == lines) a->tail_open = true;
}

bool vso_announcement_seen(const vso_announcement *a) {
  return a->listings > 0 || a->n > 0 || a->overflow || a->masked;
}

/* Whether name, masked, is shown. */
static bool masks_to(const vso_secrets *secrets, const char *name, const char *shown, bool *ok) {
  vso_buf m = {0};
  *ok = *ok && vso_mask(secrets, name, strlen(name), &m);
  bool same = *ok && m.len == strlen(shown) && memcmp(m.data ? m.data : "", shown, m.len) == 0;
  vso_buf_free(&m);
  return same;
}

bool vso_announce_same_shown(const vso_announcement *read, const vso_announcement *shown, const vso_secrets *secrets) {
  if ((read->listings > 0) != (shown->listings > 0) || read->overflow != shown->overflow || read->n != shown->n)
    return false;
  bool ok = true;
  for (size_t i = 0; i < read->n; i++) {
    const vso_announced_matrix *r = &read->matrices[i], *s = &shown->matrices[i];
    if (r->nlegs != s->nlegs || !masks_to(secrets, r->name, s->name, &ok)) return false;
    for (size_t k = 0; k < r->nlegs; k++)
      if (!masks_to(secrets, r->legs[k].name, s->legs[k].name, &ok)) return false;
  }
  return ok;
}

const vso_announced_matrix *vso_announcement_find(const vso_announcement *a, const char *name, size_t n) {
  const vso_index_keys keys = {a, matrix_name};
  size_t at;
  return vso_index_get(&a->index_, &keys, name, n, &at) ? &a->matrices[at] : NULL;
}

void vso_announcement_free(vso_announcement *a) {
  for (size_t i = 0; i < a->n; i++) {
    for (size_t k = 0; k < a->matrices[i].nlegs; k++) free_leg(a, &a->matrices[i].legs[k]);
    free(a->matrices[i].legs);
    free(a->matrices[i].name);
  }
  free(a->matrices);
  vso_index_free(&a->index_);
  memset(a, 0, sizeof *a);
}

void vso_announcement_next_attempt(vso_announcement *a, vso_announcement *earlier) {
  if (!vso_announcement_seen(a)) {
    vso_announcement_free(a);
    return;
  }
  vso_announcement_free(earlier);
  *earlier = *a; /* the index holds positions, not pointers: it moves as it is */
  memset(a, 0, sizeof *a);
}

bool vso_announcement_carry(vso_announcement *a, vso_announcement *earlier) {
  if (vso_announcement_seen(a) || !vso_announcement_seen(earlier)) return false;
  vso_announcement_free(a);
  *a = *earlier;
  memset(earlier, 0, sizeof *earlier);
  return true;
}

/* ---- announced against arrived ------------------------------------------------ */

static int compare_names(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

/* The names, sorted, each once. */
static const char **sorted_names(size_t n, const char *(*name_of)(const void *, size_t), const void *from,
                                 size_t *count) {
  const char **names = malloc((n ? n : 1) * sizeof *names);
  if (!names) return NULL;
  for (size_t i = 0; i < n; i++) names[i] = name_of(from, i);
  qsort(names, n, sizeof *names, compare_names);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || strcmp(names[k - 1], names[i]) != 0) names[k++] = names[i];
  *count = k;
  return names;
}

static const char *announced_leg(const void *m, size_t i) { return ((const vso_announced_matrix *)m)->legs[i].name; }
static const char *value_leg(const void *v, size_t i) { return ((const vso_matrix *)v)->legs[i].name; }

bool vso_announce_compare(const vso_announced_matrix *m, const vso_matrix *value, vso_leg_diff *out) {
  memset(out, 0, sizeof *out);
  size_t na = 0, nv = 0;
  const char **a = sorted_names(m->nlegs, announced_leg, m, &na);
  const char **v = sorted_names(value->nlegs, value_leg, value, &nv);
  out->missing = malloc((na ? na : 1) * sizeof *out->missing);
  out->unexpected = malloc((nv ? nv : 1) * sizeof *out->unexpected);
  bool ok = a && v && out->missing && out->unexpected;
  for (size_t i = 0, j = 0; ok && (i < na || j < nv);) {
    int c = i == na ? 1 : j == nv ? -1 : strcmp(a[i], v[j]);
    if (c < 0) out->missing[out->nmissing++] = a[i++];
    else if (c > 0) out->unexpected[out->nunexpected++] = v[j++];
    else i++, j++;
  }
  free(a);
  free(v);
  if (!ok) vso_leg_diff_free(out);
  return ok;
}

void vso_leg_diff_free(vso_leg_diff *d) {
  free(d->missing);
  free(d->unexpected);
  memset(d, 0, sizeof *d);
}
