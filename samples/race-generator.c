/* SPDX-License-Identifier: MIT */
/* race-generator: a stand-in for ImageBuilder's `generateBuildMatrix` that
 * reproduces the lost-tail race of 2026-05-25 (docker-tools #2124,
 * microsoft/go#2313).  How ImageBuilder lost the variables is told in
 * docs/imagebuilder.md, "How the lines reached stdout, and how they were
 * lost": each matrix line went through the .NET console logger, whose
 * background thread writes a queue of lines; nothing disposed the logger,
 * Main returned, and the runtime exited with the tail still queued.  Exit
 * code 0, no error: the consuming jobs were silently skipped.
 *
 * This program mirrors that:
 *   - a background pthread (the "console logger queue processing thread")
 *     drains a queue of preformatted lines and writes each one with
 *     fputs + fflush to stdout (unbuffered, so each line is one write(2), as
 *     with .NET's autoflushing Console.Out);
 *   - main() formats every logger line (timestamp taken at enqueue time, as
 *     SimpleConsoleFormatter does on the calling thread), enqueues it, and in
 *     the end RETURNS from main without joining, draining or disposing the
 *     logger thread.  The return runs exit(), which ends the process while
 *     the thread may still hold queued lines: the real race;
 *   - the raw `docker version` / `docker info` output is written by main
 *     directly, with no prefix, as in the real log.  Main waits for the
 *     queue to drain before each raw block so the order matches the healthy
 *     log (in the real tool the logger thread is normally quick enough).
 *
 * Whether a run loses its tail is chosen up front (--loss-chance, --seed,
 * --lose-from) so tests can make the outcome near-certain either way:
 *   - "complete": main waits until the logger thread has written everything,
 *     then returns (the thread is still alive, blocked on its queue; it is
 *     never joined, just like the real one);
 *   - "lose": the logger thread is made slow right before the first lost
 *     matrix line (it sleeps --stall-ms, default 3000, as if descheduled or
 *     blocked on the console); main waits until the thread has reached that
 *     point and returns.  The exit wins the race, so that line and all later
 *     ones are lost.  Nothing forces the loss except timing: if the exit took
 *     longer than --stall-ms the lines would still appear.
 *   - --natural skips both waits: main returns right after enqueueing, and
 *     what gets lost depends on scheduling only (the uncontrolled race).
 *
 * The matrices are those of a full go-images build (race-matrices.c).
 * Usage: see usage() below or run `race-generator --help`. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "race-matrices.h"

#define CAT_EXEC "ExecuteHelper"
#define CAT_MANIFEST "Microsoft.DotNet.ImageBuilder.ManifestJsonService"
#define CAT_MATRIX "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand"
#define MAX_MATRICES 10000UL

/* ---- the asynchronous console logger ------------------------------------ */

typedef struct item {
  struct item *next;
  char *line;  /* complete, newline-terminated */
  long matrix; /* index of the matrix whose ##vso line this is, or -1 */
} item_t;

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  item_t *head, *tail;
  unsigned long enqueued, written;
  long stall_at;          /* the thread stalls before this matrix line; -1: never */
  unsigned long stall_ms;
  bool stalled;           /* the thread has reached stall_at */
} q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .stall_at = -1};

static void xlock(void) {
  int rc = pthread_mutex_lock(&q.mu);
  if (rc) die("pthread_mutex_lock", rc);
}
static void xunlock(void) {
  int rc = pthread_mutex_unlock(&q.mu);
  if (rc) die("pthread_mutex_unlock", rc);
}
static void xbroadcast(void) {
  int rc = pthread_cond_broadcast(&q.cv);
  if (rc) die("pthread_cond_broadcast", rc);
}
static void xwait(void) {
  int rc = pthread_cond_wait(&q.cv, &q.mu);
  if (rc) die("pthread_cond_wait", rc);
}

