/* F_SETPIPE_SZ is Linux's; the rest of vsorelay is plain POSIX. */
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>
#include <signal.h>
#include <sys/types.h>

int vso_kill_group(int pid, int sig) {
  if (pid <= 0) return 0;
  if (kill(-(pid_t)pid, sig) == 0 || errno == ESRCH) return 0;
  return errno;
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

int vso_open_missing_std_fds(void) {
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
