/* SPDX-License-Identifier: MIT */
/* complexity-gen: the logs of the complexity tests (test_complexity.sh),
 * written to stdout.
 *
 *   complexity-gen names-collide N   N task.setvariable lines whose names
 *       (102 bytes, a-z 0-9) all have one 32-bit FNV-1a hash, the name
 *       index's hash before it was keyed (kept here only to craft them):
 *       a Joux multicollision, 17 blocks of 6 bytes, each block one of two
 *       that collide from the state the blocks before leave.  N <= 2^17.
 *   complexity-gen names-random N    N lines with random names of the same
 *       length and alphabet.
 *   complexity-gen secrets N LINES   N task.setvariable lines with
 *       issecret=true and a random 24-byte token each, every one followed by
 *       LINES lines of build output (and every tenth by a line that prints
 *       the token again).
 *   complexity-gen plain N LINES     the same with plain variables.
 *   complexity-gen cpu COMMAND...    runs COMMAND (output dropped) and
 *       prints the CPU time, user and system, it and its children took, in
 *       microseconds.
 *
 * The same seed every time: the logs are the same on every run. */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCKS 17
#define BLOCK 6 /* 36^6 blocks, more than 2^32 states: collisions exist */

static uint64_t rng = 0x2545F4914F6CDD1Du;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* FNV-1a over ASCII-lowered bytes: vsorelay's fold_hash before the key. */
static uint32_t fnv_step(uint32_t h, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    h = (h ^ c) * 16777619u;
  }
  return h;
}

static void random_block(char *b) {
  for (int i = 0; i < BLOCK; i++) b[i] = alphabet[rnd() % 36];
}

/* Two different blocks with one FNV-1a state from h (a birthday search over
 * random blocks in a table of their states); returns that state. */
static uint32_t colliding_blocks(uint32_t h, char x[BLOCK], char y[BLOCK]) {
  enum { SLOTS = 1 << 20 };
  static uint32_t state[SLOTS];
  static char block[SLOTS][BLOCK];
  static unsigned char used[SLOTS];
  size_t filled = SLOTS; /* start with an empty table */
  for (;;) {
    if (filled >= SLOTS / 2) memset(used, 0, sizeof used), filled = 0;
    char b[BLOCK];
    random_block(b);
    uint32_t s = fnv_step(h, b, BLOCK);
    uint32_t i = (s * 2654435761u) >> 12;
    for (; used[i]; i = (i + 1) % SLOTS) {
      if (state[i] == s && memcmp(block[i], b, BLOCK) != 0) {
        memcpy(x, block[i], BLOCK);
        memcpy(y, b, BLOCK);
        return s;
      }
      if (state[i] == s) break;
    }
    if (used[i]) continue;
    used[i] = 1, state[i] = s, filled++;
    memcpy(block[i], b, BLOCK);
  }
}

static void names_collide(unsigned long n) {
  char pairs[BLOCKS][2][BLOCK];
  uint32_t h = 2166136261u;
  for (int k = 0; k < BLOCKS; k++) h = colliding_blocks(h, pairs[k][0], pairs[k][1]);
  for (unsigned long i = 0; i < n; i++) {
    char name[BLOCKS * BLOCK + 1];
    for (int k = 0; k < BLOCKS; k++) memcpy(name + k * BLOCK, pairs[k][(i >> k) & 1], BLOCK);
    name[BLOCKS * BLOCK] = '\0';
    if (fnv_step(2166136261u, name, BLOCKS * BLOCK) != h) {
      fprintf(stderr, "complexity-gen: name %lu does not collide\n", i);
      exit(1);
    }
    printf("##vso[task.setvariable variable=%s]v\n", name);
  }
}

static void names_random(unsigned long n) {
  for (unsigned long i = 0; i < n; i++) {
    char name[BLOCKS * BLOCK + 1];
    for (int k = 0; k < BLOCKS; k++) random_block(name + k * BLOCK);
    name[BLOCKS * BLOCK] = '\0';
    printf("##vso[task.setvariable variable=%s]v\n", name);
  }
}

/* A line of build output, 90 to 170 bytes, as a docker build prints them. */
static void output_line(unsigned long i, unsigned long j) {
  static const char *const words[] = {"Step", "RUN", "apt-get", "install", "--no-install-recommends", "COPY",
                                      "layer", "sha256:", "Downloading", "Extracting", "done", "ImageBuilder",
                                      "linux/amd64", "mcr.microsoft.com/dotnet/runtime", "bookworm-slim", "#"};
  printf("%06lu.%02lu ", i, j);
  int len = 0, target = 80 + (int)(rnd() % 80);
  while (len < target) len += printf("%s ", words[rnd() % (sizeof words / sizeof words[0])]);
  printf("%08x\n", rnd());
}

static void variables(unsigned long n, unsigned long lines, int secret) {
  for (unsigned long i = 0; i < n; i++) {
    char token[25];
    for (int k = 0; k < 24; k++)
      token[k] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[rnd() % 64];
    token[24] = '\0';
    printf("##vso[task.setvariable variable=var%lu%s]%s\n", i, secret ? ";issecret=true" : "", token);
    if (i % 10 == 0) printf("the token of var%lu is %s, do not print it\n", i, token); /* something to mask */
    for (unsigned long j = 0; j < lines; j++) output_line(i, j);
  }
}

/* Runs argv and prints the CPU time (user + system, in microseconds) of it
 * and what it waited for: work done, which load on the machine hardly moves. */
static int cpu_time(char **argv) {
  pid_t pid = fork();
  if (pid < 0) return perror("complexity-gen: fork"), 1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1), dup2(null, 2);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) return perror("complexity-gen: wait4"), 1;
  long long us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  printf("%lld\n", us);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "cpu") == 0) return cpu_time(argv + 2);
  unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 0, lines = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
  if (argc > 2 && strcmp(argv[1], "names-collide") == 0 && n <= 1ul << BLOCKS) names_collide(n);
  else if (argc > 2 && strcmp(argv[1], "names-random") == 0) names_random(n);
  else if (argc > 3 && strcmp(argv[1], "secrets") == 0) variables(n, lines, 1);
  else if (argc > 3 && strcmp(argv[1], "plain") == 0) variables(n, lines, 0);
  else {
    fprintf(stderr, "usage: complexity-gen names-collide|names-random N | secrets|plain N LINES | cpu COMMAND...\n");
    return 2;
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
