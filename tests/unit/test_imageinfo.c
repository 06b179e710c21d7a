/* SPDX-License-Identifier: MIT */
/* ImageBuilder's image-info file (core/imageinfo.h): reading it, with
 * errors that name the JSON path, and the platforms it marks unchanged,
 * matched as ImageBuilder matches them, which --image-info then leaves out
 * of the matrices. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"
#include "manifest_harness.h"

#include "imageinfo.h"
#include "manifest.h"

#define WINDOWS_UNCHANGED VSO_SOURCE_DIR "/tests/data/imagebuilder/image-info.windows-unchanged.json"

static void test_go_images(void **state) {
  (void)state;
  vso_image_info ii;
  vso_buf err = {0};
  CHECK(vso_image_info_load(WINDOWS_UNCHANGED, &ii, &err), "load: %s", err.data ? err.data : "");
  size_t platforms = 0, unchanged = 0;
  for (size_t k = 0; k < ii.repos[0].n; k++)
    for (size_t j = 0; j < ii.repos[0].images[k].n; j++) {
      platforms++;
      unchanged += ii.repos[0].images[k].platforms[j].unchanged;
    }
  CHECK(ii.n == 1 && ii.repos[0].n == 14 && platforms == 24 && unchanged == 8, "%zu repos, %zu platforms, %zu unchanged",
        ii.n, platforms, unchanged);
  vso_manifest_filter f = {.image_info = &ii};
  vso_manifest_result r;
  CHECK(vso_manifest_expected(GO_IMAGES, &f, &r, &err), "expected: %s", err.data ? err.data : "");
  CHECK(r.n == 3 && strcmp(r.matrices[2].name, "linuxAmd64") == 0 && r.nfiltered == 24 && r.nunchanged == 8 &&
            !r.image_info_doubt,
        "%zu matrices, %zu filtered, %zu unchanged", r.n, r.nfiltered, r.nunchanged);
  vso_manifest_result_free(&r);
  /* the filters apply first: only the Windows platforms, all unchanged */
  f.os_type = "windows";
  CHECK(vso_manifest_expected(GO_IMAGES, &f, &r, &err) && r.n == 0 && r.nfiltered == 8 && r.nunchanged == 8,
        "windows only: %zu matrices", r.n);
  vso_manifest_result_free(&r);
  vso_image_info_free(&ii);
  vso_buf_free(&err);
}

static void load_fails(scratch *s, const char *json, const char *want) {
  const char *path = write_file(s, "bad.json", json);
  vso_image_info ii;
  vso_buf err = {0};
  CHECK(!vso_image_info_load(path, &ii, &err) && err.data && strstr(err.data, want), "%s: %s", json,
        err.data ? err.data : "(accepted)");
  vso_buf_free(&err);
}

static void test_malformed(void **state) {
  scratch *s = *state;
  load_fails(s, "[]", "$: expected an object");
  load_fails(s, "{\"repos\": [{\"images\": []}]}", "$.repos[0].repo: missing (required)");
  load_fails(s,
             "{\"repos\": [{\"repo\": \"r\", \"images\": [{\"platforms\": [{\"dockerfile\": \"a\", \"osType\": \"Linux\", "
             "\"osVersion\": \"x\", \"architecture\": \"amd64\", \"isUnchanged\": \"yes\"}]}]}]}",
             "$.repos[0].images[0].platforms[0].isUnchanged: expected true or false");
  load_fails(s, "{\"repos\": [{\"repo\": \"r\", \"images\": [{\"platforms\": [{\"dockerfile\": \"a\"}]}]}]}",
             "$.repos[0].images[0].platforms[0].osType: missing (required)");
  load_fails(s, "{\"repos\": [", "JSON parse error");
}

/* A manifest of one repo "r", and an image-info for it; returns how many
 * platforms were marked and whether the matching was certain. */
static size_t marked_with(scratch *s, const char *manifest, const char *info, bool *certain) {
  const char *mp = write_file(s, "manifest.json", manifest);
  const char *ip = write_file(s, "image-info.json", info);
  vso_manifest m;
  vso_image_info ii;
  vso_buf err = {0};
  CHECK(vso_manifest_load(mp, &m, &err) && vso_image_info_load(ip, &ii, &err), "load: %s", err.data ? err.data : "");
  size_t marked = 99;
  const char *why;
  *certain = vso_image_info_mark(&ii, &m, (const char *const[]){"pv=9.0"}, 1, &marked, &why);
  CHECK(*certain == (why == NULL), "why %s", why ? why : "(none)");
  vso_image_info_free(&ii);
  vso_manifest_free(&m);
  vso_buf_free(&err);
  return marked;
}

#define MANIFEST(dockerfile, pv, tags)                                                                           \
  "{\"variables\": {\"v\": \"8.0\", \"w\": \"$(v)\"}, \"repos\": [{\"name\": \"r\", \"images\": [{\"productVersion\": " \
  "\"" pv "\", \"platforms\": [{\"dockerfile\": \"" dockerfile "\", \"os\": \"linux\", \"osVersion\": \"noble\", "     \
  "\"architecture\": \"arm\", \"tags\": {" tags "}}]}]}]}"
