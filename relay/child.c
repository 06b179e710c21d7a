/* SPDX-License-Identifier: MIT */
#include "child.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "outcome.h"
#include "platform.h"
#include "writer.h"

/* After the final stop of the group, how long EOF may still take before the
 * pipes are closed by force (a daemon outside the group may hold them
 * forever). */
static const uint64_t force_close_ms = 250;
/* From the polite stop of the drain timeout to the final one. */
static const uint64_t drain_kill_ms = 1000;

static uint64_t seconds_to_ms(double s) {
  double ms = s * 1000.0;
  if (ms > (double)UINT32_MAX) return UINT32_MAX;
  return (uint64_t)(ms + 0.5);
}

static bool complete(const vso_child *c) { return c->exited && !c->reading_[0] && !c->reading_[1]; }

static void stop_timers_if_complete(vso_child *c) {
  if (!complete(c)) return;
  uv_timer_stop(&c->drain_timer_);
  uv_timer_stop(&c->kill_timer_);
  uv_timer_stop(&c->deadline_timer_);
}

static void close_stream(vso_child *c, int i) {
  if (!c->reading_[i]) return;
  c->reading_[i] = false;
  uv_read_stop((uv_stream_t *)&c->pipes_[i]);
  uv_close((uv_handle_t *)&c->pipes_[i], NULL);
  c->io.end(c->io.ctx, i, c->drain_stage_ > 0 || c->stop_signal); /* vsorelay stopped it, or passed a stop on */
  stop_timers_if_complete(c);
}

/* ---- reading ------------------------------------------------------------------ */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  /* on_read consumes the buffer before it returns, so one per process is enough */
  static char chunk[1 << 18]; /* a quarter of the pipe: few reads, little memory */
  buf->base = chunk;
  buf->len = sizeof chunk;
}

static void on_read(uv_stream_t *pipe, ssize_t nread, const uv_buf_t *buf) {
  vso_child *c = pipe->data;
  int i = (int)((uv_pipe_t *)pipe - c->pipes_);
  if (nread > 0) {
    c->io.data(c->io.ctx, i, buf->base, (size_t)nread);
    return;
  }
  if (nread == 0) return; /* EAGAIN */
  if (nread != UV_EOF) vso_warn("reading the command's %s: %s", i ? "stderr" : "stdout", uv_strerror((int)nread));
  close_stream(c, i);
}

/* ---- escalation: drain timeout, --timeout, forwarded signals ------------------- */

static void stop_group(vso_child *c, bool for_good) {
  int e = vso_stop_tree(&c->process_, for_good);
  if (e) vso_warn("cannot stop the command's process group: %s", strerror(e));
}

static void force_close(vso_child *c) {
  for (int i = 0; i < VSO_CHILD_STREAMS; i++)
    if (c->reading_[i]) {
      c->truncated = true;
      close_stream(c, i);
    }
}

static void on_kill_timer(uv_timer_t *t) {
  vso_child *c = t->data;
  if (c->drain_stage_ == 1) {
    c->drain_stage_ = 2;
    stop_group(c, true);
    uv_timer_start(&c->kill_timer_, on_kill_timer, force_close_ms, 0);
    return;
  }
  force_close(c);
}

static void on_drain_timer(uv_timer_t *t) {
  vso_child *c = t->data;
  if (c->exited) {
    vso_warn("the command exited, but its output pipes were still open %.3gs later (a background process "
             "holds them): stopping it; output after this point may be truncated",
             c->drain_timeout);
    c->drain_stage_ = 1;
    stop_group(c, false);
    uv_timer_start(&c->kill_timer_, on_kill_timer, drain_kill_ms, 0);
    return;
  }
  /* it already had the signal it ignores: no second polite stop, end it now */
  vso_warn("the command did not end within %.3gs of signal %d: killing its process group", c->drain_timeout,
           c->stop_signal);
  c->drain_stage_ = 1;
  on_kill_timer(&c->kill_timer_);
}

