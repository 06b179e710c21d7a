/* SPDX-License-Identifier: MIT */
/* uv-probe: what libuv's process and pipe API does on this Windows (or
 * Wine), for everything vsorelay's Windows port relies on.  Each probe
 * prints one "probe NAME: ..." line with what it saw; a probe that vsorelay
 * depends on and that fails prints "FAIL" and makes the exit status 1.
 * docs/windows.md records the answers under Wine.
 *
 * usage: uv-probe.exe WIN-CHILD.EXE
 *   WIN-CHILD.EXE is tests/windows/win-child.c built for Windows. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <windows.h>

static const char *child_exe;
static int failures;

/* ---- one child, both pipes read to EOF -------------------------------- */

typedef struct capture {
  uv_pipe_t pipe;
  char data[4096];
  size_t len;
  bool eof;
  uint64_t eof_at;
} capture;

typedef struct run {
  uv_loop_t *loop;
  uv_process_t proc;
  capture out, err;
  bool exited;
  int64_t status;
  int term_signal;
  uint64_t started, exited_at;
  int spawn_error;
} run;

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
  (void)suggested;
  capture *c = h->data;
  b->base = c->data + c->len;
  b->len = (ULONG)(sizeof c->data - 1 - c->len);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  (void)b;
  capture *c = s->data;
  if (n > 0) c->len += (size_t)n;
  if (n < 0) {
    c->eof = true;
    c->eof_at = uv_hrtime();
    uv_close((uv_handle_t *)s, NULL);
  }
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig) {
  run *r = p->data;
  r->exited = true;
  r->status = status;
  r->term_signal = sig;
  r->exited_at = uv_hrtime();
  uv_close((uv_handle_t *)p, NULL);
}

static const char *err_name(int e) { return e ? uv_err_name(e) : "0"; }

/* The bytes as C escapes, for a report line. */
static const char *shown(const capture *c) {
  static char buf[2][8192];
  static int which;
  char *o = buf[which ^= 1];
  size_t k = 0;
  for (size_t i = 0; i < c->len && k < sizeof buf[0] - 8; i++) {
    unsigned char ch = (unsigned char)c->data[i];
    if (ch == '\r') k += (size_t)sprintf(o + k, "\\r");
    else if (ch == '\n') k += (size_t)sprintf(o + k, "\\n");
    else if (ch < 32 || ch > 126) k += (size_t)sprintf(o + k, "\\x%02x", ch);
    else o[k++] = (char)ch;
  }
  o[k] = '\0';
  return o;
}

/* Pipes the way vsorelay makes them on Linux: uv_pipe, the write ends given
 * to the child with UV_INHERIT_FD and closed here after the spawn. */
static int spawn_with_uv_pipe(run *r, uv_process_options_t *o) {
  uv_file fds[2][2];
  for (int i = 0; i < 2; i++) {
    int e = uv_pipe(fds[i], UV_NONBLOCK_PIPE, 0);
    if (e) return e;
  }
  uv_stdio_container_t stdio[3] = {
      {.flags = UV_INHERIT_FD, .data.fd = 0},
      {.flags = UV_INHERIT_FD, .data.fd = fds[0][1]},
      {.flags = UV_INHERIT_FD, .data.fd = fds[1][1]},
  };
  o->stdio = stdio;
  o->stdio_count = 3;
  int e = uv_spawn(r->loop, &r->proc, o);
  for (int i = 0; i < 2; i++) _close(fds[i][1]);
  capture *caps[2] = {&r->out, &r->err};
  for (int i = 0; i < 2; i++) {
    uv_pipe_init(r->loop, &caps[i]->pipe, 0);
    caps[i]->pipe.data = caps[i];
    uv_pipe_open(&caps[i]->pipe, fds[i][0]);
    if (!e) uv_read_start((uv_stream_t *)&caps[i]->pipe, on_alloc, on_read);
    else uv_close((uv_handle_t *)&caps[i]->pipe, NULL);
  }
  return e;
}

static int spawn_with_create_pipe(run *r, uv_process_options_t *o) {
  capture *caps[2] = {&r->out, &r->err};
  for (int i = 0; i < 2; i++) {
    uv_pipe_init(r->loop, &caps[i]->pipe, 0);
    caps[i]->pipe.data = caps[i];
  }
  uv_stdio_container_t stdio[3] = {
      {.flags = UV_INHERIT_FD, .data.fd = 0},
      {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&r->out.pipe},
      {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&r->err.pipe},
  };
  o->stdio = stdio;
  o->stdio_count = 3;
  int e = uv_spawn(r->loop, &r->proc, o);
  for (int i = 0; i < 2; i++) {
    if (!e) uv_read_start((uv_stream_t *)&caps[i]->pipe, on_alloc, on_read);
    else uv_close((uv_handle_t *)&caps[i]->pipe, NULL);
  }
  return e;
}

