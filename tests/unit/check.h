/* SPDX-License-Identifier: MIT */
/* The unit tests' one assertion: CHECK(cond, fmt, ...) says what was being
 * run (set_ctx), what the code returned (fmt) and where, then fails the
 * cmocka test.  g_checks counts the checks a binary made, so that a test
 * that silently checks nothing shows in its last line.  Include it after
 * <cmocka.h>, once per test binary. */
#ifndef VSO_TEST_CHECK_H
#define VSO_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

static unsigned long g_checks;
static char g_ctx[512]; /* what is being run: a vector, a sample and its chunking */

#define CHECK(cond, ...)                                                                      \
  do {                                                                                        \
    g_checks++;                                                                               \
    if (!(cond)) {                                                                            \
      if (g_ctx[0]) print_error("context: %s\n", g_ctx);                                      \
      check_say(__VA_ARGS__);                                                                 \
      print_error("\n");                                                                      \
      fail_msg("%s%scheck failed: %s (%s:%d)", g_ctx, g_ctx[0] ? ": " : "", #cond, __FILE__, \
               __LINE__);                                                                     \
    }                                                                                         \
  } while (0)

/* What the code returned, formatted here (C99's printf, %zu included) and
 * handed to cmocka as text: cmocka's own printf is msvcrt's on Windows. */
VSO_PRINTF(1, 2) __attribute__((unused)) static void check_say(const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  print_error("%s", msg);
}

VSO_PRINTF(1, 2) __attribute__((unused)) static void set_ctx(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_ctx, sizeof g_ctx, fmt, ap);
  va_end(ap);
}

/* A printable rendering of bytes for failure messages (a few rotating slots). */
__attribute__((unused)) static const char *show(const char *p, size_t n) {
  static char slots[4][512];
  static int next;
  char *out = slots[next++ % 4];
  if (!p) return "(null)";
  size_t w = 0;
  out[w++] = '"';
  for (size_t i = 0; i < n && w < 500; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == '"' || c == '\\') w += (size_t)snprintf(out + w, 512 - w, "\\%c", c);
    else if (c == '\r') w += (size_t)snprintf(out + w, 512 - w, "\\r");
    else if (c == '\n') w += (size_t)snprintf(out + w, 512 - w, "\\n");
    else if (c == '\t') w += (size_t)snprintf(out + w, 512 - w, "\\t");
    else if (c < 0x20 || c >= 0x7F) w += (size_t)snprintf(out + w, 512 - w, "\\x%02X", c);
    else out[w++] = (char)c;
  }
  snprintf(out + w, 512 - w, "\"");
  return out;
}

__attribute__((unused)) static bool eq(const char *p, size_t n, const char *want, size_t wn) {
  return n == wn && (n == 0 || (p && memcmp(p, want, n) == 0));
}

__attribute__((unused)) static bool eqb(const vso_buf *b, const char *want, size_t wn) { return eq(b->data, b->len, want, wn); }

/* buf.h's promise: a buffer with data is NUL-terminated (an empty result too). */
#define TERMINATED(b, what)                                                                  \
  CHECK((b)->data && (b)->data[(b)->len] == '\0', "%s: the result (%zu bytes) is %s", what,  \
        (b)->len, (b)->data ? "not NUL-terminated" : "NULL, not a string")

/* The agent's Environment.NewLine as a logging command escapes it: what
 * makes a secret multi-line (LF on Linux, CR LF on Windows). */
#ifdef _WIN32
#define ESC_NEWLINE "%0D%0A"
#else
#define ESC_NEWLINE "%0A"
#endif

/* Deterministic PRNG for the property tests (a binary may pick its seed). */
#ifndef VSO_TEST_SEED
#define VSO_TEST_SEED 0x2545F4914F6CDD1Dull
#endif
static uint64_t g_rng = VSO_TEST_SEED;
__attribute__((unused)) static uint64_t rnd(void) {
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}
__attribute__((unused)) static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

#endif
