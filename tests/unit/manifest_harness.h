/* SPDX-License-Identifier: MIT */
/* Helpers of the manifest unit tests (test_manifest*.c): a scratch directory
 * per test for synthetic manifests, and assertions on the matrix names a
 * manifest and a filter give.  The real manifests are in samples/
 * (VSO_SOURCE_DIR). */
#ifndef VSO_TEST_MANIFEST_HARNESS_H
#define VSO_TEST_MANIFEST_HARNESS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _WIN32 /* msvcrt has no mkdtemp */
#include <direct.h>
static char *mkdtemp(char *tmpl) { return _mktemp(tmpl) && _mkdir(tmpl) == 0 ? tmpl : NULL; }
#endif

#include "imagebuilder.h"

#ifndef VSO_SOURCE_DIR
#error "VSO_SOURCE_DIR must name the project source directory"
#endif

#define GO_IMAGES VSO_SOURCE_DIR "/samples/go-images/manifest.json"
#define DOTNET_DOCKER VSO_SOURCE_DIR "/samples/dotnet-docker/manifest.json"

#pragma GCC diagnostic ignored "-Wunused-function"

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


#endif