typedef void (*while_running)(run *r);

/* Runs argv to the end (exit and both EOFs); during() is called once the
 * child runs, before the loop. */
static void run_child(run *r, char **argv, unsigned flags, bool create_pipe, while_running during) {
  memset(r, 0, sizeof *r);
  r->loop = uv_default_loop();
  r->proc.data = r;
  uv_process_options_t o = {.file = argv[0], .args = argv, .exit_cb = on_exit_cb, .flags = flags};
  r->started = uv_hrtime();
  r->spawn_error = create_pipe ? spawn_with_create_pipe(r, &o) : spawn_with_uv_pipe(r, &o);
  if (!r->spawn_error && during) during(r);
  uv_run(r->loop, UV_RUN_DEFAULT);
}

static void report(const char *name, bool ok, bool required, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("probe %s: %s", name, ok ? "ok" : required ? "FAIL" : "no");
  if (fmt[0]) printf(": ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
  if (!ok && required) failures++;
}

static double ms(uint64_t from, uint64_t to) { return (double)(to - from) / 1e6; }

/* ---- the probes ------------------------------------------------------------ */

static void probe_cmd_echo(bool create_pipe) {
  /* two arguments, as a shell or cmd.exe splits the line: neither needs
   * quoting, and cmd's echo prints its command line's tail as it is */
  char *argv[] = {"cmd", "/c", "echo", "##vso[task.setvariable", "variable=x;isoutput=true]1", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, create_pipe, NULL);
  bool ok = !r.spawn_error && r.exited && r.status == 0 && r.out.eof && r.err.eof &&
            strcmp(shown(&r.out), "##vso[task.setvariable variable=x;isoutput=true]1\\r\\n") == 0;
  report(create_pipe ? "cmd-echo-create-pipe" : "cmd-echo-uv-pipe", ok, true,
         "spawn=%s exit=%lld signal=%d stdout=\"%s\" stderr=\"%s\"", err_name(r.spawn_error),
         (long long)r.status, r.term_signal, shown(&r.out), shown(&r.err));
}

static void probe_exit_codes(void) {
  static const char *const codes[] = {"0", "1", "3", "255", "256", "300", "0xC0000005"};
  static const long long want[] = {0, 1, 3, 255, 256, 300, 0xC0000005LL};
  char got[256] = "";
  bool ok = true;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    char *argv[] = {(char *)child_exe, "--exit", (char *)codes[i], NULL};
    run r;
    run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
    ok = ok && !r.spawn_error && r.status == want[i] && r.term_signal == 0;
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s->%lld", i ? " " : "", codes[i], (long long)r.status);
  }
  report("exit-codes", ok, false, "%s", got);
}

