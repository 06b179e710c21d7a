/* SPDX-License-Identifier: MIT */
/* The parser against the machine-readable test vectors
 * (tests/data/azure-agent-vectors.json, whose provenance is docs/agent.md),
 * and secret masking.  The other text helpers are in test_text.c.
 *
 * Each vector is its own cmocka test, named after its id, so a failure says
 * which vector and what the code returned. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "command.h"
#include "file.h"
#include "scan.h"
#include "text.h"

#ifndef VSO_SOURCE_DIR
#error "VSO_SOURCE_DIR must name the source tree"
#endif

static bool eqs(const vso_slice *s, const char *want) { return eq(s->p, s->n, want, strlen(want)); }

/* ---- JSON access ---------------------------------------------------------- */

static const cJSON *item(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *str_item(const cJSON *obj, const char *key) {
  const cJSON *v = item(obj, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool bool_item(const cJSON *obj, const char *key, bool dflt) {
  const cJSON *v = item(obj, key);
  return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

/* ---- analysis helpers ------------------------------------------------------ */

static size_t count_diags(const vso_analysis *a, vso_severity sev) {
  size_t n = 0;
  for (size_t i = 0; i < a->ndiags; i++) n += a->diags[i].severity == sev;
  return n;
}

/* Runs the line through a held-mode scanner, as the relay does, and hands
 * each held line to the analysis. */
typedef struct scan_ctx {
  vso_analysis *a;
  size_t held;
  vso_line_kind kind;
} scan_ctx;

static void sc_pass(void *ctx, const char *p, size_t n) {
  (void)ctx;
  (void)p;
  (void)n;
}

static void sc_line(void *ctx, const vso_line *l) {
  scan_ctx *c = ctx;
  c->held++;
  c->kind = vso_analysis_line(c->a, l, "scanned").kind;
}

static size_t scan_into(vso_analysis *a, const char *text, size_t n, vso_line_kind *kind) {
  scan_ctx c = {.a = a, .kind = VSO_LINE_NOT_COMMAND};
  vso_scan_sink sink = {.ctx = &c, .pass = sc_pass, .line = sc_line};
  vso_scanner s;
  vso_scanner_init(&s, &sink, 0);
  vso_scanner_feed(&s, text, n);
  vso_scanner_finish(&s);
  vso_scanner_free(&s);
  if (kind) *kind = c.kind;
  return c.held;
}

/* The whole line, as whole-line mode hands it over: the command's prefix
 * found once, here. */
static vso_line_kind analyse_line(vso_analysis *a, const char *text, size_t n) {
  ptrdiff_t at = vso_find_prefix(text, n);
  vso_line line = {.text = text, .len = n, .command_at = at < 0 ? n : (size_t)at, .term = "", .line_no = 7};
  return vso_analysis_line(a, &line, "vector").kind;
}

/* ---- agent_parse ---------------------------------------------------------- */

static void check_setvariable(const char *line, bool decode, const cJSON *want, bool via_scanner) {
  const char *how = via_scanner ? "scanned line" : "whole line";
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = decode});
  vso_line_kind kind;
  if (via_scanner) {
    size_t held = scan_into(&a, line, strlen(line), &kind);
    CHECK(held == 1, "%s: the scanner held %zu lines, want 1", how, held);
  } else {
    kind = analyse_line(&a, line, strlen(line));
  }
  CHECK(kind == VSO_LINE_SETVARIABLE, "%s: vso_analysis_line gave kind %d, want VSO_LINE_SETVARIABLE",
        how, (int)kind);
  CHECK(a.nsetvars == 1, "%s: %zu setvariables recorded, want 1", how, a.nsetvars);
  const vso_setvar *sv = &a.setvars[0];
  const cJSON *name = item(want, "variable");
  const char *value = str_item(want, "value");
  const char *error = str_item(want, "error");
  if (cJSON_IsNull(name)) {
    CHECK(sv->name.p == NULL, "%s: variable name %s, want none (MissingVariableName)", how,
          show(sv->name.p, sv->name.n));
  } else {
    CHECK(cJSON_IsString(name), "vector without a variable name");
    CHECK(eqs(&sv->name, name->valuestring), "%s: variable %s, want %s", how, show(sv->name.p, sv->name.n),
          show(name->valuestring, strlen(name->valuestring)));
    /* names are case-insensitive for later lookups */
    const vso_setvar *last = vso_analysis_last(&a, name->valuestring, strlen(name->valuestring));
    CHECK(last == sv, "%s: vso_analysis_last does not find %s", how, name->valuestring);
    char upper[256];
    size_t un = strlen(name->valuestring);
    CHECK(un < sizeof upper, "name too long");
    for (size_t i = 0; i <= un; i++) {
      char ch = name->valuestring[i];
      upper[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    CHECK(vso_analysis_last(&a, upper, un) == sv, "%s: lookup of %s is not case-insensitive", how, upper);
  }
  CHECK(value && eqs(&sv->value, value), "%s: value %s, want %s", how, show(sv->value.p, sv->value.n),
        show(value, value ? strlen(value) : 0));
  CHECK(sv->is_secret == bool_item(want, "isSecret", false), "%s: isSecret %d, want %d", how, sv->is_secret,
        bool_item(want, "isSecret", false));
  CHECK(sv->is_output == bool_item(want, "isOutput", false), "%s: isOutput %d, want %d", how, sv->is_output,
        bool_item(want, "isOutput", false));
  CHECK(sv->is_readonly == bool_item(want, "isReadOnly", false), "%s: isReadOnly %d, want %d", how,
        sv->is_readonly, bool_item(want, "isReadOnly", false));
  if (error) {
    CHECK(sv->rejected, "%s: not rejected, but the agent fails the step (%s)", how, error);
    CHECK(count_diags(&a, VSO_ERROR) == 1, "%s: %zu error diagnostics, want 1 (%s)", how,
          count_diags(&a, VSO_ERROR), error);
  } else {
    CHECK(!sv->rejected, "%s: rejected, but the agent sets the variable", how);
    CHECK(a.ndiags == 0, "%s: %zu diagnostics for a valid setvariable (first: %s)", how, a.ndiags,
          a.ndiags ? a.diags[0].message : "");
  }
  /* the raw copy is the command from "##vso[" on */
  const char *at = strstr(line, "##vso[");
  CHECK(at && eq(sv->raw.p, sv->raw.n, at, strlen(at)), "%s: raw %s", how, show(sv->raw.p, sv->raw.n));
  if (sv->is_secret && value && *value) {
    vso_buf m = {0};
    assert_true(vso_mask(&a.secrets, value, strlen(value), &m));
    CHECK(eqb(&m, "***", 3), "%s: the secret value is not registered for masking: %s", how,
          show(m.data, m.len));
    vso_buf_free(&m);
  }
  vso_analysis_free(&a);
}

/* A line the agent prints as text: the analysis reads it as text too (only
 * a line holding "##vso[" reaches it), with the agent's one warning. */
static void check_not_a_command(const char *line, bool decode) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = decode});
  vso_line_kind kind;
  size_t held = scan_into(&a, line, strlen(line), &kind);
  bool has_prefix = strstr(line, "##vso[") != NULL;
  CHECK(held == (has_prefix ? 1u : 0u), "the scanner held %zu lines", held);
  if (held) {
    CHECK(kind == VSO_LINE_NOT_COMMAND, "analysis kind %d, want VSO_LINE_NOT_COMMAND", (int)kind);
    CHECK(count_diags(&a, VSO_WARNING) == 1 && count_diags(&a, VSO_ERROR) == 0,
          "want exactly one warning (the agent's CommandKeywordDetected), got %zu diagnostics", a.ndiags);
  }
  CHECK(a.commands == 0 && a.nsetvars == 0, "counted as a command");
  vso_analysis_free(&a);
}

/* Every property the vector wants, spelled as wanted, found case-insensitively. */
static void check_properties(const vso_command *cmd, const cJSON *props) {
  size_t nwant = (size_t)cJSON_GetArraySize(props);
  CHECK(cmd->nprops == nwant, "%zu properties, want %zu", cmd->nprops, nwant);
  const cJSON *p;
  cJSON_ArrayForEach(p, props) {
    const char *key = p->string;
    size_t kn = strlen(key);
    const vso_prop *found = NULL;
    for (size_t i = 0; i < cmd->nprops; i++)
      if (eq(cmd->props[i].key.p, cmd->props[i].key.n, key, kn)) found = &cmd->props[i];
    if (!found) {
      const vso_prop *ci = vso_command_prop(cmd, key);
      CHECK(found, "no property spelled %s (case-insensitive match: %s)", show(key, kn),
            ci ? show(ci->key.p, ci->key.n) : "none");
    }
    CHECK(cJSON_IsString(p), "malformed property");
    CHECK(eqs(&found->value, p->valuestring), "property %s = %s, want %s", show(key, kn),
          show(found->value.p, found->value.n), show(p->valuestring, strlen(p->valuestring)));
    /* lookups are case-insensitive */
    char flipped[128];
    CHECK(kn < sizeof flipped, "key too long");
    for (size_t i = 0; i <= kn; i++) {
      char ch = key[i];
      flipped[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
    CHECK(vso_command_prop(cmd, flipped) == found, "vso_command_prop(%s) does not find %s",
          show(flipped, kn), show(key, kn));
  }
}

/* A command other than task.setvariable: counted, and diagnosed as the
 * agent would (unknown area: a warning; known area, unknown event: the
 * step fails). */
static void check_other_command(const char *line, bool decode, int known) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = decode});
  vso_line_kind kind = analyse_line(&a, line, strlen(line));
  CHECK(kind == VSO_LINE_COMMAND, "analysis kind %d, want VSO_LINE_COMMAND", (int)kind);
  CHECK(a.commands == 1 && a.nsetvars == 0, "commands %llu setvars %zu", (unsigned long long)a.commands,
        a.nsetvars);
  CHECK(count_diags(&a, VSO_ERROR) == (known == 0 ? 1u : 0u), "%zu errors for known=%d",
        count_diags(&a, VSO_ERROR), known);
  CHECK(count_diags(&a, VSO_WARNING) == (known == -1 ? 1u : 0u), "%zu warnings for known=%d",
        count_diags(&a, VSO_WARNING), known);
  vso_analysis_free(&a);
}

