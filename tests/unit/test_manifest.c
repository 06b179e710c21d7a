/* SPDX-License-Identifier: MIT */
/* ImageBuilder's matrix rules (core/imagebuilder.c): the matrix names
 * generateBuildMatrix would emit for a manifest.json and a set of filters.
 * The real manifests are in samples/; synthetic ones are written to a
 * scratch directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "manifest_harness.h"

/* ---- the real manifests -------------------------------------------------------- */

static const char *const go_images_names[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                              "windowsLtsc2022Amd64", NULL};

static void go_images_names_in_emission_order(void **state) {
  (void)state;
  assert_names(GO_IMAGES, NULL, go_images_names);
  vso_manifest_filter none = {0};
  assert_names(GO_IMAGES, &none, go_images_names);
}

static void go_images_platforms(void **state) {
  (void)state;
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(GO_IMAGES, NULL, &r, &err));
  assert_int_equal(r.nwarnings, 0);
  static const size_t want[] = {4, 6, 6, 4, 4};
  for (size_t i = 0; i < r.n; i++) assert_int_equal(r.matrices[i].nplatforms, want[i]);
  const vso_manifest_platform *p = &r.matrices[0].platforms[0];
  assert_string_equal(p->dockerfile, "src/microsoft/1.25/bookworm");
  assert_string_equal(p->os_type, "linux");
  assert_string_equal(p->os_version, "bookworm");
  assert_string_equal(p->architecture, "arm");
  const vso_manifest_matrix *w = find_matrix(&r, "windowsLtsc2025Amd64");
  assert_non_null(w);
  assert_int_equal(count_os_version(w, "windowsservercore-ltsc2025"), 2);
  assert_int_equal(count_os_version(w, "nanoserver-ltsc2025"), 2);
  assert_string_equal(w->platforms[0].os_type, "windows");
  assert_string_equal(w->platforms[0].architecture, "amd64");
  assert_string_equal(w->platforms[0].dockerfile, "src/microsoft/1.25/windows/windowsservercore-ltsc2025");
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

static void dotnet_docker_names_and_missing_include(void **state) {
  (void)state;
  static const char *const want[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                     "windowsLtsc2022Amd64", "windows1809Amd64", NULL};
  assert_names(DOTNET_DOCKER, NULL, want);
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(DOTNET_DOCKER, NULL, &r, &err));
  assert_int_equal(r.nwarnings, 1);
  assert_non_null(strstr(r.warnings[0], "manifest.versions.json does not exist"));
  assert_null(strchr(r.warnings[0], '\n'));
  assert_int_equal(err.len, 0);
  /* windows1809Amd64 gathers nanoserver-1809 and windowsservercore-ltsc2019
   * (ltsc2019 -> 1809); platforms without "architecture" are amd64. */
  const vso_manifest_matrix *m = find_matrix(&r, "windows1809Amd64");
  assert_non_null(m);
  assert_int_equal(m->nplatforms, 12);
  assert_int_equal(count_os_version(m, "nanoserver-1809"), 6);
  assert_int_equal(count_os_version(m, "windowsservercore-ltsc2019"), 6);
  assert_int_equal(find_matrix(&r, "windowsLtsc2025Amd64")->nplatforms, 24);
  assert_int_equal(find_matrix(&r, "windowsLtsc2022Amd64")->nplatforms, 18);
  assert_int_equal(find_matrix(&r, "linuxAmd64")->nplatforms, 208);
  assert_int_equal(find_matrix(&r, "linuxArm32")->nplatforms, 131);
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

/* ---- filters (ManifestFilter.FilterPlatforms) ------------------------------------ */

static void os_type_filter(void **state) {
  (void)state;
  static const char *const linux_only[] = {"linuxArm32", "linuxArm64", "linuxAmd64", NULL};
  static const char *const windows_only[] = {"windowsLtsc2025Amd64", "windowsLtsc2022Amd64", NULL};
  static const char *const nothing[] = {NULL};
  vso_manifest_filter f = {.os_type = "linux"};
  assert_names(GO_IMAGES, &f, linux_only);
  f.os_type = "LINUX"; /* RegexOptions.IgnoreCase */
  assert_names(GO_IMAGES, &f, linux_only);
  f.os_type = "win*";
  assert_names(GO_IMAGES, &f, windows_only);
  f.os_type = "*";
  assert_names(GO_IMAGES, &f, go_images_names);
  f.os_type = "lin"; /* the whole value must match */
  assert_names(GO_IMAGES, &f, nothing);
  f.os_type = ""; /* IsNullOrEmpty: no filter */
  assert_names(GO_IMAGES, &f, go_images_names);
}

