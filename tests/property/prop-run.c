/* SPDX-License-Identifier: MIT */
/* prop-run: the property test of `vsorelay run`.  For each seed it builds
 * the scenario (scenario.c), runs
 *
 *   vsorelay run -e NAMES --capture C [--report R] [--summary S]
 *                [--retries N] [--stream] --drain-timeout 0.2 -- prop-child SEED
 *
 * then `vsorelay replay -e NAMES C`, and checks the invariants of oracle.h.
 * It stops at the first seed that breaks one, printing the seed and the
 * command line that replays it.
 *
 * usage: prop-run VSORELAY PROP-CHILD [FIRST-SEED [COUNT [MAX-SECONDS]]]
 *   defaults: seed 1, 200 seeds, 300 s at most (the seeds not reached are
 *   said, not failed).  A long run: prop-run ... 1 100000 36000. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oracle.h"

extern char **environ;

static char g_dir[64];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "prop-run: %s: %s\n", what, strerror(errno));
  exit(2);
}

static char *path_in(const char *name) {
  static char paths[8][128];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, sizeof paths[0], "%s/%s", g_dir, name);
  return p;
}

/* A file's bytes (malloc'd, NUL-terminated), or NULL when it is not there. */
static char *slurp(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096;
  char *p = malloc(cap + 1);
  for (size_t got; p && (got = fread(p + *n, 1, cap - *n, f)) > 0;) {
    *n += got;
    if (*n == cap && !(p = realloc(p, (cap *= 2) + 1))) break;
  }
  fclose(f);
  if (!p) die("memory");
  p[*n] = '\0';
  return p;
}

/* Runs argv with stdout and stderr to files; its wait status.  stop_signal,
 * when not 0, is sent to it stop_after_ms after the start.  A run that
 * outlives 60 s is a hang: killed, and said. */
static int run(char *const argv[], const char *out, const char *err, int stop_signal, int stop_after_ms) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e) {
    errno = e;
    die(argv[0]);
  }
  int status = 0;
  double started = now(), deadline = started + 60;
  for (;;) {
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (stop_signal && now() - started >= stop_after_ms / 1000.0) {
      kill(pid, stop_signal);
      stop_signal = 0;
    }
    if (got < 0 && errno != EINTR) die("waitpid");
    if (now() > deadline) {
      fprintf(stderr, "prop-run: %s did not end within 60 s: killed\n", argv[0]);
      kill(pid, SIGKILL);
    }
    usleep(2000);
  }
}

/* argv[*n] = a copy of word in store. */
static void push(char *store, size_t size, size_t *used, char *argv[], int *n, const char *word) {
  size_t len = strlen(word) + 1;
  if (*used + len > size) {
    errno = E2BIG;
    die("command line");
  }
  argv[(*n)++] = memcpy(store + *used, word, len);
  *used += len;
}

/* The command line of vsorelay run for scenario s (argv points into store). */
static int run_argv(const prop_scenario *s, const char *vsorelay, const char *child, char *store, size_t size,
                    char *argv[]) {
  int n = 0;
  size_t used = 0;
#define PUSH(w) push(store, size, &used, argv, &n, (w))
  char names[PROP_MAX_EXPECT * 16] = "", number[32];
  for (int i = 0; i < s->nexpect; i++) strcat(strcat(names, i ? "," : ""), s->expect[i]);
  PUSH(vsorelay), PUSH("run"), PUSH("-e"), PUSH(names);
  PUSH("--capture"), PUSH(path_in("capture")), PUSH("--drain-timeout"), PUSH("0.2");
  if (s->report) PUSH("--report"), PUSH(path_in("report.json"));
  if (s->summary) PUSH("--summary"), PUSH(path_in("summary.md"));
  snprintf(number, sizeof number, "%d", s->retries);
  if (s->retries) PUSH("--retries"), PUSH(number);
  if (s->stream_mode) PUSH("--stream");
  snprintf(number, sizeof number, "%llu", (unsigned long long)s->seed);
  PUSH("--"), PUSH(child), PUSH(number);
#undef PUSH
  argv[n] = NULL;
  return n;
}

/* One seed: 0 when every invariant holds. */
static int one_seed(uint64_t seed, const char *vsorelay, const char *child) {
  prop_scenario s;
  prop_make(&s, seed);
  for (int i = 0; i < 3; i++) unlink(path_in(i == 0 ? "capture" : i == 1 ? "report.json" : "summary.md"));
  char store[4096], *argv[32];
  int argc = run_argv(&s, vsorelay, child, store, sizeof store, argv);
  int status = run(argv, path_in("out"), path_in("err"), s.stop_signal, s.stop_after_ms);
  prop_result r = {.signalled = WIFSIGNALED(status), .replay_code = -1};
  r.code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
  char *out = slurp(path_in("out"), &r.nout), *err = slurp(path_in("err"), &r.nerr);
  r.out = out ? out : "", r.err = err ? err : "";
  char *files[3];
  static const char *const names[] = {"capture", "report.json", "summary.md"};
  for (int i = 0; i < 3; i++) r.files[i] = files[i] = slurp(path_in(names[i]), &r.nfiles[i]);
  char *replay[] = {argv[0], "replay", "-e", argv[3], path_in("capture"), NULL, NULL, NULL};
  if (s.report) replay[4] = "--report", replay[5] = path_in("replay.json"), replay[6] = path_in("capture");
  unlink(path_in("replay.json"));
  char *replay_report = NULL;
  if (files[0]) {
    int rs = run(replay, path_in("replay.out"), path_in("replay.err"), 0, 0);
    r.replay_code = WIFEXITED(rs) ? WEXITSTATUS(rs) : 128 + WTERMSIG(rs);
    size_t n;
    r.replay_report = replay_report = s.report ? slurp(path_in("replay.json"), &n) : NULL;
  }
  char why[1024];
  bool bad = prop_violation(&s, &r, why, sizeof why);
  if (bad) {
    fprintf(stderr, "prop-run: seed %llu: %s\nprop-run: replay it with:", (unsigned long long)seed, why);
    for (int i = 0; i < argc; i++) fprintf(stderr, " '%s'", argv[i]);
    fprintf(stderr, "\nprop-run: its stderr ends:\n%s\n", r.nerr > 2000 ? r.err + r.nerr - 2000 : r.err);
  }
  free(out);
  free(err);
  for (int i = 0; i < 3; i++) free(files[i]);
  free(replay_report);
  return bad;
}

static void cleanup(void) {
  static const char *const names[] = {"capture", "report.json", "summary.md", "out", "err", "replay.out", "replay.err", "replay.json"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(path_in(names[i]));
  rmdir(g_dir);
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 6) {
    fprintf(stderr, "usage: prop-run VSORELAY PROP-CHILD [FIRST-SEED [COUNT [MAX-SECONDS]]]\n");
    return 2;
  }
  unsigned long long first = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
  unsigned long long count = argc > 4 ? strtoull(argv[4], NULL, 10) : 200;
  double budget = argc > 5 ? strtod(argv[5], NULL) : 300;
  snprintf(g_dir, sizeof g_dir, "%s/vsorelay-prop.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(g_dir)) die("mkdtemp");
  atexit(cleanup);
  double start = now();
  unsigned long long done = 0;
  for (; done < count && now() - start < budget; done++)
    if (one_seed(first + done, argv[1], argv[2])) return 1;
  printf("prop-run: %llu seeds from %llu hold every invariant (%.1f s)%s\n", done, first, now() - start,
         done < count ? "; the time budget ended the run early" : "");
  return 0;
}
