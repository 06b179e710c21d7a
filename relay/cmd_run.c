/* SPDX-License-Identifier: MIT */
/* vsorelay run: the product.
 *
 * The data path is one straight line:
 *   child pipe -> stream scanner -> line splitter -> command parser
 *              -> held commands -> verdict -> writer
 *
 * An attempt is complete only when the child has exited AND both pipes have
 * reached end of file (SIGCHLD may report the exit before the last bytes are
 * read).  If a grandchild keeps a pipe open, the drain timer ends the wait the
 * way the agent does: SIGTERM to the group, SIGKILL a second later, then stop
 * reading and say so. */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "capture.h"
#include "sources.h"
#include "platform.h"
#include "report.h"
#include "writer.h"

enum { NSTREAMS = 2 };

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
enum { NSIGNALS = sizeof forwarded_signals / sizeof forwarded_signals[0] };

/* After SIGKILL of the group, how long EOF may still take before the pipes
 * are closed by force (a daemon outside the group may hold them forever). */
static const uint64_t force_close_ms = 250;

typedef struct relay relay;

typedef struct relay_stream {
  relay *r;
  int index;            /* VSO_STREAM_STDOUT or VSO_STREAM_STDERR */
  const char *name;
  uv_pipe_t pipe;
  bool reading;         /* the pipe is open and not yet at EOF */
  vso_scanner scanner;
  vso_buf capture_tail; /* passed bytes that may begin a secret, not yet in the capture */
  vso_out *out;         /* where this stream is relayed to */
  uint64_t bytes_total; /* over every attempt */
  uint64_t lines_total;
} relay_stream;

struct relay {
  const vso_options *opts;
  uv_loop_t loop;
  uv_signal_t child_watcher;  /* SIGCHLD: the command may have ended */
  bool exited;
  int64_t exit_status;
  int term_signal;
  int pid;
  relay_stream streams[NSTREAMS];
  uv_timer_t drain_timer;     /* after exit, or after a terminating signal */
  uv_timer_t kill_timer;      /* SIGKILL after SIGTERM */
  uv_timer_t deadline_timer;  /* --timeout */
  uv_signal_t signals[NSIGNALS];
  int drain_stage;            /* 0 waiting, 1 SIGTERM sent, 2 SIGKILL sent */
  vso_analysis analysis;      /* of the current attempt */
  vso_buf held_completes;     /* the command's own task.complete lines, held */
  vso_out out, err;
  vso_capture_writer capture;
  bool capturing;
  vso_policy policy;          /* --restrict, --allow-variables */
  int attempt;
  int stop_signal;            /* a terminating signal vsorelay received */
  bool timed_out;
  bool truncated;             /* pipes closed by force */
  bool own_failure;           /* vsorelay could not do its job (125) */
};


static uint64_t seconds_to_ms(double s) {
  double ms = s * 1000.0;
  if (ms > (double)UINT32_MAX) return UINT32_MAX;
  return (uint64_t)(ms + 0.5);
}

/* ---- writing what the scanner hands on ------------------------------- */

/* Writes p[0..n) to the capture, secrets masked.  With wait_for_more, it
 * stops where the rest could begin a secret that the next bytes complete,
 * and returns how much went out (nothing when it failed). */
static size_t capture_masked(relay *r, int stream, const char *p, size_t n, bool wait_for_more) {
  vso_buf masked = {0};
  size_t done = n;
  bool ok = wait_for_more ? vso_mask_complete(&r->analysis.secrets, p, n, &masked, &done)
                          : vso_mask(&r->analysis.secrets, p, n, &masked);
  if (ok) vso_capture_write(&r->capture, stream, masked.data, masked.len);
  else r->own_failure = true;
  vso_buf_free(&masked);
  return ok ? done : 0;
}

/* Passed bytes go to the capture masked.  A secret may arrive cut in two by
 * the reads, so the tail that could begin one waits in the stream's
 * capture_tail for the next bytes (or the end of the stream). */
static void record(relay *r, int stream, const char *p, size_t n) {
  vso_buf *tail = &r->streams[stream].capture_tail;
  if (!r->capturing || !n) return;
  if (vso_secrets_empty(&r->analysis.secrets) && tail->len == 0) {
    vso_capture_write(&r->capture, stream, p, n);
    return;
  }
  if (!vso_buf_append(tail, p, n)) {
    r->own_failure = true;
    return;
  }
  size_t done = capture_masked(r, stream, tail->data, tail->len, true);
  memmove(tail->data, tail->data + done, tail->len - done);
  tail->len -= done;
}

