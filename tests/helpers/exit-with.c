/* SPDX-License-Identifier: MIT */
/* exit-with: a child that ends in a chosen way.
 *
 * usage: exit-with CODE
 *        exit-with --signal N
 *        exit-with --stdout-then CODE TEXT
 *        exit-with --stderr-then CODE TEXT
 *
 *   CODE                     exit with status CODE (0..255); prints nothing.
 *   --signal N               die by signal N (1..64): core dumps are switched
 *                            off (RLIMIT_CORE 0), N is reset to SIG_DFL and
 *                            unblocked, then raised.  If the process is still
 *                            alive afterwards (N's default action is to ignore,
 *                            e.g. SIGCHLD), it says so on stderr and exits 125.
 *   --stdout-then CODE TEXT  write TEXT followed by "\n" to stdout, exit CODE.
 *   --stderr-then CODE TEXT  the same on stderr.
 *
 * Exit status 2 on a usage error, 1 if a system call fails (reported on
 * stderr).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define PROG "exit-with"
#define USAGE "CODE | --signal N | --stdout-then CODE TEXT | --stderr-then CODE TEXT"
#include "helper.h"

static int die_by_signal(int sig) {
  struct rlimit nocore = {0, 0};
  if (setrlimit(RLIMIT_CORE, &nocore) != 0) fail("setrlimit");
  if (sig != SIGKILL && sig != SIGSTOP) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    if (sigemptyset(&sa.sa_mask) != 0) fail("sigemptyset");
    if (sigaction(sig, &sa, NULL) != 0) fail("sigaction");
  }
  sigset_t set;
  if (sigemptyset(&set) != 0 || sigaddset(&set, sig) != 0) fail("sigaddset");
  if (sigprocmask(SIG_UNBLOCK, &set, NULL) != 0) fail("sigprocmask");
  if (raise(sig) != 0) fail("raise");
  fprintf(stderr, PROG ": signal %d did not terminate the process\n", sig);
  return 125;
}

int main(int argc, char **argv) {
  unsigned long long v;
  if (argc == 2 && argv[1][0] != '-') {
    if (!parse_num(argv[1], 0, 255, &v)) usage_error("CODE must be 0..255");
    return (int)v;
  }
  if (argc == 3 && !strcmp(argv[1], "--signal")) {
    if (!parse_num(argv[2], 1, 64, &v)) usage_error("--signal wants 1..64");
    return die_by_signal((int)v);
  }
  if (argc == 4 && (!strcmp(argv[1], "--stdout-then") || !strcmp(argv[1], "--stderr-then"))) {
    if (!parse_num(argv[2], 0, 255, &v)) usage_error("CODE must be 0..255");
    int fd = !strcmp(argv[1], "--stdout-then") ? STDOUT_FILENO : STDERR_FILENO;
    write_all(fd, argv[3], strlen(argv[3]));
    write_all(fd, "\n", 1);
    return (int)v;
  }
  usage_error("bad arguments");
}