static void architecture_filter(void **state) {
  (void)state;
  static const char *const arm64[] = {"linuxArm64", NULL};
  static const char *const arms[] = {"linuxArm32", "linuxArm64", NULL};
  static const char *const arm[] = {"linuxArm32", NULL};
  static const char *const amd64[] = {"linuxAmd64", "windowsLtsc2025Amd64", "windowsLtsc2022Amd64", NULL};
  static const char *const nothing[] = {NULL};
  vso_manifest_filter f = {.architecture = "arm64"};
  assert_names(GO_IMAGES, &f, arm64);
  f.architecture = "arm*";
  assert_names(GO_IMAGES, &f, arms);
  f.architecture = "ARM";
  assert_names(GO_IMAGES, &f, arm);
  f.architecture = "amd64";
  assert_names(GO_IMAGES, &f, amd64);
  f.architecture = "arm32"; /* matched against the Docker name, not the display name */
  assert_names(GO_IMAGES, &f, nothing);
  f.architecture = "arm??";
  assert_names(GO_IMAGES, &f, arm64);
}

static void os_version_filter(void **state) {
  (void)state;
  static const char *const ltsc2025[] = {"windowsLtsc2025Amd64", NULL};
  static const char *const ltsc2022[] = {"windowsLtsc2022Amd64", NULL};
  static const char *const linux_only[] = {"linuxArm32", "linuxArm64", "linuxAmd64", NULL};
  static const char *const nothing[] = {NULL};
  vso_manifest_result r;
  vso_buf err = {0};
  const char *version[2] = {"nanoserver-ltsc2025", NULL};
  vso_manifest_filter f = {.os_versions = version, .nos_versions = 1};
  assert_true(vso_manifest_expected(GO_IMAGES, &f, &r, &err));
  assert_int_equal(r.n, 1);
  assert_string_equal(r.matrices[0].name, "windowsLtsc2025Amd64");
  assert_int_equal(r.matrices[0].nplatforms, 2);
  vso_manifest_result_free(&r);
  assert_names(GO_IMAGES, &f, ltsc2025);
  version[0] = "*LTSC2022";
  assert_names(GO_IMAGES, &f, ltsc2022);
  version[0] = "b*";
  assert_names(GO_IMAGES, &f, linux_only);
  /* Matched against the raw osVersion: dotnet-docker's is bookworm-slim. */
  version[0] = "bookworm";
  assert_names(DOTNET_DOCKER, &f, nothing);
  version[0] = "bookworm*";
  assert_names(DOTNET_DOCKER, &f, linux_only);
  /* An --os-version value filters even when empty. */
  version[0] = "";
  assert_names(GO_IMAGES, &f, nothing);
  /* Repeatable: any of the values (ImageBuilder joins them with |). */
  version[0] = "*ltsc2022";
  version[1] = "*ltsc2025";
  f.nos_versions = 2;
  static const char *const both[] = {"windowsLtsc2025Amd64", "windowsLtsc2022Amd64", NULL};
  assert_names(GO_IMAGES, &f, both);
  vso_buf_free(&err);
}

static void paths_filter(void **state) {
  (void)state;
  static const char *const linux_only[] = {"linuxArm32", "linuxArm64", "linuxAmd64", NULL};
  static const char *const nano[] = {"windowsLtsc2025Amd64", "windowsLtsc2022Amd64", NULL};
  static const char *const nothing[] = {NULL};
  const char *paths[2] = {"src/microsoft/1.25/bookworm", NULL};
  vso_manifest_filter f = {.paths = paths, .npaths = 1};
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(GO_IMAGES, &f, &r, &err));
  assert_int_equal(r.n, 3);
  for (size_t i = 0; i < r.n; i++) {
    assert_int_equal(r.matrices[i].nplatforms, 1);
    assert_string_equal(r.matrices[i].platforms[0].dockerfile, "src/microsoft/1.25/bookworm");
  }
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
  assert_names(GO_IMAGES, &f, linux_only);
  paths[0] = "SRC/Microsoft/1.25/BOOKWORM";
  assert_names(GO_IMAGES, &f, linux_only);
  paths[0] = "src/microsoft/1.25"; /* a full match, not a prefix */
  assert_names(GO_IMAGES, &f, nothing);
  paths[0] = "src/microsoft/1.25/bookworm/";
  assert_names(GO_IMAGES, &f, nothing);
  paths[0] = "src/microsoft/1.25/*";
  assert_names(GO_IMAGES, &f, go_images_names);
  paths[0] = "?rc/microsoft/1.2?/windows/nano*";
  assert_names(GO_IMAGES, &f, nano);
  paths[0] = "src/microsoft/1.26/bullseye";
  paths[1] = "src/microsoft/1.25/windows/nanoserver-ltsc2022";
  f.npaths = 2;
  static const char *const two[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2022Amd64", NULL};
  assert_names(GO_IMAGES, &f, two);
}

