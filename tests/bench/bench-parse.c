/* The C side of the parse-rate comparison: vsorelay's own stream scanner and
 * command parser (parser/scan.c, parser/command.c, the code `replay` and
 * `run` use) over a log file, doing what parse-node.js does with task-lib:
 * split the file into lines, parse each logging command, read its name,
 * "variable" property and data.
 *
 *   bench-parse FILE
 *
 * Prints "lines=N seconds=S checksum=C" like parse-node.js: S is measured
 * inside the process, from before the file is opened to after the last
 * line, the same span parse-node.js measures.  The checksum adds the same
 * lengths (command "area.event", variable, data), so the two outputs must
 * agree on it for an all-ASCII log. */
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
  /* the scanner's buffer is NUL-terminated and outlives the command: borrow,
   * as vsorelay's analysis does */
  if (!vso_parse_command_borrowing(line->text, line->len, false, &cmd, &oom)) {
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

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench-parse FILE\n");
    return 2;
  }
  double started = now();
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    fprintf(stderr, "bench-parse: cannot open '%s': %s\n", argv[1], strerror(errno));
    return 1;
  }
  counter c = {0};
  vso_scanner s;
  vso_scan_sink sink = {.ctx = &c, .pass = NULL, .line = on_line};
  vso_scanner_init(&s, &sink, 0);
  static char chunk[1 << 18]; /* replay's read size */
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fprintf(stderr, "bench-parse: cannot read '%s': %s\n", argv[1], strerror(errno));
      return 1;
    }
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
