/* SPDX-License-Identifier: MIT */
/* The matrices race-generator prints: those of a full go-images build
 * (docs/imagebuilder.md, "go-images"), in emission order linuxArm32,
 * linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64, each
 * value in EmitVstsVariables' layout ("The emitted lines").  More than five:
 * synthetic extra6Amd64, extra7Amd64, ... follow.  And the small helpers of
 * both files. */
#ifndef RACE_MATRICES_H
#define RACE_MATRICES_H

#include <stddef.h>
#include <stdint.h>

#define PROG "race-generator"
#define NVARS 5

extern const char *const var_names[NVARS];

typedef struct {
  char *name;
  char *vars[NVARS];
} leg_t;

typedef struct {
  char *name;
  leg_t *legs;
  size_t nlegs;
} matrix_t;

matrix_t *build_matrices(size_t n);
void free_matrices(matrix_t *ms, size_t n);
/* The value written by EmitVstsVariables (malloc'd). */
char *matrix_value(const matrix_t *m);

__attribute__((noreturn)) void die(const char *what, int err);
void *xmalloc(size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
void sleep_ms(unsigned long ms);
/* splitmix64: the whole run is a function of the seed. */
extern uint64_t rng_state;
uint64_t rng_next(void);
double rng_unit(void); /* [0, 1) */

#endif