/* What waits in capture_tail goes out masked as it is: a held line follows,
 * or the stream ended. */
static void record_tail(relay *r, int stream) {
  vso_buf *tail = &r->streams[stream].capture_tail;
  if (!r->capturing || tail->len == 0) return;
  capture_masked(r, stream, tail->data, tail->len, false);
  vso_buf_clear(tail);
}

static void on_pass(void *ctx, const char *p, size_t n) {
  relay_stream *s = ctx;
  vso_out_write(s->out, p, n);
  record(s->r, s->index, p, n);
}

/* The held line as the capture keeps it: a secret variable's value masked. */
static void record_line(relay *r, int stream, const vso_line *line, bool secret_value) {
  if (!r->capturing) return;
  record_tail(r, stream);
  vso_buf copy = {0};
  size_t keep = secret_value ? vso_line_visible_part(line) : line->len;
  bool ok = vso_buf_append(&copy, line->text, keep) && (keep == line->len || vso_buf_append_str(&copy, "***")) &&
            vso_buf_append(&copy, line->term, line->term_len);
  if (ok) record(r, stream, copy.data, copy.len);
  else r->own_failure = true;
  vso_buf_free(&copy);
}

/* A long line with no secret to mask is written in pieces, "##vso"
 * deactivated on the way, so a 64 MiB value is not copied once more. */
static bool write_deactivated(vso_out *out, const char *p, size_t n) {
  bool ok = true;
  for (size_t from = 0; ok && from < n;) {
    size_t at = from + vso_next_keyword(p + from, n - from);
    ok = vso_out_write(out, p + from, at - from) && (at == n || vso_out_write(out, "**vso", 5));
    from = at == n ? n : at + 5;
  }
  return ok;
}

static void write_neutralised(relay_stream *s, const vso_line *line, bool secret_value) {
  if (line->len > 65536 && !secret_value && vso_secrets_empty(&s->r->analysis.secrets)) {
    write_deactivated(s->out, line->text, line->len);
    vso_out_write(s->out, line->term, line->term_len);
    return;
  }
  vso_buf copy = {0};
  if (vso_neutralise(&s->r->analysis, line, secret_value, &copy) && vso_buf_append(&copy, line->term, line->term_len))
    vso_out_write(s->out, copy.data, copy.len);
  else
    s->r->own_failure = true;
  vso_buf_free(&copy);
}

/* The agent registers a secret variable's value with its masker the moment
 * it reads the command, and masks it in every line after.  vsorelay holds the
 * command until the end, so it tells the agent at once, with a task.setsecret
 * of the command's own (still escaped) data: whatever the step prints after
 * it stays masked, as without vsorelay.  Not for a command the agent would
 * refuse (no name, a multi-line secret, a policy): it registers nothing then. */
static void register_secret_now(relay *r, const vso_setvar *sv) {
  if (!sv->is_secret || sv->rejected || sv->refused || sv->value.n == 0) return;
  const char *rb = memchr(sv->raw.p, ']', sv->raw.n); /* raw starts at "##vso[": the info's own ']' */
  if (!rb) return;
  static const char setsecret[] = "##vso[task.setsecret]";
  size_t data_at = (size_t)(rb + 1 - sv->raw.p);
  /* a failed write is remembered by the writer (exit 125) */
  (void)(vso_out_line_start(&r->out) && vso_out_write(&r->out, setsecret, sizeof setsecret - 1) &&
         vso_out_write(&r->out, sv->raw.p + data_at, sv->raw.n - data_at) && vso_out_write(&r->out, "\n", 1));
}

