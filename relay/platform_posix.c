/* SPDX-License-Identifier: MIT */
/* _GNU_SOURCE for F_SETPIPE_SZ (Linux) and
 * posix_spawn_file_actions_addclosefrom_np (glibc 2.34); the rest of
 * vsorelay is plain POSIX. */
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "writer.h"

extern char **environ;

/* The start libuv's spawn gave a child: its own session, signals 1-31 at
 * their defaults (vsorelay ignores SIGPIPE, and that must not leak into the
 * command), an empty signal mask. */
static int spawn_attributes(posix_spawnattr_t *attr) {
  sigset_t defaults, none;
  if (sigemptyset(&defaults) != 0 || sigemptyset(&none) != 0) return errno;
  for (int sig = 1; sig < 32; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && sigaddset(&defaults, sig) != 0) return errno;
  int e = posix_spawnattr_setsigdefault(attr, &defaults);
  if (!e) e = posix_spawnattr_setsigmask(attr, &none);
  if (!e) e = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  return e;
}

/* stdin as it is, stdout and stderr on the pipes, and nothing else: every
 * descriptor from 3 up is closed, whatever the launcher left open without
 * close-on-exec (the agent's own pipes, a CI harness's descriptor 251). */
static int spawn_descriptors(posix_spawn_file_actions_t *fa, int out_fd, int err_fd) {
  int e = posix_spawn_file_actions_adddup2(fa, out_fd, STDOUT_FILENO);
  if (!e) e = posix_spawn_file_actions_adddup2(fa, err_fd, STDERR_FILENO);
  if (!e) e = posix_spawn_file_actions_addclosefrom_np(fa, 3); /* glibc 2.34 */
  return e;
}

/* Where execvp would find file: itself when it holds a '/', else the first
 * executable PATH entry (PATH unset: /bin:/usr/bin).  NULL if none. */
static char *path_of(const char *file) {
  if (strchr(file, '/')) return strdup(file);
  const char *path = getenv("PATH");
  if (!path) path = "/bin:/usr/bin";
  for (const char *dir = path;; dir++) {
    const char *end = strchr(dir, ':');
    size_t n = end ? (size_t)(end - dir) : strlen(dir);
    char *candidate = malloc(n + strlen(file) + 3);
    if (!candidate) return NULL;
    /* an empty entry is the current directory */
    sprintf(candidate, "%.*s/%s", (int)(n ? n : 1), n ? dir : ".", file);
    if (access(candidate, X_OK) == 0) return candidate;
    free(candidate);
    if (!end) return NULL;
    dir = end;
  }
}

/* execvp runs a file that is no executable format (a script without "#!")
 * with /bin/sh; posix_spawnp does not.  vsorelay did it before it moved to
 * posix_spawnp (uv_spawn calls execvp), and so do env and timeout. */
static int spawn_with_sh(const char *file, char *const argv[], const posix_spawn_file_actions_t *fa,
                         const posix_spawnattr_t *attr, pid_t *child) {
  size_t argc = 0;
  while (argv[argc]) argc++;
  char *script = path_of(file);
  char **sh_argv = script ? malloc((argc + 2) * sizeof *sh_argv) : NULL;
  if (!sh_argv) {
    free(script);
    return ENOEXEC;
  }
  sh_argv[0] = "/bin/sh";
  sh_argv[1] = script;
  for (size_t i = 1; i <= argc; i++) sh_argv[i + 1] = argv[i]; /* argv[argc] is the NULL */
  int e = posix_spawn(child, "/bin/sh", fa, attr, sh_argv, environ);
  free(sh_argv);
  free(script);
  return e;
}

int vso_spawn(const char *file, char *const argv[], int out_fd, int err_fd, int *pid) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  int e = posix_spawnattr_init(&attr);
  if (e) return e;
  e = posix_spawn_file_actions_init(&fa);
  if (e) {
    posix_spawnattr_destroy(&attr);
    return e;
  }
  e = spawn_attributes(&attr);
  if (!e) e = spawn_descriptors(&fa, out_fd, err_fd);
  pid_t child = 0;
  if (!e) e = posix_spawnp(&child, file, &fa, &attr, argv, environ);
  if (e == ENOEXEC) e = spawn_with_sh(file, argv, &fa, &attr, &child);
  if (!e) *pid = (int)child;
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return e;
}

int vso_reap(int pid, int *exit_status, int *term_signal) {
  int status;
  pid_t got;
  do got = waitpid((pid_t)pid, &status, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got <= 0) return got < 0 ? -1 : 0;
  *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  *term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return 1;
}

int vso_kill_group(int pid, int sig) {
  if (pid <= 0) return 0;
  if (kill(-(pid_t)pid, sig) == 0 || errno == ESRCH) return 0;
  return errno;
}

int vso_stop_group(int pid, bool for_good) { return vso_kill_group(pid, for_good ? SIGKILL : SIGTERM); }

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

const int *vso_forwarded_signals(size_t *n) {
  *n = sizeof forwarded_signals / sizeof forwarded_signals[0];
  return forwarded_signals;
}

