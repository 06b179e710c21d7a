/* SPDX-License-Identifier: MIT */
/* The secret masker (core/secrets.h) against the agent's own tests
 * (microsoft/azure-pipelines-agent src/Test/L0/SecretMaskerTests/
 * SecretMaskerL0.cs), its value encoders, and a plain transcription of the
 * agent's SecretMasker.MaskSecrets (every IndexOf of every value, positions
 * sorted by start, merged while a start is at or before the current end):
 * random secrets added while random text is masked, whole and in pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "secrets.h"
#include "secrets_int.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

/* Fewer rounds under valgrind, which runs every unit test binary. */
static size_t rounds(size_t n) { return getenv("VSO_UNDER_VALGRIND") ? n / 20 + 1 : n; }

static char *masked(const vso_secrets *s, const char *in, size_t n, size_t *len) {
  vso_buf b = {0};
  assert_true(vso_mask(s, in, n, &b));
  assert_non_null(b.data);
  *len = b.len;
  return vso_buf_steal(&b, len);
}

static void expect_mask(const vso_secrets *s, const char *in, const char *want) {
  size_t len;
  char *got = masked(s, in, strlen(in), &len);
  if (len != strlen(want) || memcmp(got, want, len) != 0) fail_msg("mask(\"%s\") = \"%s\", want \"%s\"", in, got, want);
  free(got);
}

/* ---- the agent's SecretMaskerL0 --------------------------------------- */

static void agent_l0(void **state) {
  (void)state;
  vso_secrets s = {0};
  expect_mask(&s, "abcdefg", "abcdefg"); /* HandlesNoMasks */
  assert_true(vso_secrets_add(&s, "def", 3));
  expect_mask(&s, "abcdefg", "abc***g");       /* ReplacesValue */
  expect_mask(&s, "abcdefgdef", "abc***g***"); /* ReplacesMultipleInstances */
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "abc", 3));
  expect_mask(&s, "abcabcdef", "***def"); /* ReplacesMultipleAdjacentInstances */
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "bcd", 3) && vso_secrets_add(&s, "fgh", 3));
  expect_mask(&s, "abcdefghi", "a***e***i"); /* ReplacesMultipleSecrets */
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "def", 3) && vso_secrets_add(&s, "bcd", 3));
  expect_mask(&s, "abcdefg", "a***g"); /* ReplacesOverlappingSecrets */
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "efg", 3) && vso_secrets_add(&s, "bcd", 3));
  expect_mask(&s, "abcdefgh", "a***h"); /* ReplacesAdjacentSecrets */
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "bc", 2) && vso_secrets_add(&s, "defg", 4) && vso_secrets_add(&s, "h12", 3));
  expect_mask(&s, "abcdefgh123", "a***3"); /* RemoveShortSecretsBoundaryValues, before removal */
  vso_secrets_free(&s);
  /* issue 11: overlapping secrets leave neither visible */
  assert_true(vso_secrets_add(&s, "abcSEC", 6) && vso_secrets_add(&s, "SECRETdef", 9));
  expect_mask(&s, "abcSECRETdef", "***");
  expect_mask(&s, "xabcSECRETdefx abcSEC SECRETdef", "x***x *** ***");
  vso_secrets_free(&s);
}

static void agent_encoders(void **state) {
  (void)state;
  vso_secrets s = {0};
  /* Encoder_JsonStringEscape */
  const char *v = "carriage-return\r_newline\n_tab\t_backslash\\_double-quote\"";
  assert_true(vso_secrets_add(&s, v, strlen(v)));
  expect_mask(&s, v, "***");
  expect_mask(&s, "carriage-return\\r_newline\\n_tab\\t_backslash\\\\_double-quote\\\"", "***");
  vso_secrets_free(&s);
  /* Encoder_BackslashEscape */
  v = "abc\\\\def\\'\\\"ghi\\t";
  assert_true(vso_secrets_add(&s, v, strlen(v)));
  expect_mask(&s, v, "***");
  expect_mask(&s, "abc\\def'\"ghi\t", "***");
  vso_secrets_free(&s);
  /* Encoder_UriDataEscape */
  assert_true(vso_secrets_add(&s, "hello world", 11));
  expect_mask(&s, "hello world", "***");
  expect_mask(&s, "hello%20world", "***");
  vso_secrets_free(&s);
  assert_true(vso_secrets_add(&s, "  ", 2)); /* Encoder_UriDataEscape_LargeString, two spaces */
  expect_mask(&s, "%20%20", "***");
  vso_secrets_free(&s);
}