static void test_agent_parse(void **state) {
  const cJSON *v = *state;
  const char *id = str_item(v, "id");
  set_ctx("agent_parse vector %s", id ? id : "?");
  const char *line = str_item(v, "line");
  const cJSON *want = item(v, "expect");
  CHECK(line && cJSON_IsObject(want), "malformed vector");
  bool decode = bool_item(v, "decodePercents", true);
  bool is_cmd = bool_item(want, "isCommand", false);

  vso_command cmd;
  bool oom = true;
  bool got = vso_parse_command(line, strlen(line), decode, &cmd, &oom);
  CHECK(!oom, "out of memory reported");
  CHECK(got == is_cmd, "vso_parse_command returned %s, want %s (line %s)", got ? "a command" : "not a command",
        is_cmd ? "a command" : "not a command", show(line, strlen(line)));
  if (!is_cmd) {
    CHECK(cmd.area.p == NULL && cmd.event.p == NULL && cmd.nprops == 0 && cmd.data.p == NULL,
          "*out not left empty for a non-command");
    check_not_a_command(line, decode);
    return;
  }

  const char *area = str_item(want, "area"), *event = str_item(want, "event"), *data = str_item(want, "data");
  CHECK(area && event && data, "malformed vector");
  CHECK(eqs(&cmd.area, area), "area %s, want %s", show(cmd.area.p, cmd.area.n), show(area, strlen(area)));
  CHECK(eqs(&cmd.event, event), "event %s, want %s", show(cmd.event.p, cmd.event.n),
        show(event, strlen(event)));
  CHECK(eqs(&cmd.data, data), "data %s, want %s", show(cmd.data.p, cmd.data.n), show(data, strlen(data)));
  CHECK(cmd.data.p != NULL, "data is NULL (want an empty string at least)");
  check_properties(&cmd, item(want, "properties"));

  int known = vso_known_command(cmd.area.p, cmd.area.n, cmd.event.p, cmd.event.n);
  const cJSON *sv = item(want, "setvariable");
  if (sv) {
    CHECK(known == 1, "vso_known_command gives %d for a setvariable", known);
    check_setvariable(line, decode, sv, false);
    check_setvariable(line, decode, sv, true);
  } else {
    check_other_command(line, decode, known);
  }
  vso_command_free(&cmd);
  CHECK(cmd.props == NULL && cmd.area.p == NULL, "vso_command_free leaves pointers");
}