static void probe_streams(void) {
  char *argv[] = {(char *)child_exe, "--out", "one", "--err", "two", "--lf", "--out", "three", "--exit", "3", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  bool ok = r.status == 3 && !strcmp(shown(&r.out), "one\\r\\nthree\\n") && !strcmp(shown(&r.err), "two\\r\\n");
  report("stdout-stderr-apart", ok, true, "exit=%lld stdout=\"%s\" stderr=\"%s\"", (long long)r.status,
         shown(&r.out), shown(&r.err));
}

static void probe_lost_tail(void) {
  char *argv[] = {(char *)child_exe, "--out", "kept", "--lose-tail", "--out", "lost", "--exit", "0", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  bool ok = r.status == 0 && !strcmp(shown(&r.out), "kept\\r\\n");
  report("lost-tail", ok, true, "exit=%lld stdout=\"%s\"", (long long)r.status, shown(&r.out));
}

static void probe_quoting(void) {
  char *argv[] = {(char *)child_exe, "--args", "a b", "c\"d", "e\\", "f\\\"g", "", "h\ti", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  /* argv[0] comes back as the path libuv found, so compare from "--args" on */
  const char *from = strstr(shown(&r.out), "[--args]");
  bool ok = from && !strncmp(from, "[--args]\\r\\n[a b]\\r\\n[c\"d]\\r\\n[e\\]\\r\\n[f\\\"g]\\r\\n[]\\r\\n[h\\x09i]\\r\\n",
                             strlen("[--args]\\r\\n[a b]\\r\\n[c\"d]\\r\\n[e\\]\\r\\n[f\\\"g]\\r\\n[]\\r\\n[h\\x09i]\\r\\n"));
  report("argv-round-trip", ok, true, "%s", shown(&r.out));
  char *semi[] = {(char *)child_exe, "--args", "##vso[task.setvariable variable=x;isoutput=true]1", NULL};
  run_child(&r, semi, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  report("argv-semicolon", true, false, "%s", shown(&r.out));
  char *echo[] = {"cmd", "/c", "echo", "a b", "c\"d", "##vso[x]1", "k;l=m", NULL};
  run_child(&r, echo, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  report("cmd-echo-quoting", true, false, "cmd /c echo {a b} {c\"d} {##vso[x]1} {k;l=m} prints \"%s\"", shown(&r.out));
}

static void probe_not_found(void) {
  char *argv[] = {"no-such-program-vsorelay", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  report("not-found", r.spawn_error == UV_ENOENT, true, "uv_spawn=%s", err_name(r.spawn_error));
}

static int kill_signal, kill_error;
static void kill_now(run *r) {
  Sleep(200);
  kill_error = uv_process_kill(&r->proc, kill_signal);
  if (kill_error) uv_process_kill(&r->proc, SIGKILL); /* not to wait for the sleep */
}

static void probe_kill(int sig, const char *name) {
  char *argv[] = {(char *)child_exe, "--out", "started", "--sleep", "20", "--out", "not-reached", NULL};
  run r;
  kill_signal = sig;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, kill_now);
  bool ok = r.exited && ms(r.started, r.exited_at) < 5000;
  char label[32];
  snprintf(label, sizeof label, "kill-%s", name);
  report(label, ok && !kill_error, sig == SIGTERM || sig == SIGKILL,
         "uv_process_kill=%s exit=%lld signal=%d after %.0f ms stdout=\"%s\"", err_name(kill_error),
         (long long)r.status, r.term_signal, ms(r.started, r.exited_at), shown(&r.out));
}

/* A grandchild holds the pipes: exit comes at once, EOF only when it ends. */
static void probe_held_pipe(void) {
  char *argv[] = {(char *)child_exe, "--hold", "2", "--out", "parent-done", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  report("grandchild-holds-pipe", ms(r.exited_at, r.out.eof_at) > 1500, true,
         "exit after %.0f ms, stdout EOF %.0f ms after exit, stdout=\"%s\"", ms(r.started, r.exited_at),
         ms(r.exited_at, r.out.eof_at), shown(&r.out));
}

/* The tree kill vsorelay needs: a job object of its own, the child assigned
 * right after uv_spawn (libuv has already put it in its global job), then
 * TerminateJobObject ends the child and the grandchild it starts later. */
static HANDLE probe_job;
static void assign_job(run *r) {
  probe_job = CreateJobObjectW(NULL, NULL);
  BOOL ok = probe_job && AssignProcessToJobObject(probe_job, r->proc.process_handle);
  printf("  CreateJobObject+AssignProcessToJobObject (nested in libuv's job): %s (error %lu)\n", ok ? "yes" : "no",
         ok ? 0UL : (unsigned long)GetLastError());
}

static void on_tick(uv_timer_t *t) {
  run *r = t->data;
  if (r->exited && probe_job) {
    BOOL ok = TerminateJobObject(probe_job, 1);
    printf("  TerminateJobObject after the child's exit: %s (error %lu) at %.0f ms\n", ok ? "yes" : "no",
           ok ? 0UL : (unsigned long)GetLastError(), ms(r->started, uv_hrtime()));
    CloseHandle(probe_job);
    probe_job = NULL;
    uv_close((uv_handle_t *)t, NULL);
  }
}

static void probe_job_kill_holder(void) {
  char *argv[] = {(char *)child_exe, "--sleep", "0.5", "--hold", "20", "--out", "parent-done", NULL};
  run r;
  memset(&r, 0, sizeof r);
  r.loop = uv_default_loop();
  r.proc.data = &r;
  uv_process_options_t o = {.file = argv[0], .args = argv, .exit_cb = on_exit_cb, .flags = UV_PROCESS_WINDOWS_HIDE};
  r.started = uv_hrtime();
  r.spawn_error = spawn_with_uv_pipe(&r, &o);
  if (r.spawn_error) {
    report("job-kills-grandchild", false, true, "spawn %s", err_name(r.spawn_error));
    return;
  }
  assign_job(&r);
  uv_timer_t tick;
  uv_timer_init(r.loop, &tick);
  tick.data = &r;
  uv_timer_start(&tick, on_tick, 50, 50);
  uv_run(r.loop, UV_RUN_DEFAULT);
  bool ok = r.out.eof && ms(r.started, r.out.eof_at) < 5000;
  report("job-kills-grandchild", ok, true, "child exit at %.0f ms, stdout EOF at %.0f ms, stdout=\"%s\"",
         ms(r.started, r.exited_at), ms(r.started, r.out.eof_at), shown(&r.out));
}

/* Console control events: vsorelay's own uv_signal for SIGINT/SIGBREAK, and
 * whether a child in its own process group gets CTRL_BREAK_EVENT. */
static int signals_seen[32];
static void on_signal(uv_signal_t *h, int sig) {
  (void)h;
  if (sig >= 0 && sig < 32) signals_seen[sig]++;
}

static void send_break(run *r) {
  Sleep(500);
  BOOL ok = GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, (DWORD)r->proc.pid);
  printf("  GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, child group): %s (error %lu)\n", ok ? "yes" : "no",
         ok ? 0UL : (unsigned long)GetLastError());
}

static void send_ctrl_c_to_console(run *r) {
  (void)r;
  Sleep(500);
  BOOL ok = GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0);
  printf("  GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) with a child on the console: %s (error %lu)\n",
         ok ? "yes" : "no", ok ? 0UL : (unsigned long)GetLastError());
}

static void probe_console_events(void) {
  uv_loop_t *loop = uv_default_loop();
  uv_signal_t sigint, sigbreak;
  uv_signal_init(loop, &sigint);
  uv_signal_init(loop, &sigbreak);
  int e1 = uv_signal_start(&sigint, on_signal, SIGINT);
  int e2 = uv_signal_start(&sigbreak, on_signal, SIGBREAK);
  uv_unref((uv_handle_t *)&sigint);
  uv_unref((uv_handle_t *)&sigbreak);
  printf("  console: GetConsoleWindow=%p GetConsoleCP=%u, uv_signal_start SIGINT=%s SIGBREAK=%s\n",
         (void *)GetConsoleWindow(), GetConsoleCP(), err_name(e1), err_name(e2));
  BOOL sent = GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0);
  printf("  GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0): %s (error %lu)\n", sent ? "yes" : "no",
         sent ? 0UL : (unsigned long)GetLastError());
  for (int i = 0; i < 20 && !signals_seen[SIGINT]; i++) {
    Sleep(50);
    uv_run(loop, UV_RUN_NOWAIT);
  }
  report("uv-signal-sigint-from-ctrl-c", signals_seen[SIGINT] > 0, false, "SIGINT seen %d time(s)",
         signals_seen[SIGINT]);

  char *argv[] = {(char *)child_exe, "--ctrl", "3", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, send_ctrl_c_to_console);
  report("ctrl-c-to-shared-console-child", r.status == 130, false, "exit=%lld stdout=\"%s\" SIGINT seen here %d",
         (long long)r.status, shown(&r.out), signals_seen[SIGINT]);
  run_child(&r, argv, UV_PROCESS_DETACHED | UV_PROCESS_WINDOWS_HIDE, false, send_break);
  report("ctrl-break-to-detached-child", r.status == 149, false, "exit=%lld stdout=\"%s\"", (long long)r.status,
         shown(&r.out));
  uv_close((uv_handle_t *)&sigint, NULL);
  uv_close((uv_handle_t *)&sigbreak, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
}

static void probe_batch_file(void) {
  const char *bat = "uv-probe-test.cmd";
  FILE *f = fopen(bat, "wb");
  if (!f || fputs("@echo off\r\necho from-batch %1\r\nexit /b 4\r\n", f) < 0 || fclose(f) != 0) {
    report("batch-file", false, false, "cannot write %s", bat);
    return;
  }
  char *argv[] = {(char *)bat, "arg1", NULL};
  run r;
  run_child(&r, argv, UV_PROCESS_WINDOWS_HIDE, false, NULL);
  report("batch-file-direct", !r.spawn_error && r.status == 4, false, "uv_spawn=%s exit=%lld stdout=\"%s\"",
         err_name(r.spawn_error), (long long)r.status, shown(&r.out));
  remove(bat);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: uv-probe.exe WIN-CHILD.EXE\n");
    return 2;
  }
  child_exe = argv[1];
  uv_disable_stdio_inheritance();
  printf("libuv %s\n", uv_version_string());
  probe_cmd_echo(false);
  probe_cmd_echo(true);
  probe_streams();
  probe_exit_codes();
  probe_lost_tail();
  probe_quoting();
  probe_not_found();
  probe_kill(SIGTERM, "SIGTERM");
  probe_kill(SIGKILL, "SIGKILL");
  probe_kill(SIGINT, "SIGINT");
  probe_kill(SIGHUP, "SIGHUP");
  probe_held_pipe();
  probe_job_kill_holder();
  probe_console_events();
  probe_batch_file();
  printf("%d required probe(s) failed\n", failures);
  return failures ? 1 : 0;
}