/* An encoder appends nothing when the form is the value itself. */
static void expect_encoding(bool (*enc)(const char *, size_t, vso_buf *), const char *in, size_t n, const char *want) {
  vso_buf b = {0};
  assert_true(enc(in, n, &b));
  if (b.len == 0) assert_true(vso_buf_append(&b, in, n));
  if (b.len != strlen(want) || (b.len && memcmp(b.data, want, b.len) != 0))
    fail_msg("encoding \"%s\" gave \"%.*s\", want \"%s\"", in, (int)b.len, b.data ? b.data : "", want);
  vso_buf_free(&b);
}

static void encoders(void **state) {
  (void)state;
  /* Newtonsoft's escapes: named ones, \u00xx in lower case, U+0085/2028/2029 */
  expect_encoding(vso_encode_json_string, "a\"b\\c\b\f\x01\x1f\x7f", 10, "a\\\"b\\\\c\\b\\f\\u0001\\u001f\x7f");
  expect_encoding(vso_encode_json_string, "\xc2\x85|\xe2\x80\xa8|\xe2\x80\xa9|\xc3\xbc", 13,
                  "\\u0085|\\u2028|\\u2029|\xc3\xbc");
  expect_encoding(vso_encode_json_string, "it's </a>", 9, "it's </a>");
  /* Uri.EscapeDataString: RFC 3986 unreserved kept, UTF-8 bytes in upper-case hex */
  expect_encoding(vso_encode_uri_data, "Az09-._~!*'();:@&=+$,/?#[] %\xc3\xbc", 30,
                  "Az09-._~%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%20%25%C3%BC");
  /* four Replace calls in a row, each over the result of the one before */
  expect_encoding(vso_encode_backslash, "\\\\\\'", 4, "\\'");    /* \\\' -> \\' -> \' */
  expect_encoding(vso_encode_backslash, "\\\\t", 3, "\t");        /* \\t -> \t -> TAB */
  expect_encoding(vso_encode_backslash, "\\\\\\\\", 4, "\\\\");   /* \\\\ -> \\ (one pass) */
  expect_encoding(vso_encode_backslash, "a\\\"b\\x", 6, "a\"b\\x");
}

static void registration(void **state) {
  (void)state;
  vso_secrets s = {0};
  assert_true(vso_secrets_empty(&s));
  assert_true(vso_secrets_add(&s, "", 0) && vso_secrets_empty(&s)); /* ignored, as by the agent */
  assert_true(vso_secrets_add(&s, "a b", 3));
  assert_true(vso_secrets_add(&s, "a b", 3) && s.n == 1);
  /* the encoding of one value may later be a value of its own: then its own
   * encodings are added too (the agent keeps the originals apart) */
  assert_true(vso_secrets_add(&s, "a%20b", 5) && s.n == 2);
  expect_mask(&s, "a%2520b", "***");
  assert_true(s.items[1] && strcmp(s.items[1], "a%20b") == 0 && s.lens[1] == 5);
  vso_secrets_free(&s);
  assert_true(s.n == 0 && s.items == NULL && s.set_ == NULL);
}

/* Registering keeps a value; the next masking makes its patterns, unless
 * the text is shorter than any pattern can be.  BackslashEscape makes a
 * form shorter than its value: a value with a backslash allows no such
 * shortcut. */
static void patterns_made_when_needed(void **state) {
  (void)state;
  vso_secrets s = {0};
  assert_true(vso_secrets_add(&s, "token-0123", 10));
  assert_true(s.set_->npatterns == 0);
  expect_mask(&s, "token-012", "token-012"); /* shorter than any pattern */
  assert_true(s.set_->npatterns == 0);
  expect_mask(&s, "a token-0123.", "a ***.");
  assert_true(s.set_->npatterns > 0 && s.set_->patterned == 1);
  assert_true(vso_secrets_add(&s, "later-token", 11)); /* after a masking: made by the next */
  expect_mask(&s, "later-token", "***");
  assert_true(vso_secrets_add(&s, "third", 5));
  assert_true(vso_secrets_intact(&s) && s.set_->patterned == 2); /* no masking failed */
  vso_secrets_free(&s);
  assert_true(vso_secrets_intact(&s)); /* nothing registered */
  assert_true(vso_secrets_add(&s, "a\\\\b", 4)); /* a\\b: its BackslashEscape form a\b has 3 bytes */
  expect_mask(&s, "a\\b", "***");
  expect_mask(&s, "a\\\\b", "***");
  vso_secrets_free(&s);
}

/* ---- the reference: the agent's MaskSecrets, transcribed ------------- */

typedef struct ref {
  char *pats[4096];
  size_t lens[4096];
  size_t n;
} ref;

