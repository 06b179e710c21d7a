/* SPDX-License-Identifier: MIT */
#include "sources.h"

#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"

static bool add_expect_file(vso_expect_set *set, const char *path, vso_buf *err) {
  vso_buf text = {0};
  int rc = vso_read_file(path, 16u << 20, &text);
  if (rc) {
    vso_buf_append_str(err, "--expect-file ");
    vso_buf_append_str(err, path);
    vso_buf_append_str(err, ": ");
    vso_buf_append_str(err, strerror(rc));
    vso_buf_free(&text);
    return false;
  }
  vso_buf why = {0};
  bool ok = vso_expect_add_text(set, text.data, text.len, false, &why);
  if (!ok) {
    vso_buf_append_str(err, path);
    vso_buf_append_str(err, ": ");
    vso_buf_append(err, why.data, why.len);
  }
  vso_buf_free(&why);
  vso_buf_free(&text);
  return ok;
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

static bool add_manifest(const vso_options *o, vso_expect_set *set, vso_manifest_result *manifest,
                         vso_buf *err) {
  vso_manifest_filter filter = vso_manifest_filter_of(o);
  if (!vso_manifest_expected(o->manifest, &filter, manifest, err)) return false;
  for (size_t i = 0; i < manifest->n; i++)
    if (!vso_expect_add(set, manifest->matrices[i].name, strlen(manifest->matrices[i].name), true, err))
      return false;
  return true;
}

static bool build_expectations(const vso_options *o, vso_expect_set *set, vso_manifest_result *manifest,
                               vso_buf *err) {
  for (size_t i = 0; i < o->expect_lists.n; i++) {
    vso_buf why = {0};
    if (!vso_expect_add_list(set, o->expect_lists.items[i], false, &why)) {
      vso_buf_append_str(err, "--expect '");
      vso_buf_append_str(err, o->expect_lists.items[i]);
      vso_buf_append_str(err, "': ");
      vso_buf_append(err, why.data, why.len);
      vso_buf_free(&why);
      return false;
    }
  }
  for (size_t i = 0; i < o->expect_files.n; i++)
    if (!add_expect_file(set, o->expect_files.items[i], err)) return false;
  if (o->manifest && !add_manifest(o, set, manifest, err)) return false;
  if (o->matrix) vso_expect_require_matrix(set);
  return true;
}

void vso_print_manifest_warnings(const vso_manifest_result *manifest) {
  for (size_t i = 0; i < manifest->nwarnings; i++) vso_warn("warning: %s", manifest->warnings[i]);
}

bool vso_build_policy(const vso_options *o, vso_policy *policy) {
  memset(policy, 0, sizeof *policy);
  policy->restricted = o->restrict_commands;
  for (size_t i = 0; i < o->allow_variables.n; i++)
    if (!vso_policy_add_set(policy, o->allow_variables.items[i])) return false;
  return true;
}

bool vso_prepare_expectations(const vso_options *o, const char *who, vso_expect_set *set,
                              vso_manifest_result *manifest) {
  vso_buf err = {0};
  bool ok = build_expectations(o, set, manifest, &err);
  if (ok) vso_print_manifest_warnings(manifest);
  else vso_warn("%s: %s", who, err.data ? err.data : "cannot build the expectations");
  vso_buf_free(&err);
  return ok;
}
