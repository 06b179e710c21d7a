/* SPDX-License-Identifier: MIT */
/* bench-latency: how long a byte the child writes takes to come out.
 *
 *   bench-latency measure [--relay VSORELAY] [--mode line|partial] [--count N] [--interval-us U]
 *   bench-latency child --mode line|partial --count N --interval-us U
 *
 * measure starts, with its stdout on a pipe,
 *   VSORELAY run -- bench-latency child ...     (with --relay)
 *   bench-latency child ...                      (without: the bare pipe, the floor)
 * and reads that pipe.  The child writes N markers, one every U microseconds
 * (absolute deadlines, so no drift), each with one write(2) and the
 * CLOCK_MONOTONIC time taken just before the write, in nanoseconds:
 *   line:    "lat <ns> ok\n"       a whole line each time
 *   partial: "lat <ns> ok "        never a newline: one ever-growing line,
 *                                  as a progress bar or a prompt would be
 * The reader takes CLOCK_MONOTONIC as soon as read(2) returns and, for every
 * marker completed by that read, records arrival - stamp.  The first 20
 * samples (start-up) are dropped.
 *
 * Prints: samples=N p50_us=X p90_us=X p99_us=X max_us=X
 * Exit status 0, 1 if the markers did not all arrive, 2 on a usage error. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "bench-latency"
enum { SKIP = 20 };

__attribute__((noreturn)) static void usage(const char *msg) {
  fprintf(stderr,
          PROG ": %s\nusage: " PROG " measure [--relay VSORELAY] [--mode line|partial] [--count N] [--interval-us U]\n"
               "       " PROG " child --mode line|partial --count N --interval-us U\n",
          msg);
  exit(2);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int child(bool partial, long count, long interval_us) {
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (long i = 0; i < count; i++) {
    next.tv_nsec += interval_us * 1000L;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
    char buf[64];
    int n = snprintf(buf, sizeof buf, "lat %llu ok%c", (unsigned long long)now_ns(), partial ? ' ' : '\n');
    if (write(STDOUT_FILENO, buf, (size_t)n) != n) return 1;
  }
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(const uint64_t *s, size_t n, double p) {
  if (!n) return 0;
  size_t k = (size_t)(p * (double)(n - 1) + 0.5);
  return (double)s[k] / 1000.0;
}

static int measure(const char *relay, bool partial, long count, long interval_us) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror(PROG ": pipe");
    return 2;
  }
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl < 0) {
    perror(PROG ": /proc/self/exe");
    return 2;
  }
  self[sl] = '\0';
  char cnt[32], iv[32];
  snprintf(cnt, sizeof cnt, "%ld", count);
  snprintf(iv, sizeof iv, "%ld", interval_us);
  const char *mode = partial ? "partial" : "line";
  pid_t pid = fork();
  if (pid < 0) {
    perror(PROG ": fork");
    return 2;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (relay)
      execl(relay, relay, "run", "--", self, "child", "--mode", mode, "--count", cnt, "--interval-us", iv,
            (char *)NULL);
    else
      execl(self, self, "child", "--mode", mode, "--count", cnt, "--interval-us", iv, (char *)NULL);
    perror(PROG ": exec");
    _exit(127);
  }
  close(fds[1]);
  uint64_t *samples = calloc((size_t)count, sizeof *samples);
  if (!samples) return 2;
  size_t nsamples = 0, seen = 0;
  char buf[1 << 16];
  char acc[128]; /* the marker being assembled across reads */
  size_t acclen = 0;
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    uint64_t t = now_ns();
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      char c = buf[i];
      if (c != '\n' && c != ' ') {
        if (acclen < sizeof acc - 1) acc[acclen++] = c;
        continue;
      }
      acc[acclen] = '\0';
      unsigned long long stamp;
      if (acclen && sscanf(acc, "%llu", &stamp) == 1) {
        if (seen++ >= SKIP && nsamples < (size_t)count) samples[nsamples++] = t - (uint64_t)stamp;
      }
      acclen = 0;
    }
  }
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  qsort(samples, nsamples, sizeof *samples, cmp_u64);
  printf("samples=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n", nsamples, pct(samples, nsamples, 0.50),
         pct(samples, nsamples, 0.90), pct(samples, nsamples, 0.99), nsamples ? (double)samples[nsamples - 1] / 1000.0 : 0.0);
  free(samples);
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && seen == (size_t)count;
  if (!ok) fprintf(stderr, PROG ": %zu of %ld markers arrived; status 0x%x\n", seen, count, status);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) usage("no mode");
  const char *relay = NULL, *mode = "line";
  long count = 2000, interval_us = 2000;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage("an option wants a value");
    const char *v = argv[++i];
    if (!strcmp(a, "--relay")) relay = v;
    else if (!strcmp(a, "--mode")) mode = v;
    else if (!strcmp(a, "--count")) count = strtol(v, NULL, 10);
    else if (!strcmp(a, "--interval-us")) interval_us = strtol(v, NULL, 10);
    else usage("unknown option");
  }
  bool partial;
  if (!strcmp(mode, "line")) partial = false;
  else if (!strcmp(mode, "partial")) partial = true;
  else usage("--mode wants line or partial");
  if (count < 1 || interval_us < 1) usage("bad --count or --interval-us");
  signal(SIGPIPE, SIG_DFL);
  if (!strcmp(argv[1], "child")) return child(partial, count, interval_us);
  if (!strcmp(argv[1], "measure")) return measure(relay, partial, count, interval_us);
  usage("unknown mode");
}
