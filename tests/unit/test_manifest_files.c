/* SPDX-License-Identifier: MIT */
/* Reading manifest files (core/manifest.c, core/json.c): includes, and
 * malformed or unreadable manifests named by file and JSON path.
 * The real manifests are in samples/; synthetic ones are written to a
 * scratch directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "manifest_harness.h"

/* ---- includes -------------------------------------------------------------------------- */

static void includes_merge_repos_and_variables(void **state) {
  scratch *s = *state;
  write_file(s, "inc.json",
             "{\"variables\":{\"v2\":\"2\"},\"includes\":[\"nested-ignored.json\"],\"repos\":["
             "{\"name\":\"s\",\"images\":[{\"platforms\":[" PLATFORM("b", "linux", "x", "amd64") "]}]},"
             "{\"name\":\"r\",\"images\":[{\"platforms\":[" PLATFORM("c", "linux", "x", "amd64") ","
             PLATFORM("w", "windows", "nanoserver-ltsc2025", "amd64") "]}]}]}");
  const char *path = write_file(s, "manifest.json",
                                "{\"includes\":[\"inc.json\"],\"variables\":{\"v1\":\"1\",\"n\":5},"
                                "\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":["
                                PLATFORM("a", "linux", "x", "amd64") "]}]}]}");
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(path, NULL, &r, &err));
  assert_int_equal(r.nwarnings, 0); /* an include's own includes are not read */
  assert_int_equal(r.n, 2);
  assert_string_equal(r.matrices[0].name, "linuxAmd64");
  assert_string_equal(r.matrices[1].name, "windowsLtsc2025Amd64");
  /* Repos of the same name are merged: r's images (a, c), then s's (b). */
  const vso_manifest_matrix *m = &r.matrices[0];
  assert_int_equal(m->nplatforms, 3);
  assert_string_equal(m->platforms[0].dockerfile, "a");
  assert_string_equal(m->platforms[1].dockerfile, "c");
  assert_string_equal(m->platforms[2].dockerfile, "b");
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

static void missing_include_is_a_warning(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "manifest.json",
                                "{\"includes\":[\"gone.json\"],\"repos\":[{\"name\":\"r\",\"images\":[{"
                                "\"platforms\":[" PLATFORM("a", "linux", "x", "arm") "]}]}]}");
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(path, NULL, &r, &err));
  assert_int_equal(r.n, 1);
  assert_int_equal(r.nwarnings, 1);
  assert_non_null(strstr(r.warnings[0], "/gone.json does not exist"));
  assert_int_equal(strncmp(r.warnings[0], path, strlen(path)), 0);
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

static void bad_includes_fail(void **state) {
  scratch *s = *state;
  const char *inc = write_file(s, "inc.json", "{\"repos\": [ }");
  const char *path = write_file(s, "manifest.json", "{\"includes\":[\"inc.json\"],\"repos\":[]}");
  assert_fails(inc, "JSON parse error at line 1, column 13");
  vso_manifest_result r;
  vso_buf err = {0};
  assert_false(vso_manifest_expected(path, NULL, &r, &err));
  assert_int_equal(strncmp(err.data, inc, strlen(inc)), 0); /* names the include */
  assert_non_null(strstr(err.data, ": JSON parse error at line 1, column 13"));
  vso_buf_free(&err);

  const char *dup = write_file(s, "dup.json", "{\"variables\":{\"v\":\"2\"}}");
  path = write_file(s, "m2.json", "{\"includes\":[\"dup.json\"],\"variables\":{\"v\":\"1\"},\"repos\":[]}");
  vso_buf_clear(&err);
  assert_false(vso_manifest_expected(path, NULL, &r, &err));
  vso_buf want = {0};
  vso_buf_append_str(&want, dup);
  vso_buf_append_str(&want, ": $.variables['v']: already defined by the manifest: each variable name must be unique");
  assert_string_equal(err.data, want.data);
  vso_buf_free(&want);
  vso_buf_free(&err);

  path = write_file(s, "m3.json", "{\"includes\":[\"/etc/passwd\"],\"repos\":[]}");
  assert_fails(path, "$.includes[0]: an include must be a relative path");
  path = write_file(s, "m4.json", "{\"includes\":[7],\"repos\":[]}");
  assert_fails(path, "$.includes[0]: expected a string");
  path = write_file(s, "m5.json", "{\"includes\":\"inc.json\",\"repos\":[]}");
  assert_fails(path, "$.includes: expected an array");
}

/* ---- malformed manifests ------------------------------------------------------------------ */

static void bad_json_names_line_and_column(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "manifest.json", "{\n  \"repos\": [\n    oops\n  ]\n}\n");
  assert_fails(path, "JSON parse error at line 3, column 5");
  path = write_file(s, "empty.json", "");
  assert_fails(path, "JSON parse error at line 1, column 1");
  path = write_file(s, "trailing.json", "{\"repos\":[]}\n}");
  assert_fails(path, "JSON parse error at line 2, column 1");
  /* not "nul.json": on Windows that names the null device */
  path = write_bytes(s, "nul-byte.json", "{\"repos\":[]}\0{}", 15);
  assert_fails(path, "NUL byte at line 1, column 13");
}

