/* SPDX-License-Identifier: MIT */
/* The least any wrapper of a command costs: start it with posix_spawnp and
 * wait for it, nothing else (no pipes, no event loop, no signals).
 *
 *   bench-wrap COMMAND [ARG...]
 *
 * run-bench.sh times `bench-wrap true` next to `vsorelay run -- true` and
 * `true`: the start-up target leaves vsorelay what is over this floor. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench-wrap COMMAND [ARG...]\n");
    return 2;
  }
  pid_t pid;
  int e = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
  if (e) {
    fprintf(stderr, "bench-wrap: cannot run '%s': %s\n", argv[1], strerror(e));
    return 127;
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) {
    perror("bench-wrap: waitpid");
    return 125;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
