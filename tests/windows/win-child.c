/* SPDX-License-Identifier: MIT */
/* win-child: the Windows helper child that vsorelay's Windows tests run
 * (the POSIX helpers in tests/helpers fork, block signals and the like, and
 * do not build for Windows).  Built with mingw-w64, run under Wine or Windows.
 *
 * usage: win-child.exe STEP...
 *
 * The steps run in order:
 *   --out TEXT      write TEXT and a line end to stdout at once (WriteFile)
 *   --err TEXT      the same on stderr
 *   --lf            line ends are "\n" from here on (the default is "\r\n",
 *                   what a Windows program writes through a text-mode CRT)
 *   --crlf          line ends are "\r\n" again
 *   --lose-tail     from here on, --out lines go into a 64 KiB stdio buffer
 *                   that is never flushed: the program ends with
 *                   TerminateProcess on itself, and the buffered lines are
 *                   lost (the incident of 2026-05-25: an asynchronous logger
 *                   that lost its tail at exit)
 *   --hold SECONDS  start a copy of itself that inherits stdout and stderr
 *                   and sleeps SECONDS, write "grandchild <pid>" to stdout,
 *                   and go on: the pipes stay open after this process exits
 *   --sleep SECONDS sleep (fractions allowed)
 *   --args ARG...   the last step: write each of its arguments (argv[0]
 *                   first) between '[' and ']', one a line, then the raw
 *                   command line as "cmdline <...>", and exit 0: how the
 *                   caller quoted argv for Windows
 *   --ctrl SECONDS  handle console control events: write "ready", wait up to
 *                   SECONDS for one, write "ctrl-c", "ctrl-break", "close"...
 *                   and exit 130 (Ctrl+C) or 149 (Ctrl+Break, 128+21), or
 *                   "no event" and go on
 *   --ignore-ctrl   from here on, console control events are caught, and
 *                   each is written as "ignored ctrl-c" (or ctrl-break...):
 *                   only a harder stop (a job's end) ends the program
 *   --exit CODE     exit now with CODE (0..4294967295); after the last step
 *                   the exit code is 0
 *
 * Exit status 2 on a usage error, 1 if a system call fails (said on stderr). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static const char *line_end = "\r\n";
static bool losing_tail;
static volatile LONG ctrl_event = -1;

static void fail(const char *what) {
  fprintf(stderr, "win-child: %s: error %lu\n", what, (unsigned long)GetLastError());
  fflush(stderr);
  ExitProcess(1);
}

static void usage(const char *why) {
  fprintf(stderr, "win-child: %s\nusage: win-child.exe [--out T|--err T|--lf|--crlf|--lose-tail|--hold S|"
                  "--sleep S|--args|--ctrl S|--ignore-ctrl|--exit C]...\n",
          why);
  fflush(stderr);
  ExitProcess(2);
}

static void write_handle(DWORD which, const char *p, size_t n) {
  HANDLE h = GetStdHandle(which);
  while (n > 0) {
    DWORD put = 0;
    if (!WriteFile(h, p, (DWORD)n, &put, NULL)) fail("WriteFile");
    p += put;
    n -= put;
  }
}

static void say(DWORD which, const char *text) {
  if (losing_tail && which == STD_OUTPUT_HANDLE) {
    /* into the stdio buffer, never flushed: see --lose-tail */
    fputs(text, stdout);
    fputs(line_end, stdout);
    return;
  }
  write_handle(which, text, strlen(text));
  write_handle(which, line_end, strlen(line_end));
}

static double seconds_arg(const char *v) {
  char *end;
  double s = v ? strtod(v, &end) : -1;
  if (!v || end == v || *end || s < 0 || s > 86400) usage("SECONDS wants 0..86400");
  return s;
}

/* A copy of this program that sleeps with our stdout and stderr: the pipe
 * stays open after we exit, as with a build server left behind. */