static void on_deadline(uv_timer_t *t) {
  vso_child *c = t->data;
  c->timed_out = true;
  vso_warn("--timeout of %.3gs expired: stopping the command's process group", c->timeout);
  stop_group(c, false);
  c->drain_stage_ = 1;
  uv_timer_start(&c->kill_timer_, on_kill_timer, seconds_to_ms(c->kill_after), 0);
}

static void start_drain_timer(vso_child *c) {
  uv_timer_start(&c->drain_timer_, on_drain_timer, seconds_to_ms(c->drain_timeout), 0);
}

static void on_signal(uv_signal_t *h, int sig) {
  vso_child *c = h->data;
  if (c->started_ && !complete(c)) {
    int e = vso_forward_signal(&c->process_, sig);
    if (e) vso_warn("cannot forward signal %d to the command: %s", sig, strerror(e));
  }
  if (!vso_signal_stops(sig) || c->stop_signal) return;
  c->stop_signal = sig;
  if (c->started_ && !complete(c) && !uv_is_active((uv_handle_t *)&c->drain_timer_)) start_drain_timer(c);
}

/* ---- the end of the command ------------------------------------------------------ */

static void command_ended(vso_child *c, int status, int term_signal) {
  c->exited = true;
  c->exit_status = status;
  c->term_signal = term_signal;
  uv_timer_stop(&c->deadline_timer_);
  if (complete(c)) {
    stop_timers_if_complete(c);
    return;
  }
  if (!uv_is_active((uv_handle_t *)&c->drain_timer_) && !c->drain_stage_) start_drain_timer(c);
}

/* libuv reaps the command (on its own SIGCHLD watcher on POSIX, a wait on
 * the process handle on Windows) and runs this from the loop. */
static void on_command_exit(uv_process_t *h, int64_t status, int term_signal) {
  vso_child *c = h->data;
  vso_process_reaped(&c->process_);
  uv_close((uv_handle_t *)h, NULL);
  command_ended(c, (int)status, term_signal);
}

/* ---- one attempt ----------------------------------------------------------------- */

/* Opens a real pipe (not the socketpair UV_CREATE_PIPE would give: the child
 * could not open /dev/stdout) and hands its read end to libuv. */
static int open_pipe(vso_child *c, int i, uv_file *child_end) {
  uv_file fds[2];
  int e = uv_pipe(fds, UV_NONBLOCK_PIPE, 0);
  if (e) return e;
  vso_grow_pipe(fds[0]);
  e = uv_pipe_init(&c->loop_, &c->pipes_[i], 0);
  if (!e && (e = uv_pipe_open(&c->pipes_[i], fds[0])) != 0) uv_close((uv_handle_t *)&c->pipes_[i], NULL);
  if (e) {
    close(fds[0]);
    close(fds[1]);
    return e;
  }
  c->pipes_[i].data = c;
  *child_end = fds[1];
  return 0;
}

static void start_reading(vso_child *c, int i) {
  int e = uv_read_start((uv_stream_t *)&c->pipes_[i], on_alloc, on_read);
  c->reading_[i] = e == 0;
  if (e) {
    vso_warn("cannot read the command's %s: %s", i ? "stderr" : "stdout", uv_strerror(e));
    c->failed = true;
    uv_close((uv_handle_t *)&c->pipes_[i], NULL);
    c->io.end(c->io.ctx, i, false);
  }
}

/* Opens both pipes; on failure closes what was opened and returns 125. */
static int open_pipes(vso_child *c, uv_file child_ends[VSO_CHILD_STREAMS]) {
  for (int i = 0; i < VSO_CHILD_STREAMS; i++) {
    int e = open_pipe(c, i, &child_ends[i]);
    if (!e) continue;
    vso_warn("cannot create a pipe: %s", uv_strerror(e));
    for (int k = 0; k < i; k++) {
      close(child_ends[k]);
      uv_close((uv_handle_t *)&c->pipes_[k], NULL);
    }
    uv_run(&c->loop_, UV_RUN_DEFAULT);
    c->failed = true;
    return VSO_EXIT_SELF;
  }
  return 0;
}