/* "Console logger queue processing thread": never joined, never told to stop. */
static void *logger_thread(void *arg) {
  (void)arg;
  for (;;) {
    xlock();
    while (!q.head) xwait();
    item_t *it = q.head;
    q.head = it->next;
    if (!q.head) q.tail = NULL;
    bool stall = q.stall_at >= 0 && it->matrix == q.stall_at;
    if (stall) {
      q.stalled = true;
      xbroadcast();
    }
    xunlock();

    if (stall) sleep_ms(q.stall_ms); /* slow consumer: main's exit wins the race */

    if (fputs(it->line, stdout) == EOF || fflush(stdout) == EOF) die("write stdout", errno);
    free(it->line);
    free(it);

    xlock();
    q.written++;
    xbroadcast();
    xunlock();
  }
  return NULL;
}

static void enqueue(char *line, long matrix) {
  item_t *it = xmalloc(sizeof *it);
  it->next = NULL;
  it->line = line;
  it->matrix = matrix;
  xlock();
  if (q.tail)
    q.tail->next = it;
  else
    q.head = it;
  q.tail = it;
  q.enqueued++;
  xbroadcast();
  xunlock();
}

/* `HH:mm:ss info: {category}[0] {message}`: SimpleConsoleFormatter, single line. */
static void log_info(const char *category, long matrix, const char *message) {
  char ts[16];
  time_t now = time(NULL);
  struct tm tm;
  if (now == (time_t)-1 || !localtime_r(&now, &tm) || strftime(ts, sizeof ts, "%H:%M:%S", &tm) == 0)
    snprintf(ts, sizeof ts, "00:00:00");
  enqueue(xasprintf("%s info: %s[0] %s\n", ts, category, message), matrix);
}

/* Waits until the logger thread has written everything enqueued so far, or
 * has stalled. */
static void wait_for_logger(void) {
  xlock();
  while (q.written < q.enqueued && !q.stalled) xwait();
  xunlock();
}

/* Raw output of a child process (not through the logger, no prefix). */
static void raw_output(const char *text) {
  wait_for_logger();
  if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) die("write stdout", errno);
}

/* ---- what generateBuildMatrix prints ------------------------------------ */

static const char docker_version_text[] =
    "Client:\n"
    " Version:           28.0.4\n"
    " API version:       1.48\n"
    " Go version:        go1.23.7\n"
    " Git commit:        b8034c0\n"
    " Built:             Tue Mar 25 15:07:16 2025\n"
    " OS/Arch:           linux/amd64\n"
    " Context:           default\n"
    "\n"
    "Server: Docker Engine - Community\n"
    " Engine:\n"
    "  Version:          28.0.4\n"
    "  API version:      1.48 (minimum version 1.24)\n"
    "  Go version:       go1.23.7\n"
    "  Git commit:       6430e49\n"
    "  OS/Arch:          linux/amd64\n"
    "  Experimental:     false\n";

static const char docker_info_text[] =
    "Client:\n"
    " Version:    28.0.4\n"
    " Context:    default\n"
    " Debug Mode: false\n"
    "\n"
    "Server:\n"
    " Containers: 1\n"
    "  Running: 1\n"
    " Images: 3\n"
    " Server Version: 28.0.4\n"
    " Storage Driver: overlay2\n"
    " Cgroup Version: 2\n"
    " Kernel Version: 6.8.0-1027-azure\n"
    " Operating System: Ubuntu 22.04.5 LTS\n"
    " OSType: linux\n"
    " Architecture: x86_64\n"
    " CPUs: 4\n"
    " Total Memory: 15.61GiB\n"
    "\n";

static void execute(const char *command, const char *output, const char *elapsed) {
  char *msg = xasprintf("EXECUTING: %s", command);
  log_info(CAT_EXEC, -1, msg);
  free(msg);
  raw_output(output);
  msg = xasprintf("EXECUTION ELAPSED TIME: %s", elapsed);
  log_info(CAT_EXEC, -1, msg);
  free(msg);
}

/* LogDiagnostics: the human-readable copy, one logger line each. */
static void log_diagnostics(const matrix_t *ms, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char *msg = xasprintf("  %s:", ms[i].name);
    log_info(CAT_MATRIX, -1, msg);
    free(msg);
    for (size_t j = 0; j < ms[i].nlegs; j++) {
      msg = xasprintf("    %s:", ms[i].legs[j].name);
      log_info(CAT_MATRIX, -1, msg);
      free(msg);
      for (size_t k = 0; k < NVARS; k++) {
        msg = xasprintf("      %s: %s", var_names[k], ms[i].legs[j].vars[k]);
        log_info(CAT_MATRIX, -1, msg);
        free(msg);
      }
    }
  }
}

