/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the JSON readers: build-matrix values
 * (core/matrix.h), ImageBuilder manifests (core/manifest.h) and image-info
 * files (core/imageinfo.h).
 *
 * 1. vso_matrix_parse on the input (not NUL-terminated, may hold NULs).  On
 *    success the matrix has at least one leg and no NULL string; on failure
 *    it is empty and `why` says something.
 * 2. The input is written to /tmp/vsorelay-fuzz-json.<pid>/manifest.json and,
 *    as the target of a relative include, to include.json in the same private
 *    directory (so "includes": ["include.json"] reaches a file and nothing
 *    outside that directory is read unless the input names it with "..").
 *    vso_manifest_expected reads it with one of four filters (picked by the
 *    input's length).  On success every matrix has a name; on failure `err`
 *    says something.
 * 3. The same file read as an image-info file: on failure `err` says
 *    something; on success it marks the platforms of the manifest it also
 *    is (when it is one), as --image-info does, and the matrices made with
 *    it are no more than those made without it.
 * Any broken invariant prints what and calls abort(). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "imagebuilder.h"
#include "imageinfo.h"
#include "matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MISMATCH(...)                                  \
  do {                                                 \
    fprintf(stderr, "fuzz_json: mismatch: ");          \
    fprintf(stderr, __VA_ARGS__);                      \
    fprintf(stderr, "\n");                             \
    abort();                                           \
  } while (0)

static char g_dir[64], g_manifest[96], g_include[96];

static void cleanup(void) {
  if (!g_dir[0]) return;
  unlink(g_manifest);
  unlink(g_include);
  rmdir(g_dir);
}

static void setup(void) {
  if (g_dir[0]) return;
  snprintf(g_dir, sizeof g_dir, "/tmp/vsorelay-fuzz-json.%ld", (long)getpid());
  snprintf(g_manifest, sizeof g_manifest, "%s/manifest.json", g_dir);
  snprintf(g_include, sizeof g_include, "%s/include.json", g_dir);
  if (mkdir(g_dir, 0700) != 0 && errno != EEXIST) {
    perror(g_dir);
    abort();
  }
  atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    perror(path);
    abort();
  }
  while (size > 0) {
    ssize_t w = write(fd, data, size);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      perror(path);
      abort();
    }
    data += w;
    size -= (size_t)w;
  }
  close(fd);
}

static void check_matrix(const uint8_t *data, size_t size) {
  vso_matrix m;
  vso_buf why = {0};
  bool ok = vso_matrix_parse((const char *)data, size, &m, &why);
  if (ok) {
    if (m.nlegs == 0 || !m.legs) MISMATCH("a usable matrix without legs");
    for (size_t i = 0; i < m.nlegs; i++) {
      const vso_matrix_leg *leg = &m.legs[i];
      if (!leg->name) MISMATCH("leg %zu without a name", i);
      for (size_t k = 0; k < leg->nvars; k++)
        if (!leg->var_names[k] || !leg->var_values[k]) MISMATCH("leg %zu, variable %zu: NULL", i, k);
    }
  } else {
    if (m.nlegs || m.legs) MISMATCH("a failed parse left legs");
    if (why.len == 0) MISMATCH("a failed parse without a reason");
  }
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

static void check_manifest(const uint8_t *data, size_t size) {
  setup();
  write_file(g_manifest, data, size);
  write_file(g_include, data, size);
  static const char *const paths[] = {"src/a/Dockerfile", "*"};
  static const char *const distinct[] = {"bookworm", "ltsc2022"};
  vso_manifest_filter filters[4] = {
      {0},
      {.os_type = "linux", .architecture = "amd64"},
      {.os_type = "win*", .architecture = "arm?4", .os_versions = (const char *const[]){"*"}, .nos_versions = 1},
      {.paths = paths, .npaths = 2, .distinct_os_versions = distinct, .ndistinct = 2},
  };
  vso_manifest_result r;
  memset(&r, 0, sizeof r);
  vso_buf err = {0};
  bool ok = vso_manifest_expected(g_manifest, &filters[size % 4], &r, &err);
  if (ok) {
    for (size_t i = 0; i < r.n; i++) {
      if (!r.matrices[i].name || !r.matrices[i].name[0]) MISMATCH("matrix %zu without a name", i);
      for (size_t k = 0; k < r.matrices[i].nplatforms; k++)
        if (!r.matrices[i].platforms[k].dockerfile) MISMATCH("matrix %zu, platform %zu: no dockerfile", i, k);
    }
    for (size_t i = 0; i < r.nwarnings; i++)
      if (!r.warnings[i]) MISMATCH("warning %zu is NULL", i);
  } else if (err.len == 0) {
    MISMATCH("a failed manifest without a message");
  }
  vso_manifest_result_free(&r);
  vso_buf_free(&err);
}

/* After check_manifest wrote the input: it read as an image-info file. */
static void check_image_info(void) {
  vso_image_info ii;
  vso_buf err = {0};
  if (!vso_image_info_load(g_manifest, &ii, &err)) {
    if (err.len == 0) MISMATCH("a failed image-info without a message");
    vso_buf_free(&err);
    return;
  }
  vso_manifest_result with, without;
  memset(&with, 0, sizeof with);
  memset(&without, 0, sizeof without);
  vso_manifest_filter f = {.image_info = &ii, .vars = (const char *const[]){"v=1.0"}, .nvars = 1};
  bool a = vso_manifest_expected(g_manifest, &f, &with, &err);
  bool b = vso_manifest_expected(g_manifest, NULL, &without, &err);
  if (a != b) MISMATCH("the manifest read with --image-info %s, without %s", a ? "ok" : "failed", b ? "ok" : "failed");
  if (a && (with.n > without.n || with.nfiltered != without.nfiltered || with.nunchanged > with.nfiltered))
    MISMATCH("--image-info made %zu matrices of %zu (%zu unchanged of %zu)", with.n, without.n, with.nunchanged,
             with.nfiltered);
  vso_manifest_result_free(&with);
  vso_manifest_result_free(&without);
  vso_image_info_free(&ii);
  vso_buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_matrix(data, size);
  check_manifest(data, size);
  check_image_info();
  return 0;
}
