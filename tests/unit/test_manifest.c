/* SPDX-License-Identifier: MIT */
/* Unit tests for parser/manifest.c: the matrix names generateBuildMatrix
 * would emit for a manifest.json and a set of filters.  The real manifests
 * are in samples/ (VSO_SOURCE_DIR); malformed ones are written to a
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"

#ifndef VSO_SOURCE_DIR
#error "VSO_SOURCE_DIR must name the project source directory"
#endif

#define GO_IMAGES VSO_SOURCE_DIR "/samples/go-images/manifest.json"
#define DOTNET_DOCKER VSO_SOURCE_DIR "/samples/dotnet-docker/manifest.json"

/* ---- helpers ---------------------------------------------------------------- */

/* A scratch directory per test, removed with its files afterwards. */
typedef struct scratch {
  char dir[64];
  char *files[64];
  size_t nfiles;
} scratch;

static int make_scratch(void **state) {
  scratch *s = calloc(1, sizeof *s);
  if (!s) return -1;
  strcpy(s->dir, "/tmp/vso-manifest-test-XXXXXX");
  if (!mkdtemp(s->dir)) {
    free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static int remove_scratch(void **state) {
  scratch *s = *state;
  for (size_t i = 0; i < s->nfiles; i++) {
    unlink(s->files[i]);
    free(s->files[i]);
  }
  rmdir(s->dir);
  free(s);
  return 0;
}

/* Writes n bytes to dir/name and returns the path (owned by the scratch). */
static const char *write_bytes(scratch *s, const char *name, const char *bytes, size_t n) {
  assert_true(s->nfiles < sizeof s->files / sizeof s->files[0]);
  size_t len = strlen(s->dir) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  assert_non_null(path);
  snprintf(path, len, "%s/%s", s->dir, name);
  s->files[s->nfiles++] = path;
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(bytes, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  return path;
}

static const char *write_file(scratch *s, const char *name, const char *text) {
  return write_bytes(s, name, text, strlen(text));
}

/* Runs the query and checks the matrix names, in order (NULL-terminated). */
static void assert_names(const char *path, const vso_manifest_filter *f, const char *const *want) {
  vso_manifest_result r;
  vso_buf err = {0};
  bool ok = vso_manifest_expected(path, f, &r, &err);
  if (!ok) print_error("unexpected failure: %s\n", err.data ? err.data : "");
  assert_true(ok);
  size_t n = 0;
  while (want[n]) n++;
  if (r.n != n) {
    for (size_t i = 0; i < r.n; i++) print_error("got %s\n", r.matrices[i].name);
  }
  assert_int_equal(r.n, n);
  for (size_t i = 0; i < n; i++) assert_string_equal(r.matrices[i].name, want[i]);
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

/* Runs the query and checks it fails with "<path>: <want>". */
static void assert_fails(const char *path, const char *want) {
  vso_manifest_result r;
  vso_buf err = {0};
  assert_false(vso_manifest_expected(path, NULL, &r, &err));
  assert_int_equal(r.n, 0);
  assert_int_equal(r.nwarnings, 0);
  assert_null(r.matrices);
  vso_buf expected = {0};
  vso_buf_append_str(&expected, path);
  vso_buf_append_str(&expected, ": ");
  vso_buf_append_str(&expected, want);
  assert_non_null(err.data);
  assert_string_equal(err.data, expected.data);
  assert_null(strchr(err.data, '\n'));
  vso_buf_free(&expected);
  vso_buf_free(&err);
}

static const vso_manifest_matrix *find_matrix(const vso_manifest_result *r, const char *name) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->matrices[i].name, name) == 0) return &r->matrices[i];
  return NULL;
}

static size_t count_os_version(const vso_manifest_matrix *m, const char *os_version) {
  size_t n = 0;
  for (size_t i = 0; i < m->nplatforms; i++) n += strcmp(m->platforms[i].os_version, os_version) == 0;
  return n;
}

/* One platform object, for synthetic manifests. */
#define PLATFORM(dockerfile, os, os_version, arch)                                             \
  "{\"dockerfile\":\"" dockerfile "\",\"os\":\"" os "\",\"osVersion\":\"" os_version          \
  "\",\"architecture\":\"" arch "\",\"tags\":{}}"

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
  vso_manifest_filter f = {.os_version = "nanoserver-ltsc2025"};
  assert_true(vso_manifest_expected(GO_IMAGES, &f, &r, &err));
  assert_int_equal(r.n, 1);
  assert_string_equal(r.matrices[0].name, "windowsLtsc2025Amd64");
  assert_int_equal(r.matrices[0].nplatforms, 2);
  vso_manifest_result_free(&r);
  assert_names(GO_IMAGES, &f, ltsc2025);
  f.os_version = "*LTSC2022";
  assert_names(GO_IMAGES, &f, ltsc2022);
  f.os_version = "b*";
  assert_names(GO_IMAGES, &f, linux_only);
  /* Matched against the raw osVersion: dotnet-docker's is bookworm-slim. */
  f.os_version = "bookworm";
  assert_names(DOTNET_DOCKER, &f, nothing);
  f.os_version = "bookworm*";
  assert_names(DOTNET_DOCKER, &f, linux_only);
  /* An --os-version value filters even when empty. */
  f.os_version = "";
  assert_names(GO_IMAGES, &f, nothing);
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
  path = write_bytes(s, "nul.json", "{\"repos\":[]}\0{}", 15);
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
      cmocka_unit_test_setup_teardown(includes_merge_repos_and_variables, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(missing_include_is_a_warning, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(bad_includes_fail, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(bad_json_names_line_and_column, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(wrong_types_name_the_json_path, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(unreadable_files, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(oversized_file_is_refused, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(garbage_never_crashes, make_scratch, remove_scratch),
  };
  return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
