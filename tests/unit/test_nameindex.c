/* SPDX-License-Identifier: MIT */
/* The name index (core/nameindex.h): names equal as the agent compares
 * them find one entry, whatever the key; the key changes where names go,
 * never what is found; names crafted to collide under the FNV-1a of old
 * spread under the keyed hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "nameindex.h"

typedef struct names {
  char **p;
  size_t *n;
  size_t count;
} names;

static void key_of(const void *ctx, size_t value, const char **key, size_t *len) {
  const names *k = ctx;
  *key = k->p[value];
  *len = k->n[value];
}

static void add(names *k, const char *p, size_t n) {
  k->p = realloc(k->p, (k->count + 1) * sizeof *k->p);
  k->n = realloc(k->n, (k->count + 1) * sizeof *k->n);
  assert_non_null(k->p);
  assert_non_null(k->n);
  k->p[k->count] = malloc(n + 1);
  memcpy(k->p[k->count], p, n);
  k->n[k->count++] = n;
}

static void names_free(names *k) {
  for (size_t i = 0; i < k->count; i++) free(k->p[i]);
  free(k->p);
  free(k->n);
  memset(k, 0, sizeof *k);
}

static bool get(const vso_name_index *ix, const names *k, const char *name, size_t *at) {
  const vso_index_keys keys = {k, key_of};
  return vso_index_get(ix, &keys, name, strlen(name), at);
}

static void put(vso_name_index *ix, names *k, const char *name) {
  const vso_index_keys keys = {k, key_of};
  add(k, name, strlen(name));
  assert_true(vso_index_put(ix, &keys, name, strlen(name), k->count - 1));
}

/* Equal names, ASCII or not, share an entry: they hash alike. */
static void equal_names_meet(void **state) {
  (void)state;
  static const char *const pairs[][2] = {
      {"linuxAmd64", "LINUXAMD64"},   {"\xc3\x9c" "ber", "\xc3\xbc" "BER"}, {"x\xe2\xb1\xa5", "X\xc8\xba"},
      {"a\xff", "A\xfe"},             {"\xcf\x82", "\xcf\x83"},             {"\xf0\x90\x90\xa8z", "\xf0\x90\x90\x80Z"},
      {"abcdefgh\xc3\xbcx", "ABCDEFGH\xc3\x9cX"}, {"0123456789abcdefXYZ", "0123456789ABCDEFxyz"},
  };
  for (int seeded = 0; seeded < 2; seeded++) {
    if (seeded) {
      unsigned char key[16];
      for (int i = 0; i < 16; i++) key[i] = (unsigned char)(37 * i + 11);
      vso_index_seed(key);
    }
    vso_name_index ix = {0};
    names k = {0};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
      put(&ix, &k, pairs[i][0]);
      size_t at = SIZE_MAX;
      if (!get(&ix, &k, pairs[i][1], &at) || at != k.count - 1) fail_msg("\"%s\" does not find \"%s\"", pairs[i][1], pairs[i][0]);
    }
    size_t at;
    assert_false(get(&ix, &k, "\xc4\xb1", &at)); /* ı is not I */
    assert_false(get(&ix, &k, "linuxAmd6", &at));
    /* a second put of an equal name points the entry at the new value */
    put(&ix, &k, "LinuxAMD64");
    assert_true(get(&ix, &k, "linuxamd64", &at) && at == k.count - 1);
    assert_int_equal(ix.n, sizeof pairs / sizeof pairs[0]);
    vso_index_free(&ix);
    names_free(&k);
  }
}

