/* SPDX-License-Identifier: MIT */
/* failalloc.so: an LD_PRELOAD shim for the black-box tests of allocation
 * failure.  malloc, calloc and realloc fail (NULL, errno ENOMEM) for any
 * request of VSO_FAIL_ALLOC_MIN bytes or more; smaller ones go to glibc.
 * Unlike `ulimit -v`, the failure comes at one size whatever the build, so a
 * test can make exactly the large allocations fail: holding a long logging
 * command line, unescaping its value.
 *
 * usage: LD_PRELOAD=.../failalloc.so VSO_FAIL_ALLOC_MIN=1048576 vsorelay run ... */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/* glibc's own entry points, which the shim hands the small requests to */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static size_t fail_from(void) {
  static size_t limit;
  static int read;
  if (!read) {
    const char *v = getenv("VSO_FAIL_ALLOC_MIN"); /* getenv allocates nothing */
    size_t n = 0;
    for (; v && *v >= '0' && *v <= '9'; v++) n = n * 10 + (size_t)(*v - '0');
    limit = n ? n : (size_t)-1;
    read = 1;
  }
  return limit;
}

static void *refuse(void) {
  errno = ENOMEM;
  return NULL;
}

void *malloc(size_t n) { return n >= fail_from() ? refuse() : __libc_malloc(n); }

void *calloc(size_t n, size_t size) {
  if (size && n > (size_t)-1 / size) return refuse();
  return n * size >= fail_from() ? refuse() : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n) { return n >= fail_from() ? refuse() : __libc_realloc(p, n); }