/* ---- deactivate_vso ------------------------------------------------------- */

static void test_deactivate(void **state) {
  const cJSON *c = *state;
  const cJSON *in = cJSON_GetArrayItem(c, 0);
  const cJSON *out = cJSON_GetArrayItem(c, 1);
  const char *input = cJSON_IsString(in) ? in->valuestring : NULL;
  set_ctx("deactivate_vso case %s", input ? show(input, strlen(input)) : "null");
  CHECK(cJSON_IsString(out) && (input || cJSON_IsNull(in)), "malformed case");
  vso_buf b = {0};
  CHECK(vso_deactivate(input, input ? strlen(input) : 0, &b), "vso_deactivate failed");
  CHECK(eqb(&b, out->valuestring, strlen(out->valuestring)), "gave %s, want %s", show(b.data, b.len),
        show(out->valuestring, strlen(out->valuestring)));
  TERMINATED(&b, "vso_deactivate");
  vso_buf_free(&b);
}

/* ---- tasklib_format --------------------------------------------------------- */

static void expect_setvar(const char *line, const char *name, const char *value, bool secret, bool output,
                          bool rejected) {
  vso_analysis a;
  vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
#ifdef _WIN32 /* the vectors come from an agent on Linux: on Windows only a CR LF makes a secret multi-line */
  if (rejected && *name && !strstr(value, "\r\n")) rejected = false;
#endif
  vso_line_kind kind;
  size_t held = scan_into(&a, line, strlen(line), &kind);
  CHECK(held == 1 && kind == VSO_LINE_SETVARIABLE && a.nsetvars == 1, "%s: not read as one setvariable",
        show(line, strlen(line)));
  const vso_setvar *sv = &a.setvars[0];
  if (*name)
    CHECK(eqs(&sv->name, name), "name %s, want %s", show(sv->name.p, sv->name.n), show(name, strlen(name)));
  else
    CHECK(sv->name.p == NULL, "name %s, want none", show(sv->name.p, sv->name.n));
  CHECK(eqs(&sv->value, value), "value %s, want %s", show(sv->value.p, sv->value.n),
        show(value, strlen(value)));
  CHECK(sv->is_secret == secret, "isSecret %d, want %d", sv->is_secret, secret);
  CHECK(sv->is_output == output, "isOutput %d, want %d", sv->is_output, output);
  CHECK(!sv->is_readonly, "isReadOnly set");
  CHECK(sv->rejected == rejected, "rejected %d, want %d", sv->rejected, rejected);
  CHECK(count_diags(&a, VSO_ERROR) == (rejected ? 1u : 0u), "%zu error diagnostics",
        count_diags(&a, VSO_ERROR));
  vso_analysis_free(&a);
}

