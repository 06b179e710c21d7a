/* SPDX-License-Identifier: MIT */
/* The --capture format (core/capture.h) and what replay rebuilds from it:
 * records written and read back in every chunking, version 1 still read,
 * malformed captures rejected with a reason, facts lines round-tripped and
 * never holding a secret, a line recorded from its facts judged as the line
 * itself was, and the agent's reading of a stream's byte-order mark. */
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

#include "analysis.h"
#include "capture.h"
#include "expect.h"

/* ---- the byte-order mark ---------------------------------------------------------- */

static void test_encoding_of(void **state) {
  (void)state;
  static const struct {
    const char *bytes;
    size_t n;
    bool at_end;
    vso_stream_encoding want;
  } cases[] = {
      {"\xFF\xFE##vso", 7, false, VSO_ENC_UTF16LE},   {"\xFE\xFF##", 4, false, VSO_ENC_UTF16BE},
      {"\xFF\xFE\0\0", 4, false, VSO_ENC_UTF32LE},    {"\0\0\xFE\xFF", 4, false, VSO_ENC_UTF32BE},
      {"\xEF\xBB\xBF#", 4, false, VSO_ENC_UTF8},      {"##vs", 4, false, VSO_ENC_UTF8},
      {"\xFF\xFE\0#", 4, false, VSO_ENC_UTF16LE},     {"\xFF\xFE\0", 3, true, VSO_ENC_UTF16LE},
      {"\xFF\xFE\0", 3, false, VSO_ENC_UNDECIDED},    {"\xFF\xFE", 2, false, VSO_ENC_UNDECIDED},
      {"\xFF\xFE", 2, true, VSO_ENC_UTF16LE},         {"\xFF", 1, false, VSO_ENC_UNDECIDED},
      {"\xFF", 1, true, VSO_ENC_UTF8},                {"", 0, false, VSO_ENC_UNDECIDED},
      {"", 0, true, VSO_ENC_UTF8},                    {"\0\0\xFE", 3, true, VSO_ENC_UTF8},
      {"\0\0\xFE", 3, false, VSO_ENC_UNDECIDED},      {"\0\x01", 2, false, VSO_ENC_UTF8},
      {"\xEF\xBB", 2, false, VSO_ENC_UNDECIDED},      {"\xEF\xBB", 2, true, VSO_ENC_UTF8},
      {"\xFE\xFE", 2, false, VSO_ENC_UTF8},           {"a\xFF\xFE", 3, false, VSO_ENC_UTF8},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    set_ctx("%s%s", show(cases[i].bytes, cases[i].n), cases[i].at_end ? " at the end" : "");
    vso_stream_encoding got = vso_stream_encoding_of((const unsigned char *)cases[i].bytes, cases[i].n, cases[i].at_end);
    CHECK(got == cases[i].want, "got %d, want %d", (int)got, (int)cases[i].want);
  }
  set_ctx("%s", "");
}

/* ---- records ------------------------------------------------------------------------ */

/* Everything the reader called back, as text: one line per record (the
 * pieces of one data record joined: the chunking must not show). */
typedef struct seen {
  vso_buf log;
  int open; /* the stream of the data record being logged, or -1 */
} seen;

static void close_data(seen *s) {
  if (s->open >= 0) assert_true(vso_buf_append_char(&s->log, '\n'));
  s->open = -1;
}

static void on_data(void *ctx, int stream, const char *p, size_t n) {
  seen *s = ctx;
  if (s->open != stream) {
    close_data(s);
    assert_true(vso_buf_appendf(&s->log, "data %d ", stream));
    s->open = stream;
  }
  assert_true(vso_buf_append(&s->log, p, n));
}

static void on_line(void *ctx, int stream, const char *facts, size_t nf, const char *text, size_t nt) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_appendf(&s->log, "line %d [%.*s] [%.*s]\n", stream, (int)nf, facts, (int)nt, text));
}

static void on_end(void *ctx, int stream, uint64_t bytes, uint64_t lines) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_appendf(&s->log, "end %d %llu %llu\n", stream, (unsigned long long)bytes,
                              (unsigned long long)lines));
}

