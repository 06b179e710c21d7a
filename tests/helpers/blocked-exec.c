/* SPDX-License-Identifier: MIT */
/* blocked-exec: runs a command with every signal blocked, as some launchers
 * leave them, to show that vsorelay still sees its child exit and still
 * receives the signals it forwards.
 *
 * usage: blocked-exec PROGRAM [ARG...]
 */
#include <signal.h>

#define PROG "blocked-exec"
#define USAGE "PROGRAM [ARG...]"
#include "helper.h"

int main(int argc, char **argv) {
  if (argc < 2) usage_error("no program given");
  sigset_t all;
  if (sigfillset(&all) != 0 || sigprocmask(SIG_BLOCK, &all, NULL) != 0) fail("sigprocmask");
  execv(argv[1], argv + 1);
  fail(argv[1]);
}
