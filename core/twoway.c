/* SPDX-License-Identifier: MIT */
/* The two-way string matching algorithm (M. Crochemore, D. Perrin,
 * "Two-way string-matching", J. ACM 38(3), 1991), reporting every
 * occurrence: linear time, constant memory, for the secrets too long for an
 * automaton. */
#include "secrets_int.h"

/* The maximal suffix of needle for one order (reversed or not): its start
 * (the critical position is one past it) and, in *period, its period. */
static size_t maximal_suffix(const unsigned char *needle, size_t m, bool reversed, size_t *period) {
  size_t ms = SIZE_MAX, j = 0, k = 1, p = 1; /* ms = -1: j + k indexes, ms + k wraps to k - 1 */
  while (j + k < m) {
    unsigned char a = needle[j + k], b = needle[ms + k];
    if (reversed ? b < a : a < b) {
      j += k;
      k = 1;
      p = j - ms;
    } else if (a == b) {
      if (k != p) k++;
      else {
        j += p;
        k = 1;
      }
    } else {
      ms = j++;
      k = p = 1;
    }
  }
  *period = p;
  return ms;
}

/* A critical factorization needle = u v, |u| returned, with the period of
 * the local structure in *period. */
static size_t critical_factorization(const unsigned char *needle, size_t m, size_t *period) {
  size_t p1, p2;
  size_t s1 = maximal_suffix(needle, m, false, &p1);
  size_t s2 = maximal_suffix(needle, m, true, &p2);
  if (s2 + 1 < s1 + 1) { /* the later of the two, counting -1 as the earliest */
    *period = p1;
    return s1 + 1;
  }
  *period = p2;
  return s2 + 1;
}

/* The needle is periodic with period p: after a match or a mismatch in the
 * left half, the next p bytes are known to match (memory). */
static bool search_periodic(const unsigned char *x, size_t m, const unsigned char *y, size_t n, size_t ell,
                            size_t p, vso_found_fn *found, void *ctx) {
  size_t j = 0, memory = 0;
  while (j <= n - m) {
    size_t i = ell > memory ? ell : memory;
    while (i < m && x[i] == y[i + j]) i++;
    if (i < m) {
      j += i - ell + 1;
      memory = 0;
      continue;
    }
    i = ell; /* i counts one past the byte compared: ell - 1 down to memory */
    while (i > memory && x[i - 1] == y[i - 1 + j]) i--;
    if (i <= memory && !found(ctx, j)) return false;
    j += p;
    memory = m - p;
  }
  return true;
}

/* Not periodic: every two occurrences lie more than max(|u|, |v|) apart. */
static bool search_aperiodic(const unsigned char *x, size_t m, const unsigned char *y, size_t n, size_t ell,
                             vso_found_fn *found, void *ctx) {
  size_t shift = (ell > m - ell ? ell : m - ell) + 1, j = 0;
  while (j <= n - m) {
    size_t i = ell;
    while (i < m && x[i] == y[i + j]) i++;
    if (i < m) {
      j += i - ell + 1;
      continue;
    }
    i = ell;
    while (i > 0 && x[i - 1] == y[i - 1 + j]) i--;
    if (i == 0 && !found(ctx, j)) return false;
    j += shift;
  }
  return true;
}

static bool periodic(const unsigned char *x, size_t ell, size_t p) {
  for (size_t i = 0; i < ell; i++)
    if (x[i] != x[i + p]) return false;
  return true;
}

bool vso_two_way_all(const unsigned char *needle, size_t m, const unsigned char *hay, size_t n, vso_found_fn *found,
                     void *ctx) {
  if (m == 0 || m > n) return true;
  size_t p;
  size_t ell = critical_factorization(needle, m, &p);
  if (ell + p <= m && periodic(needle, ell, p)) return search_periodic(needle, m, hay, n, ell, p, found, ctx);
  return search_aperiodic(needle, m, hay, n, ell, found, ctx);
}