/* EmitVstsVariables: `##vso[task.setvariable variable={name};isoutput=true]{value}`. */
static void emit_variables(const matrix_t *ms, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char *value = matrix_value(&ms[i]);
    char *msg = xasprintf("##vso[task.setvariable variable=%s;isoutput=true]%s", ms[i].name, value);
    log_info(CAT_MATRIX, (long)i, msg);
    free(msg);
    free(value);
  }
}

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f) {
  fputs("usage: " PROG " [options]\n"
        "\n"
        "Prints what ImageBuilder's generateBuildMatrix prints for a full go-images build\n"
        "(logger lines, raw docker output, one ##vso[task.setvariable ...;isoutput=true] line\n"
        "per matrix) through an asynchronous logger thread that main() never joins, so the\n"
        "tail of the output can be lost when the process exits (docker-tools #2124).\n"
        "\n"
        "options:\n"
        "  --matrices N        number of matrices (default 5: linuxArm32 linuxArm64 linuxAmd64\n"
        "                      windowsLtsc2025Amd64 windowsLtsc2022Amd64; more: extra6Amd64, ...)\n"
        "  --loss-chance P     probability in [0,1] that this run loses its tail (default 0.5)\n"
        "  --seed S            seed of the run's random choices (default: time ^ pid)\n"
        "  --lose-from NAME    lose for certain, from matrix NAME (case-insensitive) on\n"
        "  --stall-ms MS       how long the logger thread stalls before the first lost line\n"
        "                      (default 3000; the process exits long before that)\n"
        "  --natural           no controlled outcome: main returns right after enqueueing,\n"
        "                      what is lost depends on scheduling alone\n"
        "  --no-version-logging  skip the docker version / docker info part\n"
        "  --exit-code C       exit status (default 0, as in the incident)\n"
        "  --verbose           print the seed and the chosen outcome to stderr first\n"
        "  --help              this text\n"
        "\n"
        "When a run loses, it loses from a random matrix after the first (the incident lost\n"
        "linuxAmd64 and everything after it).\n",
        f);
}

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\ntry '" PROG " --help'\n", stderr);
  exit(2);
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out) {
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = (unsigned long)v;
  return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return false;
  *out = (uint64_t)v;
  return true;
}

typedef struct args {
  unsigned long nmatrices, exit_code, stall_ms;
  double loss_chance;
  uint64_t seed;
  const char *lose_from;
  bool natural, version_logging, verbose;
} args_t;

/* The value of option a, which is required. */
static const char *value_of(int argc, char **argv, int *i) {
  return ++*i < argc ? argv[*i] : NULL;
}

static void parse_number_option(const char *a, const char *v, args_t *o) {
  if (!strcmp(a, "--matrices")) {
    if (!parse_ulong(v, MAX_MATRICES, &o->nmatrices)) usage_error("--matrices wants 0..10000, got '%s'", v ? v : "");
  } else if (!strcmp(a, "--loss-chance")) {
    char *end = NULL;
    errno = 0;
    o->loss_chance = v ? strtod(v, &end) : NAN;
    if (!v || !*v || errno || *end || !(o->loss_chance >= 0.0 && o->loss_chance <= 1.0))
      usage_error("--loss-chance wants a number in [0,1], got '%s'", v ? v : "");
  } else if (!strcmp(a, "--seed")) {
    if (!parse_u64(v, &o->seed)) usage_error("--seed wants an unsigned integer, got '%s'", v ? v : "");
  } else if (!strcmp(a, "--lose-from")) {
    if (!v || !*v) usage_error("--lose-from wants a matrix name");
    o->lose_from = v;
  } else if (!strcmp(a, "--stall-ms")) {
    if (!parse_ulong(v, 3600000UL, &o->stall_ms)) usage_error("--stall-ms wants 0..3600000, got '%s'", v ? v : "");
  } else if (!strcmp(a, "--exit-code")) {
    if (!parse_ulong(v, 255, &o->exit_code)) usage_error("--exit-code wants 0..255, got '%s'", v ? v : "");
  } else {
    usage_error("unknown argument '%s'", a);
  }
}