static void on_attempt(void *ctx, int attempt) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_appendf(&s->log, "attempt %d\n", attempt));
}

static void on_encoding(void *ctx, int stream, vso_stream_encoding e) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_appendf(&s->log, "encoding %d %d\n", stream, (int)e));
}

static void on_knobs(void *ctx, vso_knobs k) {
  seen *s = ctx;
  assert_true(vso_buf_appendf(&s->log, "knobs %d\n", k.decode_percents ? 1 : 0));
}

static void on_listing_masked(void *ctx) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_append_str(&s->log, "listing masked\n"));
}

static void on_source(void *ctx, const char *type, const char *p, size_t n) {
  seen *s = ctx;
  close_data(s);
  assert_true(vso_buf_appendf(&s->log, "source %s [", type) && vso_buf_append(&s->log, p, n) &&
              vso_buf_append_str(&s->log, "]\n"));
}

/* Feeds in[0..n) in chunks of at most `chunk` bytes (0: random sizes).
 * Returns whether it was accepted; *log what was seen, *why the error. */
static bool read_capture(const char *in, size_t n, size_t chunk, vso_buf *log, char *why, size_t why_size) {
  seen s = {.open = -1};
  vso_capture_reader r = {.ctx = &s, .data = on_data, .line = on_line, .end = on_end, .attempt = on_attempt,
                          .encoding = on_encoding, .knobs = on_knobs,
                          .listing_masked = on_listing_masked, .source = on_source};
  bool ok = true;
  for (size_t at = 0; at < n && ok;) {
    size_t take = chunk ? chunk : 1 + rnd_below(9);
    if (take > n - at) take = n - at;
    ok = vso_capture_feed(&r, in + at, take);
    at += take;
  }
  ok = ok && vso_capture_finish(&r);
  close_data(&s);
  snprintf(why, why_size, "%s", r.bad ? r.error : "");
  vso_capture_reader_free(&r);
  *log = s.log;
  return ok;
}

static void test_records_round_trip(void **state) {
  (void)state;
  vso_buf cap = {0}, facts = {0};
  assert_true(vso_capture_put_magic(&cap, (vso_knobs){.decode_percents = false}));
  assert_true(vso_capture_put_attempt(&cap, 1));
  assert_true(vso_capture_put_data(&cap, 0, 5) && vso_buf_append(&cap, "ab\0\nc", 5));
  assert_true(vso_buf_append_str(&facts, "no=1 kind=setvariable exact=1"));
  const char line[] = "##vso[task.setvariable variable=x]1\r\n";
  assert_true(vso_capture_put_line(&cap, 1, &facts, strlen(line)) && vso_buf_append_str(&cap, line));
  assert_true(vso_capture_put_data(&cap, 0, 3) && vso_buf_append(&cap, "@at", 3)); /* looks like a header */
  assert_true(vso_capture_put_end(&cap, 1, 38, 1) && vso_capture_put_end(&cap, 0, 8, 1));
  assert_true(vso_capture_put_attempt(&cap, 2));
  assert_true(vso_capture_put_encoding(&cap, 0, VSO_ENC_UTF16BE));
  assert_true(vso_capture_put_encoding(&cap, 1, VSO_ENC_UTF8)); /* says nothing */
  assert_true(vso_capture_put_listing_masked(&cap));
  const char want[] = "knobs 0\nattempt 1\ndata 0 ab\0\nc\nline 1 [no=1 kind=setvariable exact=1] "
                      "[##vso[task.setvariable variable=x]1\r\n]\ndata 0 @at\nend 1 38 1\nend 0 8 1\n"
                      "attempt 2\nencoding 0 3\nlisting masked\n";
  for (size_t chunk = 0; chunk <= 40; chunk++) {
    for (int round = 0; round < (chunk ? 1 : 200); round++) {
      set_ctx("chunks of %zu", chunk);
      vso_buf log;
      char why[128];
      CHECK(read_capture(cap.data, cap.len, chunk, &log, why, sizeof why), "rejected: %s", why);
      CHECK(eq(log.data, log.len, want, sizeof want - 1), "read %s", show(log.data, log.len));
      vso_buf_free(&log);
    }
  }
  set_ctx("%s", "");
  vso_buf_free(&cap);
  vso_buf_free(&facts);
}