static void filters_combine(void **state) {
  (void)state;
  const char *paths[] = {"*1.26*"};
  vso_manifest_filter f = {.os_type = "linux", .architecture = "arm", .paths = paths, .npaths = 1};
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(GO_IMAGES, &f, &r, &err));
  assert_int_equal(r.n, 1);
  assert_string_equal(r.matrices[0].name, "linuxArm32");
  assert_int_equal(r.matrices[0].nplatforms, 2);
  vso_manifest_result_free(&r);
  f.os_type = "windows"; /* no windows arm: nothing at all, and that is fine */
  assert_true(vso_manifest_expected(GO_IMAGES, &f, &r, &err));
  assert_int_equal(r.n, 0);
  assert_null(r.matrices);
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

/* --distinct-matrix-os-version keeps BaseOsVersion (osVersion minus -slim)
 * as the group's version, for Linux too, matched case-sensitively. */
static void distinct_matrix_os_version(void **state) {
  (void)state;
  const char *distinct[] = {"bookworm", "nanoserver-ltsc2025"};
  vso_manifest_filter f = {.distinct_os_versions = distinct, .ndistinct = 2};
  static const char *const go_want[] = {"bookwormArm32", "bookwormArm64", "bookwormAmd64", "linuxArm32",
                                        "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                        "windowsLtsc2022Amd64", "nanoserverLtsc2025Amd64", NULL};
  assert_names(GO_IMAGES, &f, go_want);
  static const char *const dotnet_plain[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                             "windowsLtsc2022Amd64", "windows1809Amd64", NULL};
  static const char *const dotnet_bookworm[] = {"bookwormArm32", "bookwormArm64", "bookwormAmd64",
                                                "linuxArm32", "linuxArm64", "linuxAmd64",
                                                "windowsLtsc2025Amd64", "windowsLtsc2022Amd64",
                                                "windows1809Amd64", NULL};
  distinct[0] = "bookworm-slim"; /* compared with BaseOsVersion: never matches */
  f.ndistinct = 1;
  assert_names(DOTNET_DOCKER, &f, dotnet_plain);
  distinct[0] = "bookworm";
  assert_names(DOTNET_DOCKER, &f, dotnet_bookworm);
  distinct[0] = "Bookworm";
  assert_names(DOTNET_DOCKER, &f, dotnet_plain);
}

/* ---- grouping, naming and order on synthetic manifests ---------------------------- */

static void windows_versions_normalise_and_order(void **state) {
  scratch *s = *state;
  const char *path = write_file(
      s, "manifest.json",
      "{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":["
      PLATFORM("w/1809", "windows", "nanoserver-1809", "amd64") ","
      PLATFORM("w/2016", "windows", "windowsservercore-ltsc2016", "amd64") ","
      PLATFORM("w/2019", "windows", "windowsservercore-ltsc2019", "amd64") ","
      PLATFORM("w/2022", "windows", "nanoserver-ltsc2022-slim", "amd64") ","
      PLATFORM("w/2022c", "Windows", "windowsservercore-ltsc2022", "AMD64") ","
      PLATFORM("w/2025", "windows", "windowsservercore-ltsc2025", "amd64") ","
      PLATFORM("l/arm64", "linux", "jammy", "arm64") ","
      "{\"dockerfile\":\"l/amd64\",\"os\":\"linux\",\"osVersion\":\"noble-slim-slim\",\"tags\":{}},"
      PLATFORM("l/arm", "LINUX", "alpine3.20", "arm")
      "]}]}]}");
  static const char *const want[] = {"linuxArm32", "linuxArm64", "linuxAmd64", "windowsLtsc2025Amd64",
                                     "windowsLtsc2022Amd64", "windowsLtsc2016Amd64", "windows1809Amd64",
                                     NULL};
  assert_names(path, NULL, want);
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(path, NULL, &r, &err));
  const vso_manifest_matrix *m = find_matrix(&r, "windowsLtsc2022Amd64");
  assert_int_equal(m->nplatforms, 2);
  assert_string_equal(m->platforms[0].os_version, "nanoserver-ltsc2022-slim"); /* raw value */
  m = find_matrix(&r, "windows1809Amd64");
  assert_int_equal(m->nplatforms, 2);
  m = find_matrix(&r, "linuxAmd64");
  assert_string_equal(m->platforms[0].architecture, "amd64"); /* the default */
  assert_string_equal(m->platforms[0].os_version, "noble-slim-slim");
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
  /* -slim is trimmed repeatedly before matching a distinct version. */
  const char *distinct[] = {"noble"};
  vso_manifest_filter f = {.distinct_os_versions = distinct, .ndistinct = 1};
  /* noble sorts before the null version of the other Linux groups. */
  static const char *const noble_first[] = {"nobleAmd64", "linuxArm32", "linuxArm64", "windowsLtsc2025Amd64",
                                            "windowsLtsc2022Amd64", "windowsLtsc2016Amd64", "windows1809Amd64",
                                            NULL};
  assert_names(path, &f, noble_first);
}

/* An empty word after the first: ImageBuilder's FirstCharToUpper throws;
 * here it is dropped, with a warning. */
static void empty_name_word_is_a_warning(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "manifest.json",
                                "{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":["
                                PLATFORM("w", "windows", "nanoserver-", "amd64") "]}]}]}");
  vso_manifest_result r;
  vso_buf err = {0};
  assert_true(vso_manifest_expected(path, NULL, &r, &err));
  assert_int_equal(r.n, 1);
  assert_string_equal(r.matrices[0].name, "windowsAmd64");
  assert_int_equal(r.nwarnings, 1);
  assert_non_null(strstr(r.warnings[0], "FormatMatrixName"));
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

/* Newtonsoft reads member names case-insensitively; the last one wins. */
static void member_names_as_newtonsoft_reads_them(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "manifest.json",
                                "{\"Repos\":[{\"Name\":\"r\",\"IMAGES\":[{\"Platforms\":[{\"Dockerfile\":\"d\","
                                "\"os\":\"linux\",\"OS\":\"windows\",\"OsVersion\":\"nanoserver-ltsc2022\","
                                "\"tags\":{}}]}]}]}");
  static const char *const want[] = {"windowsLtsc2022Amd64", NULL};
  assert_names(path, NULL, want);
}

/* A dockerfile value ending in a newline still matches (.NET's $), but * and
 * ? never cross a newline. */
static void glob_newline_rules(void **state) {
  scratch *s = *state;
  const char *path = write_file(s, "manifest.json",
                                "{\"repos\":[{\"name\":\"r\",\"images\":[{\"platforms\":["
                                PLATFORM("a\\n", "linux", "x", "amd64") ","
                                PLATFORM("b\\nc", "linux", "x", "arm64") "]}]}]}");
  static const char *const amd64[] = {"linuxAmd64", NULL};
  static const char *const nothing[] = {NULL};
  const char *paths[] = {"a"};
  vso_manifest_filter f = {.paths = paths, .npaths = 1};
  assert_names(path, &f, amd64);
  paths[0] = "b*";
  assert_names(path, &f, nothing);
  paths[0] = "b?c";
  assert_names(path, &f, nothing);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(go_images_names_in_emission_order),
      cmocka_unit_test(go_images_platforms),
      cmocka_unit_test(dotnet_docker_names_and_missing_include),
      cmocka_unit_test(os_type_filter),
      cmocka_unit_test(architecture_filter),
      cmocka_unit_test(os_version_filter),
      cmocka_unit_test(paths_filter),
      cmocka_unit_test(filters_combine),
      cmocka_unit_test(distinct_matrix_os_version),
      cmocka_unit_test_setup_teardown(windows_versions_normalise_and_order, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(empty_name_word_is_a_warning, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(member_names_as_newtonsoft_reads_them, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(glob_newline_rules, make_scratch, remove_scratch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