static args_t parse_args(int argc, char **argv) {
  args_t o = {.nmatrices = 5, .stall_ms = 3000, .loss_chance = 0.5, .version_logging = true,
              .seed = (uint64_t)time(NULL) ^ (uint64_t)getpid()};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      exit(0);
    }
    if (!strcmp(a, "--natural")) o.natural = true;
    else if (!strcmp(a, "--no-version-logging")) o.version_logging = false;
    else if (!strcmp(a, "--verbose")) o.verbose = true;
    else parse_number_option(a, value_of(argc, argv, &i), &o);
  }
  return o;
}

/* Decides the outcome: draw 1 says whether to lose, draw 2 where from.
 * Returns the index of the first lost matrix, or -1 for a complete run. */
static long decide(const args_t *o, const matrix_t *ms, size_t n) {
  rng_state = o->seed;
  bool lose = rng_unit() < o->loss_chance;
  long from = n > 1 ? 1 + (long)(rng_next() % (uint64_t)(n - 1)) : n == 1 ? 0 : -1;
  if (o->lose_from) {
    lose = true;
    from = -1;
    for (size_t i = 0; i < n; i++)
      if (!strcasecmp(ms[i].name, o->lose_from)) from = (long)i;
    if (from < 0) {
      fprintf(stderr, PROG ": --lose-from %s: no such matrix among the %zu emitted\n", o->lose_from, n);
      exit(2);
    }
  }
  if (o->verbose) {
    if (o->natural) fprintf(stderr, PROG ": seed=%llu matrices=%zu outcome=natural\n", (unsigned long long)o->seed, n);
    else if (lose && n)
      fprintf(stderr, PROG ": seed=%llu matrices=%zu loss-chance=%g outcome=lose lose-from=%s lost=%zu\n",
              (unsigned long long)o->seed, n, o->loss_chance, ms[from].name, n - (size_t)from);
    else
      fprintf(stderr, PROG ": seed=%llu matrices=%zu loss-chance=%g outcome=complete\n",
              (unsigned long long)o->seed, n, o->loss_chance);
    fflush(stderr);
  }
  return lose && n ? from : -1;
}

int main(int argc, char **argv) {
  args_t o = parse_args(argc, argv);
  /* .NET's Console.Out is an autoflushing writer over an unbuffered stream:
   * every line reaches fd 1 in one write.  An unbuffered stdout does the same
   * here, and it also keeps exit()'s final flush (which does not take the
   * stream lock) from writing a line twice while the logger thread is inside
   * fputs in --natural mode. */
  if (setvbuf(stdout, NULL, _IONBF, 0) != 0) die("setvbuf", errno ? errno : EINVAL);
  size_t n = (size_t)o.nmatrices;
  matrix_t *ms = build_matrices(n);
  long from = decide(&o, ms, n);
  if (from >= 0 && !o.natural) {
    q.stall_at = from;
    q.stall_ms = o.stall_ms;
  }
  pthread_t tid;
  int rc = pthread_create(&tid, NULL, logger_thread, NULL);
  if (rc) die("pthread_create", rc);
  rc = pthread_detach(tid); /* IsBackground = true: nobody waits for it */
  if (rc) die("pthread_detach", rc);
  if (o.version_logging) {
    execute("docker version", docker_version_text, "00:00:00.0763409");
    execute("docker info", docker_info_text, "00:00:00.1893517");
  }
  log_info(CAT_MANIFEST, -1, "READING MANIFEST");
  log_info(CAT_MATRIX, -1, "GENERATING BUILD MATRIX");
  log_diagnostics(ms, n);
  emit_variables(ms, n);
  free_matrices(ms, n);
  /* The command is done.  ImageBuilder's Main returned here, with the console
   * logger never disposed; so do we.  In the controlled modes, first let the
   * logger get either all the way (complete) or to its stall point (lose). */
  if (!o.natural) wait_for_logger();
  return (int)o.exit_code;
}
