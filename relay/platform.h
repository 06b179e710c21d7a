/* The POSIX-only parts of vsorelay, in one place, so that a Windows build
 * stays within reach: process groups.  (Writes to fd 1 live in writer.c.)
 * Everything else goes through libuv: spawn, pipes, signals, timers. */
#ifndef VSO_PLATFORM_H
#define VSO_PLATFORM_H

#include <stdbool.h>

/* Sends sig to the process group led by pid.  Returns 0, or a positive errno
 * (ESRCH, the group is gone, is not an error: returns 0). */
int vso_kill_group(int pid, int sig);

/* Makes the pipe behind fd larger where the system allows it (best effort). */
void vso_grow_pipe(int fd);

/* Opens /dev/null on whichever of descriptors 0, 1 and 2 is closed, and
 * remembers which were.  Returns 0, or -1 with errno set. */
int vso_open_missing_std_fds(void);
/* Unblocks SIGCHLD and the signals vsorelay forwards.  0, or -1 with errno. */
int vso_unblock_signals(void);
/* Whether fd (0, 1 or 2) was closed when vsorelay started. */
bool vso_std_fd_was_closed(int fd);

#endif
