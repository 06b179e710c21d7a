/* SPDX-License-Identifier: MIT */
/* bench-timer: runs a command N times and reports its wall time and peak RSS.
 *
 *   bench-timer [-n RUNS] [-w WARMUP] [-i IN] [-o OUT] [-t TIMEOUT] [-v] -- COMMAND [ARG...]
 *               [::: COMMAND [ARG...]]...
 *
 * Each run is fork + execvp + wait4, timed with CLOCK_MONOTONIC from just
 * before fork to just after wait4 returns.  stdin comes from IN (default
 * /dev/null) and stdout goes to OUT (default /dev/null); stderr is inherited.
 * WARMUP runs (default 0) are done first and not counted.  A run still going
 * after TIMEOUT seconds is killed (SIGKILL to it and its process group) and
 * counted as timed out; the remaining runs are skipped.
 *
 * With several commands separated by ":::" (at most 8) they take turns, run
 * by run (A B A B ...), so that a drift in the machine's load hits them alike.
 *
 * Prints one line of key=value pairs on stdout per command ("cmd=K " first
 * when there are several):
 *   runs=N median=S min=S max=S cpu=S maxrss_kib=K failed=F timed_out=0|1
 * times in seconds (cpu: the median of user + system time, the command's
 * and that of the descendants it waited for); maxrss_kib is the largest ru_maxrss that wait4 reported
 * over the runs (Linux: the peak RSS of the command or of any descendant it
 * waited for, whichever is larger).  -v adds all=S,S,... with every time.
 * Exit status 0 if every run exited 0, 1 otherwise, 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "bench-timer"

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) {
  (void)sig;
  alarmed = 1;
}

__attribute__((noreturn)) static void usage(const char *msg) {
  fprintf(stderr, PROG ": %s\nusage: " PROG " [-n RUNS] [-w WARMUP] [-i IN] [-o OUT] [-t TIMEOUT] [-v] -- COMMAND...\n",
          msg);
  exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* One run.  Returns the wall time; *status is the wait status, *rss_kib the
 * peak RSS, *timed_out set when killed by the timeout. */
static double run_once(char **cmd, const char *in, const char *out, double timeout, int *status, long *rss_kib,
                       double *cpu, bool *timed_out) {
  int ifd = open(in, O_RDONLY | O_CLOEXEC);
  int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (ifd < 0 || ofd < 0) {
    fprintf(stderr, PROG ": cannot open %s: %s\n", ifd < 0 ? in : out, strerror(errno));
    exit(2);
  }
  *timed_out = false;
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) {
    perror(PROG ": fork");
    exit(2);
  }
  if (pid == 0) {
    setpgid(0, 0); /* so that the timeout can stop the whole command */
    dup2(ifd, STDIN_FILENO);
    dup2(ofd, STDOUT_FILENO);
    signal(SIGPIPE, SIG_DFL);
    execvp(cmd[0], cmd);
    fprintf(stderr, PROG ": cannot run %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
  }
  if (timeout > 0) {
    alarmed = 0;
    struct itimerval it = {.it_value = {.tv_sec = (time_t)timeout,
                                        .tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6)}};
    setitimer(ITIMER_REAL, &it, NULL);
  }
  struct rusage ru;
  for (;;) {
    pid_t w = wait4(pid, status, 0, &ru);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) {
      if (alarmed && !*timed_out) {
        *timed_out = true;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
      }
      continue;
    }
    perror(PROG ": wait4");
    exit(2);
  }
  double t = now() - t0;
  if (timeout > 0) {
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
  }
  if (*timed_out) kill(-pid, SIGKILL); /* whatever is left of the group */
  close(ifd);
  close(ofd);
  *rss_kib = ru.ru_maxrss;
  *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec / 1e6;
  return t;
}

typedef struct cmd_stats {
  char **argv;
  double *times, *cpus;
  long done, failed, maxrss;
} cmd_stats;

/* The median of done values (sorted into scratch), and the smallest and largest. */
static double median_of(const double *v, long done, double *scratch, double *lo, double *hi) {
  if (!done) {
    if (lo) *lo = *hi = 0;
    return 0;
  }
  memcpy(scratch, v, (size_t)done * sizeof *scratch);
  qsort(scratch, (size_t)done, sizeof *scratch, cmp_double);
  if (lo) {
    *lo = scratch[0];
    *hi = scratch[done - 1];
  }
  return done % 2 ? scratch[done / 2] : (scratch[done / 2 - 1] + scratch[done / 2]) / 2;
}

