/* SPDX-License-Identifier: MIT */
/* Everything vsorelay does that depends on the operating system, behind one
 * header: spawning and reaping the command, process groups, the standard
 * descriptors, the files it leaves behind.  POSIX is platform_posix.c; a
 * Windows build adds its own implementation of this header and builds that
 * instead.  (The one
 * write loop, in writer.c, is POSIX for now.)  Everything else goes through
 * libuv: pipes, signals, timers. */
#ifndef VSO_PLATFORM_H
#define VSO_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

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
/* Stops the process group led by pid: politely (SIGTERM), or for good
 * (SIGKILL).  0 or a positive errno, as vso_kill_group. */
int vso_stop_group(int pid, bool for_good);
/* The signals vsorelay forwards to the command's group (*n of them). */
const int *vso_forwarded_signals(size_t *n);
/* Whether a forwarded signal also ends vsorelay's wait for the command
 * (interrupt, terminate, hang up, quit; not the user signals). */
bool vso_signal_stops(int sig);
/* The signal that says a child may have ended (SIGCHLD). */
int vso_child_signal(void);

/* Makes the pipe behind fd larger where the system allows it (best effort). */
void vso_grow_pipe(int fd);

/* What every sub-command needs first: /dev/null on whichever of descriptors
 * 0, 1 and 2 is closed (remembered: vso_std_fd_was_closed), and a closed
 * stdout ending in EPIPE, never in death by SIGPIPE (the command gets the
 * default back).  0, or -1 with errno set. */
int vso_platform_init(void);
/* Unblocks SIGCHLD and the signals vsorelay forwards.  0, or -1 with errno. */
int vso_unblock_signals(void);
/* Whether fd (0, 1 or 2) was closed when vsorelay started. */
bool vso_std_fd_was_closed(int fd);

/* Files vsorelay leaves behind.  A report or summary is written atomically:
 * a temporary file ".NAME.XXXXXX" in the destination's directory (mode
 * 0600), every byte written (writer.c) and flushed to disk, then renamed
 * over the destination; a reader never sees half a file, and a failure
 * leaves the old file in place.  False with err set (naming the path and
 * the reason) when it cannot. */
bool vso_file_replace(const char *path, const char *data, size_t len, vso_buf *err);
/* Whether vso_file_replace could start: the temporary file can be created
 * (it is removed again). */
bool vso_file_creatable(const char *path, vso_buf *err);
/* Opens path for writing, truncated, mode 0600 whatever it was (the
 * capture).  A descriptor, or -1 with errno set. */
int vso_open_private(const char *path);
/* Seconds on a monotonic clock, for durations. */
double vso_now(void);

/* The absolute path of an existing file (malloc'd), or NULL. */
char *vso_absolute_path(const char *path);

#endif