/* Many names, found again under two keys; the key changes nothing found. */
static void many_names_any_key(void **state) {
  (void)state;
  for (int round = 0; round < 2; round++) {
    unsigned char key[16];
    for (int i = 0; i < 16; i++) key[i] = (unsigned char)(round * 101 + i * 7);
    vso_index_seed(key);
    vso_name_index ix = {0};
    names k = {0};
    char name[32];
    for (size_t i = 0; i < 50000; i++) {
      snprintf(name, sizeof name, "v%zu", i);
      put(&ix, &k, name);
    }
    for (size_t i = 0; i < 50000; i++) {
      size_t at;
      snprintf(name, sizeof name, "V%zu", i);
      if (!get(&ix, &k, name, &at) || at != i) fail_msg("%s not found under key %d", name, round);
    }
    size_t at;
    assert_false(get(&ix, &k, "v50000", &at));
    vso_index_free(&ix);
    names_free(&k);
  }
}

/* Random names of pieces that fold alike or nearly: whenever vso_ieq says
 * two are equal, one finds the other (the hash folds as vso_ieq compares). */
static void hash_follows_ieq(void **state) {
  (void)state;
  static const char *const pieces[] = {"a",  "A",  "z",  "Z", "\xc3\xbc", "\xc3\x9c", "\xe2\xb1\xa5", "\xc8\xba", "\xc4\xb1", "I",
                                       "i",  "\xc5\xbf", "s", "S", "\xff",     "\xfe",     "\xef\xbf\xbd",     "\xe2\x82", "\xc0", "@",
                                       "`",  "0",  "\xf0\x90\x90\xa8", "\xf0\x90\x90\x80", "\xcf\x82", "\xcf\x83", "\xce\xa3", "abcdefgh", "ABCDEFGH"};
  uint64_t seed = 12345;
  size_t met = 0;
  for (int round = 0; round < 20000; round++) {
    char a[64] = "", b[64] = "";
    for (int which = 0; which < 2; which++) {
      char *s = which ? b : a;
      int parts = (int)(seed % 4) + 1;
      for (int k = 0; k < parts; k++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        strcat(s, pieces[(seed >> 33) % (sizeof pieces / sizeof pieces[0])]);
      }
    }
    if (round % 3 == 0) strcpy(b, a); /* sometimes b starts as a, then differs in case only */
    for (char *q = b; round % 3 == 0 && *q; q++)
      if (*q >= 'a' && *q <= 'z' && (seed >> (q - b)) % 2) *q = (char)(*q - 32);
    if (!vso_ieq(a, strlen(a), b, strlen(b))) continue;
    met++;
    vso_name_index ix = {0};
    names k = {0};
    put(&ix, &k, a);
    size_t at;
    if (!get(&ix, &k, b, &at)) fail_msg("\"%s\" equals \"%s\" but does not find it", b, a);
    vso_index_free(&ix);
    names_free(&k);
  }
  assert_true(met > 5000);
}

/* FNV-1a of old, over ASCII-lowered bytes. */
static uint32_t fnv1a(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    h = (h ^ c) * 16777619u;
  }
  return h;
}

/* Names that share the low bits of their FNV-1a hash would fill one run of
 * slots under it (every probe a walk along the run); keyed, they spread.
 * (Names with one full 32-bit FNV-1a hash are the black-box test's.) */
static void crafted_collisions_spread(void **state) {
  (void)state;
  vso_name_index ix = {0};
  names k = {0};
  char name[32];
  size_t made = 0;
  for (uint32_t i = 0; made < 1024; i++) {
    snprintf(name, sizeof name, "n%u", i);
    if ((fnv1a(name, strlen(name)) & 0x3FF) != 0x123) continue;
    put(&ix, &k, name);
    made++;
  }
  size_t longest = 0, run = 0;
  for (size_t i = 0; i < ix.cap; i++) {
    run = ix.slots[i].value_plus_one ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  if (longest > 100) fail_msg("a run of %zu occupied slots among %zu", longest, ix.cap);
  vso_index_free(&ix);
  names_free(&k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(equal_names_meet),
      cmocka_unit_test(many_names_any_key),
      cmocka_unit_test(hash_follows_ieq),
      cmocka_unit_test(crafted_collisions_spread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