static void ref_add_pattern(ref *r, const char *p, size_t n) {
  if (!n) return;
  for (size_t i = 0; i < r->n; i++)
    if (r->lens[i] == n && memcmp(r->pats[i], p, n) == 0) return;
  assert_true(r->n < 4096);
  r->pats[r->n] = malloc(n);
  memcpy(r->pats[r->n], p, n);
  r->lens[r->n++] = n;
}

static void ref_add(ref *r, const char *p, size_t n) {
  if (!n) return;
  ref_add_pattern(r, p, n);
  bool (*const enc[3])(const char *, size_t, vso_buf *) = {vso_encode_json_string, vso_encode_uri_data,
                                                            vso_encode_backslash};
  for (int k = 0; k < 3; k++) {
    vso_buf b = {0};
    assert_true(enc[k](p, n, &b));
    ref_add_pattern(r, b.data, b.len); /* nothing: the value itself, added already */
    vso_buf_free(&b);
  }
}

static char *ref_mask(const ref *r, const char *in, size_t n, size_t *len) {
  /* end[i]: how far the merged range that starts at i reaches */
  size_t *reach = calloc(n + 1, sizeof *reach);
  for (size_t k = 0; k < r->n; k++)
    for (size_t i = 0; i + r->lens[k] <= n; i++)
      if (memcmp(in + i, r->pats[k], r->lens[k]) == 0 && reach[i] < i + r->lens[k]) reach[i] = i + r->lens[k];
  vso_buf out = {0};
  for (size_t i = 0; i < n;) {
    if (!reach[i]) {
      vso_buf_append_char(&out, in[i++]);
      continue;
    }
    size_t end = reach[i];
    for (size_t j = i + 1; j <= end && j < n; j++) /* a start at or before the end extends it */
      if (reach[j] > end) end = reach[j];
    vso_buf_append_str(&out, "***");
    i = end;
  }
  vso_buf_append(&out, "", 0);
  free(reach);
  return vso_buf_steal(&out, len);
}

static void ref_free(ref *r) {
  for (size_t i = 0; i < r->n; i++) free(r->pats[i]);
  r->n = 0;
}

static void random_text(char *p, size_t n, const char *alphabet) {
  size_t k = strlen(alphabet);
  for (size_t i = 0; i < n; i++) p[i] = alphabet[rnd_below(k)];
}

/* vso_mask_complete in random pieces, as the capture feeds it. */
static char *streamed(const vso_secrets *s, const char *in, size_t n, size_t *len) {
  vso_buf out = {0}, tail = {0};
  for (size_t at = 0; at < n;) {
    size_t piece = 1 + rnd_below(9);
    if (piece > n - at) piece = n - at;
    assert_true(vso_buf_append(&tail, in + at, piece));
    at += piece;
    size_t done = 0;
    assert_true(vso_mask_complete(s, tail.data, tail.len, &out, &done));
    assert_true(done <= tail.len);
    memmove(tail.data, tail.data + done, tail.len - done);
    tail.len -= done;
  }
  assert_true(vso_mask(s, tail.data ? tail.data : "", tail.len, &out));
  vso_buf_free(&tail);
  return vso_buf_steal(&out, len);
}

static void against_reference_from(size_t long_from, const char *alphabet, size_t min_secret, size_t max_secret) {
  for (size_t round = 0; round < rounds(400); round++) {
    vso_secrets s = {0};
    assert_true(vso_secrets_tune(&s, long_from, round % 2)); /* automata, or the waiting index */
    ref r = {0};
    size_t secrets = 1 + rnd_below(12);
    for (size_t k = 0; k < secrets; k++) {
      char sec[64], text[160];
      size_t sn = min_secret + rnd_below(max_secret - min_secret + 1), tn = rnd_below(sizeof text);
      random_text(sec, sn, alphabet);
      assert_true(vso_secrets_add(&s, sec, sn));
      ref_add(&r, sec, sn);
      random_text(text, tn, alphabet);
      if (tn > sn && rnd_below(2)) memcpy(text + rnd_below(tn - sn), sec, sn); /* make sure it occurs */
      size_t gn, wn, pn;
      char *got = masked(&s, text, tn, &gn), *want = ref_mask(&r, text, tn, &wn);
      if (gn != wn || memcmp(got, want, gn) != 0)
        fail_msg("round %zu: mask(\"%.*s\") = \"%s\", the agent's \"%s\"", round, (int)tn, text, got, want);
      char *pieces = streamed(&s, text, tn, &pn);
      if (pn != wn || memcmp(pieces, want, pn) != 0)
        fail_msg("round %zu: in pieces \"%.*s\" gives \"%s\", whole \"%s\"", round, (int)tn, text, pieces, want);
      free(got);
      free(want);
      free(pieces);
    }
    vso_secrets_free(&s);
    ref_free(&r);
  }
}

