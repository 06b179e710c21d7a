/* SPDX-License-Identifier: MIT */
/* The expectations a run took from ImageBuilder's arguments, kept in its
 * --capture (core/capture.h: @imagebuilder, @matrix) so that replay, which
 * has no command, expects what the run expected.  Each record is one line
 * of words ("key=value key=value", values encoded as a facts line's).
 *
 *   @imagebuilder  used=0|1 required=0|1 manifest=M note=N [upper-bound=U] arg=A...
 *   @matrix        name=NAME then, per platform, dockerfile= os-type= os-version= architecture=
 *
 * The matrices join the expected set as their records are read, before
 * any attempt, after the names of replay's own command line: the order
 * the run added them in, so a facts line's expect= index names the same
 * expectation. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "sources.h"

static bool put_bool(vso_buf *out, const char *key, bool b) { return vso_capture_put_word(out, key, b ? "1" : "0", 1); }

static bool put_text(vso_buf *out, const char *key, const char *s) {
  return vso_capture_put_word(out, key, s ? s : "", s ? strlen(s) : 0);
}

/* The record of type holding words, which start with a space (vso_capture_put_word): its
 * payload starts at the first word. */
static bool put_record(vso_buf *out, const char *type, const vso_buf *words) {
  return words->len > 1 && vso_capture_put_source(out, type, words->len - 1) &&
         vso_buf_append(out, words->data + 1, words->len - 1);
}

static bool put_imagebuilder(vso_buf *out, const vso_sources *s, char *const *argv, int argc) {
  vso_buf words = {0};
  bool ok = put_bool(&words, "used", s->imagebuilder_used) &&
            put_bool(&words, "required", s->announcement_required) &&
            put_text(&words, "manifest", s->imagebuilder.manifest) && put_text(&words, "note", s->imagebuilder_note);
  if (ok && s->upper_bound) ok = put_text(&words, "upper-bound", s->upper_bound);
  for (int i = s->imagebuilder.at + 1; ok && i < argc; i++) ok = put_text(&words, "arg", argv[i]);
  ok = ok && put_record(out, "imagebuilder", &words);
  vso_buf_free(&words);
  return ok;
}

static bool put_matrix(vso_buf *out, const vso_manifest_matrix *m) {
  vso_buf words = {0};
  bool ok = put_text(&words, "name", m->name);
  for (size_t k = 0; ok && k < m->nplatforms; k++) {
    const vso_manifest_platform *p = &m->platforms[k];
    ok = put_text(&words, "dockerfile", p->dockerfile) && put_text(&words, "os-type", p->os_type) &&
         put_text(&words, "os-version", p->os_version) && put_text(&words, "architecture", p->architecture);
  }
  ok = ok && put_record(out, "matrix", &words);
  vso_buf_free(&words);
  return ok;
}

bool vso_sources_put_recorded(vso_buf *out, const vso_sources *s, char *const *argv, int argc) {
  if (!s->imagebuilder.found) return true;
  if (!put_imagebuilder(out, s, argv, argc)) return false;
  for (size_t i = 0; s->imagebuilder_used && i < s->manifest.n; i++)
    if (!put_matrix(out, &s->manifest.matrices[i])) return false;
  return true;
}

/* ---- reading ---------------------------------------------------------------------- */

/* The words of a record, decoded: keys and values in order. */
typedef struct words {
  vso_buf storage;
  vso_slice *key, *value;
  size_t n, cap;
} words;

static bool collect(void *ctx, vso_slice key, vso_slice value) {
  words *w = ctx;
  if (w->n == w->cap) return false;
  w->key[w->n] = key;
  w->value[w->n++] = value;
  return true;
}

/* False with *oom when memory runs out. */
static bool split_words(words *w, const char *p, size_t n, bool *oom) {
  for (size_t i = 0; i < n; i++) w->cap += p[i] == '=';
  w->key = calloc(w->cap + 1, sizeof *w->key);
  w->value = calloc(w->cap + 1, sizeof *w->value);
  *oom = !w->key || !w->value || !vso_buf_reserve(&w->storage, n + 1);
  return !*oom && vso_capture_each_word(p, n, &w->storage, collect, w);
}

static bool keep_arg(vso_sources *s, vso_slice v) {
  char **grown = realloc(s->recorded_args_, (s->nrecorded_args_ + 1) * sizeof *grown);
  if (!grown) return false;
  s->recorded_args_ = grown;
  return (grown[s->nrecorded_args_] = vso_slice_dup(v)) && ++s->nrecorded_args_;
}

