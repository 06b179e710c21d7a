/* SPDX-License-Identifier: MIT */
/* Everything vsorelay does that depends on the operating system, behind one
 * header: the command's process tree and how it is stopped, the signals,
 * the standard descriptors, waiting to write, the files it leaves behind.
 * POSIX is platform_posix.c, Windows platform_win.c; no other file tests
 * for the platform.  The command is started with libuv's uv_spawn on both,
 * and pipes, signals and timers go through libuv too.  docs/windows.md says
 * what each POSIX call became on Windows, and why. */
#ifndef VSO_PLATFORM_H
#define VSO_PLATFORM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "buf.h"

/* The command's process, and the tree of processes it starts: a process
 * group it leads (POSIX), a job object (Windows). */
typedef struct vso_process {
  uv_process_t handle; /* read-only: handle.pid; handle.data is the caller's */
  void *tree_;         /* private: the job object (Windows) */
  bool running_;       /* private: spawned and not yet reaped */
} vso_process;

/* Starts argv[0] (looked up in PATH) with stdin inherited, stdout on out_fd,
 * stderr on err_fd and nothing else inherited, through libuv's uv_spawn on
 * every platform: POSIX, in a session and process group of its own with
 * every signal at its default and none blocked; Windows, in a job object of
 * its own, on vsorelay's console.  on_exit runs from the loop when it has
 * ended; call vso_process_reaped there.  Returns 0, or a libuv error
 * (UV_ENOENT: not found); the handle is closed already then. */
int vso_spawn(uv_loop_t *loop, vso_process *p, char *const argv[], int out_fd, int err_fd, uv_exit_cb on_exit);
/* From on_exit: the command itself has ended (its tree may live on). */
void vso_process_reaped(vso_process *p);
/* When the attempt is over: lets go of the tree (the job's handle). */
void vso_process_release(vso_process *p);

/* Hands a signal vsorelay received on to the command's tree (POSIX: its
 * process group; Windows: nothing, the console event reached the command
 * on the console it shares).  0, or a positive errno; a tree that is gone
 * is no error. */
int vso_forward_signal(vso_process *p, int sig);
/* Stops the command's tree: politely (SIGTERM), or for good (SIGKILL).
 * Windows has no polite stop for a tree: both end the job at once
 * (TerminateJobObject, exit code 1).  0 or a positive errno. */
int vso_stop_tree(vso_process *p, bool for_good);
/* The signals vsorelay watches and forwards (*n of them): POSIX SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2; Windows SIGINT (Ctrl+C),
 * SIGBREAK (Ctrl+Break), SIGHUP (the console closed). */
const int *vso_forwarded_signals(size_t *n);
/* Whether a forwarded signal also ends vsorelay's wait for the command
 * (interrupt, terminate, hang up, quit, break; not the user signals). */
bool vso_signal_stops(int sig);

/* Makes the pipe behind fd larger where the system allows it (best effort). */
void vso_grow_pipe(int fd);

/* After a write to fd failed with EAGAIN (a sibling process may have made
 * a shared description non-blocking): waits until fd takes bytes again.
 * 0 or a positive errno. */
int vso_wait_writable(int fd);

/* What every sub-command needs first: the null device on whichever of
 * descriptors 0, 1 and 2 is closed (remembered: vso_std_fd_was_closed); a
 * closed stdout ending in an error and exit 125, never in death by SIGPIPE
 * (the command gets the default back); on Windows, binary standard streams
 * and files (the CRT would turn each relayed "\n" into "\r\n"), and
 * vsorelay's own standard handles kept from the command.  0, or -1 with
 * errno set. */
int vso_platform_init(void);
/* Unblocks SIGCHLD (libuv reaps on it) and the signals vsorelay forwards.
 * 0, or -1 with errno. */
int vso_unblock_signals(void);
/* Whether fd (0, 1 or 2) was closed when vsorelay started. */
bool vso_std_fd_was_closed(int fd);

/* Files vsorelay reads: opened read-only, binary, not inherited.  A
 * descriptor, or -1 with errno set. */
int vso_open_read(const char *path);

/* The steps of an atomic replacement (files.c puts them together): a new
 * file from a template ending in "XXXXXX", made unique, readable and
 * writable by its owner only and not inherited (a descriptor, or -1 with
 * errno); its bytes flushed to disk; renamed over the destination in one
 * step (the CRT's rename on Windows refuses an existing destination).  0 or
 * -1 with errno. */
int vso_open_temporary(char *template_path);
int vso_sync(int fd);
int vso_replace(const char *from, const char *to);
/* Whether c ends a directory's name in a path ('/'; on Windows '\\' too). */
bool vso_is_separator(char c);

/* Opens path for writing, truncated, mode 0600 whatever it was (the
 * capture; Windows has no mode bits: the file takes its folder's access
 * rules).  A descriptor, or -1 with errno set. */
int vso_open_private(const char *path);
/* What path is, when it is something a destination must not replace: "a
 * directory", "a device", "a named pipe", "a socket", a link to one of
 * them, or anything in the system's own directories (POSIX: /dev, /proc,
 * /sys; /dev/stdout is a link there); NULL for a regular file, a link to
 * one or to nothing (which a destination replaces), or nothing.  Replacing
 * /dev/null or /dev/stdout with a report, as root, would break the machine. */
const char *vso_special_file(const char *path);

/* How many more descriptors the process can open, counted up to want (they
 * are opened and closed again): libuv aborts when it cannot make its
 * internal pipes, so run checks this before it starts the loop. */
int vso_descriptors_available(int want);
/* The process's limit on open descriptors, or -1 when unknown. */
long vso_descriptor_limit(void);
/* Seconds on a monotonic clock, for durations. */
double vso_now(void);

/* The absolute path of an existing file (malloc'd), or NULL. */
char *vso_absolute_path(const char *path);

#endif
