/* SPDX-License-Identifier: MIT */
/* Inside glob.c: UTF-16 strings, lists of them, and Minimatch's
 * BraceExpand and split at "/+" (glob_expand.c). */
#ifndef VSO_GLOB_INT_H
#define VSO_GLOB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the library's names for what glob.c and glob_expand.c share */
#define put vso_glob_put
#define put_units vso_glob_put_units
#define put_ascii vso_glob_put_ascii
#define put_utf8 vso_glob_put_utf8
#define same vso_glob_same
#define white vso_glob_white
#define add_copy vso_glob_add_copy
#define list_free vso_glob_list_free
#define brace_expand vso_glob_brace_expand
#define split_slashes vso_glob_split_slashes

typedef struct u16 {
  uint16_t *p;
  size_t n, cap;
  bool oom;
} u16;

/* A list of strings (the brace expansion, the parts of a split). */
typedef struct list {
  u16 *at;
  size_t n, cap;
  size_t units;  /* all their lengths */
  bool oom, too_big;
} list;

void put(u16 *s, uint16_t c);
void put_units(u16 *s, const uint16_t *p, size_t n);
void put_ascii(u16 *s, const char *a);
void put_utf8(u16 *s, const char *p, size_t n);
bool same(const uint16_t *p, size_t n, const char *ascii);
bool white(uint16_t c);
void add_copy(list *l, const uint16_t *p, size_t n);
void list_free(list *l);
/* Minimatcher.BraceExpand: every expansion of p, appended to out. */
void brace_expand(const uint16_t *p, size_t n, list *out);
/* Regex.Split(p, "/+"). */
void split_slashes(const uint16_t *p, size_t n, list *out);

#endif
