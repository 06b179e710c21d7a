/* SPDX-License-Identifier: MIT */
#include "sources.h"

#include <errno.h>
#include <string.h>

#include "file.h"
#include "outcome.h"
#include "files.h"
#include "platform.h"
#include "writer.h"

/* An --expect-file is a list of names, not a data file: a few MiB at most. */
#define EXPECT_FILE_MAX ((size_t)16 << 20)

/* --expect NAME[,NAME...], repeatable. */
static bool add_lists(const vso_options *o, vso_sources *s, vso_buf *err) {
  for (size_t i = 0; i < o->expect_lists.n; i++) {
    vso_buf why = {0};
    bool ok = vso_expect_add_list(&s->expect, o->expect_lists.items[i], false, &why);
    char said[96];
    if (!ok)
      vso_buf_appendf(err, "%s '%s': %s", vso_option_said(o, "expect", said, sizeof said), o->expect_lists.items[i],
                      why.data ? why.data : "");
    vso_buf_free(&why);
    if (!ok) return false;
  }
  return true;
}

/* --expect-file FILE: one name a line, '#' starts a comment. */
static bool add_file(const vso_options *o, vso_sources *s, const char *path, vso_buf *err) {
  vso_buf text = {0}, why = {0};
  int rc = vso_read_file(path, EXPECT_FILE_MAX, &text);
  bool ok = rc == 0 && vso_expect_add_text(&s->expect, text.data, text.len, false, &why);
  char said[96];
  if (rc) vso_buf_appendf(err, "%s %s: %s", vso_option_said(o, "expect-file", said, sizeof said), path,
                          strerror(errno = rc));
  else if (!ok) vso_buf_appendf(err, "%s: %s", path, why.data ? why.data : "");
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
      .os_version = o->os_version,
      .paths = (const char *const *)o->paths.items,
      .npaths = o->paths.n,
      .distinct_os_versions = (const char *const *)o->distinct_os_versions.items,
      .ndistinct = o->distinct_os_versions.n,
  };
}

/* --manifest FILE with ImageBuilder's filters: the matrices it yields, each
 * a matrix expectation. */
static bool add_manifest(const vso_options *o, vso_sources *s, vso_buf *err) {
  if (!o->manifest) return true;
  vso_manifest_filter filter = vso_manifest_filter_of(o);
  if (!vso_manifest_expected(o->manifest, &filter, &s->manifest, err)) return false;
  for (size_t i = 0; i < s->manifest.n; i++) {
    const vso_manifest_matrix *m = &s->manifest.matrices[i];
    if (!vso_expect_add(&s->expect, m->name, strlen(m->name), true, err)) return false;
    vso_expect_stands_for(&s->expect, m->name, m->platforms, m->nplatforms);
  }
  return true;
}

/* The sources of the command line, in the order their names are added. */
static const struct {
  bool (*add)(const vso_options *o, vso_sources *s, vso_buf *err);
} sources[] = {
    {add_lists},
    {add_files},
    {add_manifest},
};

void vso_print_manifest_warnings(const vso_manifest_result *manifest) {
  for (size_t i = 0; i < manifest->nwarnings; i++) vso_warn("warning: %s", manifest->warnings[i]);
}

int vso_sources_read(const vso_options *o, const char *who, vso_sources *s) {
  memset(s, 0, sizeof *s);
  vso_buf err = {0};
  bool ok = true;
  errno = 0;
  for (size_t i = 0; ok && i < sizeof sources / sizeof sources[0]; i++) ok = sources[i].add(o, s, &err);
  int e = errno; /* a file that cannot be opened for want of descriptors, or memory */
  if (ok && o->matrix) vso_expect_require_matrix(&s->expect);
  if (ok) vso_print_manifest_warnings(&s->manifest);
  else vso_warn("%s: %s", who, err.data ? err.data : "cannot build the expectations");
  vso_buf_free(&err);
  return ok ? 0 : vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
}

void vso_sources_free(vso_sources *s) {
  vso_expect_free(&s->expect);
  vso_manifest_result_free(&s->manifest);
}
