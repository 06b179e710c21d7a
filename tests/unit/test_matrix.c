/* SPDX-License-Identifier: MIT */
/* Unit tests for core/matrix.c: which ##vso matrix values are usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

/* Parses a NUL-terminated value; returns whether it is a usable matrix and
 * leaves the reason (or "") in *why, which the caller frees. */
static bool parse(const char *value, vso_matrix *m, vso_buf *why) {
  *why = (vso_buf){0};
  bool ok = vso_matrix_parse(value, strlen(value), m, why);
  if (!why->data) vso_buf_append_str(why, "");
  return ok;
}

/* Asserts value is rejected with exactly the reason want. */
static void assert_rejected(const char *value, const char *want) {
  vso_matrix m;
  vso_buf why;
  assert_false(parse(value, &m, &why));
  assert_string_equal(why.data, want);
  assert_int_equal(m.nlegs, 0);
  assert_null(m.legs);
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

static const vso_matrix_leg *find_leg(const vso_matrix *m, const char *name) {
  for (size_t i = 0; i < m->nlegs; i++)
    if (strcmp(m->legs[i].name, name) == 0) return &m->legs[i];
  return NULL;
}

static const char *var(const vso_matrix_leg *leg, const char *name) {
  for (size_t i = 0; leg && i < leg->nvars; i++)
    if (strcmp(leg->var_names[i], name) == 0) return leg->var_values[i];
  return NULL;
}

static void strict_json_matrix(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{ \"a\": { \"v1\": \"1\", \"v2\": \"x\" }, \"b\": { \"v1\": \"2\", \"v2\": \"y\" }}", &m,
                    &why));
  assert_int_equal(m.nlegs, 2);
  assert_string_equal(m.legs[0].name, "a");
  assert_string_equal(m.legs[1].name, "b");
  assert_int_equal(m.legs[0].nvars, 2);
  assert_string_equal(var(&m.legs[0], "v2"), "x");
  assert_string_equal(var(&m.legs[1], "v1"), "2");
  assert_int_equal(why.len, 0);
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

/* MicrosoftDocs: docs/pipelines/process/phases.md, the dynamic matrix. */
static void single_quoted_docs_form(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{'a':{'myvar':'A'}, 'b':{'myvar':'B'}}", &m, &why));
  assert_int_equal(m.nlegs, 2);
  assert_string_equal(var(find_leg(&m, "a"), "myvar"), "A");
  assert_string_equal(var(find_leg(&m, "b"), "myvar"), "B");
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

static void single_quoted_with_double_quote_and_escaped_quote(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{'a':{'say':'he said \"hi\"', 'its':'it\\'s', 'bs':'a\\\\b'}}", &m, &why));
  const vso_matrix_leg *a = find_leg(&m, "a");
  assert_non_null(a);
  assert_string_equal(var(a, "say"), "he said \"hi\"");
  assert_string_equal(var(a, "its"), "it's");
  assert_string_equal(var(a, "bs"), "a\\b");
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

/* Quotes inside double-quoted strings are left alone, in both forms. */
static void mixed_quotes(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{\"a\":{\"v\":\"it's\"}}", &m, &why));
  assert_string_equal(var(find_leg(&m, "a"), "v"), "it's");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  assert_true(parse("{'a':{\"v\":\"x'y\", 'w':'z'}}", &m, &why));
  assert_string_equal(var(find_leg(&m, "a"), "v"), "x'y");
  assert_string_equal(var(find_leg(&m, "a"), "w"), "z");
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

static void empty_object_has_no_legs(void **state) {
  (void)state;
  assert_rejected("{}", "no legs");
  assert_rejected("  { }  ", "no legs");
}

static void not_json(void **state) {
  (void)state;
  assert_rejected("not json", "JSON parse error at byte 0");
  assert_rejected("", "JSON parse error at byte 0");
  assert_rejected("{\"a\":{}} x", "JSON parse error at byte 9");
  assert_rejected("{\"a\":{\"v\":\"x\"}", "JSON parse error at byte 14");
}

/* ImageBuilder does not escape values: a Windows path breaks the JSON. */
static void unescaped_backslash_is_a_parse_error(void **state) {
  (void)state;
  assert_rejected("{ \"a\": { \"p\": \"C:\\src\" } }", "JSON parse error at byte 17");
}

/* The offset of an error in the single-quoted form is the value's own. */
static void single_quoted_error_offset_maps_back(void **state) {
  (void)state;
  /* 'he said "hi"' is longer once rewritten; the error is the stray x. */
  assert_rejected("{'a':{'v':'he said \"hi\"' x}}", "JSON parse error at byte 25");
  /* cJSON stops just inside a string it cannot finish. */
  assert_rejected("{'a':{'v':'unterminated}}", "JSON parse error at byte 11");
}

static void not_an_object(void **state) {
  (void)state;
  assert_rejected("[]", "not a JSON object");
  assert_rejected("[{\"a\":{}}]", "not a JSON object");
  assert_rejected("\"text\"", "not a JSON object");
  assert_rejected("42", "not a JSON object");
  assert_rejected("null", "not a JSON object");
}

static void leg_not_an_object(void **state) {
  (void)state;
  assert_rejected("{\"x\":1}", "leg 'x' is not an object");
  assert_rejected("{\"ok\":{\"v\":\"1\"},\"x\":[\"a\"]}", "leg 'x' is not an object");
  assert_rejected("{'x':'y'}", "leg 'x' is not an object");
}

static void variable_not_a_string(void **state) {
  (void)state;
  assert_rejected("{\"x\":{\"y\":1}}", "leg 'x' variable 'y' is not a string");
  assert_rejected("{\"x\":{\"a\":\"1\",\"y\":null}}", "leg 'x' variable 'y' is not a string");
  assert_rejected("{\"x\":{\"y\":{\"z\":\"1\"}}}", "leg 'x' variable 'y' is not a string");
  assert_rejected("{\"x\":{\"y\":true}}", "leg 'x' variable 'y' is not a string");
}

/* A leg with no variables is still a leg. */
static void leg_without_variables(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{\"a\":{}}", &m, &why));
  assert_int_equal(m.nlegs, 1);
  assert_int_equal(m.legs[0].nvars, 0);
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

static void nul_bytes_are_not_a_matrix(void **state) {
  (void)state;
  static const char value[] = "{\"a\":{\"v\":\"x\0y\"}}";
  vso_matrix m;
  vso_buf why = {0};
  assert_false(vso_matrix_parse(value, sizeof value - 1, &m, &why));
  assert_string_equal(why.data, "holds a NUL byte at byte 12");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  assert_rejected("{\"a\":{\"v\":\"x\\u0000y\"}}", "a string holds an escaped NUL (\\u0000)");
  assert_rejected("{'a':{'v':'x\\u0000y'}}", "a string holds an escaped NUL (\\u0000)");
}

/* An escaped backslash before u0000 is not a NUL. */
static void escaped_backslash_then_u0000_is_text(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{\"a\":{\"v\":\"x\\\\u0000\"}}", &m, &why));
  assert_string_equal(var(find_leg(&m, "a"), "v"), "x\\u0000");
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

/* The value is not NUL-terminated: only n bytes may be read. */
static void reads_only_n_bytes(void **state) {
  (void)state;
  char *value = malloc(8);
  assert_non_null(value);
  memcpy(value, "{\"a\":{}}", 8); /* no NUL anywhere */
  vso_matrix m;
  vso_buf why = {0};
  assert_true(vso_matrix_parse(value, 8, &m, &why));
  assert_int_equal(m.nlegs, 1);
  vso_matrix_free(&m);
  vso_buf_free(&why);
  free(value);
}

static void duplicate_keys_keep_the_first(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse("{\"a\":{\"v\":\"1\",\"v\":\"2\"},\"b\":{},\"a\":{\"v\":\"3\"}}", &m, &why));
  assert_int_equal(m.nlegs, 2);
  assert_string_equal(m.legs[0].name, "a");
  assert_int_equal(m.legs[0].nvars, 1);
  assert_string_equal(m.legs[0].var_values[0], "1");
  assert_string_equal(m.legs[1].name, "b");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  /* A duplicate still has to be a valid leg. */
  assert_rejected("{\"a\":{},\"a\":7}", "leg 'a' is not an object");
}

/* Reasons stay one short line whatever the names hold. */
static void long_and_odd_names_are_cut_and_escaped(void **state) {
  (void)state;
  vso_buf value = {0};
  vso_buf_append_str(&value, "{\"");
  for (int i = 0; i < 500; i++) vso_buf_append_char(&value, 'n');
  vso_buf_append_str(&value, "\":1}");
  vso_matrix m;
  vso_buf why;
  assert_false(parse(value.data, &m, &why));
  assert_true(why.len < 100);
  assert_non_null(strstr(why.data, "nnn...' is not an object"));
  vso_matrix_free(&m);
  vso_buf_free(&why);
  vso_buf_free(&value);
  assert_rejected("{\"a\\nb'\\\\\":1}", "leg 'a\\x0ab\\x27\\x5c' is not an object");
}

static void deep_nesting_is_an_error_not_a_crash(void **state) {
  (void)state;
  vso_buf value = {0};
  for (int i = 0; i < 5000; i++) vso_buf_append_char(&value, '[');
  vso_matrix m;
  vso_buf why;
  assert_false(parse(value.data, &m, &why));
  assert_non_null(strstr(why.data, "JSON parse error at byte "));
  vso_matrix_free(&m);
  vso_buf_free(&why);
  vso_buf_free(&value);
}

/* The five values of generate-build-matrix.healthy.log (go-images,
 * docs/imagebuilder.md, "go-images"): the data after ']' on the ##vso lines. */
static const struct {
  const char *name;
  const char *value;
} healthy[] = {
    {"linuxArm32",
     "{ \"src-microsoft-1.25-bookworm\": { \"imageBuilderPaths\": \"--path src/microsoft/1.25/"
     "bookworm\", \"legName\": \"linuxarm32src-microsoft-1.25-bookworm\", \"osType\": \"linux\""
     ", \"architecture\": \"arm\", \"osVersions\": \"--os-version bookworm\" }, \"src-microsof"
     "t-1.25-bullseye\": { \"imageBuilderPaths\": \"--path src/microsoft/1.25/bullseye\", \"le"
     "gName\": \"linuxarm32src-microsoft-1.25-bullseye\", \"osType\": \"linux\", \"architectur"
     "e\": \"arm\", \"osVersions\": \"--os-version bullseye\" }, \"src-microsoft-1.26-bookworm"
     "\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/bookworm\", \"legName\": \"linu"
     "xarm32src-microsoft-1.26-bookworm\", \"osType\": \"linux\", \"architecture\": \"arm\", \""
     "osVersions\": \"--os-version bookworm\" }, \"src-microsoft-1.26-bullseye\": { \"imageBui"
     "lderPaths\": \"--path src/microsoft/1.26/bullseye\", \"legName\": \"linuxarm32src-micros"
     "oft-1.26-bullseye\", \"osType\": \"linux\", \"architecture\": \"arm\", \"osVersions\": \""
     "--os-version bullseye\" }}"},
    {"linuxArm64",
     "{ \"src-microsoft-1.25-azurelinux3.0\": { \"imageBuilderPaths\": \"--path src/microsoft/"
     "1.25/azurelinux3.0\", \"legName\": \"linuxarm64src-microsoft-1.25-azurelinux3.0\", \"osT"
     "ype\": \"linux\", \"architecture\": \"arm64\", \"osVersions\": \"--os-version azurelinux"
     "3.0\" }, \"src-microsoft-1.25-bookworm\": { \"imageBuilderPaths\": \"--path src/microsof"
     "t/1.25/bookworm\", \"legName\": \"linuxarm64src-microsoft-1.25-bookworm\", \"osType\": \""
     "linux\", \"architecture\": \"arm64\", \"osVersions\": \"--os-version bookworm\" }, \"src"
     "-microsoft-1.25-bullseye\": { \"imageBuilderPaths\": \"--path src/microsoft/1.25/bullsey"
     "e\", \"legName\": \"linuxarm64src-microsoft-1.25-bullseye\", \"osType\": \"linux\", \"ar"
     "chitecture\": \"arm64\", \"osVersions\": \"--os-version bullseye\" }, \"src-microsoft-1."
     "26-azurelinux3.0\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/azurelinux3.0\""
     ", \"legName\": \"linuxarm64src-microsoft-1.26-azurelinux3.0\", \"osType\": \"linux\", \""
     "architecture\": \"arm64\", \"osVersions\": \"--os-version azurelinux3.0\" }, \"src-micro"
     "soft-1.26-bookworm\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/bookworm\", \""
     "legName\": \"linuxarm64src-microsoft-1.26-bookworm\", \"osType\": \"linux\", \"architect"
     "ure\": \"arm64\", \"osVersions\": \"--os-version bookworm\" }, \"src-microsoft-1.26-bull"
     "seye\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/bullseye\", \"legName\": \""
     "linuxarm64src-microsoft-1.26-bullseye\", \"osType\": \"linux\", \"architecture\": \"arm6"
     "4\", \"osVersions\": \"--os-version bullseye\" }}"},
    {"linuxAmd64",
     "{ \"src-microsoft-1.25-azurelinux3.0\": { \"imageBuilderPaths\": \"--path src/microsoft/"
     "1.25/azurelinux3.0\", \"legName\": \"linuxamd64src-microsoft-1.25-azurelinux3.0\", \"osT"
     "ype\": \"linux\", \"architecture\": \"amd64\", \"osVersions\": \"--os-version azurelinux"
     "3.0\" }, \"src-microsoft-1.25-bookworm\": { \"imageBuilderPaths\": \"--path src/microsof"
     "t/1.25/bookworm\", \"legName\": \"linuxamd64src-microsoft-1.25-bookworm\", \"osType\": \""
     "linux\", \"architecture\": \"amd64\", \"osVersions\": \"--os-version bookworm\" }, \"src"
     "-microsoft-1.25-bullseye\": { \"imageBuilderPaths\": \"--path src/microsoft/1.25/bullsey"
     "e\", \"legName\": \"linuxamd64src-microsoft-1.25-bullseye\", \"osType\": \"linux\", \"ar"
     "chitecture\": \"amd64\", \"osVersions\": \"--os-version bullseye\" }, \"src-microsoft-1."
     "26-azurelinux3.0\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/azurelinux3.0\""
     ", \"legName\": \"linuxamd64src-microsoft-1.26-azurelinux3.0\", \"osType\": \"linux\", \""
     "architecture\": \"amd64\", \"osVersions\": \"--os-version azurelinux3.0\" }, \"src-micro"
     "soft-1.26-bookworm\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/bookworm\", \""
     "legName\": \"linuxamd64src-microsoft-1.26-bookworm\", \"osType\": \"linux\", \"architect"
     "ure\": \"amd64\", \"osVersions\": \"--os-version bookworm\" }, \"src-microsoft-1.26-bull"
     "seye\": { \"imageBuilderPaths\": \"--path src/microsoft/1.26/bullseye\", \"legName\": \""
     "linuxamd64src-microsoft-1.26-bullseye\", \"osType\": \"linux\", \"architecture\": \"amd6"
     "4\", \"osVersions\": \"--os-version bullseye\" }}"},
    {"windowsLtsc2025Amd64",
     "{ \"src-microsoft-1.25-windowsservercore-ltsc2025-graph\": { \"imageBuilderPaths\": \"--"
     "path src/microsoft/1.25/windows/windowsservercore-ltsc2025 --path src/microsoft/1.25/win"
     "dows/nanoserver-ltsc2025\", \"legName\": \"windows-ltsc2025amd64src-microsoft-1.25-windo"
     "wsservercore-ltsc2025-graph\", \"osType\": \"windows\", \"architecture\": \"amd64\", \"o"
     "sVersions\": \"--os-version windowsservercore-ltsc2025 --os-version nanoserver-ltsc2025\""
     " }, \"src-microsoft-1.26-windowsservercore-ltsc2025-graph\": { \"imageBuilderPaths\": \""
     "--path src/microsoft/1.26/windows/windowsservercore-ltsc2025 --path src/microsoft/1.26/w"
     "indows/nanoserver-ltsc2025\", \"legName\": \"windows-ltsc2025amd64src-microsoft-1.26-win"
     "dowsservercore-ltsc2025-graph\", \"osType\": \"windows\", \"architecture\": \"amd64\", \""
     "osVersions\": \"--os-version windowsservercore-ltsc2025 --os-version nanoserver-ltsc2025"
     "\" }}"},
    {"windowsLtsc2022Amd64",
     "{ \"src-microsoft-1.25-windowsservercore-ltsc2022-graph\": { \"imageBuilderPaths\": \"--"
     "path src/microsoft/1.25/windows/windowsservercore-ltsc2022 --path src/microsoft/1.25/win"
     "dows/nanoserver-ltsc2022\", \"legName\": \"windows-ltsc2022amd64src-microsoft-1.25-windo"
     "wsservercore-ltsc2022-graph\", \"osType\": \"windows\", \"architecture\": \"amd64\", \"o"
     "sVersions\": \"--os-version windowsservercore-ltsc2022 --os-version nanoserver-ltsc2022\""
     " }, \"src-microsoft-1.26-windowsservercore-ltsc2022-graph\": { \"imageBuilderPaths\": \""
     "--path src/microsoft/1.26/windows/windowsservercore-ltsc2022 --path src/microsoft/1.26/w"
     "indows/nanoserver-ltsc2022\", \"legName\": \"windows-ltsc2022amd64src-microsoft-1.26-win"
     "dowsservercore-ltsc2022-graph\", \"osType\": \"windows\", \"architecture\": \"amd64\", \""
     "osVersions\": \"--os-version windowsservercore-ltsc2022 --os-version nanoserver-ltsc2022"
     "\" }}"},
};

static void healthy_log_values_are_matrices(void **state) {
  (void)state;
  static const size_t want_legs[] = {4, 6, 6, 2, 2};
  for (size_t i = 0; i < sizeof healthy / sizeof healthy[0]; i++) {
    vso_matrix m;
    vso_buf why;
    assert_true(parse(healthy[i].value, &m, &why));
    assert_int_equal(m.nlegs, want_legs[i]);
    for (size_t k = 0; k < m.nlegs; k++) {
      assert_int_equal(m.legs[k].nvars, 5);
      assert_string_equal(m.legs[k].var_names[0], "imageBuilderPaths");
      assert_string_equal(m.legs[k].var_names[4], "osVersions");
    }
    vso_matrix_free(&m);
    vso_buf_free(&why);
  }
}

static void healthy_log_leg_names(void **state) {
  (void)state;
  vso_matrix m;
  vso_buf why;
  assert_true(parse(healthy[0].value, &m, &why)); /* linuxArm32 */
  assert_string_equal(m.legs[0].name, "src-microsoft-1.25-bookworm");
  assert_string_equal(m.legs[3].name, "src-microsoft-1.26-bullseye");
  assert_string_equal(var(&m.legs[0], "legName"), "linuxarm32src-microsoft-1.25-bookworm");
  assert_string_equal(var(&m.legs[0], "architecture"), "arm");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  assert_true(parse(healthy[1].value, &m, &why)); /* linuxArm64 */
  assert_string_equal(m.legs[0].name, "src-microsoft-1.25-azurelinux3.0");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  assert_true(parse(healthy[3].value, &m, &why)); /* windowsLtsc2025Amd64 */
  assert_string_equal(m.legs[0].name, "src-microsoft-1.25-windowsservercore-ltsc2025-graph");
  assert_string_equal(m.legs[1].name, "src-microsoft-1.26-windowsservercore-ltsc2025-graph");
  assert_string_equal(var(&m.legs[0], "osVersions"),
                      "--os-version windowsservercore-ltsc2025 --os-version nanoserver-ltsc2025");
  vso_matrix_free(&m);
  vso_buf_free(&why);
  assert_true(parse(healthy[4].value, &m, &why)); /* windowsLtsc2022Amd64 */
  assert_string_equal(m.legs[1].name, "src-microsoft-1.26-windowsservercore-ltsc2022-graph");
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

/* A cut-off line (as a truncated log would give) is a parse error. */
static void truncated_healthy_value_is_a_parse_error(void **state) {
  (void)state;
  size_t n = strlen(healthy[2].value) / 2;
  vso_matrix m;
  vso_buf why = {0};
  assert_false(vso_matrix_parse(healthy[2].value, n, &m, &why));
  char want[64];
  snprintf(want, sizeof want, "JSON parse error at byte %zu", n);
  assert_string_equal(why.data, want);
  vso_matrix_free(&m);
  vso_buf_free(&why);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(strict_json_matrix),
      cmocka_unit_test(single_quoted_docs_form),
      cmocka_unit_test(single_quoted_with_double_quote_and_escaped_quote),
      cmocka_unit_test(mixed_quotes),
      cmocka_unit_test(empty_object_has_no_legs),
      cmocka_unit_test(not_json),
      cmocka_unit_test(unescaped_backslash_is_a_parse_error),
      cmocka_unit_test(single_quoted_error_offset_maps_back),
      cmocka_unit_test(not_an_object),
      cmocka_unit_test(leg_not_an_object),
      cmocka_unit_test(variable_not_a_string),
      cmocka_unit_test(leg_without_variables),
      cmocka_unit_test(nul_bytes_are_not_a_matrix),
      cmocka_unit_test(escaped_backslash_then_u0000_is_text),
      cmocka_unit_test(reads_only_n_bytes),
      cmocka_unit_test(duplicate_keys_keep_the_first),
      cmocka_unit_test(long_and_odd_names_are_cut_and_escaped),
      cmocka_unit_test(deep_nesting_is_an_error_not_a_crash),
      cmocka_unit_test(healthy_log_values_are_matrices),
      cmocka_unit_test(healthy_log_leg_names),
      cmocka_unit_test(truncated_healthy_value_is_a_parse_error),
  };
  return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
