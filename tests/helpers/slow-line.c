/* SPDX-License-Identifier: MIT */
/* slow-line: writes one line in small pieces with pauses, so that the reader
 * gets it split across several reads.
 *
 * usage: slow-line [--chunk N] [--pause-ms M] [--no-newline] [--stderr] TEXT...
 *
 * The TEXT arguments are joined with single spaces and, unless --no-newline,
 * followed by "\n".  The result is written to stdout (--stderr: to stderr) in
 * pieces of N bytes (default 1; the last piece may be shorter), one write(2)
 * each, with M milliseconds (default 50) of sleep between two pieces (none
 * before the first or after the last).  Then the program exits 0.  A TEXT
 * such as "##vso[task.setvariable variable=x;isoutput=true]1" therefore
 * arrives byte by byte.
 *
 * Exit status 2 on a usage error, 1 if a system call fails (reported on
 * stderr).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "slow-line"
#define USAGE "[--chunk N] [--pause-ms M] [--no-newline] [--stderr] TEXT..."
#include "helper.h"

static void sleep_ms(unsigned long long ms) {
  struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR) fail("nanosleep");
  }
}

int main(int argc, char **argv) {
  unsigned long long chunk = 1, pause_ms = 50;
  bool newline = true;
  int fd = STDOUT_FILENO;
  int i = 1;
  for (; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--chunk")) {
      if (!parse_num(v, 1, 1UL << 20, &chunk)) usage_error("--chunk wants 1..1048576");
      i++;
    } else if (!strcmp(argv[i], "--pause-ms")) {
      if (!parse_num(v, 0, 600000, &pause_ms)) usage_error("--pause-ms wants 0..600000");
      i++;
    } else if (!strcmp(argv[i], "--no-newline")) {
      newline = false;
    } else if (!strcmp(argv[i], "--stderr")) {
      fd = STDERR_FILENO;
    } else if (!strcmp(argv[i], "--")) {
      i++;
      break;
    } else if (argv[i][0] == '-' && argv[i][1] == '-') {
      usage_error("unknown option");
    } else {
      break;
    }
  }
  if (i >= argc) usage_error("no TEXT");

  size_t len = 0;
  for (int k = i; k < argc; k++) len += strlen(argv[k]) + 1;
  char *line = malloc(len + 1);
  if (!line) fail("malloc");
  size_t n = 0;
  for (int k = i; k < argc; k++) {
    if (k > i) line[n++] = ' ';
    size_t a = strlen(argv[k]);
    memcpy(line + n, argv[k], a);
    n += a;
  }
  if (newline) line[n++] = '\n';

  for (size_t off = 0; off < n; off += chunk) {
    if (off > 0 && pause_ms) sleep_ms(pause_ms);
    write_all(fd, line + off, n - off < chunk ? n - off : chunk);
  }
  free(line);
  return 0;
}
