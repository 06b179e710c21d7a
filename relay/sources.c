/* SPDX-License-Identifier: MIT */
#include "sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "files.h"
#include "imageinfo.h"
#include "outcome.h"
#include "platform.h"
#include "writer.h"

/* An --expect-file is a list of names, not a data file: a few MiB at most. */
#define EXPECT_FILE_MAX ((size_t)16 << 20)

static const char allow_empty_hint[] = "; pass --allow-empty to run with nothing to check";

static bool blank(const char *s) { return s[strspn(s, " \t\r\n")] == '\0'; }

/* --expect NAME[,NAME...], repeatable; --expect '' names nothing. */
static bool add_lists(const vso_options *o, vso_sources *s, vso_buf *err) {
  for (size_t i = 0; i < o->expect_lists.n; i++) {
    const char *list = o->expect_lists.items[i];
    if (blank(list)) {
      if (o->allow_empty) continue;
      char said[96];
      vso_buf_appendf(err, "%s '%s' names no output variable%s", vso_option_said(o, "expect", said, sizeof said), list,
                      allow_empty_hint);
      return false;
    }
    vso_buf why = {0};
    bool ok = vso_expect_add_list(&s->expect, list, false, VSO_SRC_EXPECT, &why);
    char said[96];
    if (!ok)
      vso_buf_appendf(err, "%s '%s': %s", vso_option_said(o, "expect", said, sizeof said), list,
                      why.data ? why.data : "");
    vso_buf_free(&why);
    if (!ok) return false;
  }
  return true;
}

/* --expect-file FILE: one name a line, '#' starts a comment.  Read into a
 * set of its own first, so that a file naming nothing is seen as such. */
static bool add_file(const vso_options *o, vso_sources *s, const char *path, vso_buf *err) {
  vso_buf text = {0}, why = {0};
  vso_expect_set names = {0};
  int rc = vso_read_file(path, EXPECT_FILE_MAX, &text);
  bool ok = rc == 0 && vso_expect_add_text(&names, text.data, text.len, false, VSO_SRC_EXPECT_FILE, &why);
  char said[96];
  vso_option_said(o, "expect-file", said, sizeof said);
  if (rc) vso_buf_appendf(err, "%s %s: %s", said, path, strerror(errno = rc));
  else if (!ok) vso_buf_appendf(err, "%s: %s", path, why.data ? why.data : "");
  else if (names.n == 0 && !o->allow_empty) {
    vso_buf_appendf(err, "%s %s names no output variable (it holds only blank lines and comments)%s", said,
                    path, allow_empty_hint);
    ok = false;
  }
  for (size_t i = 0; ok && i < names.n; i++)
    ok = vso_expect_add(&s->expect, names.items[i].name, strlen(names.items[i].name), false, VSO_SRC_EXPECT_FILE,
                        err) != NULL;
  vso_expect_free(&names);
  vso_buf_free(&why);
  vso_buf_free(&text);
  return ok;
}

static bool add_files(const vso_options *o, vso_sources *s, vso_buf *err) {
  for (size_t i = 0; i < o->expect_files.n; i++)
    if (!add_file(o, s, o->expect_files.items[i], err)) return false;
  return true;
}

vso_manifest_filter vso_manifest_filter_of(const vso_options *o) {
  return (vso_manifest_filter){
      .os_type = o->os_type,
      .architecture = o->architecture,
      .os_versions = (const char *const *)o->os_versions.items,
      .nos_versions = o->os_versions.n,
      .paths = (const char *const *)o->paths.items,
      .npaths = o->paths.n,
      .distinct_os_versions = (const char *const *)o->distinct_os_versions.items,
      .ndistinct = o->distinct_os_versions.n,
  };
}

/* A value as a shell would need it, for showing a command line. */
static void append_word(vso_buf *out, const char *w) {
  vso_buf q = {0};
  vso_quote(NULL, w, strlen(w), &q);
  const char *s = q.data ? q.data : "";
  bool plain = *s && s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-")] == '\0';
  vso_buf_appendf(out, plain ? "%s" : "'%s'", s);
  vso_buf_free(&q);
}

static void append_option(vso_buf *out, const char *name, const char *value) {
  vso_buf_appendf(out, " %s ", name);
  append_word(out, value);
}

static void append_options(vso_buf *out, const char *name, const char *const *values, size_t n) {
  for (size_t i = 0; i < n; i++) append_option(out, name, values[i]);
}

void vso_describe_filters(vso_buf *out, const vso_manifest_filter *f, const char *image_info, bool trim) {
  if (f->os_type) append_option(out, "--os-type", f->os_type);
  if (f->architecture) append_option(out, "--architecture", f->architecture);
  append_options(out, "--os-version", f->os_versions, f->nos_versions);
  append_options(out, "--path", f->paths, f->npaths);
  append_options(out, "--distinct-matrix-os-version", f->distinct_os_versions, f->ndistinct);
  append_options(out, "--repo", f->repos, f->nrepos);
  if (image_info) append_option(out, "--image-info", image_info);
  if (trim) vso_buf_append_str(out, " --trim-cached-images");
}