static bool read_imagebuilder(vso_sources *s, const words *w, const char **why) {
  if (s->imagebuilder.found) return (*why = "a second @imagebuilder record"), false;
  s->imagebuilder.found = true;
  s->imagebuilder.at = -1;
  for (size_t i = 0; i < w->n; i++) {
    vso_slice k = w->key[i], v = w->value[i];
    bool flag = v.n == 1 && (v.p[0] == '0' || v.p[0] == '1'), ok = true;
    if (vso_slice_is(k, "used") && flag) s->imagebuilder_used = v.p[0] == '1';
    else if (vso_slice_is(k, "required") && flag) s->announcement_required = s->announcement_required || v.p[0] == '1';
    else if (vso_slice_is(k, "manifest") && !s->recorded_manifest_)
      ok = (s->recorded_manifest_ = vso_slice_dup(v)) != NULL;
    else if (vso_slice_is(k, "note") && !s->imagebuilder_note) ok = (s->imagebuilder_note = vso_slice_dup(v)) != NULL;
    else if (vso_slice_is(k, "upper-bound") && !s->recorded_upper_bound_)
      ok = (s->recorded_upper_bound_ = vso_slice_dup(v)) != NULL;
    else if (vso_slice_is(k, "arg")) ok = keep_arg(s, v);
    else return (*why = "malformed @imagebuilder record"), false;
    if (!ok) return (*why = "out of memory"), false;
  }
  if (!s->recorded_manifest_) return (*why = "an @imagebuilder record without its manifest"), false;
  s->imagebuilder.manifest = s->recorded_manifest_;
  if (s->recorded_upper_bound_ && !s->upper_bound) s->upper_bound = s->recorded_upper_bound_;
  if (!s->manifest_path && s->imagebuilder_used) s->manifest_path = s->recorded_manifest_;
  return true;
}

static const char *const platform_keys[] = {"dockerfile", "os-type", "os-version", "architecture"};

/* The platform whose four words start at w->value[at]. */
static bool read_platform(const words *w, size_t at, vso_manifest_platform *p) {
  char **field[] = {&p->dockerfile, &p->os_type, &p->os_version, &p->architecture};
  for (size_t j = 0; j < 4; j++)
    if (!vso_slice_is(w->key[at + j], platform_keys[j])) return false;
  for (size_t j = 0; j < 4; j++) *field[j] = vso_slice_dup(w->value[at + j]);
  return p->dockerfile && p->os_type && p->os_version && p->architecture;
}

static void free_matrix(vso_manifest_matrix *m) {
  vso_manifest_result one = {.matrices = m, .n = 1};
  vso_manifest_result_free(&one); /* frees m itself too: it was allocated apart */
}

static bool read_matrix(vso_sources *s, const words *w, const char **why) {
  *why = "malformed @matrix record";
  if (!s->imagebuilder.found || !s->imagebuilder_used) return (*why = "a @matrix record without its @imagebuilder"), false;
  if (w->n == 0 || !vso_slice_is(w->key[0], "name") || w->value[0].n == 0 || (w->n - 1) % 4) return false;
  vso_manifest_matrix *m = calloc(1, sizeof *m);
  size_t np = (w->n - 1) / 4;
  bool ok = m && (m->name = vso_slice_dup(w->value[0])) && (!np || (m->platforms = calloc(np, sizeof *m->platforms)));
  for (size_t k = 0; ok && k < np; k++, m->nplatforms++) ok = read_platform(w, 1 + 4 * k, &m->platforms[k]);
  vso_manifest_matrix *grown = ok ? realloc(s->manifest.matrices, (s->manifest.n + 1) * sizeof *grown) : NULL;
  if (!grown) {
    if (m) free_matrix(m);
    return false;
  }
  s->manifest.matrices = grown;
  grown[s->manifest.n++] = *m;
  free(m);
  const vso_manifest_matrix *kept = &grown[s->manifest.n - 1];
  vso_buf err = {0};
  vso_expectation *e = vso_expect_add(&s->expect, kept->name, strlen(kept->name), true, VSO_SRC_IMAGEBUILDER, &err);
  if (e) e->optional = s->upper_bound != NULL;
  if (e) vso_expect_stands_for(&s->expect, kept->name, kept->platforms, kept->nplatforms);
  if (!e) *why = err.len ? "a @matrix record names no variable vsorelay can expect" : "out of memory";
  vso_buf_free(&err);
  return e != NULL;
}

bool vso_sources_read_recorded(vso_sources *s, const char *type, const char *p, size_t n, const char **why) {
  words w = {0};
  bool oom;
  bool ok = split_words(&w, p, n, &oom);
  if (!ok) *why = oom ? "out of memory" : "malformed expectation record";
  else if (strcmp(type, "imagebuilder") == 0) ok = read_imagebuilder(s, &w, why);
  else ok = read_matrix(s, &w, why);
  vso_buf_free(&w.storage);
  free(w.key);
  free(w.value);
  return ok;
}
