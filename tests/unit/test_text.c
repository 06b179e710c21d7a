/* SPDX-License-Identifier: MIT */
/* The agent's text rules, each against a table or a plain reference written
 * here: CommandStringConvertor's escaping, Boolean.TryParse, the command
 * table, and what vsorelay does to text it prints (quoting, JSON strings). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis.h"
#include "buf.h"
#include "command.h"
#include "text.h"

/* ---- escaping ------------------------------------------------------------------ */

/* The agent's Unescape: successive ordinal Replace calls. */
static void ref_replace(vso_buf *s, const char *from, const char *to) {
  vso_buf out = {0};
  size_t fl = strlen(from);
  for (size_t i = 0; i < s->len;) {
    if (s->len - i >= fl && memcmp(s->data + i, from, fl) == 0) {
      assert_true(vso_buf_append_str(&out, to));
      i += fl;
    } else {
      assert_true(vso_buf_append_char(&out, s->data[i]));
      i++;
    }
  }
  assert_true(vso_buf_reserve(&out, 0));
  vso_buf_free(s);
  *s = out;
}

static void ref_unescape(const char *p, size_t n, bool decode, vso_buf *out) {
  assert_true(vso_buf_append(out, p, n));
  ref_replace(out, "%3B", ";");
  ref_replace(out, "%0D", "\r");
  ref_replace(out, "%0A", "\n");
  ref_replace(out, "%5D", "]");
  if (decode) ref_replace(out, "%AZP25", "%");
}

static void round_trip(const char *p, size_t n) {
  vso_buf esc = {0}, back = {0};
  CHECK(vso_escape(p, n, &esc), "vso_escape failed");
  TERMINATED(&esc, "vso_escape");
  for (size_t i = 0; i < esc.len; i++)
    CHECK(esc.data[i] != ';' && esc.data[i] != '\r' && esc.data[i] != '\n' && esc.data[i] != ']',
          "escaped %s still holds byte 0x%02X at %zu", show(p, n), (unsigned char)esc.data[i], i);
  CHECK(vso_unescape(esc.data, esc.len, true, &back), "vso_unescape failed");
  TERMINATED(&back, "vso_unescape");
  CHECK(eqb(&back, p, n), "escape+unescape of %s gave %s (escaped %s)", show(p, n), show(back.data, back.len),
        show(esc.data, esc.len));

  /* and through the grammar: as data, and as a property value */
  vso_buf line = {0};
  assert_true(vso_buf_append_str(&line, "x ##vso[a.b k=") && vso_buf_append(&line, esc.data, esc.len) &&
              vso_buf_append_str(&line, ";j=1]") && vso_buf_append(&line, esc.data, esc.len));
  vso_command cmd;
  CHECK(vso_parse_command(line.data, line.len, true, &cmd, NULL), "%s does not parse", show(line.data, line.len));
  CHECK(eq(cmd.data.p, cmd.data.n, p, n), "data %s, want %s",
        show(cmd.data.p, cmd.data.n), show(p, n));
  const vso_prop *k = vso_command_prop(&cmd, "k");
  /* an empty value is dropped, and .NET's Split skips a value's leading '=' */
  size_t skip = 0;
  while (skip < n && p[skip] == '=') skip++;
  if (skip < n)
    CHECK(k && eq(k->value.p, k->value.n, p + skip, n - skip), "property %s, want %s",
          k ? show(k->value.p, k->value.n) : "(dropped)", show(p + skip, n - skip));
  else
    CHECK(!k, "an empty property value was kept");
  CHECK(cmd.nprops == (skip < n ? 2u : 1u), "%zu properties", cmd.nprops);
  vso_command_free(&cmd);
  vso_buf_free(&line);
  vso_buf_free(&esc);
  vso_buf_free(&back);
}

#define RT(s) round_trip(s, sizeof s - 1)