static void hold_pipes(double seconds) {
  char self[MAX_PATH], cmd[MAX_PATH + 64];
  DWORD n = GetModuleFileNameA(NULL, self, sizeof self);
  if (n == 0 || n >= sizeof self) fail("GetModuleFileNameA");
  snprintf(cmd, sizeof cmd, "\"%s\" --sleep %.3f", self, seconds);
  STARTUPINFOA si = {.cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES};
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  /* the handles must be inheritable for the grandchild to get them */
  SetHandleInformation(si.hStdOutput, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  SetHandleInformation(si.hStdError, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  PROCESS_INFORMATION pi;
  if (!CreateProcessA(self, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) fail("CreateProcessA");
  char line[64];
  snprintf(line, sizeof line, "grandchild %lu", (unsigned long)pi.dwProcessId);
  say(STD_OUTPUT_HANDLE, line);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
}

static void print_args(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    size_t n = strlen(argv[i]) + 3;
    char *line = malloc(n);
    if (!line) fail("malloc");
    snprintf(line, n, "[%s]", argv[i]);
    say(STD_OUTPUT_HANDLE, line);
    free(line);
  }
  const char *raw = GetCommandLineA();
  size_t n = strlen(raw) + 16;
  char *line = malloc(n);
  if (!line) fail("malloc");
  snprintf(line, n, "cmdline <%s>", raw);
  say(STD_OUTPUT_HANDLE, line);
  free(line);
}

static BOOL WINAPI on_ctrl(DWORD event) {
  InterlockedExchange(&ctrl_event, (LONG)event);
  return TRUE; /* handled: the process is not ended by the default handler */
}

static const char *const ctrl_names[] = {"ctrl-c", "ctrl-break", "close", "?", "?", "logoff", "shutdown"};

static BOOL WINAPI on_ctrl_ignored(DWORD event) {
  char line[64];
  snprintf(line, sizeof line, "ignored %s", event <= 6 ? ctrl_names[event] : "?");
  say(STD_OUTPUT_HANDLE, line);
  return TRUE;
}

static void wait_ctrl(double seconds) {
  if (!SetConsoleCtrlHandler(on_ctrl, TRUE)) fail("SetConsoleCtrlHandler");
  say(STD_OUTPUT_HANDLE, "ready");
  for (double waited = 0; waited < seconds && ctrl_event < 0; waited += 0.01) Sleep(10);
  LONG e = ctrl_event;
  if (e < 0) {
    say(STD_OUTPUT_HANDLE, "no event");
    return;
  }
  say(STD_OUTPUT_HANDLE, e <= 6 ? ctrl_names[e] : "?");
  ExitProcess(e == CTRL_C_EVENT ? 130 : e == CTRL_BREAK_EVENT ? 149 : 129);
}

static void finish(UINT code) {
  if (losing_tail) TerminateProcess(GetCurrentProcess(), code); /* the buffer is never flushed */
  ExitProcess(code);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes = true;
    if (!strcmp(a, "--out") && v) say(STD_OUTPUT_HANDLE, v);
    else if (!strcmp(a, "--err") && v) say(STD_ERROR_HANDLE, v);
    else if (!strcmp(a, "--hold")) hold_pipes(seconds_arg(v));
    else if (!strcmp(a, "--sleep")) Sleep((DWORD)(seconds_arg(v) * 1000));
    else if (!strcmp(a, "--ctrl")) wait_ctrl(seconds_arg(v));
    else if (!strcmp(a, "--exit") && v) finish((UINT)strtoul(v, NULL, 0));
    else {
      takes = false;
      if (!strcmp(a, "--lf")) line_end = "\n";
      else if (!strcmp(a, "--crlf")) line_end = "\r\n";
      else if (!strcmp(a, "--ignore-ctrl")) {
        if (!SetConsoleCtrlHandler(on_ctrl_ignored, TRUE)) fail("SetConsoleCtrlHandler");
      } else if (!strcmp(a, "--args")) {
        print_args(argc, argv);
        finish(0);
      }
      else if (!strcmp(a, "--lose-tail")) {
        losing_tail = true;
        if (setvbuf(stdout, NULL, _IOFBF, 1 << 16) != 0) fail("setvbuf");
      } else usage("unknown or incomplete step");
    }
    if (takes) i++;
  }
  finish(0);
  return 0;
}