static void test_version_1(void **state) {
  (void)state;
  const char v1[] = "vsorelay-capture 1\n@attempt 1\n@stdout 3\n##v@stderr 2\nx\n@stdout 2\nso";
  vso_buf log;
  char why[128];
  CHECK(read_capture(v1, sizeof v1 - 1, 0, &log, why, sizeof why), "version 1 rejected: %s", why);
  const char want[] = "attempt 1\ndata 0 ##v\ndata 1 x\n\ndata 0 so\n";
  CHECK(eq(log.data, log.len, want, sizeof want - 1), "read %s", show(log.data, log.len));
  vso_buf_free(&log);
  /* a record of version 2 is no record of version 1 */
  const char v1_line[] = "vsorelay-capture 1\n@attempt 1\n@line stdout 5\nno=1\nx";
  CHECK(!read_capture(v1_line, sizeof v1_line - 1, 0, &log, why, sizeof why), "@line accepted in version 1");
  vso_buf_free(&log);
}

#define BYTES(s) s, sizeof s - 1

static void test_malformed(void **state) {
  (void)state;
  static const struct {
    const char *body; /* after the version 2 magic */
    size_t n;
    const char *why;
  } cases[] = {
      {BYTES("@attempt -5\n"), "malformed @attempt"},        {BYTES("@attempt 0\n"), "malformed @attempt"},
      {BYTES("@attempt 01\n"), "malformed @attempt"},        {BYTES("@attempt +1\n"), "malformed @attempt"},
      {BYTES("@attempt 1001\n"), "malformed @attempt"},      {BYTES("@attempt 99999999999999999999\n"), "malformed @attempt"},
      {BYTES("@attempt 2\n"), "out of order"},               {BYTES("@attempt 1\n@attempt 3\n"), "out of order"},
      {BYTES("@attempt 1\n@attempt 1\n"), "out of order"},   {BYTES("@attempt 1 2\n"), "malformed @attempt"},
      {BYTES("@attempt  1\n"), "malformed record header"},   {BYTES("@attempt 1 \n"), "malformed record header"},
      {BYTES("@attempt\n"), "malformed @attempt"},           {BYTES("@stdout -1\nx"), "malformed data record"},
      {BYTES("@stdout +5\nabcde"), "malformed data record"}, {BYTES("@stdout 5\nab"), "ends inside a record"},
      {BYTES("@stdout 1x\n"), "malformed data record"},      {BYTES("@stdin 1\nx"), "unknown record type"},
      {BYTES("@line stdout 0\n"), "empty @line"},            {BYTES("@line stdout 3\nabc"), "without its facts"},
      {BYTES("@line stdin 3\na\nb"), "malformed @line"},     {BYTES("@line stdout\n"), "malformed @line"},
      {BYTES("@end stdout 1\n"), "malformed @end"},          {BYTES("@end stdout 1 -1\n"), "malformed @end"},
      {BYTES("@encoding stdout utf-8\n"), "malformed @encoding"},
      {BYTES("@encoding stdout\n"), "malformed @encoding"},
      {BYTES("@attempt 1\n@knobs decode-percents=1\n"), "after the first @attempt"},
      {BYTES("@knobs decode-percents=2\n"), "malformed @knobs"}, {BYTES("@bogus 1\n"), "unknown record type"},
      {BYTES("attempt 1\n"), "malformed record header"},     {BYTES("@\n"), "unknown record type"},
      {BYTES("@stdout 1\0\nx"), "malformed record header"},  {BYTES("@stdout 1"), "ends inside a record"},
      {BYTES("@listing masked\n"), "malformed @listing"},   {BYTES("@attempt 1\n@listing\n"), "malformed @listing"},
      {BYTES("@attempt 1\n@listing shown\n"), "malformed @listing"},
      {BYTES("@attempt 1\n@listing masked x\n"), "malformed @listing"},
      {BYTES("@attempt 1\n@matrix 1\nx"), "after the first @attempt"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vso_buf in = {0};
    assert_true(vso_buf_append_str(&in, VSO_CAPTURE_MAGIC) && vso_buf_append(&in, cases[i].body, cases[i].n));
    set_ctx("%s", show(in.data, in.len));
    vso_buf log;
    char why[128];
    CHECK(!read_capture(in.data, in.len, 0, &log, why, sizeof why), "accepted");
    CHECK(strstr(why, cases[i].why) != NULL, "said %s, not %s", why, cases[i].why);
    vso_buf_free(&log);
    vso_buf_free(&in);
  }
  set_ctx("%s", "");
  vso_buf log;
  char why[128];
  CHECK(!read_capture("vsorelay-capture 3\n", 19, 0, &log, why, sizeof why), "version 3 accepted");
  vso_buf_free(&log);
  CHECK(!read_capture("", 0, 0, &log, why, sizeof why), "an empty file accepted");
  vso_buf_free(&log);
  char header[200];
  memset(header, '1', sizeof header);
  memcpy(header, "vsorelay-capture 2\n@stdout ", 27);
  CHECK(!read_capture(header, sizeof header, 0, &log, why, sizeof why), "a 173-byte header accepted");
  CHECK(strstr(why, "too long") != NULL, "said %s", why);
  vso_buf_free(&log);
}

/* ---- facts ----------------------------------------------------------------------------- */

static vso_slice rnd_bytes(vso_buf *pool, size_t max) {
  static const char alphabet[] = "ab =%%\n\r\t\x01\x7f\xff\xc3\xa9;]#";
  size_t n = rnd_below(max + 1), from = pool->len;
  for (size_t i = 0; i < n; i++) assert_true(vso_buf_append_char(pool, alphabet[rnd_below(sizeof alphabet - 1)]));
  return (vso_slice){pool->data + from, n}; /* pool is reserved: it does not move */
}

static bool same_slice(vso_slice a, vso_slice b) {
  return (a.p == NULL) == (b.p == NULL) && (!a.p || eq(a.p, a.n, b.p, b.n));
}

static void test_facts_round_trip(void **state) {
  (void)state;
  vso_capture_facts_buf storage = {{0}, {0}};
  vso_secrets none = {0};
  for (int t = 0; t < 3000; t++) {
    vso_buf pool = {0}, out = {0};
    assert_true(vso_buf_reserve(&pool, 4096));
    vso_line_facts f = {.line_no = rnd(), .kind = (vso_line_kind)rnd_below(5), .cut = rnd_below(2),
                        .truncated = rnd_below(2), .unread = rnd_below(2), .expect = -1, .matrix = (int)rnd_below(3) - 1};
    if (rnd_below(2)) f.count = rnd_bytes(&pool, 20);
    if (rnd_below(2)) { /* diagnostics: "E<kind>:<message>\n" each, messages of one line */
      size_t from = pool.len;
      for (int d = 1 + (int)rnd_below(3); d > 0; d--) {
        assert_true(vso_buf_appendf(&pool, "%c%d:", rnd_below(2) ? 'E' : 'W', (int)rnd_below(VSO_DIAG_KINDS)));
        vso_slice m = rnd_bytes(&pool, 30);
        for (size_t i = 0; i < m.n; i++)
          if (m.p[i] == '\n') pool.data[m.p - pool.data + (ptrdiff_t)i] = ' ';
        assert_true(vso_buf_append_char(&pool, '\n'));
      }
      f.diags = (vso_slice){pool.data + from, pool.len - from};
    }
    f.setvar = (f.kind == VSO_LINE_SETVARIABLE || f.kind == VSO_LINE_REFUSED) && rnd_below(4);
    if (f.setvar) {
      if (rnd_below(4)) f.name = rnd_bytes(&pool, 20);
      f.expect = rnd_below(3) ? -1 : (long)rnd_below(50);
      f.length = rnd();
      f.is_secret = rnd_below(2), f.is_output = rnd_below(2), f.is_readonly = rnd_below(2);
      f.rejected = rnd_below(2), f.refused = rnd_below(2);
      if (!f.is_secret) f.value = rnd_bytes(&pool, 40);
      if (!f.is_secret && f.matrix == 0) f.why = rnd_bytes(&pool, 30);
    }
    set_ctx("facts round %d", t);
    CHECK(vso_capture_put_facts(&out, &f, &none), "put failed");
    CHECK(!memchr(out.data, '\n', out.len) && !memchr(out.data, '\r', out.len), "not one line: %s",
          show(out.data, out.len));
    vso_line_facts g;
    const char *why;
    CHECK(vso_capture_read_facts(out.data, out.len, &g, &storage, &why), "%s: %s", why, show(out.data, out.len));
    CHECK(g.line_no == f.line_no && g.kind == f.kind && g.cut == f.cut && g.truncated == f.truncated &&
              g.unread == f.unread && g.setvar == f.setvar,
          "line flags differ: %s", show(out.data, out.len));
    CHECK(same_slice(g.count, f.count) && same_slice(g.diags, f.diags), "count or diagnostics differ: %s",
          show(out.data, out.len));
    if (f.setvar)
      CHECK(same_slice(g.name, f.name) && g.expect == f.expect && g.length == f.length &&
                g.is_secret == f.is_secret && g.is_output == f.is_output && g.is_readonly == f.is_readonly &&
                g.rejected == f.rejected && g.refused == f.refused && g.matrix == f.matrix &&
                same_slice(g.value, f.value) && same_slice(g.why, f.why),
            "setvariable differs: %s", show(out.data, out.len));
    vso_buf_free(&pool);
    vso_buf_free(&out);
  }
  set_ctx("%s", "");
  vso_buf_free(&storage.values);
  vso_buf_free(&storage.diags);
}

static void test_facts_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",      "no=1",       "kind=text",          "no=1 kind=nothing", "no=1 kind=text x=1",  "no=1 kind=text cut=2",
      "no=01 kind=text",     "no=1  kind=text",    "no=1 kind=text ",   "no=1 kind=text =1",  "no=1 kind=text count=a%2",
      "no=1 kind=text count=a%zz", "no=1 kind=text count=\x01", "no=1 kind=command setvar=1",
      "no=1 kind=text diag=X1:m",  "no=1 kind=text diag=E:m",  "no=1 kind=text diag=E99:m", "no=1 kind=text diag=E1",
      "no=1 kind=setvariable setvar=1 matrix=maybe", "no=1 kind=setvariable setvar=1 length=-1",
      "no=1 kind=setvariable setvar=1 expect=1000000", "no=99999999999999999999 kind=text",
  };
  vso_capture_facts_buf storage = {{0}, {0}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    set_ctx("%s", show(bad[i], strlen(bad[i])));
    vso_line_facts f;
    const char *why;
    CHECK(!vso_capture_read_facts(bad[i], strlen(bad[i]), &f, &storage, &why), "accepted");
  }
  set_ctx("%s", "");
  vso_buf_free(&storage.values);
  vso_buf_free(&storage.diags);
}