static void test_escape_round_trip(void **state) {
  (void)state;
  set_ctx("vso_escape/vso_unescape round trip");
  RT("");
  RT("plain");
  RT("%;\r\n]");
  RT("a;b]c\r\nd%3B%e");
  RT("%AZP25");
  RT("%AZP253B");
  RT("%3B%0D%0A%5D%25");
  RT("%%%;;;]]]\r\r\n\n");
  RT("=x");
  RT("==");
  RT("k=v=w");
  RT("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ; ]");
  RT("\xff\xfe invalid \xc0\x80");
  RT("nul\0inside;%");
  RT("100% done]");
  static const char alphabet[] = "%AZP253B0Da;\r\n]=\0\xc3\xa9 ";
  for (int t = 0; t < 3000; t++) {
    char s[40];
    size_t n = rnd_below(sizeof s);
    for (size_t i = 0; i < n; i++) s[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    round_trip(s, n);
  }
}

static void check_unescape(const char *p, size_t n, bool decode, const char *want, size_t wn) {
  vso_buf b = {0};
  CHECK(vso_unescape(p, n, decode, &b), "vso_unescape failed");
  CHECK(eqb(&b, want, wn), "unescape(%s, decode=%d) gave %s, want %s", show(p, n), decode, show(b.data, b.len),
        show(want, wn));
  TERMINATED(&b, "vso_unescape");
  vso_buf_free(&b);
}

#define UN(in, decode, want) check_unescape(in, sizeof in - 1, decode, want, sizeof want - 1)

static void test_unescape_rules(void **state) {
  (void)state;
  set_ctx("vso_unescape (docs/agent.md, \"Escaping\")");
  UN("", true, "");
  UN("%3B%0D%0A%5D", true, ";\r\n]");
  UN("%3b%0d%0a%5d", true, "%3b%0d%0a%5d"); /* case-sensitive */
  UN("%25", true, "%25");                   /* not an escape */
  UN("%AZP25", true, "%");
  UN("%AZP25", false, "%AZP25");
  UN("%AZP253B", true, "%3B"); /* the percent pass runs last */
  UN("%AZP253B", false, "%AZP253B");
  UN("%AZP25AZP25", true, "%AZP25");
  UN("%%3B", true, "%;");
  UN("%3", true, "%3");
  UN("%AZP2", true, "%AZP2");
  UN("%", true, "%");
  UN("a%0", true, "a%0");
  UN("x\0%3B\0", true, "x\0;\0");
  UN(";-%0D-%0A-%5D%AZP253B", true, ";-\r-\n-]%3B");
  /* appends to what the buffer holds */
  vso_buf b = {0};
  assert_true(vso_buf_append_str(&b, "pre:"));
  CHECK(vso_unescape("%3B", 3, true, &b) && eqb(&b, "pre:;", 5), "does not append: %s", show(b.data, b.len));
  vso_buf_free(&b);
  /* against the agent's successive Replace calls */
  static const char alphabet[] = "%AZP253B0DAa5;";
  for (int t = 0; t < 20000; t++) {
    char s[24];
    size_t n = rnd_below(sizeof s);
    for (size_t i = 0; i < n; i++) s[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    for (int d = 0; d < 2; d++) {
      vso_buf want = {0};
      ref_unescape(s, n, d, &want);
      check_unescape(s, n, d, want.data, want.len);
      vso_buf_free(&want);
    }
  }
}

static void test_escape_rules(void **state) {
  (void)state;
  set_ctx("vso_escape (CommandStringConvertor.Escape, percents on)");
  vso_buf b = {0};
  CHECK(vso_escape("50% ;]\r\n=x", 10, &b), "failed");
  CHECK(eqb(&b, "50%AZP25 %3B%5D%0D%0A=x", 23), "gave %s", show(b.data, b.len));
  vso_buf_free(&b);
  CHECK(vso_escape("", 0, &b) && eqb(&b, "", 0), "empty input gives %s", show(b.data, b.len));
  TERMINATED(&b, "vso_escape of nothing");
  vso_buf_free(&b);
}

/* ---- Boolean.TryParse ------------------------------------------------------------ */

static void test_parse_bool(void **state) {
  (void)state;
  set_ctx("vso_parse_bool");
  static const struct {
    const char *s;
    size_t n;
    bool want;
  } cases[] = {
#define B(x, w) {x, sizeof x - 1, w}
      B("true", true),
      B("TRUE", true),
      B("True", true),
      B("tRuE", true),
      B(" TRUE ", true),
      B("\ttrue\n", true),
      B("\r\n\v\ftrue \t", true),
      B("true\0", true),
      B("\0\0true\0\0", true),
      B("\0 true \0", true),
      B("\xc2\xa0true\xc2\xa0", true),           /* U+00A0 */
      B("\xc2\x85true", true),                   /* U+0085 */
      B("\xe2\x80\x83true\xe3\x80\x80", true),   /* U+2003, U+3000 */
      B("\xe1\x9a\x80true\xe2\x80\xa8", true),   /* U+1680, U+2028 */
      B("false", false),
      B("FALSE", false),
      B(" false ", false),
      B("", false),
      B(" ", false),
      B("\0", false),
      B("1", false),
      B("yes", false),
      B("on", false),
      B("t", false),
      B("tru", false),
      B("truee", false),
      B("true1", false),
      B("t rue", false),
      B("true\0x", false),
      B("\xe2\x80\x8btrue", false), /* U+200B is not white space */
      B("\xef\xbb\xbftrue", false), /* nor is U+FEFF */
      B("true\xc2", false),
      B("\xc2true", false),
      B("\"true\"", false),
#undef B
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(vso_parse_bool(cases[i].s, cases[i].n) == cases[i].want, "vso_parse_bool(%s) gave %d, want %d",
          show(cases[i].s, cases[i].n), !cases[i].want, cases[i].want);
  /* the length is what counts, not a NUL */
  CHECK(vso_parse_bool("truex", 4), "length not respected");
}

/* ---- the command table ---------------------------------------------------------- */

static void test_known_command(void **state) {
  (void)state;
  set_ctx("vso_known_command (docs/agent.md, \"Dispatch\")");
  static const struct {
    const char *area, *event;
    int want;
  } cases[] = {
      {"task", "setvariable", 1},     {"TASK", "SetVariable", 1},   {"task", "logissue", 1},
      {"task", "issue", 1},           {"task", "LogIssue", 1},      {"task", "logdetail", 1},
      {"task", "uploadsummary", 1},   {"task", "uploadfile", 1},    {"task", "addattachment", 1},
      {"task", "complete", 1},        {"task", "setprogress", 1},   {"task", "setsecret", 1},
      {"task", "debug", 1},           {"task", "settaskvariable", 1}, {"task", "setendpoint", 1},
      {"task", "prependpath", 1},     {"artifact", "associate", 1}, {"artifact", "upload", 1},
      {"build", "uploadlog", 1},      {"build", "uploadsummary", 1}, {"build", "updatebuildnumber", 1},
      {"build", "addbuildtag", 1},    {"release", "updatereleasename", 1}, {"codecoverage", "publish", 1},
      {"results", "publish", 1},      {"telemetry", "publish", 1},  {"Build", "AddBuildTag", 1},
      {"task", "foo", 0},             {"task", "", 0},              {"task", "setvariable\tvariable=a", 0},
      {"task", "setvariables", 0},    {"task", "setvariabl", 0},    {"build", "publish", 0},
      {"artifact", "setvariable", 0}, {"foo", "bar", -1},           {"area", "event", -1},
      {"", "setvariable", -1},        {"tasks", "setvariable", -1}, {"tas", "setvariable", -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = vso_known_command(cases[i].area, strlen(cases[i].area), cases[i].event, strlen(cases[i].event));
    CHECK(got == cases[i].want, "%s.%s gave %d, want %d", cases[i].area, cases[i].event, got, cases[i].want);
  }
  /* lengths, not NULs */
  CHECK(vso_known_command("taskX", 4, "setvariableY", 11) == 1, "lengths not respected");
}


static void check_quote(const vso_secrets *s, const char *in, size_t n, const char *want, size_t wn) {
  vso_buf b = {0};
  CHECK(vso_quote(s, in, n, &b), "vso_quote failed");
  TERMINATED(&b, "vso_quote");
  CHECK(eqb(&b, want, wn), "quote(%s) gave %s, want %s", show(in, n), show(b.data, b.len), show(want, wn));
  vso_buf_free(&b);
}

#define QUOTE(s, in, want) check_quote(s, in, sizeof in - 1, want, sizeof want - 1)

static bool valid_utf8(const char *p, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = vso_utf8_seq((const unsigned char *)p + i, n - i);
    if (!k) return false;
    i += k;
  }
  return true;
}

static bool holds_vso_ci(const char *p, size_t n) {
  for (size_t i = 0; i + 5 <= n; i++)
    if (p[i] == '#' && p[i + 1] == '#' && (p[i + 2] | 32) == 'v' && (p[i + 3] | 32) == 's' &&
        (p[i + 4] | 32) == 'o')
      return true;
  return false;
}

static void test_quote(void **state) {
  (void)state;
  set_ctx("vso_quote");
  vso_secrets s = {0};
  QUOTE(&s, "", "");
  QUOTE(&s, "plain text", "plain text");
  QUOTE(&s, "a\r\nb\rc\nd", "a\\r\\nb\\rc\\nd");
  QUOTE(&s, "tab\there", "tab\\there");
  QUOTE(&s, "nul\0x\x01\x1f\x7f", "nul\\x00x\\x01\\x1F\\x7F");
  QUOTE(&s, "back\\slash", "back\\\\slash");
  QUOTE(&s, "##vso[task.setvariable variable=a]b", "**vso[task.setvariable variable=a]b");
  QUOTE(&s, "x ##VsO[a.b] ##vso", "x **vso[a.b] **vso");
  QUOTE(&s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  QUOTE(&s, "bad\xff\xfe", "bad\\xFF\\xFE");
  QUOTE(&s, "cut\xe2\x82", "cut\\xE2\\x82");
  QUOTE(&s, "overlong\xc0\x80", "overlong\\xC0\\x80");
  QUOTE(&s, "surrogate\xed\xa0\x80", "surrogate\\xED\\xA0\\x80");
  QUOTE(&s, "\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* past U+10FFFF */
  QUOTE(NULL, "no secrets\n", "no secrets\\n");
  assert_true(vso_secrets_add(&s, "p@ss", 4));
  assert_true(vso_secrets_add(&s, "##vso[x.y]", 10));
  QUOTE(&s, "pw=p@ss\n", "pw=***\\n");
  QUOTE(&s, "a ##vso[x.y]z", "a ***z");
  QUOTE(&s, "##vso[task.setsecret]p@ss", "**vso[task.setsecret]***");
  /* whatever comes in: one printable line, valid UTF-8, nothing to execute */
  static const char alphabet[] = "#vsoVSO[]\r\n\t\0\\\xff\xc3\xa9p@s";
  for (int t = 0; t < 5000; t++) {
    char in[48];
    size_t n = rnd_below(sizeof in);
    for (size_t i = 0; i < n; i++) in[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    vso_buf b = {0};
    CHECK(vso_quote(&s, in, n, &b), "vso_quote failed");
    TERMINATED(&b, "vso_quote");
    bool control = false;
    for (size_t i = 0; i < b.len; i++) control |= (unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7F;
    CHECK(!control, "quote(%s) holds a control byte: %s", show(in, n), show(b.data, b.len));
    CHECK(valid_utf8(b.data, b.len), "quote(%s) is not valid UTF-8", show(in, n));
    CHECK(!holds_vso_ci(b.data, b.len), "quote(%s) still holds ##vso: %s", show(in, n), show(b.data, b.len));
    CHECK(!strstr(b.data, "p@ss"), "quote(%s) shows the secret: %s", show(in, n), show(b.data, b.len));
    vso_buf_free(&b);
  }
  vso_secrets_free(&s);
}

static void check_json(const char *in, size_t n, const char *want, size_t wn) {
  vso_buf b = {0};
  CHECK(vso_json_string(&b, in, n), "vso_json_string failed");
  TERMINATED(&b, "vso_json_string");
  CHECK(eqb(&b, want, wn), "json(%s) gave %s, want %s", show(in, n), show(b.data, b.len), show(want, wn));
  vso_buf_free(&b);
}

#define JSON(in, want) check_json(in, sizeof in - 1, want, sizeof want - 1)

static void test_json_string(void **state) {
  (void)state;
  set_ctx("vso_json_string");
  JSON("", "\"\"");
  JSON("plain", "\"plain\"");
  JSON("a\0b", "\"a\\u0000b\"");
  JSON("q\"b\\s/", "\"q\\\"b\\\\s/\"");
  JSON("\r\n\t\x01\x1f", "\"\\r\\n\\t\\u0001\\u001f\"");
  JSON("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  JSON("bad\xff", "\"bad\xef\xbf\xbd\"");
  JSON("\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  JSON("cut\xe2\x82", "\"cut\xef\xbf\xbd\xef\xbf\xbd\"");
  JSON("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  /* no "##vso", in any case, survives: its second '#' is \u0023 */
  JSON("a ##vso[x.y]z", "\"a #\\u0023vso[x.y]z\"");
  JSON("###VsO ##vso", "\"##\\u0023VsO #\\u0023vso\"");
  JSON("##vs", "\"##vs\"");
  /* appends */
  vso_buf b = {0};
  assert_true(vso_buf_append_str(&b, "{\"k\":"));
  CHECK(vso_json_string(&b, "v", 1) && eqb(&b, "{\"k\":\"v\"", 8), "does not append: %s", show(b.data, b.len));
  vso_buf_free(&b);
  /* any bytes give a JSON string that cJSON reads; valid NUL-free UTF-8 reads back as itself */
  static const char alphabet[] = "a\"\\/\r\n\t\x01\0\x7f\xff\xc3\xa9\xe2\x82\xac##vsoV";
  for (int t = 0; t < 5000; t++) {
    char in[40];
    size_t n = rnd_below(sizeof in);
    for (size_t i = 0; i < n; i++) in[i] = alphabet[rnd_below(sizeof alphabet - 1)];
    vso_buf j = {0};
    CHECK(vso_json_string(&j, in, n), "vso_json_string failed");
    CHECK(valid_utf8(j.data, j.len), "json(%s) is not valid UTF-8", show(in, n));
    cJSON *parsed = cJSON_ParseWithLength(j.data, j.len);
    CHECK(cJSON_IsString(parsed), "cJSON cannot read json(%s) = %s", show(in, n), show(j.data, j.len));
    CHECK(vso_next_keyword(j.data, j.len) == j.len, "json(%s) holds ##vso: %s", show(in, n), show(j.data, j.len));
    if (valid_utf8(in, n) && !memchr(in, '\0', n))
      CHECK(eq(parsed->valuestring, strlen(parsed->valuestring), in, n), "json(%s) reads back as %s",
            show(in, n), show(parsed->valuestring, strlen(parsed->valuestring)));
    cJSON_Delete(parsed);
    vso_buf_free(&j);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape_round_trip), cmocka_unit_test(test_unescape_rules),
      cmocka_unit_test(test_escape_rules),      cmocka_unit_test(test_parse_bool),
      cmocka_unit_test(test_known_command),     cmocka_unit_test(test_quote),
      cmocka_unit_test(test_json_string),
  };
  int failed = cmocka_run_group_tests_name("text", tests, NULL, NULL);
  printf("test_text: %lu checks\n", g_checks);
  return failed;
}