static void against_reference(size_t long_from, const char *alphabet, size_t max_secret) {
  against_reference_from(long_from, alphabet, 1, max_secret);
}

static void automata_against_reference(void **state) {
  (void)state;
  against_reference(0, "ab", 5);
  against_reference(0, "abc", 8);
  against_reference(0, "a b%\"\\\n", 6); /* every encoder has work */
  against_reference_from(0, "ab", 7, 20);     /* none shorter than 7: one position in four is looked at */
  against_reference_from(0, "abc", 7, 12);
}

static void long_patterns_against_reference(void **state) {
  (void)state;
  against_reference(3, "ab", 9); /* patterns over 3 bytes take the two-way search */
  against_reference(1, "aab", 12);
}

/* Masks text as the agent would, whole and in pieces. */
static void check_against(const vso_secrets *s, const ref *r, const char *text, size_t tn, size_t round) {
  size_t gn, wn, pn;
  char *got = masked(s, text, tn, &gn), *want = ref_mask(r, text, tn, &wn), *pieces = streamed(s, text, tn, &pn);
  if (gn != wn || memcmp(got, want, gn) != 0)
    fail_msg("round %zu: mask(\"%.*s\") = \"%s\", the agent's \"%s\"", round, (int)tn, text, got, want);
  if (pn != wn || memcmp(pieces, want, pn) != 0)
    fail_msg("round %zu: in pieces \"%.*s\" gives \"%s\", whole \"%s\"", round, (int)tn, text, pieces, want);
  free(got);
  free(want);
  free(pieces);
}

/* Secrets registered a few at a time between maskings (the next masking
 * makes all their patterns), and texts as short as a pattern: one form of a
 * value alone or with a byte beside it (BackslashEscape's form is shorter
 * than the value), or a few random bytes. */
static void batches_against_reference(void **state) {
  (void)state;
  static const char alphabet[] = "ab\\\"'t%\n";
  for (size_t round = 0; round < rounds(300); round++) {
    vso_secrets s = {0};
    ref r = {0};
    for (size_t batch = 0; batch < 4; batch++) {
      for (size_t k = 1 + rnd_below(3); k; k--) {
        char sec[6];
        size_t sn = 1 + rnd_below(sizeof sec);
        random_text(sec, sn, alphabet);
        assert_true(vso_secrets_add(&s, sec, sn));
        ref_add(&r, sec, sn);
      }
      for (size_t t = 0; t < 8; t++) {
        char text[40];
        size_t tn = t < 4 ? 0 : rnd_below(t == 4 ? 4 : 12), pick = rnd_below(r.n);
        if (t < 4) { /* a pattern, the value or a form, at most 18 bytes (URI: 3 a byte) */
          size_t before = rnd_below(2), after = rnd_below(2);
          random_text(text, before, alphabet);
          memcpy(text + before, r.pats[pick], r.lens[pick]);
          random_text(text + before + r.lens[pick], after, alphabet);
          tn = before + r.lens[pick] + after;
        } else
          random_text(text, tn, alphabet);
        check_against(&s, &r, text, tn, round);
      }
    }
    vso_secrets_free(&s);
    ref_free(&r);
  }
}

/* Waiting patterns that share their first bytes cost more to search than
 * to build: a pass that finds so stops, builds them, and starts again. */
static void waiting_too_costly(void **state) {
  (void)state;
  vso_secrets s = {0};
  ref r = {0};
  char sec[16];
  for (size_t k = 0; k < 2000; k++) {
    snprintf(sec, sizeof sec, "aaaa%zub", k);
    assert_true(vso_secrets_add(&s, sec, strlen(sec)));
    ref_add(&r, sec, strlen(sec));
  }
  size_t n = 20000;
  char *text = malloc(n);
  for (size_t i = 0; i < n; i++) text[i] = i % 997 == 0 ? 'x' : 'a';
  memcpy(text + 5000, "aaaa1234b", 9);
  /* registering keeps the values only: the patterns are the masking's to make */
  assert_true(s.set_->patterned == 0 && s.set_->npatterns == 0 && s.set_->nwaiting == 0 && s.set_->ngroups == 0);
  size_t gn, wn;
  char *got = masked(&s, text, n, &gn);
  assert_true(s.set_->nwaiting == 0 && s.set_->ngroups > 0); /* built on the way */
  char *want = ref_mask(&r, text, n, &wn);
  assert_true(gn == wn && memcmp(got, want, gn) == 0);
  free(got);
  free(want);
  free(text);
  ref_free(&r);
  vso_secrets_free(&s);
}