static void test_tasklib_format(void **state) {
  const cJSON *v = *state;
  const char *id = str_item(v, "id");
  set_ctx("tasklib_format vector %s", id ? id : "?");
  const char *name = str_item(v, "name"), *value = str_item(v, "value");
  const char *line = str_item(v, "expect"), *error = str_item(v, "expect_error");
  CHECK(name && value && (line || error), "malformed vector");
  bool secret = bool_item(v, "secret", false), output = bool_item(v, "isOutput", false);
  if (line) {
    expect_setvar(line, name, value, secret, output, false);
  } else {
    /* task-lib refuses to print it; written the agent's way, the agent fails the step */
    vso_buf l = {0};
    assert_true(vso_buf_append_str(&l, "##vso[task.setvariable variable=") &&
                vso_escape(name, strlen(name), &l) &&
                vso_buf_append_str(&l, output ? ";isOutput=true" : ";isOutput=false") &&
                vso_buf_append_str(&l, secret ? ";issecret=true;]" : ";issecret=false;]") &&
                vso_escape(value, strlen(value), &l));
    expect_setvar(l.data, name, value, secret, output, true);
    vso_buf_free(&l);
  }
  const cJSON *lines = item(v, "expect_lines"), *each;
  cJSON_ArrayForEach(each, lines) {
    CHECK(cJSON_IsString(each), "malformed expect_lines");
    vso_command cmd;
    bool ok = vso_parse_command(each->valuestring, strlen(each->valuestring), true, &cmd, NULL);
    CHECK(ok, "%s does not parse", show(each->valuestring, strlen(each->valuestring)));
    CHECK(vso_known_command(cmd.area.p, cmd.area.n, cmd.event.p, cmd.event.n) == 1, "%s is not known",
          show(each->valuestring, strlen(each->valuestring)));
    vso_command_free(&cmd);
  }
}

/* ---- tasklib_command: task-lib's own lines read back by the agent grammar ---- */