/* Whether needle[0..m) occurs in p[0..n) (memmem is not in every C library). */
static bool holds(const char *p, size_t n, const char *needle, size_t m) {
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(p + i, needle, m) == 0) return true;
  return false;
}

/* No value of the child's text in a facts line holds a secret (the words
 * of the format itself, "kind=setvariable", may hold a one-letter one). */
static void check_no_secret(const vso_buf *facts, const vso_secrets *secrets) {
  static const char *const child_text[] = {"count=", "name=", "value=", "why=", "diag="};
  for (char *w = facts->data; w && *w;) {
    char *sp = strchr(w, ' ');
    size_t n = sp ? (size_t)(sp - w) : strlen(w);
    for (size_t k = 0; k < sizeof child_text / sizeof child_text[0]; k++) {
      size_t kn = strlen(child_text[k]);
      if (n < kn || memcmp(w, child_text[k], kn) != 0) continue;
      for (size_t s = 0; s < secrets->n; s++)
        CHECK(!holds(w + kn, n - kn, secrets->items[s], secrets->lens[s]), "the facts %s hold the secret %s",
              show(facts->data, facts->len), secrets->items[s]);
    }
    w = sp ? sp + 1 : NULL;
  }
}

/* The heart of replay's promise: a line recorded from its facts (masked,
 * as a capture writes them) is judged as the line itself was.  Random
 * setvariable lines, some secret, some registering a secret that hides in a
 * later line's properties or name, judged by two analyses. */
