/* SPDX-License-Identifier: MIT */
/* The POSIX half of platform.h.  _GNU_SOURCE for F_SETPIPE_SZ and
 * close_range (Linux); the rest is plain POSIX. */
#define _GNU_SOURCE
#include "platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>


/* Marks every descriptor from 3 up close-on-exec, whatever the launcher
 * left open without it (the agent's own pipes, a CI harness's descriptor
 * 251): libuv's child keeps each descriptor that is not, and
 * uv_disable_stdio_inheritance stops at the first gap.  Linux 5.11 does it
 * in one call; elsewhere, or on an older kernel, each descriptor that
 * /proc/self/fd lists.  Before every spawn, since vsorelay is one thread,
 * nothing can open a descriptor between this and the fork. */
static int cloexec_from_3(void) {
#if defined(__linux__) && defined(CLOSE_RANGE_CLOEXEC)
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
#endif
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int self = dirfd(d), rc = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    if (*end || end == e->d_name || fd < 3 || fd == self || fd > INT_MAX) continue;
    int flags = fcntl((int)fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC) && fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC) != 0) rc = -1;
  }
  closedir(d);
  return rc;
}

int vso_spawn(uv_loop_t *loop, vso_process *p, char *const argv[], int out_fd, int err_fd, uv_exit_cb on_exit) {
  p->tree_ = NULL;
  p->running_ = false;
  if (cloexec_from_3() != 0) return uv_translate_sys_error(errno);
  uv_stdio_container_t stdio[3] = {
      {.flags = UV_INHERIT_FD, .data.fd = STDIN_FILENO},
      {.flags = UV_INHERIT_FD, .data.fd = out_fd},
      {.flags = UV_INHERIT_FD, .data.fd = err_fd},
  };
  /* UV_PROCESS_DETACHED: libuv calls setsid() in the child, which then
   * leads a session and process group of its own.  libuv also sets signals
   * 1-31 to their defaults (vsorelay ignores SIGPIPE, and that must not
   * leak into the command) and empties the signal mask before execvp, which
   * runs a script without "#!" with /bin/sh. */
  uv_process_options_t o = {
      .file = argv[0],
      .args = (char **)argv,
      .exit_cb = on_exit,
      .flags = UV_PROCESS_DETACHED,
      .stdio = stdio,
      .stdio_count = 3,
  };
  int e = uv_spawn(loop, &p->handle, &o);
  if (e) uv_close((uv_handle_t *)&p->handle, NULL); /* initialised even when it fails */
  p->running_ = e == 0;
  return e;
}

void vso_process_reaped(vso_process *p) { p->running_ = false; }

void vso_process_release(vso_process *p) { p->tree_ = NULL; }

static int signal_group(vso_process *p, int sig) {
  /* the group outlives its leader: no check of running_ */
  if (p->handle.pid <= 0) return 0;
  if (kill(-(pid_t)p->handle.pid, sig) == 0 || errno == ESRCH) return 0;
  return errno;
}

int vso_forward_signal(vso_process *p, int sig) { return signal_group(p, sig); }

int vso_stop_tree(vso_process *p, bool for_good) { return signal_group(p, for_good ? SIGKILL : SIGTERM); }

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

const int *vso_forwarded_signals(size_t *n) {
  *n = sizeof forwarded_signals / sizeof forwarded_signals[0];
  return forwarded_signals;
}

bool vso_signal_stops(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

int vso_wait_writable(int fd) {
  struct pollfd pfd = {.fd = fd, .events = POLLOUT};
  if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return errno;
  return 0;
}

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

int vso_open_temporary(char *template_path) {
  int fd = mkstemp(template_path);
  if (fd < 0) return -1;
  /* mkstemp makes it 0600 whatever the umask; not for the command */
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0 || fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
    int e = errno;
    close(fd);
    unlink(template_path);
    errno = e;
    return -1;
  }
  return fd;
}

int vso_sync(int fd) { return fsync(fd); }

int vso_replace(const char *from, const char *to) { return rename(from, to); }

bool vso_is_separator(char c) { return c == '/'; }

int vso_open_read(const char *path) { return open(path, O_RDONLY | O_CLOEXEC); }

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

static const char *kind_of(mode_t mode, bool link) {
  if (S_ISDIR(mode)) return link ? "a link to a directory" : "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return link ? "a link to a device" : "a device";
  if (S_ISFIFO(mode)) return link ? "a link to a named pipe" : "a named pipe";
  if (S_ISSOCK(mode)) return link ? "a link to a socket" : "a socket";
  return NULL;
}

/* Whether path's directory is the system's own (/dev, /proc, /sys): a link
 * there (/dev/stdout) is the system's, whatever it points to. */
static bool in_system_directory(const char *path) {
  static const char *const system[] = {"/dev", "/proc", "/sys"};
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strdup(slash == path ? "/" : path) : NULL;
  if (!slash) return false;
  if (dir && slash != path) dir[slash - path] = '\0';
  char *real = dir ? realpath(dir, NULL) : NULL;
  bool system_dir = false;
  for (size_t i = 0; real && i < sizeof system / sizeof system[0]; i++) {
    size_t n = strlen(system[i]);
    system_dir = system_dir || (strncmp(real, system[i], n) == 0 && (real[n] == '\0' || real[n] == '/'));
  }
  if (real && strncmp(real, "/dev/shm", 8) == 0 && (real[8] == '\0' || real[8] == '/'))
    system_dir = false; /* shared memory: files anyone may write */
  free(real);
  free(dir);
  return system_dir;
}

const char *vso_special_file(const char *path) {
  if (in_system_directory(path)) return "in a directory of the system's (/dev, /proc, /sys)";
  struct stat st;
  if (lstat(path, &st) != 0) return NULL;
  if (!S_ISLNK(st.st_mode)) return kind_of(st.st_mode, false);
  /* a link to a regular file, or to nothing, is replaced; one to anything
   * else is no file the user meant */
  return stat(path, &st) == 0 ? kind_of(st.st_mode, true) : NULL;
}

int vso_descriptors_available(int want) {
  int fds[64], got = 0;
  if (want > 64) want = 64;
  while (got < want && (fds[got] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)) >= 0) got++;
  for (int i = 0; i < got; i++) close(fds[i]);
  return got;
}

long vso_descriptor_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1;
  return (long)rl.rlim_cur;
}