/* The two-way search finds every occurrence, overlapping ones included. */
static bool collect(void *ctx, size_t at) {
  vso_buf *b = ctx;
  return vso_buf_append(b, &at, sizeof at);
}

static void two_way(void **state) {
  (void)state;
  for (size_t round = 0; round < rounds(20000); round++) {
    char needle[16], hay[64];
    size_t m = 1 + rnd_below(sizeof needle), n = rnd_below(sizeof hay);
    const char *alphabet = round % 2 ? "ab" : "abc";
    random_text(needle, m, alphabet);
    random_text(hay, n, alphabet);
    if (round % 3 == 0) /* periodic needles and haystacks */
      for (size_t i = 0; i < n; i++) hay[i] = needle[i % (1 + m / 2)];
    vso_buf found = {0};
    vso_two_way_all((const unsigned char *)needle, m, (const unsigned char *)hay, n, collect, &found);
    size_t k = 0;
    for (size_t i = 0; i + m <= n; i++) {
      if (memcmp(hay + i, needle, m) != 0) continue;
      size_t at;
      if (k * sizeof at >= found.len) fail_msg("round %zu: missed the occurrence at %zu", round, i);
      memcpy(&at, found.data + k++ * sizeof at, sizeof at);
      if (at != i) fail_msg("round %zu: reported %zu, the occurrence is at %zu", round, at, i);
    }
    if (k * sizeof(size_t) != found.len) fail_msg("round %zu: reported an occurrence too many", round);
    vso_buf_free(&found);
  }
}

/* Tens of thousands of secrets: each still masked, whichever automaton holds it. */
static void many_secrets(void **state) {
  (void)state;
  vso_secrets s = {0};
  size_t count = rounds(20000);
  char (*secrets)[48] = malloc(count * sizeof *secrets);
  for (size_t k = 0; k < count; k++) {
    snprintf(secrets[k], sizeof secrets[k], "s%zux%08llx", k, (unsigned long long)(rnd() & 0xffffffffu));
    assert_true(vso_secrets_add(&s, secrets[k], strlen(secrets[k])));
  }
  assert_true(s.n == count && s.set_->ngroups <= VSO_MAX_GROUPS);
  for (size_t t = 0; t < rounds(2000); t++) {
    char line[80];
    size_t k = rnd_below(count);
    snprintf(line, sizeof line, "<%s>", secrets[k]);
    expect_mask(&s, line, "<***>");
  }
  expect_mask(&s, "s1x no secret here", "s1x no secret here");
  free(secrets);
  vso_secrets_free(&s);
}

/* A streaming tail never waits for more than a secret could need, but a
 * merged range longer than VSO_SECRET_LONG goes out at once. */
static void streaming_bounds(void **state) {
  (void)state;
  vso_secrets s = {0};
  assert_true(vso_secrets_add(&s, "tok3n", 5) && vso_secrets_add(&s, "tok", 3));
  vso_buf out = {0};
  size_t done;
  assert_true(vso_mask_complete(&s, "x tok3", 6, &out, &done) && done == 2);
  assert_true(vso_mask_complete(&s, "tok", 3, &out, &done) && done == 0); /* "tok" may become "tok3n" */
  assert_true(vso_mask_complete(&s, "tok3n tok", 9, &out, &done) && done == 6);
  vso_buf_clear(&out);
  size_t n = VSO_SECRET_LONG + 1000;
  char *run = malloc(n);
  for (size_t i = 0; i < n; i += 3) memcpy(run + i, "tok", n - i < 3 ? n - i : 3);
  assert_true(vso_mask_complete(&s, run, n - n % 3, &out, &done));
  assert_true(done > 0 && out.len == 3 && memcmp(out.data, "***", 3) == 0);
  free(run);
  vso_buf_free(&out);
  vso_secrets_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(agent_l0),
      cmocka_unit_test(agent_encoders),
      cmocka_unit_test(encoders),
      cmocka_unit_test(registration),
      cmocka_unit_test(patterns_made_when_needed),
      cmocka_unit_test(automata_against_reference),
      cmocka_unit_test(long_patterns_against_reference),
      cmocka_unit_test(batches_against_reference),
      cmocka_unit_test(waiting_too_costly),
      cmocka_unit_test(two_way),
      cmocka_unit_test(many_secrets),
      cmocka_unit_test(streaming_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