static void on_line(void *ctx, const vso_line *line) {
  relay_stream *s = ctx;
  relay *r = s->r;
  vso_line_kind kind = vso_analysis_line(&r->analysis, line, s->name);
  bool secret_value = false;
  if (kind == VSO_LINE_SETVARIABLE) secret_value = r->analysis.setvars[r->analysis.nsetvars - 1].is_secret;
  record_line(r, s->index, line, secret_value);
  bool hold = kind == VSO_LINE_SETVARIABLE && !r->opts->stream;
  if (kind == VSO_LINE_COMPLETE && !r->opts->stream) {
    /* After task.complete done=true the agent drops all output 5 s later,
     * the re-emitted variables included: the command's verdict comes after
     * them, or not at all when vsorelay fails the step. */
    hold = true;
    size_t at = (size_t)vso_find_prefix(line->text, line->len);
    if (!vso_buf_append(&r->held_completes, line->text + at, line->len - at) ||
        !vso_buf_append_char(&r->held_completes, '\n'))
      r->own_failure = true;
  }
  if (hold || kind == VSO_LINE_REFUSED || line->truncated) {
    write_neutralised(s, line, secret_value);
    if (hold && kind == VSO_LINE_SETVARIABLE) register_secret_now(r, &r->analysis.setvars[r->analysis.nsetvars - 1]);
    return;
  }
  vso_out_write(s->out, line->text, line->len);
  vso_out_write(s->out, line->term, line->term_len);
}

/* ---- completion ------------------------------------------------------- */

static bool attempt_complete(const relay *r) {
  return r->exited && !r->streams[0].reading && !r->streams[1].reading;
}

static void stop_timers_if_complete(relay *r) {
  if (!attempt_complete(r)) return;
  uv_timer_stop(&r->drain_timer);
  uv_timer_stop(&r->kill_timer);
  uv_timer_stop(&r->deadline_timer);
}

static void close_stream(relay_stream *s) {
  if (!s->reading) return;
  s->reading = false;
  uv_read_stop((uv_stream_t *)&s->pipe);
  uv_close((uv_handle_t *)&s->pipe, NULL);
  vso_scanner_finish(&s->scanner);
  record_tail(s->r, s->index);
  stop_timers_if_complete(s->r);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  /* read_cb consumes the buffer before returning, so one per process is enough */
  static char chunk[1 << 18]; /* a quarter of the pipe: few reads, little memory */
  buf->base = chunk;
  buf->len = sizeof chunk;
}

static void on_read(uv_stream_t *pipe, ssize_t nread, const uv_buf_t *buf) {
  relay_stream *s = pipe->data;
  if (nread > 0) {
    vso_scanner_feed(&s->scanner, buf->base, (size_t)nread);
    return;
  }
  if (nread == 0) return; /* EAGAIN */
  if (nread != UV_EOF) vso_warn("reading the command's %s: %s", s->name, uv_strerror((int)nread));
  close_stream(s);
}

/* ---- escalation: drain timeout, --timeout, forwarded signals ---------- */

static void force_close(relay *r) {
  for (int i = 0; i < NSTREAMS; i++)
    if (r->streams[i].reading) {
      r->truncated = true;
      close_stream(&r->streams[i]);
    }
}

static void on_kill_timer(uv_timer_t *t) {
  relay *r = t->data;
  if (r->drain_stage == 1) {
    r->drain_stage = 2;
    int e = vso_kill_group(r->pid, SIGKILL);
    if (e) vso_warn("cannot SIGKILL the command's process group: %s", strerror(e));
    uv_timer_start(&r->kill_timer, on_kill_timer, force_close_ms, 0);
    return;
  }
  force_close(r);
}

static void escalate(relay *r) {
  if (r->drain_stage) return;
  r->drain_stage = 1;
  int e = vso_kill_group(r->pid, SIGTERM);
  if (e) vso_warn("cannot SIGTERM the command's process group: %s", strerror(e));
  uv_timer_start(&r->kill_timer, on_kill_timer, 1000, 0);
}

static void on_drain_timer(uv_timer_t *t) {
  relay *r = t->data;
  if (r->exited) {
    vso_warn("the command exited, but its output pipes were still open %.3gs later (a background process "
             "holds them): stopping it; output after this point may be truncated",
             r->opts->drain_timeout);
    escalate(r);
    return;
  }
  /* it already had the signal it ignores: no second SIGTERM, end it now */
  vso_warn("the command did not end within %.3gs of signal %d: killing its process group", r->opts->drain_timeout,
           r->stop_signal);
  r->drain_stage = 1;
  on_kill_timer(&r->kill_timer);
}

