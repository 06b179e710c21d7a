/* SPDX-License-Identifier: MIT */
/* print-signals: a child for vsorelay's signal-forwarding tests.
 *
 * usage: print-signals [--stay | --exit-after N] [--timeout SECONDS]
 *
 * Blocks SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2, then writes
 * "ready <pid>\n" to stdout; from then on the signals are caught (none is
 * lost between start-up and "ready").  Each one received is reported as
 * "signal <N>\n" on stdout (one write(2); the signals are taken with
 * sigwaitinfo, so nothing runs in a signal handler).
 *
 *   default          SIGINT, SIGTERM, SIGHUP and SIGQUIT end the program with
 *                    status 128+N after it reports them; SIGUSR1 and SIGUSR2
 *                    are only reported.
 *   --stay           no signal ends it: it keeps running until SIGKILL (or
 *                    --timeout).
 *   --exit-after N   report the first N signals (any of the six), then exit
 *                    with 128 + the N-th signal's number; no signal ends it
 *                    before that.
 *   --timeout S      give up after S seconds without exiting otherwise:
 *                    "timeout\n" on stdout, exit status 124 (a safety net for
 *                    tests; default: wait forever).
 *
 * Exit status 2 on a usage error, 1 if a system call fails (reported on
 * stderr).  Standard signals of one kind that arrive together are merged by
 * the kernel into one.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "print-signals"
#define USAGE "[--stay | --exit-after N] [--timeout SECONDS]"
#include "helper.h"

static void say(const char *word, long value) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %ld\n", word, value);
  if (n < 0 || (size_t)n >= sizeof line) {
    errno = EOVERFLOW;
    fail("snprintf");
  }
  write_all(STDOUT_FILENO, line, (size_t)n);
}

static bool terminating(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

int main(int argc, char **argv) {
  bool stay = false;
  unsigned long long exit_after = 0, timeout = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--stay")) {
      stay = true;
    } else if (!strcmp(argv[i], "--exit-after")) {
      if (!parse_num(i + 1 < argc ? argv[i + 1] : NULL, 0, 1000000, &exit_after) || exit_after == 0)
        usage_error("--exit-after wants a count >= 1");
      i++;
    } else if (!strcmp(argv[i], "--timeout")) {
      if (!parse_num(i + 1 < argc ? argv[i + 1] : NULL, 0, 86400, &timeout) || timeout == 0)
        usage_error("--timeout wants 1..86400 seconds");
      i++;
    } else {
      usage_error("unknown argument");
    }
  }
  if (stay && exit_after) usage_error("--stay and --exit-after exclude each other");

  sigset_t set;
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  if (sigemptyset(&set) != 0) fail("sigemptyset");
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaddset(&set, sigs[i]) != 0) fail("sigaddset");
  if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) fail("sigprocmask");

  struct timespec deadline = {0, 0};
  if (timeout) {
    if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) fail("clock_gettime");
    deadline.tv_sec += (time_t)timeout;
  }

  say("ready", (long)getpid());

  unsigned long count = 0;
  for (;;) {
    siginfo_t si;
    int sig;
    if (timeout) {
      struct timespec now, left;
      if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) fail("clock_gettime");
      left.tv_sec = deadline.tv_sec - now.tv_sec;
      left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
      if (left.tv_nsec < 0) {
        left.tv_nsec += 1000000000L;
        left.tv_sec--;
      }
      if (left.tv_sec < 0) left.tv_sec = left.tv_nsec = 0;
      sig = sigtimedwait(&set, &si, &left);
      if (sig < 0 && errno == EAGAIN) {
        write_all(STDOUT_FILENO, "timeout\n", 8);
        return 124;
      }
    } else {
      sig = sigwaitinfo(&set, &si);
    }
    if (sig < 0) {
      if (errno == EINTR) continue; /* e.g. SIGSTOP/SIGCONT */
      fail("sigwaitinfo");
    }
    say("signal", sig);
    count++;
    if (exit_after) {
      if (count >= exit_after) return 128 + sig;
    } else if (!stay && terminating(sig)) {
      return 128 + sig;
    }
  }
}
