/* SPDX-License-Identifier: MIT */
/* grandchild-holder: a child that exits at once but leaves a descendant
 * holding its stdout/stderr open (the relay must not wait forever for EOF).
 *
 * usage: grandchild-holder [--hold SECONDS] [--daemon] [--late TEXT] [--exit-code C]
 *
 * Writes "holder <pid>\n" to stdout, forks the holder process, writes
 * "grandchild <holder-pid>\n" to stdout once the holder runs, and exits with
 * C (default 0) at once.  The holder inherits stdout and stderr (nothing is
 * closed or redirected), sleeps --hold SECONDS (default 30, 0 allowed), then
 * writes TEXT + "\n" (default "late") to stdout and exits 0.
 *
 *   --daemon   the holder escapes the process group and session: the forked
 *              child forks again, the middle process exits, the new one calls
 *              setsid() and forks once more (classic double fork); the final
 *              process is the holder whose pid is reported.  Signals sent to
 *              the original process group do not reach it.
 *
 * The reported pid lets a test kill the holder when it is done.  Exit status 2
 * on a usage error, 1 if a system call fails (reported on stderr).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "grandchild-holder"
#define USAGE "[--hold SECONDS] [--daemon] [--late TEXT] [--exit-code C]"
#include "helper.h"

/* In a forked process: report and leave without running atexit handlers. */
__attribute__((noreturn)) static void fail_child(const char *what) {
  fprintf(stderr, PROG " (pid %ld): %s: %s\n", (long)getpid(), what, strerror(errno));
  _exit(1);
}

/* Like write_all, but reports failure instead of exiting: a forked process
 * must leave with _exit (fail_child). */
static bool write_fully(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

static void say(const char *word, long value) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %ld\n", word, value);
  if (n < 0 || (size_t)n >= sizeof line) {
    errno = EOVERFLOW;
    fail("snprintf");
  }
  if (!write_fully(STDOUT_FILENO, line, (size_t)n)) fail("write stdout");
}

__attribute__((noreturn)) static void hold(int report_fd, unsigned long seconds, const char *late) {
  pid_t self = getpid();
  if (!write_fully(report_fd, (const char *)&self, sizeof self)) fail_child("write pipe");
  if (close(report_fd) != 0) fail_child("close pipe");

  struct timespec ts = {.tv_sec = (time_t)seconds, .tv_nsec = 0};
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR) fail_child("nanosleep");
  }
  size_t n = strlen(late);
  if (!write_fully(STDOUT_FILENO, late, n) || !write_fully(STDOUT_FILENO, "\n", 1)) fail_child("write stdout");
  _exit(0);
}

int main(int argc, char **argv) {
  unsigned long long hold_s = 30, exit_code = 0;
  bool detach = false;
  const char *late = "late";
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--hold")) {
      if (!parse_num(v, 0, 86400, &hold_s)) usage_error("--hold wants 0..86400 seconds");
      i++;
    } else if (!strcmp(argv[i], "--daemon")) {
      detach = true;
    } else if (!strcmp(argv[i], "--late")) {
      if (!v) usage_error("--late wants a text");
      late = v;
      i++;
    } else if (!strcmp(argv[i], "--exit-code")) {
      if (!parse_num(v, 0, 255, &exit_code)) usage_error("--exit-code wants 0..255");
      i++;
    } else {
      usage_error("unknown argument");
    }
  }

  say("holder", (long)getpid());

  int p[2];
  if (pipe(p) != 0) fail("pipe");
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    if (close(p[0]) != 0) fail_child("close");
    if (detach) {
      pid_t mid = fork();
      if (mid < 0) fail_child("fork");
      if (mid > 0) _exit(0); /* the first child goes away; its parent reaps it */
      if (setsid() < 0) fail_child("setsid");
      pid_t last = fork();
      if (last < 0) fail_child("fork");
      if (last > 0) _exit(0); /* the session leader goes; the holder can never get a tty */
    }
    hold(p[1], hold_s, late);
  }

  if (close(p[1]) != 0) fail("close");
  pid_t holder = 0;
  size_t got = 0;
  while (got < sizeof holder) {
    ssize_t r = read(p[0], (char *)&holder + got, sizeof holder - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail("read pipe");
    }
    if (r == 0) {
      fprintf(stderr, PROG ": the holder died before reporting its pid\n");
      return 1;
    }
    got += (size_t)r;
  }
  if (close(p[0]) != 0) fail("close");
  if (detach) {
    /* Reap the first child, which exited right after forking. */
    int st;
    while (waitpid(child, &st, 0) < 0) {
      if (errno != EINTR) fail("waitpid");
    }
  }
  say("grandchild", (long)holder);
  return (int)exit_code;
}