#define INFO(repo, dockerfile, pv, ostype, arch, tags)                                                             \
  "{\"repos\": [{\"repo\": \"" repo "\", \"images\": [{\"productVersion\": \"" pv "\", \"platforms\": [{\"dockerfile\": " \
  "\"" dockerfile "\", \"osType\": \"" ostype "\", \"osVersion\": \"noble\", \"architecture\": \"" arch "\", "          \
  "\"simpleTags\": [" tags "], \"isUnchanged\": true}]}]}]}"

static void test_matching(void **state) {
  scratch *s = *state;
  bool certain;
  static const struct {
    const char *manifest, *info;
    size_t marked;
  } cases[] = {
      /* the Dockerfile: as given, or a directory's Dockerfile */
      {MANIFEST("src/a", "8.0", "\"t\": {}"), INFO("r", "src/a/Dockerfile", "8.0", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src/a/", "8.0", "\"t\": {}"), INFO("r", "src/a/Dockerfile", "8.0", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src/a/Dockerfile.alpine", "8.0", "\"t\": {}"),
       INFO("r", "src/a/Dockerfile.alpine", "8.0", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src\\\\a", "8.0", "\"t\": {}"), INFO("r", "src/a/Dockerfile", "8.0", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src/a", "8.0", "\"t\": {}"), INFO("r", "src/ab/Dockerfile", "8.0", "Linux", "arm32", "\"t\""), 0},
      /* the OS enum's name and the display name of the architecture, exactly */
      {MANIFEST("src/a", "8.0", "\"t\": {}"), INFO("r", "src/a", "8.0", "linux", "arm32", "\"t\""), 0},
      {MANIFEST("src/a", "8.0", "\"t\": {}"), INFO("r", "src/a", "8.0", "Linux", "arm", "\"t\""), 0},
      /* the same tag state */
      {MANIFEST("src/a", "8.0", ""), INFO("r", "src/a", "8.0", "Linux", "arm32", "\"t\""), 0},
      {MANIFEST("src/a", "8.0", ""), INFO("r", "src/a", "8.0", "Linux", "arm32", ""), 1},
      /* equivalent product versions: equal, or the same major.minor */
      {MANIFEST("src/a", "8.0.1", "\"t\": {}"), INFO("r", "src/a", "8.0.4", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src/a", "8.1", "\"t\": {}"), INFO("r", "src/a", "8.0", "Linux", "arm32", "\"t\""), 0},
      {MANIFEST("src/a", "8.0-preview", "\"t\": {}"), INFO("r", "src/a", "8.0", "Linux", "arm32", "\"t\""), 0},
      /* the manifest's variables, and --var over them */
      {MANIFEST("src/a", "$(w)", "\"t\": {}"), INFO("r", "src/a", "8.0", "Linux", "arm32", "\"t\""), 1},
      {MANIFEST("src/a", "$(pv)", "\"t\": {}"), INFO("r", "src/a", "9.0", "Linux", "arm32", "\"t\""), 1},
      /* the repo's name, exactly */
      {MANIFEST("src/a", "8.0", "\"t\": {}"), INFO("R", "src/a", "8.0", "Linux", "arm32", "\"t\""), 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    set_ctx("case %zu", i);
    size_t marked = marked_with(s, cases[i].manifest, cases[i].info, &certain);
    CHECK(marked == cases[i].marked && certain, "%zu marked, certain %d: %s / %s", marked, certain, cases[i].manifest,
          cases[i].info);
  }
  /* a variable that cannot be resolved: the match is a guess, and says so */
  marked_with(s, MANIFEST("src/a", "$(sys:x)", "\"t\": {}"), INFO("r", "src/a", "8.0", "Linux", "arm32", "\"t\""),
              &certain);
  CHECK(!certain, "a built-in variable resolved");
  set_ctx("%s", "");
}

/* The first entry bound to a platform decides, in the first image-info repo
 * of the name. */
static void test_first_wins(void **state) {
  scratch *s = *state;
  bool certain;
  const char *m = MANIFEST("src/a", "8.0", "\"t\": {}");
  const char *two_entries =
      "{\"repos\": [{\"repo\": \"r\", \"images\": [{\"productVersion\": \"8.0\", \"platforms\": ["
      "{\"dockerfile\": \"src/a\", \"osType\": \"Linux\", \"osVersion\": \"noble\", \"architecture\": \"arm32\", "
      "\"simpleTags\": [\"t\"]},"
      "{\"dockerfile\": \"src/a\", \"osType\": \"Linux\", \"osVersion\": \"noble\", \"architecture\": \"arm32\", "
      "\"simpleTags\": [\"t\"], \"isUnchanged\": true}]}]}]}";
  CHECK(marked_with(s, m, two_entries, &certain) == 0, "the second entry decided");
  const char *two_repos =
      "{\"repos\": [{\"repo\": \"r\", \"images\": []}, {\"repo\": \"r\", \"images\": [{\"productVersion\": \"8.0\", "
      "\"platforms\": [{\"dockerfile\": \"src/a\", \"osType\": \"Linux\", \"osVersion\": \"noble\", \"architecture\": "
      "\"arm32\", \"simpleTags\": [\"t\"], \"isUnchanged\": true}]}]}]}";
  CHECK(marked_with(s, m, two_repos, &certain) == 0, "a second repo of the name was read");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_go_images),
      cmocka_unit_test_setup_teardown(test_malformed, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(test_matching, make_scratch, remove_scratch),
      cmocka_unit_test_setup_teardown(test_first_wins, make_scratch, remove_scratch),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  printf("test_imageinfo: %lu checks\n", g_checks);
  return failed;
}
