/* SPDX-License-Identifier: MIT */
/* race-generator's matrices, and the helpers of both files (race-matrices.h). */
#include "race-matrices.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const var_names[NVARS] = {"imageBuilderPaths", "legName", "osType", "architecture", "osVersions"};

void die(const char *what, int err) {
  fprintf(stderr, PROG ": %s: %s\n", what, strerror(err));
  exit(1);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("malloc", ENOMEM);
  return p;
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) die("realloc", ENOMEM);
  return q;
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) die("vsnprintf", EINVAL);
  char *s = xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  int m = vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  if (m != n) die("vsnprintf", EINVAL);
  return s;
}

/* A growable string. */
typedef struct {
  char *p;
  size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s) {
  size_t k = strlen(s);
  if (b->n + k + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + k + 1) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, k + 1);
  b->n += k;
}

void sleep_ms(unsigned long ms) {
  struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR) die("nanosleep", errno);
  }
}

/* splitmix64: a tiny, well-mixed PRNG; the whole run is a function of the seed. */
uint64_t rng_state;
uint64_t rng_next(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; } /* [0, 1) */


/* ---- the matrices ------------------------------------------------------ */

static void add_leg(matrix_t *m, char *name, char *paths, char *leg_name, const char *os_type, const char *arch,
                    char *os_versions) {
  m->legs = xrealloc(m->legs, (m->nlegs + 1) * sizeof *m->legs);
  leg_t *l = &m->legs[m->nlegs++];
  l->name = name;
  l->vars[0] = paths;
  l->vars[1] = leg_name;
  l->vars[2] = xasprintf("%s", os_type);
  l->vars[3] = xasprintf("%s", arch);
  l->vars[4] = os_versions;
}

/* go-images: Linux legs per Go version, distros in leg-name order. */
static const char *const go_versions[] = {"1.25", "1.26"};

static void linux_matrix(matrix_t *m, const char *name, const char *os_version_part, const char *arch_display,
                         const char *docker_arch, const char *const *distros, size_t ndistros) {
  m->name = xasprintf("%s", name);
  for (size_t g = 0; g < 2; g++) {
    for (size_t d = 0; d < ndistros; d++) {
      char *leg = xasprintf("src-microsoft-%s-%s", go_versions[g], distros[d]);
      add_leg(m, leg, xasprintf("--path src/microsoft/%s/%s", go_versions[g], distros[d]),
              xasprintf("%s%s%s", os_version_part, arch_display, leg), "linux", docker_arch,
              xasprintf("--os-version %s", distros[d]));
    }
  }
}

static void windows_matrix(matrix_t *m, const char *name, const char *ltsc) {
  m->name = xasprintf("%s", name);
  for (size_t g = 0; g < 2; g++) {
    const char *v = go_versions[g];
    char *leg = xasprintf("src-microsoft-%s-windowsservercore-%s-graph", v, ltsc);
    add_leg(m, leg,
            xasprintf("--path src/microsoft/%s/windows/windowsservercore-%s --path src/microsoft/%s/windows/nanoserver-%s",
                      v, ltsc, v, ltsc),
            xasprintf("windows-%samd64%s", ltsc, leg), "windows", "amd64",
            xasprintf("--os-version windowsservercore-%s --os-version nanoserver-%s", ltsc, ltsc));
  }
}

/* Synthetic matrix extraN<Amd64>: a Linux amd64 platform whose OS version
 * "extraN" is passed to --distinct-matrix-os-version (docs/imagebuilder.md,
 * "Matrix names").  The Dockerfile part "extraN" is dropped from the leg
 * name because a matrix-name part starts with it ("Legs"). */
static void extra_matrix(matrix_t *m, size_t number) {
  m->name = xasprintf("extra%zuAmd64", number);
  for (size_t g = 0; g < 2; g++) {
    char *leg = xasprintf("src-microsoft-%s", go_versions[g]);
    add_leg(m, leg, xasprintf("--path src/microsoft/%s/extra%zu", go_versions[g], number),
            xasprintf("extra%zuamd64%s", number, leg), "linux", "amd64", xasprintf("--os-version extra%zu", number));
  }
}

matrix_t *build_matrices(size_t n) {
  static const char *const arm32[] = {"bookworm", "bullseye"};
  static const char *const arm64[] = {"azurelinux3.0", "bookworm", "bullseye"};
  matrix_t *ms = xmalloc(n * sizeof *ms);
  memset(ms, 0, n * sizeof *ms);
  for (size_t i = 0; i < n; i++) {
    switch (i) {
    case 0: linux_matrix(&ms[i], "linuxArm32", "linux", "arm32", "arm", arm32, 2); break;
    case 1: linux_matrix(&ms[i], "linuxArm64", "linux", "arm64", "arm64", arm64, 3); break;
    case 2: linux_matrix(&ms[i], "linuxAmd64", "linux", "amd64", "amd64", arm64, 3); break;
    case 3: windows_matrix(&ms[i], "windowsLtsc2025Amd64", "ltsc2025"); break;
    case 4: windows_matrix(&ms[i], "windowsLtsc2022Amd64", "ltsc2022"); break;
    default: extra_matrix(&ms[i], i + 1); break;
    }
  }
  return ms;
}

void free_matrices(matrix_t *ms, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < ms[i].nlegs; j++) {
      free(ms[i].legs[j].name);
      for (size_t k = 0; k < NVARS; k++) free(ms[i].legs[j].vars[k]);
    }
    free(ms[i].legs);
    free(ms[i].name);
  }
  free(ms);
}

/* The value written by EmitVstsVariables ("The emitted lines"):
 * `{ "a": { "v1": "1", "v2": "x" }, "b": { "v1": "2", "v2": "y" }}`,
 * legs sorted by name, no JSON escaping. */
char *matrix_value(const matrix_t *m) {
  sbuf b = {0};
  sb_add(&b, "{");
  for (size_t j = 0; j < m->nlegs; j++) {
    sb_add(&b, j ? ", \"" : " \"");
    sb_add(&b, m->legs[j].name);
    sb_add(&b, "\": {");
    for (size_t k = 0; k < NVARS; k++) {
      sb_add(&b, k ? ", \"" : " \"");
      sb_add(&b, var_names[k]);
      sb_add(&b, "\": \"");
      sb_add(&b, m->legs[j].vars[k]);
      sb_add(&b, "\"");
    }
    sb_add(&b, " }");
  }
  sb_add(&b, "}");
  return b.p;
}

