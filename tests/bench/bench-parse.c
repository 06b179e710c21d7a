/* SPDX-License-Identifier: MIT */
/* The C side of the parse-rate comparison: vsorelay's own stream scanner and
 * command parser (core/scan.c, core/command.c, the code `replay` and
 * `run` use) over a log file, doing what parse-node.js does with task-lib:
 * split the file into lines, parse each logging command, read its name,
 * "variable" property and data.
 *
 *   bench-parse FILE
 *   bench-parse --floor FILE
 *
 * Prints "lines=N seconds=S checksum=C" like parse-node.js: S is measured
 * inside the process, from before the file is opened to after the last
 * line, the same span parse-node.js measures.  The checksum adds the same
 * lengths (command "area.event", variable, data), so the two outputs must
 * agree on it for an all-ASCII log.
 *
 * --floor measures a bound instead: the least that any parser of the
 * agent's grammar has to do per line, with the same reads.  It finds the
 * line's end, the ']' that ends the command info, and whether the data holds
 * a '%' (three memchr calls), and nothing else: no name, no properties, no
 * unescaping.  Its checksum counts the lines with a ']', and those with a
 * '%' after it once more. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "scan.h"

typedef struct counter {
  unsigned long lines, failed;
  unsigned checksum;
} counter;

static void on_line(void *ctx, const vso_line *line) {
  counter *c = ctx;
  vso_command cmd;
  bool oom;
  /* the line outlives the command, whose slices borrow from it; the scanner
   * found "##vso[" already: as vsorelay's analysis does */
  if (!vso_parse_command_at(line->text, line->len, line->command_at, false, &cmd, &oom)) {
    c->failed++;
    return;
  }
  const vso_prop *v = vso_command_prop(&cmd, "variable");
  c->checksum += (unsigned)(cmd.area.n + 1 + cmd.event.n + (v ? v->value.n : 0) + cmd.data.n);
  c->lines++;
  vso_command_free(&cmd);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum { CHUNK = 1 << 18 }; /* replay's read size */

/* read(2) with EINTR retried; -1 after saying why. */
static ssize_t read_some(int fd, char *buf, size_t n, const char *path) {
  for (;;) {
    ssize_t got = read(fd, buf, n);
    if (got >= 0) return got;
    if (errno == EINTR) continue;
    fprintf(stderr, "bench-parse: cannot read '%s': %s\n", path, strerror(errno));
    return -1;
  }
}

/* started: taken before the file was opened, as for the parser */
static int floor_run(int fd, const char *path, double started) {
  static char chunk[CHUNK];
  size_t have = 0;
  unsigned long lines = 0, commands = 0;
  for (;;) {
    ssize_t n = read_some(fd, chunk + have, sizeof chunk - have, path);
    if (n < 0) return 1;
    if (n == 0) break;
    have += (size_t)n;
    char *p = chunk, *end = chunk + have;
    char *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
      char *rb = memchr(p, ']', (size_t)(nl - p));
      if (rb) commands += 1 + (memchr(rb, '%', (size_t)(nl - rb)) != NULL); /* used: not optimised away */
      lines++;
      p = nl + 1;
    }
    have = (size_t)(end - p);
    if (have == sizeof chunk) have = 0; /* a line longer than a chunk: not in these logs */
    memmove(chunk, p, have);
  }
  close(fd);
  printf("lines=%lu seconds=%.6f checksum=%lu\n", lines, now() - started, commands);
  return 0;
}

int main(int argc, char **argv) {
  bool floor_only = argc == 3 && strcmp(argv[1], "--floor") == 0;
  if (argc != 2 && !floor_only) {
    fprintf(stderr, "usage: bench-parse [--floor] FILE\n");
    return 2;
  }
  const char *path = argv[argc - 1];
  double started = now();
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(stderr, "bench-parse: cannot open '%s': %s\n", path, strerror(errno));
    return 1;
  }
  if (floor_only) return floor_run(fd, path, started);
  counter c = {0};
  vso_scanner s;
  vso_scan_sink sink = {.ctx = &c, .pass = NULL, .line = on_line};
  vso_scanner_init(&s, &sink, 0);
  static char chunk[CHUNK];
  for (;;) {
    ssize_t n = read_some(fd, chunk, sizeof chunk, path);
    if (n < 0) return 1;
    if (n == 0) break;
    vso_scanner_feed(&s, chunk, (size_t)n);
  }
  vso_scanner_finish(&s);
  close(fd);
  double seconds = now() - started;
  vso_scanner_free(&s);
  if (c.failed) fprintf(stderr, "bench-parse: %lu lines were not commands\n", c.failed);
  printf("lines=%lu seconds=%.6f checksum=%u\n", c.lines, seconds, c.checksum);
  return 0;
}
