/* SPDX-License-Identifier: MIT */
/* settableVariables and restricted mode (docs/agent.md, "Restrictions"):
 * the vectors of tests/data/azure-agent-vectors.json, and the glob matcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "policy.h"

static cJSON *load_vectors(void) {
  vso_buf b = {0};
  assert_int_equal(vso_read_file(VSO_SOURCE_DIR "/tests/data/azure-agent-vectors.json", SIZE_MAX, &b), 0);
  cJSON *root = cJSON_ParseWithLength(b.data, b.len);
  vso_buf_free(&b);
  assert_non_null(root);
  return root;
}

/* The agent's settableVariables, one restriction set per --allow-variables. */
static void settable_variables_vectors(void **state) {
  (void)state;
  cJSON *root = load_vectors();
  cJSON *cases = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "settable_variables"), "cases");
  assert_true(cJSON_GetArraySize(cases) >= 8);
  int index = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cases) {
    vso_policy p = {0};
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(c, "restrictions"), *set;
    cJSON_ArrayForEach(set, sets) {
      const cJSON *list = cJSON_GetObjectItemCaseSensitive(set, "settableVariables");
      if (cJSON_IsNull(list)) continue; /* a restriction without settableVariables allows all */
      vso_buf joined = {0};
      const cJSON *pat;
      cJSON_ArrayForEach(pat, list) {
        if (joined.len) vso_buf_append_char(&joined, ',');
        vso_buf_append_str(&joined, pat->valuestring);
      }
      assert_true(vso_policy_add_set(&p, joined.data ? joined.data : ""));
      vso_buf_free(&joined);
    }
    const cJSON *name;
    cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(c, "allowed")) {
      if (!vso_policy_allows_variable(&p, name->valuestring, strlen(name->valuestring)))
        fail_msg("case %d: '%s' should be allowed", index, name->valuestring);
    }
    cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(c, "refused")) {
      if (vso_policy_allows_variable(&p, name->valuestring, strlen(name->valuestring)))
        fail_msg("case %d: '%s' should be refused", index, name->valuestring);
    }
    vso_policy_free(&p);
    index++;
  }
  cJSON_Delete(root);
}

static void glob_matching(void **state) {
  (void)state;
  assert_true(vso_glob_match("my*", "MY", 2));
  assert_false(vso_glob_match("*", "", 0)); /* Minimatch's (?=.): a * part never matches "" */
  assert_true(vso_glob_match("a*b*c", "aXXbYYc", 7));
  assert_false(vso_glob_match("a*b*c", "aXXbYY", 6));
  assert_true(vso_glob_match("linux?md64", "LinuxAmd64", 10));
  assert_true(vso_glob_match("[lw]*Amd64", "windowsLtsc2022Amd64", 20));
  assert_false(vso_glob_match("[!lw]*", "linuxArm32", 10));
  assert_true(vso_glob_match("[a-c]x", "Bx", 2));
  assert_true(vso_glob_match("a[b", "a[b", 3)); /* an unclosed class is literal */
  assert_false(vso_glob_match("abc", "abcd", 4));
  assert_false(vso_glob_match("", "a", 1));
}

static void restricted_commands(void **state) {
  (void)state;
  vso_policy p = {.restricted = true};
  assert_true(vso_policy_allows_command(&p, "task", 4, "setvariable", 11));
  assert_true(vso_policy_allows_command(&p, "TASK", 4, "LogIssue", 8));
  assert_true(vso_policy_allows_command(&p, "task", 4, "issue", 5));
  assert_true(vso_policy_allows_command(&p, "telemetry", 9, "publish", 7));
  assert_false(vso_policy_allows_command(&p, "build", 5, "addbuildtag", 11));
  assert_false(vso_policy_allows_command(&p, "task", 4, "uploadsummary", 13));
  assert_false(vso_policy_allows_command(&p, "artifact", 8, "upload", 6));
  vso_policy open_policy = {0};
  assert_true(vso_policy_allows_command(&open_policy, "build", 5, "addbuildtag", 11));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(settable_variables_vectors),
      cmocka_unit_test(glob_matching),
      cmocka_unit_test(restricted_commands),
  };
  return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
