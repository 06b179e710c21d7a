/* SPDX-License-Identifier: MIT */
/* The command as a child process, through libuv: started with its stdout
 * and stderr on pipes (uv_spawn on every platform), read until it has
 * exited AND both pipes are at end of file (the exit may be reported before
 * the last bytes are read).
 * vsorelay's own signals are forwarded to the command's process group.  If
 * a grandchild keeps a pipe open after the command exited, the drain timer
 * ends the wait the way the agent does: the polite stop to the group, the
 * final one a second later, then the pipes are closed and that is said.
 * --timeout stops the group at a deadline.
 *
 * The bytes go to io.data as they are read; what they mean is live.c's
 * business.  Everything that depends on the operating system is in
 * platform.h. */
#ifndef VSO_CHILD_H
#define VSO_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "platform.h"

enum { VSO_CHILD_STREAMS = 2, VSO_CHILD_MAX_SIGNALS = 8 };

typedef struct vso_child_io {
  void *ctx;
  /* Bytes read from the command's stdout (stream 0) or stderr (1). */
  void (*data)(void *ctx, int stream, const char *p, size_t n);
  /* That pipe reached its end, or was closed by force.  cut: vsorelay had
   * begun to stop the command's group (the drain timeout after its exit,
   * --timeout, a signal not obeyed), passed on a signal that stops it (the
   * agent's cancel), or closed the pipe itself, so an unterminated last line
   * is no line its writer finished. */
  void (*end)(void *ctx, int stream, bool cut);
} vso_child_io;

typedef struct vso_child {
  /* public: set before vso_child_init */
  char *const *argv;
  double drain_timeout;       /* seconds the pipes may stay open after the exit */
  double timeout;             /* --timeout in seconds, 0 for none */
  double kill_after;          /* seconds from the polite stop to the final one */
  vso_child_io io;
  /* read-only: of the last attempt */
  bool exited;
  int exit_status;
  int term_signal;
  /* read-only: over every attempt */
  int stop_signal;            /* a terminating signal vsorelay received, or 0 */
  bool timed_out;             /* --timeout expired */
  bool truncated;             /* pipes closed by force: output may be missing */
  bool failed;                /* vsorelay could not watch or read the command */
  /* private */
  uv_loop_t loop_;
  vso_process process_;       /* the command of this attempt */
  uv_signal_t signals_[VSO_CHILD_MAX_SIGNALS];
  size_t nsignals_;
  uv_timer_t drain_timer_, kill_timer_, deadline_timer_;
  uv_pipe_t pipes_[VSO_CHILD_STREAMS];
  bool reading_[VSO_CHILD_STREAMS];
  bool started_;              /* the command of this attempt was spawned */
  int drain_stage_;           /* 0 waiting, 1 polite stop sent, 2 final stop sent */
} vso_child;

/* Starts the event loop, the timers and the signal watchers.  False, with
 * the reason said on stderr, when it cannot. */
bool vso_child_init(vso_child *c);
/* Runs the command once, to its end.  Returns 0, or vsorelay's exit status
 * when it could not be started (126 not executable, 127 not found, 125 no
 * pipe). */
int vso_child_run(vso_child *c);
void vso_child_close(vso_child *c);

#endif
