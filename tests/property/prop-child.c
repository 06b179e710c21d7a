/* SPDX-License-Identifier: MIT */
/* prop-child: plays the scenario of a seed (scenario.c) on its stdout and
 * stderr, in random chunks with short random pauses (the chunking's own
 * generator, from the seed too, so a seed replays the same way), then ends
 * as the scenario says: an exit status, a signal, or a grandchild that
 * writes an unterminated line and sleeps until the drain timeout stops it.
 *
 * usage: prop-child SEED */
#define PROG "prop-child"
#define USAGE "SEED"
#include <stdint.h>

#include "../helpers/helper.h"

#include <signal.h>
#include <time.h>

#include "prop.h"

/* Writes p[0..n) in random chunks, sometimes pausing a millisecond or two. */
static void write_chunked(prop_rng *r, int fd, const char *p, size_t n) {
  while (n > 0) {
    size_t take = prop_chance(r, 30) ? 1 + prop_below(r, 7) : n;
    if (take > n) take = n;
    write_all(fd, p, take);
    p += take;
    n -= take;
    if (prop_chance(r, 10)) {
      struct timespec pause = {0, (long)prop_below(r, 2000) * 1000};
      nanosleep(&pause, NULL);
    }
  }
}

static void write_line(prop_rng *r, const prop_line *l) {
  int fd = l->stream ? STDERR_FILENO : STDOUT_FILENO;
  write_chunked(r, fd, l->text, strlen(l->text));
  write_chunked(r, fd, l->term, strlen(l->term));
}

/* A grandchild in the same process group writes the tail and sleeps: the
 * command exits first, then the drain timeout stops the group. */
static void end_with_grandchild(prop_rng *r, const prop_scenario *s) {
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    write_line(r, &s->tail);
    sleep(30);
    _exit(0);
  }
  struct timespec wait = {0, 50 * 1000000}; /* the grandchild's bytes are in the pipe by then */
  nanosleep(&wait, NULL);
  exit(0);
}

int main(int argc, char **argv) {
  unsigned long long seed;
  if (argc != 2 || !parse_num(argv[1], 0, UINT64_MAX, &seed)) usage_error("a seed is expected");
  prop_scenario s;
  prop_make(&s, seed);
  prop_rng timing = {seed ^ 0xC0FFEEull};
  if (s.bom) write_chunked(&timing, STDOUT_FILENO, "\xFF\xFE", 2);
  for (int i = 0; i < s.nlines; i++) write_line(&timing, &s.lines[i]);
  if (s.end == PROP_GRANDCHILD) end_with_grandchild(&timing, &s);
  if (s.has_tail) write_line(&timing, &s.tail);
  if (s.end == PROP_SIGNAL) {
    signal(s.signal, SIG_DFL);
    raise(s.signal);
  }
  return s.exit_status;
}