static void wrong_types_name_the_json_path(void **state) {
  scratch *s = *state;
  static const struct {
    const char *json;
    const char *want;
  } cases[] = {
      {"[]", "$: expected an object"},
      {"{\"repos\":{}}", "$.repos: expected an array"},
      {"{\"repos\":[]}", "$.repos: the manifest must contain at least one repo"},
      {"{}", "$.repos: the manifest must contain at least one repo"},
      {"{\"repos\":[7]}", "$.repos[0]: expected an object"},
      {"{\"repos\":[{\"images\":[]}]}", "$.repos[0].name: missing (required)"},
      {"{\"repos\":[{\"name\":\"r\"}]}", "$.repos[0].images: missing (required)"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{}]}]}", "$.repos[0].images[0].platforms: missing (required)"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[" PLATFORM("a", "linux", "x", "arm") ",1]}]}]}",
       "$.repos[0].images[0].platforms[1]: expected an object"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[]},{\"platforms\":[]},{\"platforms\":["
       "{\"dockerfile\":\"d\",\"os\":\"linux\",\"osVersion\":5,\"tags\":{}}]}]}]}",
       "$.repos[0].images[2].platforms[0].osVersion: expected a string"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[{\"dockerfile\":\"d\",\"osVersion\":\"x\"}]}]}]}",
       "$.repos[0].images[0].platforms[0].os: missing (required)"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[{\"os\":\"linux\",\"osVersion\":\"x\"}]}]}]}",
       "$.repos[0].images[0].platforms[0].dockerfile: missing (required)"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[{\"dockerfile\":null,\"os\":\"linux\"}]}]}]}",
       "$.repos[0].images[0].platforms[0].dockerfile: expected a string, not null"},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[" PLATFORM("d", "mac", "x", "amd64") "]}]}]}",
       "$.repos[0].images[0].platforms[0].os: expected \"linux\" or \"windows\""},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[" PLATFORM("d", "linux", "x", "x86") "]}]}]}",
       "$.repos[0].images[0].platforms[0].architecture: expected \"arm\", \"arm64\" or \"amd64\""},
      {"{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[{\"dockerfile\":\"d\",\"os\":\"linux\","
       "\"osVersion\":\"x\",\"tags\":[]}]}]}]}",
       "$.repos[0].images[0].platforms[0].tags: expected an object"},
      {"{\"variables\":{\"a\":\"1\",\"b\":{}},\"repos\":[]}", "$.variables['b']: expected a string"},
      {"{\"variables\":[],\"repos\":[]}", "$.variables: expected an object"},
  };
  char name[32];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(name, sizeof name, "case%zu.json", i);
    assert_fails(write_file(s, name, cases[i].json), cases[i].want);
  }
}

static void unreadable_files(void **state) {
  scratch *s = *state;
  char *missing = malloc(strlen(s->dir) + 16);
  assert_non_null(missing);
  strcpy(missing, s->dir);
  strcat(missing, "/absent.json");
  assert_fails(missing, "cannot read: No such file or directory");
  free(missing);
  assert_fails(s->dir, "cannot read: Is a directory");
}

/* Past the 64 MiB cap: refused without reading it all. */
static void oversized_file_is_refused(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "huge.json", "{");
  assert_int_equal(truncate(path, (off_t)65 * 1024 * 1024), 0);
  assert_fails(path, "larger than 64 MiB, the limit for a manifest");
}

/* Whatever the bytes, the answer is a result or a one-line error. */
static void garbage_never_crashes(void **state) {
  scratch *s = *state;
  static const char *const inputs[] = {
      "\"", "{", "[[[[[[[[", "{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":[{}]}]}]}",
      "{\"repos\":[{\"name\":1,\"images\":[]}]}", "{\"repos\":null}", "{\"repos\":[null]}",
      "{\"repos\":[{\"name\":\"r\",\"images\":null}]}", "\xef\xbb\xbf{\"repos\":[]}", "{\"a\":\"\\ud800\"}",
  };
  char name[32];
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    snprintf(name, sizeof name, "g%zu.json", i);
    const char *path = write_file(s, name, inputs[i]);
    vso_manifest_result r;
    vso_buf err = {0};
    if (!vso_manifest_expected(path, NULL, &r, &err)) {
      assert_non_null(err.data);
      assert_null(strchr(err.data, '\n'));
    }
    vso_manifest_result_free(&r);
    vso_buf_free(&err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(includes_merge_repos_and_variables, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(missing_include_is_a_warning, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(bad_includes_fail, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(bad_json_names_line_and_column, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(wrong_types_name_the_json_path, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(unreadable_files, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(oversized_file_is_refused, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(garbage_never_crashes, make_scratch, remove_scratch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