static void test_tasklib_command(void **state) {
  const cJSON *v = *state;
  const char *id = str_item(v, "id");
  set_ctx("tasklib_command vector %s", id ? id : "?");
  const char *command = str_item(v, "command"), *message = str_item(v, "message"), *line = str_item(v, "expect");
  CHECK(command && message && line, "malformed vector");
  vso_command cmd;
  bool ok = vso_parse_command(line, strlen(line), true, &cmd, NULL);
  CHECK(ok, "%s does not parse", show(line, strlen(line)));
  const char *dot = strchr(command, '.');
  CHECK(dot, "malformed command");
  CHECK(eq(cmd.area.p, cmd.area.n, command, (size_t)(dot - command)) && eqs(&cmd.event, dot + 1),
        "command %s.%s, want %s", show(cmd.area.p, cmd.area.n), show(cmd.event.p, cmd.event.n), command);
  CHECK(eqs(&cmd.data, message), "data %s, want %s", show(cmd.data.p, cmd.data.n),
        show(message, strlen(message)));
  /* task-lib drops falsy values and joins arrays with ',' */
  size_t nwant = 0;
  const cJSON *p;
  cJSON_ArrayForEach(p, item(v, "properties")) {
    char joined[256] = "";
    if (cJSON_IsArray(p)) {
      const cJSON *e;
      cJSON_ArrayForEach(e, p) {
        if (joined[0]) strcat(joined, ",");
        strncat(joined, e->valuestring, sizeof joined - strlen(joined) - 1);
      }
    } else {
      snprintf(joined, sizeof joined, "%s", p->valuestring);
    }
    if (!joined[0]) continue;
    nwant++;
    const vso_prop *found = vso_command_prop(&cmd, p->string);
    CHECK(found && eqs(&found->key, p->string) && eqs(&found->value, joined), "property %s = %s, want %s",
          p->string, found ? show(found->value.p, found->value.n) : "(missing)", show(joined, strlen(joined)));
  }
  CHECK(cmd.nprops == nwant, "%zu properties, want %zu", cmd.nprops, nwant);
  vso_command_free(&cmd);
}

/* ---- secrets, quoting, JSON -------------------------------------------------------- */

static void check_mask(const vso_secrets *s, const char *in, size_t n, const char *want, size_t wn) {
  vso_buf b = {0};
  CHECK(vso_mask(s, in, n, &b), "vso_mask failed");
  TERMINATED(&b, "vso_mask");
  CHECK(eqb(&b, want, wn), "mask(%s) gave %s, want %s", show(in, n), show(b.data, b.len), show(want, wn));
  vso_buf_free(&b);
}

#define MASK(s, in, want) check_mask(s, in, sizeof in - 1, want, sizeof want - 1)

static void test_mask(void **state) {
  (void)state;
  set_ctx("vso_mask");
  vso_secrets s = {0};
  CHECK(vso_secrets_empty(&s), "not empty at first");
  MASK(&s, "nothing to hide", "nothing to hide");
  MASK(NULL, "no set at all", "no set at all");
  CHECK(vso_secrets_add(&s, "", 0) && vso_secrets_empty(&s), "an empty secret was registered");
  CHECK(vso_secrets_add(&s, "abc", 3), "add");
  CHECK(vso_secrets_add(&s, "abcdef", 6), "add");
  CHECK(vso_secrets_add(&s, "abc", 3) && s.n == 2, "duplicate kept: %zu secrets", s.n);
  CHECK(vso_secrets_add(&s, "n\0l", 3), "add with NUL");
  CHECK(!vso_secrets_empty(&s), "empty after adds");
  MASK(&s, "abc", "***");
  MASK(&s, "xxabcdefyy", "xx***yy"); /* the longest secret wins */
  MASK(&s, "abcabc", "***"); /* touching ranges merge (SecretMaskerL0 ReplacesMultipleAdjacentInstances) */
  MASK(&s, "ab cab", "ab cab");
  MASK(&s, "abcde", "***de");
  MASK(&s, "ABC", "ABC"); /* case-sensitive */
  MASK(&s, "1n\0l2", "1***2");
  MASK(&s, "n\0", "n\0");
  MASK(&s, "", "");
  /* appends */
  vso_buf b = {0};
  assert_true(vso_buf_append_str(&b, ">"));
  CHECK(vso_mask(&s, "abc", 3, &b) && eqb(&b, ">***", 4), "does not append: %s", show(b.data, b.len));
  vso_buf_free(&b);
  vso_secrets_free(&s);
  /* secrets that all start with one byte (found with memchr) */
  vso_secrets one = {0};
  CHECK(vso_secrets_add(&one, "tok3n", 5) && vso_secrets_add(&one, "tok", 3), "add");
  MASK(&one, "a tok3n, a tok, a to", "a ***, a ***, a to");
  MASK(&one, "tttok3n", "tt***");
  /* in pieces: what may begin a secret waits for the next bytes */
  size_t done = 0;
  CHECK(vso_mask_complete(&one, "x tok3", 6, &b, &done) && done == 2 && eqb(&b, "x ", 2),
        "partial tail: done %zu, %s", done, show(b.data, b.len));
  vso_buf_clear(&b);
  CHECK(vso_mask_complete(&one, "tok3n y tok", 11, &b, &done) && done == 8 && eqb(&b, "*** y ", 6),
        "completed: done %zu, %s", done, show(b.data, b.len));
  vso_buf_clear(&b);
  CHECK(vso_mask_complete(&one, "tok y", 5, &b, &done) && done == 5 && eqb(&b, "*** y", 5),
        "a whole shorter secret once the longer one cannot match: done %zu, %s", done, show(b.data, b.len));
  vso_buf_free(&b);
  vso_secrets_free(&one);
  CHECK(s.n == 0 && s.items == NULL, "not reset by free");
}
/* ---- main: one test per vector ------------------------------------------------------ */