static void on_deadline(uv_timer_t *t) {
  relay *r = t->data;
  r->timed_out = true;
  vso_warn("--timeout of %.3gs expired: sending SIGTERM to the command's process group", r->opts->timeout);
  int e = vso_kill_group(r->pid, SIGTERM);
  if (e) vso_warn("cannot SIGTERM the command's process group: %s", strerror(e));
  r->drain_stage = 1;
  uv_timer_start(&r->kill_timer, on_kill_timer, seconds_to_ms(r->opts->kill_after), 0);
}

static bool is_terminating(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

static void on_signal(uv_signal_t *h, int sig) {
  relay *r = h->data;
  if (r->pid > 0 && !attempt_complete(r)) {
    int e = vso_kill_group(r->pid, sig);
    if (e) vso_warn("cannot forward signal %d to the command: %s", sig, strerror(e));
  }
  if (!is_terminating(sig) || r->stop_signal) return;
  r->stop_signal = sig;
  if (r->pid > 0 && !attempt_complete(r) && !uv_is_active((uv_handle_t *)&r->drain_timer))
    uv_timer_start(&r->drain_timer, on_drain_timer, seconds_to_ms(r->opts->drain_timeout), 0);
}

static void command_ended(relay *r, int status, int term_signal) {
  r->exited = true;
  r->exit_status = status;
  r->term_signal = term_signal;
  uv_unref((uv_handle_t *)&r->child_watcher); /* nothing left to wait for */
  uv_timer_stop(&r->deadline_timer);
  if (attempt_complete(r)) {
    stop_timers_if_complete(r);
    return;
  }
  if (!uv_is_active((uv_handle_t *)&r->drain_timer) && !r->drain_stage)
    uv_timer_start(&r->drain_timer, on_drain_timer, seconds_to_ms(r->opts->drain_timeout), 0);
}

/* libuv runs this from the loop, never inside the signal handler, so pid is
 * set by the time it runs even when the command ended at once. */
static void on_child_signal(uv_signal_t *h, int sig) {
  (void)sig;
  relay *r = h->data;
  if (r->pid <= 0 || r->exited) return;
  int status = 0, term_signal = 0;
  int ended = vso_reap(r->pid, &status, &term_signal);
  if (ended < 0) {
    /* cannot happen for our own child; not knowing its status, fail */
    vso_warn("cannot wait for the command: %s", strerror(errno));
    r->own_failure = true;
    command_ended(r, 0, 0);
  } else if (ended) {
    command_ended(r, status, term_signal);
  }
}

/* ---- one attempt ------------------------------------------------------- */

static void reset_attempt(relay *r) {
  r->exited = false;
  r->exit_status = 0;
  r->term_signal = 0;
  r->pid = 0;
  r->drain_stage = 0;
  vso_analysis_free(&r->analysis);
  vso_analysis_init(&r->analysis, r->opts->decode_percents);
  r->analysis.policy = &r->policy;
  vso_buf_clear(&r->held_completes);
}

static int spawn_status(int err) { return err == ENOENT ? 127 : 126; }

/* Opens a real pipe (not the socketpair UV_CREATE_PIPE would give: the child
 * could not open /dev/stdout) and starts reading its read end. */
static int open_stream_pipe(relay *r, relay_stream *s, uv_file *child_end) {
  uv_file fds[2];
  int e = uv_pipe(fds, UV_NONBLOCK_PIPE, 0);
  if (e) return e;
  vso_grow_pipe(fds[0]);
  e = uv_pipe_init(&r->loop, &s->pipe, 0);
  if (!e) e = uv_pipe_open(&s->pipe, fds[0]);
  if (e) {
    close(fds[0]);
    close(fds[1]);
    return e;
  }
  s->pipe.data = s;
  *child_end = fds[1];
  return 0;
}

static void start_stream(relay *r, relay_stream *s) {
  vso_scanner_free(&s->scanner);
  vso_scan_sink sink = {.ctx = s, .pass = on_pass, .line = on_line};
  vso_scanner_init(&s->scanner, &sink, 0);
  int e = uv_read_start((uv_stream_t *)&s->pipe, on_alloc, on_read);
  s->reading = e == 0;
  if (e) {
    vso_warn("cannot read the command's %s: %s", s->name, uv_strerror(e));
    r->own_failure = true;
    uv_close((uv_handle_t *)&s->pipe, NULL);
  }
}

/* Runs the command once.  Returns 0, or the exit status of a spawn failure. */
static int run_attempt(relay *r) {
  reset_attempt(r);
  if (r->capturing) vso_capture_attempt(&r->capture, r->attempt);
  uv_file child_ends[NSTREAMS] = {-1, -1};
  for (int i = 0; i < NSTREAMS; i++) {
    int e = open_stream_pipe(r, &r->streams[i], &child_ends[i]);
    if (e) {
      vso_warn("cannot create a pipe: %s", uv_strerror(e));
      for (int k = 0; k < i; k++) {
        close(child_ends[k]);
        uv_close((uv_handle_t *)&r->streams[k].pipe, NULL);
      }
      uv_run(&r->loop, UV_RUN_DEFAULT);
      r->own_failure = true;
      return 125;
    }
  }
  int pid = 0;
  int e = vso_spawn(r->opts->operands[0], r->opts->operands, child_ends[0], child_ends[1], &pid);
  for (int i = 0; i < NSTREAMS; i++) close(child_ends[i]); /* or EOF never comes */
  if (e) {
    vso_warn("cannot run '%s': %s", r->opts->operands[0], strerror(e));
    for (int i = 0; i < NSTREAMS; i++) uv_close((uv_handle_t *)&r->streams[i].pipe, NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    return spawn_status(e);
  }
  r->pid = pid;
  uv_ref((uv_handle_t *)&r->child_watcher); /* the loop runs until the command has ended */
  for (int i = 0; i < NSTREAMS; i++) start_stream(r, &r->streams[i]);
  if (r->opts->timeout > 0) uv_timer_start(&r->deadline_timer, on_deadline, seconds_to_ms(r->opts->timeout), 0);
  if (r->stop_signal) { /* a signal arrived between attempts */
    vso_kill_group(r->pid, r->stop_signal);
    uv_timer_start(&r->drain_timer, on_drain_timer, seconds_to_ms(r->opts->drain_timeout), 0);
  }
  uv_run(&r->loop, UV_RUN_DEFAULT);
  for (int i = 0; i < NSTREAMS; i++) {
    r->streams[i].bytes_total += r->streams[i].scanner.bytes;
    r->streams[i].lines_total += r->streams[i].scanner.lines;
    if (r->streams[i].scanner.out_of_memory) r->analysis.out_of_memory = true;
  }
  if (r->analysis.out_of_memory) {
    vso_warn("out of memory while reading the command's output: its commands could not all be held");
    r->own_failure = true;
  }
  return 0;
}

/* ---- verdict and re-emission ------------------------------------------ */

static bool child_succeeded(const relay *r) { return r->exited && r->term_signal == 0 && r->exit_status == 0; }

/* Every held task.setvariable, each as the "##vso[..." part of its original
 * line, byte for byte, one per line, in checked writes of up to 64 KiB (a
 * huge command is written on its own). */
static bool emit_held(relay *r, const vso_expect_set *only) {
  vso_buf block = {0};
  /* with --stream, only the last set of each expected name is written again */
  bool *wanted = only ? calloc(r->analysis.nsetvars + 1, sizeof *wanted) : NULL;
  bool ok = !only || wanted;
  for (size_t k = 0; ok && only && k < only->n; k++)
    if (only->items[k].last) wanted[only->items[k].last - r->analysis.setvars] = true;
  bool started = false;
  for (size_t i = 0; i < r->analysis.nsetvars && ok; i++) {
    const vso_setvar *sv = &r->analysis.setvars[i];
    if (sv->refused || (only && !wanted[i])) continue;
    if (!started) ok = started = vso_out_line_start(&r->out);
    if (sv->raw.n < 65536) {
      ok = vso_buf_append(&block, sv->raw.p, sv->raw.n) && vso_buf_append_char(&block, '\n');
      if (ok && block.len >= 65536) { /* a block at a time: memory stays flat */
        ok = vso_out_write(&r->out, block.data, block.len);
        vso_buf_clear(&block);
      }
      continue;
    }
    /* a huge command is written as it is rather than copied into the block */
    ok = vso_out_write(&r->out, block.data, block.len) && vso_out_write(&r->out, sv->raw.p, sv->raw.n) &&
         vso_out_write(&r->out, "\n", 1);
    vso_buf_clear(&block);
  }
  free(wanted);
  if (ok && block.len) ok = vso_out_write(&r->out, block.data, block.len);
  vso_buf_free(&block);
  /* the command's own task.complete, after its variables */
  if (ok && r->held_completes.len)
    ok = (started || vso_out_line_start(&r->out)) &&
         vso_out_write(&r->out, r->held_completes.data, r->held_completes.len);
  return ok;
}

/* A logging command of vsorelay's own: message quoted and escaped the
 * agent's way, so nothing in it can end the command or start another. */
static void emit_own_command(relay *r, const char *head, const char *message) {
  vso_buf line = {0}, quoted = {0};
  bool ok = vso_quote(&r->analysis.secrets, message, strlen(message), &quoted) && vso_buf_append_str(&line, head) &&
            vso_escape(quoted.data ? quoted.data : "", quoted.len, &line) && vso_buf_append_char(&line, '\n');
  if (ok) ok = vso_out_line_start(&r->out) && vso_out_write(&r->out, line.data, line.len);
  if (!ok) r->own_failure = true;
  vso_buf_free(&line);
  vso_buf_free(&quoted);
}

static void emit_failure(relay *r, vso_outcome *o) {
  char **lines;
  size_t n;
  if (!vso_unmet_messages(o, &lines, &n)) {
    r->own_failure = true;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    vso_warn("%s", lines[i]);
    vso_buf msg = {0};
    vso_buf_append_str(&msg, "vsorelay: ");
    vso_buf_append_str(&msg, lines[i]);
    emit_own_command(r, "##vso[task.logissue type=error]", msg.data ? msg.data : "");
    vso_buf_free(&msg);
    free(lines[i]);
  }
  free(lines);
  char done[160];
  snprintf(done, sizeof done, "vsorelay: %zu expected output variable(s) missing or unusable, so none was set",
           vso_expect_unmet(o->expect));
  emit_own_command(r, "##vso[task.complete result=Failed;]", done);
}

static void print_diagnostics(const relay *r) {
  for (size_t i = 0; i < r->analysis.ndiags; i++) {
    const vso_diag *d = &r->analysis.diags[i];
    vso_warn("%s line %llu: %s: %s", d->source, (unsigned long long)d->line_no,
            d->severity == VSO_ERROR ? "error" : "warning", d->message);
  }
}

static const char *unmet_names(const vso_expect_set *e, char *buf, size_t size) {
  buf[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < e->n; i++) {
    if (e->items[i].status == VSO_EXP_MET) continue;
    int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", e->items[i].name);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
  return buf;
}

/* ---- the whole run ------------------------------------------------------ */

static int exit_code(const relay *r, int spawn_failure, bool met) {
  if (r->stop_signal) return 128 + r->stop_signal;
  if (r->timed_out) return 124;
  if (r->own_failure || r->out.error || r->err.error) return 125;
  if (spawn_failure) return spawn_failure;
  if (r->term_signal) return 128 + r->term_signal;
  if (r->exit_status != 0) return (int)r->exit_status;
  return met ? 0 : 3;
}

static const char *verdict_name(const relay *r, int spawn_failure, bool met, int code) {
  if (r->stop_signal) return "stopped-by-signal";
  if (r->timed_out) return "timed-out";
  if (code == 125) return "vsorelay-failed";
  if (spawn_failure) return "spawn-failed";
  if (!child_succeeded(r)) return "command-failed";
  return met ? "passed" : "expectations-failed";
}

static bool init_relay(relay *r, const vso_options *opts) {
  memset(r, 0, sizeof *r);
  r->opts = opts;
  /* a closed stdout cannot carry the variables: like EPIPE, exit 125 */
  r->out = (vso_out){.fd = STDOUT_FILENO, .name = "stdout", .error = vso_std_fd_was_closed(1) ? EBADF : 0};
  r->err = (vso_out){.fd = STDERR_FILENO, .name = "stderr"};
  vso_analysis_init(&r->analysis, opts->decode_percents);
  if (!vso_build_policy(opts, &r->policy)) {
    vso_warn("out of memory");
    return false;
  }
  int e = uv_loop_init(&r->loop);
  if (e) {
    vso_warn("cannot start the event loop: %s", uv_strerror(e));
    return false;
  }
  static const char *const names[NSTREAMS] = {"stdout", "stderr"};
  for (int i = 0; i < NSTREAMS; i++) {
    r->streams[i] = (relay_stream){.r = r, .index = i, .name = names[i], .out = i == 0 ? &r->out : &r->err};
    vso_scan_sink sink = {.ctx = &r->streams[i], .pass = on_pass, .line = on_line};
    vso_scanner_init(&r->streams[i].scanner, &sink, 0);
  }
  uv_timer_init(&r->loop, &r->drain_timer);
  uv_timer_init(&r->loop, &r->kill_timer);
  uv_timer_init(&r->loop, &r->deadline_timer);
  r->drain_timer.data = r->kill_timer.data = r->deadline_timer.data = r;
  /* watched before the first spawn, so that no exit goes unseen */
  uv_signal_init(&r->loop, &r->child_watcher);
  r->child_watcher.data = r;
  e = uv_signal_start(&r->child_watcher, on_child_signal, SIGCHLD);
  if (e) {
    vso_warn("cannot watch SIGCHLD: %s", uv_strerror(e));
    return false;
  }
  uv_unref((uv_handle_t *)&r->child_watcher);
  for (int i = 0; i < NSIGNALS; i++) {
    uv_signal_init(&r->loop, &r->signals[i]);
    r->signals[i].data = r;
    e = uv_signal_start(&r->signals[i], on_signal, forwarded_signals[i]);
    if (e) {
      vso_warn("cannot watch signal %d: %s", forwarded_signals[i], uv_strerror(e));
      return false;
    }
    uv_unref((uv_handle_t *)&r->signals[i]); /* they must not keep the loop alive */
  }
  return true;
}

static void close_relay(relay *r) {
  for (int i = 0; i < NSIGNALS; i++) uv_close((uv_handle_t *)&r->signals[i], NULL);
  uv_close((uv_handle_t *)&r->child_watcher, NULL);
  uv_close((uv_handle_t *)&r->drain_timer, NULL);
  uv_close((uv_handle_t *)&r->kill_timer, NULL);
  uv_close((uv_handle_t *)&r->deadline_timer, NULL);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&r->loop) != 0) vso_warn("internal: handles left open at exit");
  for (int i = 0; i < NSTREAMS; i++) {
    vso_scanner_free(&r->streams[i].scanner);
    vso_buf_free(&r->streams[i].capture_tail);
  }
  vso_analysis_free(&r->analysis);
  vso_policy_free(&r->policy);
  vso_buf_free(&r->held_completes);
}

/* The outcome the summary and the report describe follows the exit code
 * as it changes at the end: a write that fails after the verdict (the
 * re-emission, the capture, stdout) makes it vsorelay's failure, 125. */
static void settle_outcome(vso_outcome *o, const relay *r, int *code) {
  if (r->out.error && !r->stop_signal) *code = 125;
  if (*code == 125 && o->exit_code != 125) {
    o->exit_code = 125;
    o->verdict = "vsorelay-failed";
  }
}

/* A --report or --summary that cannot be written is a usage error found
 * before the command runs, like a --capture that cannot be opened. */
static bool report_paths_usable(const vso_options *opts, vso_buf *err) {
  const char *paths[] = {opts->report, opts->summary}, *flags[] = {"--report", "--summary"};
  for (int i = 0; i < 2; i++) {
    vso_buf_clear(err);
    if (paths[i] && !vso_report_path_usable(paths[i], err)) {
      vso_warn("%s %s: %s", flags[i], paths[i], err->data ? err->data : "cannot write");
      return false;
    }
  }
  return true;
}

int vso_cmd_run(const vso_options *opts) {
  vso_expect_set expect = {0};
  vso_manifest_result manifest = {0};
  if (!vso_prepare_expectations(opts, "run", &expect, &manifest)) {
    vso_expect_free(&expect);
    vso_manifest_result_free(&manifest);
    return 2;
  }
  vso_buf err = {0};
  if (!report_paths_usable(opts, &err)) {
    vso_buf_free(&err);
    vso_expect_free(&expect);
    vso_manifest_result_free(&manifest);
    return 2;
  }
  if (vso_unblock_signals() != 0) vso_warn("cannot unblock signals: %s", strerror(errno));
  uint64_t started = uv_hrtime();
  relay r;
  int code = 125, spawn_failure = 0;
  bool met = false;
  if (!init_relay(&r, opts)) goto done;
  if (opts->capture) {
    if (!vso_capture_open(&r.capture, opts->capture)) {
      vso_warn("--capture %s: %s", opts->capture, strerror(errno));
      close_relay(&r);
      code = 2;
      goto done;
    }
    r.capturing = true;
  }
  for (r.attempt = 1;; r.attempt++) {
    spawn_failure = run_attempt(&r);
    print_diagnostics(&r);
    vso_expect_evaluate(&expect, &r.analysis);
    met = vso_expect_all_met(&expect);
    bool retry = !met && !spawn_failure && child_succeeded(&r) && !r.stop_signal && !r.timed_out &&
                 !r.out.error && r.attempt <= opts->retries;
    if (!retry) break;
    char names[1024];
    vso_warn("attempt %d of %d: %zu expected variable(s) missing or unusable (%s): running the command again",
         r.attempt, opts->retries + 1, vso_expect_unmet(&expect), unmet_names(&expect, names, sizeof names));
  }
  if (r.truncated) vso_warn("the output pipes were closed by force: the command's output may be truncated");
  code = exit_code(&r, spawn_failure, met);
  vso_outcome o = {
      .mode = "run",
      .command = opts->operands,
      .ncommand = opts->noperands,
      .attempts = r.attempt,
      .child_exited = r.exited,
      .exit_status = (int)r.exit_status,
      .term_signal = r.term_signal,
      .timed_out = r.timed_out,
      .output_truncated = r.truncated,
      .stopped_by_signal = r.stop_signal,
      .duration = (double)(uv_hrtime() - started) / 1e9,
      .analysis = &r.analysis,
      .expect = &expect,
      .manifest = opts->manifest ? &manifest : NULL,
      .decode_percents = opts->decode_percents,
      .verdict = verdict_name(&r, spawn_failure, met, code),
      .exit_code = code,
  };
  for (int i = 0; i < NSTREAMS; i++)
    o.streams[o.nstreams++] = (vso_stream_stats){r.streams[i].name, r.streams[i].bytes_total, r.streams[i].lines_total};
  /* all or nothing: a partial matrix must never reach a downstream job */
  if (code == 0) {
    if (!emit_held(&r, opts->stream ? &expect : NULL)) code = 125;
  } else if (code == 3 && child_succeeded(&r) && !met) { /* not a child that exited 3 itself */
    emit_failure(&r, &o);
  }
  if (code != 0 && !(child_succeeded(&r) && !met) && r.analysis.nsetvars && !opts->stream)
    vso_warn("%zu task.setvariable command(s) held back and not re-emitted", r.analysis.nsetvars);
  if (code != 0 && r.held_completes.len)
    vso_warn("the command's own task.complete was held back and not re-emitted: the step fails");
  /* the capture, then the summary, then the report: each failure becomes
   * exit 125, and the report, written last, carries the final code */
  if (r.capturing && !vso_capture_close(&r.capture)) {
    vso_warn("--capture %s: %s", opts->capture, strerror(r.capture.error));
    if (code == 0) code = 125;
  }
  settle_outcome(&o, &r, &code);
  if (opts->summary) {
    if (!vso_write_markdown(opts->summary, &o, &err)) {
      vso_warn("--summary %s: %s", opts->summary, err.data ? err.data : "cannot write");
      if (code == 0) code = 125;
    } else {
      char *abs = realpath(opts->summary, NULL);
      if (abs) {
        emit_own_command(&r, "##vso[task.uploadsummary]", abs);
        free(abs);
      }
    }
  }
  vso_buf_clear(&err);
  settle_outcome(&o, &r, &code);
  if (opts->report && !vso_write_report(opts->report, &o, &err)) {
    vso_warn("--report %s: %s", opts->report, err.data ? err.data : "cannot write");
    if (code == 0) code = 125;
  }
  if (r.out.error) vso_warn("writing to stdout: %s", strerror(r.out.error));
  close_relay(&r);
done:
  vso_buf_free(&err);
  vso_expect_free(&expect);
  vso_manifest_result_free(&manifest);
  return code;
}