static int print_stats(cmd_stats *cs, int c, int ncmds, bool any_timeout, bool verbose) {
  long done = cs->done;
  double *sorted = calloc((size_t)(done ? done : 1), sizeof *sorted);
  if (!sorted) return 2;
  double lo, hi;
  double median = median_of(cs->times, done, sorted, &lo, &hi);
  double cpu = median_of(cs->cpus, done, sorted, NULL, NULL);
  if (ncmds > 1) printf("cmd=%d ", c + 1);
  printf("runs=%ld median=%.6f min=%.6f max=%.6f cpu=%.6f maxrss_kib=%ld failed=%ld timed_out=%d", done, median, lo,
         hi, cpu, cs->maxrss, cs->failed, any_timeout ? 1 : 0);
  if (verbose) {
    printf(" all=");
    for (long k = 0; k < done; k++) printf("%s%.6f", k ? "," : "", cs->times[k]);
  }
  printf("\n");
  free(sorted);
  free(cs->times);
  free(cs->cpus);
  return 0;
}

typedef struct options {
  long runs, warmup;
  const char *in, *out;
  double timeout;
  bool verbose;
} options;

/* Parses the options; returns the index of the first command word. */
static int parse_options(int argc, char **argv, options *o) {
  *o = (options){.runs = 5, .in = "/dev/null", .out = "/dev/null"};
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) return i + 1;
    if (!strcmp(a, "-v")) {
      o->verbose = true;
      continue;
    }
    if (i + 1 >= argc) usage("an option wants a value");
    const char *v = argv[++i];
    if (!strcmp(a, "-n")) o->runs = strtol(v, NULL, 10);
    else if (!strcmp(a, "-w")) o->warmup = strtol(v, NULL, 10);
    else if (!strcmp(a, "-i")) o->in = v;
    else if (!strcmp(a, "-o")) o->out = v;
    else if (!strcmp(a, "-t")) o->timeout = strtod(v, NULL);
    else usage("unknown option");
  }
  return i;
}

/* COMMAND [ARG...] [::: COMMAND [ARG...]]...: the commands take turns.
 * Returns how many, or -1 when memory runs out. */
static int split_commands(int argc, char **argv, int i, long runs, cmd_stats cmds[8]) {
  int ncmds = 0;
  cmds[ncmds++] = (cmd_stats){.argv = argv + i};
  for (int k = i; k < argc; k++)
    if (!strcmp(argv[k], ":::")) {
      argv[k] = NULL;
      if (ncmds == 8 || k + 1 >= argc) usage("too many commands, or an empty one");
      cmds[ncmds++] = (cmd_stats){.argv = argv + k + 1};
    }
  for (int c = 0; c < ncmds; c++) {
    if (!cmds[c].argv[0]) usage("an empty command");
    cmds[c].times = calloc((size_t)runs, sizeof(double));
    cmds[c].cpus = calloc((size_t)runs, sizeof(double));
    if (!cmds[c].times || !cmds[c].cpus) return -1;
  }
  return ncmds;
}

/* One run of cs (k < warmup: not counted).  False when it timed out. */
static bool run_one(cmd_stats *cs, const options *o, long k, bool *any_failed) {
  int status;
  long rss;
  bool to;
  double cpu;
  double t = run_once(cs->argv, o->in, o->out, o->timeout, &status, &rss, &cpu, &to);
  if (to) return false;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    cs->failed++;
    *any_failed = true;
    if (cs->failed == 1)
      fprintf(stderr, PROG ": %s: %s %d\n", cs->argv[0], WIFEXITED(status) ? "exit status" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  }
  if (k < o->warmup) return true;
  cs->cpus[cs->done] = cpu;
  cs->times[cs->done++] = t;
  if (rss > cs->maxrss) cs->maxrss = rss;
  return true;
}

int main(int argc, char **argv) {
  options o;
  int i = parse_options(argc, argv, &o);
  if (i >= argc) usage("no command");
  if (o.runs < 1 || o.warmup < 0) usage("bad -n or -w");
  cmd_stats cmds[8];
  int ncmds = split_commands(argc, argv, i, o.runs, cmds);
  if (ncmds < 0) return 2;

  struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: wait4 must see EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);

  bool any_timeout = false, any_failed = false;
  for (long k = 0; k < o.warmup + o.runs && !any_timeout; k++)
    for (int c = 0; c < ncmds && !any_timeout; c++) any_timeout = !run_one(&cmds[c], &o, k, &any_failed);
  for (int c = 0; c < ncmds; c++)
    if (print_stats(&cmds[c], c, ncmds, any_timeout, o.verbose)) return 2;
  return any_failed || any_timeout ? 1 : 0;
}