bool vso_signal_stops(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

int vso_child_signal(void) { return SIGCHLD; }

void vso_grow_pipe(int fd) {
#ifdef F_SETPIPE_SZ
  /* Best effort: a larger pipe means fewer wake-ups per megabyte relayed.
   * 1 MiB is the default limit for unprivileged processes; a failure only
   * leaves the default 64 KiB. */
  (void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
  (void)fd;
#endif
}

static unsigned closed_std_fds;

static int open_missing_std_fds(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    /* open() takes the lowest free descriptor: this one.  Without it, the
     * first pipe vsorelay makes would become the command's stdin or the
     * relay's own stdout. */
    int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got < 0) return -1;
    if (got != fd) {
      close(got);
      errno = EBADF;
      return -1;
    }
    closed_std_fds |= 1u << fd;
  }
  return 0;
}

int vso_platform_init(void) {
  if (open_missing_std_fds() != 0) return -1;
  return signal(SIGPIPE, SIG_IGN) == SIG_ERR ? -1 : 0;
}

bool vso_std_fd_was_closed(int fd) { return fd >= 0 && fd <= 2 && (closed_std_fds & (1u << fd)); }

int vso_unblock_signals(void) {
  /* A launcher may hand vsorelay a blocked SIGCHLD or SIGTERM: libuv would
   * then never see the command exit, nor vsorelay its cancellation. */
  static const int wanted[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  sigset_t set;
  if (sigemptyset(&set) != 0) return -1;
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
    if (sigaddset(&set, wanted[i]) != 0) return -1;
  return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* ---- files ------------------------------------------------------------------ */

static void err_path(vso_buf *err, const char *path) {
  vso_buf_append_char(err, '\'');
  vso_quote(NULL, path, strlen(path), err);
  vso_buf_append_char(err, '\'');
}

static void err_errno(vso_buf *err, const char *what, const char *path, int e) {
  vso_buf_append_str(err, what);
  if (path) {
    vso_buf_append_char(err, ' ');
    err_path(err, path);
  }
  vso_buf_append_str(err, ": ");
  vso_buf_append_str(err, strerror(e));
}

/* Creates the temporary file that write_atomically renames over path:
 * ".NAME.XXXXXX" in path's directory.  Returns its descriptor and its name
 * in *tmpl, or -1 with err set. */
static int create_temporary(const char *path, vso_buf *tmpl, vso_buf *err) {
  size_t plen = strlen(path);
  if (plen == 0) {
    vso_buf_append_str(err, "the path is empty");
    return -1;
  }
  if (path[plen - 1] == '/') {
    vso_buf_append_str(err, "the path ");
    err_path(err, path);
    vso_buf_append_str(err, " names a directory, not a file");
    return -1;
  }
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0; /* with its '/' */
  vso_buf dir = {0};
  bool ok = vso_buf_append(tmpl, path, dirlen) && vso_buf_append_char(tmpl, '.') &&
            vso_buf_append_str(tmpl, path + dirlen) && vso_buf_append_str(tmpl, ".XXXXXX") &&
            (slash ? vso_buf_append(&dir, path, dirlen > 1 ? dirlen - 1 : dirlen) : vso_buf_append_str(&dir, "."));
  int fd = ok ? mkstemp(tmpl->data) : -1;
  if (!ok) vso_buf_append_str(err, "out of memory");
  else if (fd < 0) err_errno(err, "cannot create a temporary file in the directory", dir.data, errno);
  vso_buf_free(&dir);
  return fd;
}

bool vso_file_creatable(const char *path, vso_buf *err) {
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  bool ok = fd >= 0;
  if (ok && close(fd) != 0) {
    err_errno(err, "cannot close", tmpl.data, errno);
    ok = false;
  }
  if (fd >= 0 && unlink(tmpl.data) != 0) {
    if (ok) err_errno(err, "cannot remove", tmpl.data, errno);
    ok = false;
  }
  vso_buf_free(&tmpl);
  return ok;
}

bool vso_file_replace(const char *path, const char *data, size_t len, vso_buf *err) {
  vso_buf tmpl = {0};
  int fd = create_temporary(path, &tmpl, err);
  if (fd < 0) {
    vso_buf_free(&tmpl);
    return false;
  }
  const char *step = NULL;
  int e = 0;
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) step = "cannot set close-on-exec on";
  else if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) step = "cannot set mode 0600 on";
  else if ((e = vso_write_all(fd, data, len)) != 0) step = "cannot write";
  else if (fsync(fd) != 0) step = "cannot flush";
  if (step && !e) e = errno;
  if (close(fd) != 0 && !step) {
    step = "cannot close";
    e = errno;
  }
  if (!step && rename(tmpl.data, path) != 0) {
    e = errno;
    vso_buf_append_str(err, "cannot rename ");
    err_path(err, tmpl.data);
    vso_buf_append_str(err, " to ");
    err_path(err, path);
    vso_buf_append_str(err, ": ");
    vso_buf_append_str(err, strerror(e));
    step = "rename";
  } else if (step) {
    err_errno(err, step, tmpl.data, e);
  }
  if (step && unlink(tmpl.data) != 0 && errno != ENOENT) {
    vso_buf_append_str(err, "; and cannot remove it: ");
    vso_buf_append_str(err, strerror(errno));
  }
  vso_buf_free(&tmpl);
  return step == NULL;
}

char *vso_absolute_path(const char *path) { return realpath(path, NULL); }

double vso_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vso_open_private(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  /* an existing file keeps its mode through O_TRUNC: make it private
   * whatever it was */
  if (fchmod(fd, 0600) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}
