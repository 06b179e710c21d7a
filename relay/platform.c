/* F_SETPIPE_SZ is Linux's; the rest of vsorelay is plain POSIX. */
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
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