static void test_facts_judged_alike(void **state) {
  (void)state;
  static const char *const names[] = {"alpha", "Alpha", "beta", "true", "task", "x;y"};
  static const char *const values[] = {"v", "", "a%0Ab", "{\"l\":{\"k\":\"v\"}}", "{\"l\":1}", "true", "%3B"};
  vso_capture_facts_buf storage = {{0}, {0}};
  for (int round = 0; round < 300; round++) {
    vso_analysis a, b;
    vso_analysis_init(&a, (vso_knobs){.decode_percents = true});
    vso_analysis_init(&b, (vso_knobs){.decode_percents = true});
    vso_expect_set e = {0};
    vso_buf err = {0};
    assert_true(vso_expect_add_list(&e, "alpha,beta,true,task,x;y", false, VSO_SRC_EXPECT, &err));
    if (rnd_below(2)) vso_expect_require_matrix(&e);
    for (int l = 1; l <= 8; l++) {
      vso_buf line = {0}, diags = {0}, facts = {0};
      if (rnd_below(5) == 0)
        assert_true(vso_buf_appendf(&line, "##vso[task.setsecret]%s", names[rnd_below(6)]));
      else
        assert_true(vso_buf_appendf(&line, "##vso[task.setvariable variable=%s;isoutput=%s;issecret=%s]%s",
                                    names[rnd_below(6)], rnd_below(4) ? "true" : "false",
                                    rnd_below(3) ? "false" : "true", values[rnd_below(7)]));
      set_ctx("round %d: %s", round, line.data);
      vso_line vl = {.text = line.data, .len = line.len, .term = "\n", .term_len = 1, .line_no = (uint64_t)l};
      vso_analysis_mark before = vso_analysis_mark_now(&a);
      vso_line_result r = vso_analysis_line(&a, &vl, "stdout");
      vso_line_facts f = vso_analysis_line_facts(&a, &vl, r, before, &diags);
      size_t at;
      vso_buf masked = {0};
      if (f.name.p && vso_mask(&a.secrets, f.name.p, f.name.n, &masked) && !eqb(&masked, f.name.p, f.name.n) &&
          vso_expect_index_of(&e, f.name.p, f.name.n, &at))
        f.expect = (long)at;
      vso_buf_free(&masked);
      CHECK(vso_capture_put_facts(&facts, &f, &a.secrets), "put failed");
      check_no_secret(&facts, &a.secrets);
      vso_line_facts g;
      const char *why;
      CHECK(vso_capture_read_facts(facts.data, facts.len, &g, &storage, &why), "%s", why);
      g.text = (vso_slice){"##vso[...]", 10};
      if (g.expect >= 0) g.name = (vso_slice){e.items[g.expect].name, strlen(e.items[g.expect].name)};
      vso_analysis_facts(&b, &g, "stdout");
      vso_buf_free(&line);
      vso_buf_free(&diags);
      vso_buf_free(&facts);
    }
    vso_expect_evaluate(&e, &a);
    vso_exp_status want[8];
    for (size_t i = 0; i < e.n; i++) want[i] = e.items[i].status;
    vso_expect_evaluate(&e, &b);
    for (size_t i = 0; i < e.n; i++)
      CHECK(e.items[i].status == want[i], "round %d: '%s' is %s from the lines, %s from their facts", round,
            e.items[i].name, vso_exp_status_name(want[i]), vso_exp_status_name(e.items[i].status));
    vso_expect_free(&e);
    vso_buf_free(&err);
    vso_analysis_free(&a);
    vso_analysis_free(&b);
  }
  set_ctx("%s", "");
  vso_buf_free(&storage.values);
  vso_buf_free(&storage.diags);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encoding_of), cmocka_unit_test(test_records_round_trip),
      cmocka_unit_test(test_version_1),   cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_facts_round_trip), cmocka_unit_test(test_facts_malformed),
      cmocka_unit_test(test_facts_judged_alike),
  };
  int failed = cmocka_run_group_tests_name("capture", tests, NULL, NULL);
  printf("test_capture: %lu checks\n", g_checks);
  return failed;
}
