/* SPDX-License-Identifier: MIT */
/* What every helper child shares.  Define PROG (its name) and USAGE (its
 * argument synopsis) before including this. */
#ifndef VSO_TEST_HELPER_H
#define VSO_TEST_HELPER_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A failed system call: status 1, with the reason on stderr. */
__attribute__((noreturn, unused)) static void fail(const char *what) {
  fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
  exit(1);
}

/* A bad argument: status 2, with the synopsis. */
__attribute__((noreturn, unused)) static void usage_error(const char *msg) {
  fprintf(stderr, PROG ": %s\nusage: " PROG " " USAGE "\n", msg);
  exit(2);
}

/* A whole decimal number in [min, max] (no sign, no blanks). */
__attribute__((unused)) static bool parse_num(const char *s, unsigned long long min, unsigned long long max,
                                              unsigned long long *out) {
  if (!s || *s < '0' || *s > '9') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

/* Writes all of p[0..n) or fails. */
__attribute__((unused)) static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    p += w;
    n -= (size_t)w;
  }
}

#endif
