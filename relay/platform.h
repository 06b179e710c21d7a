/* SPDX-License-Identifier: MIT */
/* The POSIX-only parts of vsorelay, in one place, so that a Windows build
 * stays within reach: spawning and reaping the command, process groups.
 * (Writes to fd 1 live in writer.c.)  Everything else goes through libuv:
 * pipes, signals, timers. */
#ifndef VSO_PLATFORM_H
#define VSO_PLATFORM_H

#include <stdbool.h>

/* Starts file (looked up in PATH like execvp) with argv: in a session and
 * process group of its own, stdin inherited, stdout on out_fd and stderr on
 * err_fd, every signal at its default action and none blocked.  Returns 0
 * and sets *pid, or the errno of the failure (ENOENT: not found).
 *
 * posix_spawnp, not uv_spawn: libuv 1.44 forks, copying vsorelay's page
 * tables for a child that at once calls exec; glibc's posix_spawn clones
 * with CLONE_VM | CLONE_VFORK, which measured about 0.2 ms less per start
 * on a VM, a fifth of the start-up budget. */
int vso_spawn(const char *file, char *const argv[], int out_fd, int err_fd, int *pid);

/* Reaps pid if it has ended, without waiting.  Returns 1 with the exit
 * status or the terminating signal (the other one 0), 0 while it runs, -1
 * with errno on failure. */
int vso_reap(int pid, int *exit_status, int *term_signal);

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