bool vso_sources_add_manifest_names(vso_sources *s, unsigned source, vso_buf *err) {
  for (size_t i = 0; i < s->manifest.n; i++) {
    const vso_manifest_matrix *m = &s->manifest.matrices[i];
    vso_expectation *e = vso_expect_add(&s->expect, m->name, strlen(m->name), true, source, err);
    if (!e) return false;
    e->optional = s->upper_bound != NULL;
    vso_expect_stands_for(&s->expect, m->name, m->platforms, m->nplatforms);
  }
  return true;
}

/* --manifest FILE with ImageBuilder's filters (and --image-info): the
 * matrices it yields, each a matrix expectation.  Filters that leave no
 * platform are an error (the step would check nothing). */
static bool add_manifest(const vso_options *o, vso_sources *s, vso_buf *err) {
  if (!o->manifest) return true;
  vso_manifest_filter filter = vso_manifest_filter_of(o);
  vso_image_info info = {0};
  if (o->image_info && !vso_image_info_load(o->image_info, &info, err)) return false;
  filter.image_info = o->image_info ? &info : NULL;
  bool ok = vso_manifest_expected(o->manifest, &filter, &s->manifest, err);
  vso_image_info_free(&info);
  if (!ok) return false;
  s->manifest_path = o->manifest;
  if (o->trim_cached_images)
    s->upper_bound = "--trim-cached-images: ImageBuilder also leaves out the platforms whose images are "
                     "cached in the registry, which vsorelay cannot see";
  else if (s->manifest.image_info_doubt)
    s->upper_bound = s->manifest.image_info_doubt;
  if (s->manifest.nfiltered == 0 && !o->allow_empty) {
    char said[96];
    vso_buf_appendf(err, "%s %s", vso_option_said(o, "manifest", said, sizeof said), o->manifest);
    vso_describe_filters(err, &filter, o->image_info, o->trim_cached_images);
    vso_buf_appendf(err, ": no platform is left after the filters, so no output variable would be checked%s",
                    allow_empty_hint);
    return false;
  }
  return vso_sources_add_manifest_names(s, VSO_SRC_MANIFEST, err);
}

/* In run, unless the manifest was given to vsorelay itself: ImageBuilder's
 * own arguments in the command. */
static bool add_imagebuilder(const vso_options *o, vso_sources *s, vso_buf *err) {
  if (o->cmd != VSO_CMD_RUN || o->manifest || o->no_imagebuilder_args) return true;
  return vso_source_imagebuilder(o, s, err);
}

/* The sources of the command line, in the order their names are added. */
static const struct {
  bool (*add)(const vso_options *o, vso_sources *s, vso_buf *err);
} sources[] = {
    {add_lists},
    {add_files},
    {add_manifest},
    {add_imagebuilder},
};

void vso_print_manifest_warnings(const vso_manifest_result *manifest) {
  for (size_t i = 0; i < manifest->nwarnings; i++) vso_warn("warning: %s", manifest->warnings[i]);
}

int vso_sources_read(const vso_options *o, const char *who, vso_sources *s) {
  memset(s, 0, sizeof *s);
  s->read_announcement = !o->no_announced;
  s->announcement_required = !o->no_announced && o->trim_cached_images;
  vso_buf err = {0};
  bool ok = true;
  errno = 0;
  for (size_t i = 0; ok && i < sizeof sources / sizeof sources[0]; i++) ok = sources[i].add(o, s, &err);
  int e = errno; /* a file that cannot be opened for want of descriptors, or memory */
  if (ok && o->matrix) vso_expect_require_matrix(&s->expect);
  if (ok) vso_print_manifest_warnings(&s->manifest);
  else vso_warn("%s: %s", who, err.data ? err.data : "cannot build the expectations");
  if (ok && s->imagebuilder_note) vso_warn("%s", s->imagebuilder_note);
  vso_buf_free(&err);
  return ok ? 0 : vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
}

bool vso_sources_add_announced(vso_sources *s, const vso_announcement *a) {
  vso_expect_forget_announced(&s->expect);
  if (!s->read_announcement) return true;
  vso_buf err = {0};
  bool ok = vso_expect_add_announced(&s->expect, a, &err);
  vso_buf_free(&err);
  return ok;
}

const char *vso_sources_unchecked(const vso_sources *s, const vso_announcement *a) {
  if (!s->read_announcement) return NULL;
  if (a->overflow)
    return "the generator's announcement of its matrices is larger than vsorelay keeps (or memory ran out "
           "reading it), so the matrices cannot be checked against it";
  if (a->masked)
    return "a secret masks the generator's announcement of its matrices in the capture, out of the shape the run "
           "read it in, so replay cannot check the matrices against it";
  if (s->announcement_required && !vso_announcement_seen(a))
    return "with --trim-cached-images the manifest's names are only an upper bound, and the generator's "
           "announcement of its matrices (GENERATING BUILD MATRIX) never came, so nothing says which matrices "
           "it should have set";
  return NULL;
}

void vso_sources_free(vso_sources *s) {
  vso_expect_free(&s->expect);
  vso_manifest_result_free(&s->manifest);
  vso_ib_args_free(&s->imagebuilder);
  free(s->imagebuilder_note);
  free(s->recorded_manifest_);
  free(s->recorded_upper_bound_);
  for (size_t i = 0; i < s->nrecorded_args_; i++) free(s->recorded_args_[i]);
  free(s->recorded_args_);
}