int vso_child_run(vso_child *c) {
  c->exited = c->started_ = false;
  c->exit_status = c->term_signal = c->drain_stage_ = 0;
  uv_file child_ends[VSO_CHILD_STREAMS] = {-1, -1};
  int status = open_pipes(c, child_ends);
  if (status) return status;
  c->process_.handle.data = c;
  int e = vso_spawn(&c->loop_, &c->process_, c->argv, child_ends[0], child_ends[1], on_command_exit);
  for (int i = 0; i < VSO_CHILD_STREAMS; i++) close(child_ends[i]); /* or EOF never comes */
  if (e) {
    vso_warn("cannot run '%s': %s", c->argv[0], uv_strerror(e));
    for (int i = 0; i < VSO_CHILD_STREAMS; i++) uv_close((uv_handle_t *)&c->pipes_[i], NULL);
    uv_run(&c->loop_, UV_RUN_DEFAULT);
    /* no process, memory or descriptor left: vsorelay's failure, not the command's */
    if (e == UV_EAGAIN || e == UV_ENOMEM || e == UV_EMFILE || e == UV_ENFILE) {
      c->failed = true;
      return VSO_EXIT_SELF;
    }
    return e == UV_ENOENT ? VSO_EXIT_NOT_FOUND : VSO_EXIT_CANNOT_EXECUTE;
  }
  c->started_ = true; /* the process handle keeps the loop running until the exit */
  for (int i = 0; i < VSO_CHILD_STREAMS; i++) start_reading(c, i);
  if (c->timeout > 0) uv_timer_start(&c->deadline_timer_, on_deadline, seconds_to_ms(c->timeout), 0);
  if (c->stop_signal) { /* a signal arrived between attempts */
    vso_forward_signal(&c->process_, c->stop_signal);
    start_drain_timer(c);
  }
  uv_run(&c->loop_, UV_RUN_DEFAULT);
  vso_process_release(&c->process_);
  return 0;
}

/* ---- the loop ---------------------------------------------------------------------- */

static bool watch(vso_child *c, uv_signal_t *h, uv_signal_cb cb, int sig) {
  uv_signal_init(&c->loop_, h);
  h->data = c;
  int e = uv_signal_start(h, cb, sig);
  if (e) {
    vso_warn("cannot watch signal %d: %s", sig, uv_strerror(e));
    return false;
  }
  uv_unref((uv_handle_t *)h); /* a watcher must not keep the loop alive */
  return true;
}

bool vso_child_init(vso_child *c) {
  int e = uv_loop_init(&c->loop_);
  if (e) {
    vso_warn("cannot start the event loop: %s", uv_strerror(e));
    return false;
  }
  uv_timer_init(&c->loop_, &c->drain_timer_);
  uv_timer_init(&c->loop_, &c->kill_timer_);
  uv_timer_init(&c->loop_, &c->deadline_timer_);
  c->drain_timer_.data = c->kill_timer_.data = c->deadline_timer_.data = c;
  bool ok = true;
  size_t n;
  const int *forwarded = vso_forwarded_signals(&n);
  for (size_t i = 0; i < n && i < VSO_CHILD_MAX_SIGNALS; i++, c->nsignals_++)
    ok = ok && watch(c, &c->signals_[i], on_signal, forwarded[i]);
  return ok;
}

void vso_child_close(vso_child *c) {
  for (size_t i = 0; i < c->nsignals_; i++) uv_close((uv_handle_t *)&c->signals_[i], NULL);
  uv_close((uv_handle_t *)&c->drain_timer_, NULL);
  uv_close((uv_handle_t *)&c->kill_timer_, NULL);
  uv_close((uv_handle_t *)&c->deadline_timer_, NULL);
  uv_run(&c->loop_, UV_RUN_DEFAULT);
  if (uv_loop_close(&c->loop_) != 0) vso_warn("internal: handles left open at exit");
}