typedef struct test_list {
  struct CMUnitTest *tests;
  size_t n, cap;
  char **names;
} test_list;

static void add_test(test_list *l, const char *prefix, const char *id, CMUnitTestFunction fn, void *state) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->tests = realloc(l->tests, l->cap * sizeof *l->tests);
    l->names = realloc(l->names, l->cap * sizeof *l->names);
    if (!l->tests || !l->names) abort();
  }
  size_t len = strlen(prefix) + strlen(id) + 2;
  char *name = malloc(len);
  if (!name) abort();
  snprintf(name, len, "%s/%s", prefix, id);
  l->names[l->n] = name;
  l->tests[l->n++] = (struct CMUnitTest){name, fn, NULL, NULL, state};
}

static char *slurp(const char *path, size_t *len) {
  vso_buf b = {0};
  if (vso_read_file(path, SIZE_MAX, &b) != 0) {
    vso_buf_free(&b);
    return NULL;
  }
  return vso_buf_steal(&b, len);
}

int main(void) {
  const char *path = VSO_SOURCE_DIR "/tests/data/azure-agent-vectors.json";
  size_t len = 0;
  char *text = slurp(path, &len);
  cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
  free(text);
  if (!root) {
    fprintf(stderr, "test_vectors: cannot read %s\n", path);
    return 1;
  }

  test_list l = {0};
  add_test(&l, "text", "mask", test_mask, NULL);

  size_t nparse = 0, ndeact = 0, nformat = 0, ncommand = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "agent_parse")) {
    const char *id = str_item(v, "id");
    add_test(&l, "agent_parse", id ? id : "?", test_agent_parse, v);
    nparse++;
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetObjectItemCaseSensitive(root, "deactivate_vso"), "cases")) {
    char id[32];
    snprintf(id, sizeof id, "case-%zu", ndeact + 1);
    add_test(&l, "deactivate_vso", id, test_deactivate, v);
    ndeact++;
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "tasklib_format")) {
    const char *id = str_item(v, "id");
    add_test(&l, "tasklib_format", id ? id : "?", test_tasklib_format, v);
    nformat++;
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "tasklib_command")) {
    const char *id = str_item(v, "id");
    add_test(&l, "tasklib_command", id ? id : "?", test_tasklib_command, v);
    ncommand++;
  }

  int failed = 1;
  /* the file must hold what the reference says it holds */
  if (nparse < 40 || ndeact < 13 || nformat < 6 || ncommand < 9)
    fprintf(stderr, "test_vectors: too few vectors (%zu agent_parse, %zu deactivate_vso, %zu tasklib_format, %zu tasklib_command)\n",
            nparse, ndeact, nformat, ncommand);
  else
    failed = _cmocka_run_group_tests("vectors", l.tests, l.n, NULL, NULL);
  printf("test_vectors: %zu tests (%zu agent_parse, %zu deactivate_vso, %zu tasklib_format, %zu tasklib_command), %lu checks\n",
         l.n, nparse, ndeact, nformat, ncommand, g_checks);

  for (size_t i = 0; i < l.n; i++) free(l.names[i]);
  free(l.names);
  free(l.tests);
  cJSON_Delete(root);
  return failed;
}
