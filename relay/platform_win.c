/* SPDX-License-Identifier: MIT */
/* The Windows half of platform.h (mingw-w64, msvcrt).  docs/windows.md says
 * what each POSIX call became here, and what Wine can and cannot show. */
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

/* ---- the command and its tree -------------------------------------------------- */

/* A job of vsorelay's own holds the command and what it starts, so that the
 * whole tree can be stopped; jobs nest (Windows 8 and later), so it can sit
 * beside libuv's job, which only ends the command when vsorelay exits.  Not
 * KILL_ON_JOB_CLOSE: a build server the command leaves behind without its
 * pipes outlives vsorelay, as a daemon outside the process group does on
 * POSIX; BREAKAWAY_OK lets a process started with CREATE_BREAKAWAY_FROM_JOB
 * leave, as setsid() leaves a process group. */
static HANDLE new_job(void) {
  HANDLE job = CreateJobObjectW(NULL, NULL);
  if (!job) return NULL;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;
  memset(&info, 0, sizeof info);
  info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_BREAKAWAY_OK;
  if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
    CloseHandle(job);
    return NULL;
  }
  return job;
}

int vso_spawn(uv_loop_t *loop, vso_process *p, char *const argv[], int out_fd, int err_fd, uv_exit_cb on_exit) {
  p->running_ = false;
  p->tree_ = new_job();
  if (!p->tree_) return uv_translate_sys_error((int)GetLastError());
  uv_stdio_container_t stdio[3] = {
      {.flags = UV_INHERIT_FD, .data.fd = 0},
      {.flags = UV_INHERIT_FD, .data.fd = out_fd},
      {.flags = UV_INHERIT_FD, .data.fd = err_fd},
  };
  /* Not UV_PROCESS_DETACHED: libuv makes that DETACHED_PROCESS, a process
   * without a console, which no Ctrl+C or Ctrl+Break can reach and whose own
   * console children would each open a window.  The command shares
   * vsorelay's console, as a POSIX command shares its terminal. */
  uv_process_options_t o = {
      .file = argv[0],
      .args = (char **)argv,
      .exit_cb = on_exit,
      .flags = UV_PROCESS_WINDOWS_HIDE,
      .stdio = stdio,
      .stdio_count = 3,
  };
  int e = uv_spawn(loop, &p->handle, &o);
  if (e) {
    uv_close((uv_handle_t *)&p->handle, NULL); /* initialised even when it fails */
    vso_process_release(p);
    return e;
  }
  p->running_ = true;
  /* The command runs already (uv_spawn cannot start it suspended): what it
   * starts in the microseconds before this call stays outside the job. */
  if (!AssignProcessToJobObject(p->tree_, p->handle.process_handle)) vso_process_release(p);
  return 0;
}

void vso_process_reaped(vso_process *p) { p->running_ = false; }

void vso_process_release(vso_process *p) {
  if (p->tree_) CloseHandle(p->tree_);
  p->tree_ = NULL;
}

/* Ctrl+C, Ctrl+Break and the console's close reached the command on the
 * console it shares with vsorelay: nothing to send again.  After a close,
 * Windows ends every process of the console within seconds, vsorelay too,
 * so the rest of the tree is ended now rather than at the drain timeout. */
int vso_forward_signal(vso_process *p, int sig) { return sig == SIGHUP ? vso_stop_tree(p, true) : 0; }

int vso_stop_tree(vso_process *p, bool for_good) {
  (void)for_good; /* no polite stop for a tree on Windows */
  if (p->tree_) return TerminateJobObject(p->tree_, 1) ? 0 : EPERM;
  if (!p->running_) return 0;
  int e = uv_process_kill(&p->handle, SIGKILL); /* not in the job: the command alone */
  return e == 0 || e == UV_ESRCH ? 0 : EPERM;
}

static const int forwarded_signals[] = {SIGINT, SIGBREAK, SIGHUP};

const int *vso_forwarded_signals(size_t *n) {
  *n = sizeof forwarded_signals / sizeof forwarded_signals[0];
  return forwarded_signals;
}

bool vso_signal_stops(int sig) { return sig == SIGINT || sig == SIGBREAK || sig == SIGHUP; }

/* A pipe's buffer is set when libuv creates it. */
void vso_grow_pipe(int fd) { (void)fd; }

/* A synchronous Windows handle never answers EAGAIN. */
int vso_wait_writable(int fd) {
  (void)fd;
  Sleep(1);
  return 0;
}

/* ---- start-up ------------------------------------------------------------------------ */

static unsigned closed_std_fds;

int vso_platform_init(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (_get_osfhandle(fd) < 0) { /* -1 closed, -2 no handle at all */
      int got = _open("NUL", (fd == 0 ? _O_RDONLY : _O_WRONLY) | _O_BINARY | _O_NOINHERIT);
      if (got < 0) return -1;
      if (got != fd && (_dup2(got, fd) != 0 || _close(got) != 0)) return -1;
      closed_std_fds |= 1u << fd;
    }
    /* binary: the CRT would turn each relayed '\n' into "\r\n" */
    if (_setmode(fd, _O_BINARY) == -1) return -1;
  }
  _fmode = _O_BINARY; /* every file opened from now on, core/'s too */
  /* The command gets stdin and the pipes, not vsorelay's own std handles
   * (libuv passes every inheritable handle to CreateProcess). */
  uv_disable_stdio_inheritance();
  return 0;
}

int vso_unblock_signals(void) { return 0; /* no signal masks */ }

bool vso_std_fd_was_closed(int fd) { return fd >= 0 && fd <= 2 && (closed_std_fds & (1u << fd)); }

/* ---- files ---------------------------------------------------------------------------- */

/* Paths are UTF-8: vsorelay.manifest makes it the process code page (Windows
 * 10 1903 and later), so the CRT's narrow calls take them as they are. */
static int open_file(const char *path, int flags) {
  return _open(path, flags | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
}

int vso_open_read(const char *path) { return open_file(path, _O_RDONLY); }

int vso_open_private(const char *path) { return open_file(path, _O_WRONLY | _O_CREAT | _O_TRUNC); }

int vso_open_temporary(char *template_path) {
  size_t n = strlen(template_path);
  if (n < 6 || strcmp(template_path + n - 6, "XXXXXX") != 0) {
    errno = EINVAL;
    return -1;
  }
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; attempt++) {
    unsigned char r[6];
    if (uv_random(NULL, NULL, r, sizeof r, 0, NULL) != 0) {
      errno = EIO;
      return -1;
    }
    for (int i = 0; i < 6; i++) template_path[n - 6 + i] = letters[r[i] % (sizeof letters - 1)];
    int fd = open_file(template_path, _O_RDWR | _O_CREAT | _O_EXCL);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

int vso_sync(int fd) { return _commit(fd); }

int vso_replace(const char *from, const char *to) {
  if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return 0;
  DWORD e = GetLastError();
  errno = e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION ? EACCES
          : e == ERROR_PATH_NOT_FOUND || e == ERROR_FILE_NOT_FOUND ? ENOENT
                                                                   : EIO;
  return -1;
}

bool vso_is_separator(char c) { return c == '/' || c == '\\'; }

const char *vso_special_file(const char *path) {
  DWORD a = GetFileAttributesA(path);
  /* a junction or a symbolic link to a directory is replaced, as on POSIX;
   * a device name (NUL, CON) cannot be renamed over */
  if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT))
    return "a directory";
  return NULL;
}

int vso_descriptors_available(int want) {
  int fds[64], got = 0;
  if (want > 64) want = 64;
  while (got < want && (fds[got] = _dup(2)) >= 0) got++;
  for (int i = 0; i < got; i++) _close(fds[i]);
  return got;
}

long vso_descriptor_limit(void) { return (long)_getmaxstdio(); }

char *vso_absolute_path(const char *path) {
  struct _stat64 st;
  if (_stat64(path, &st) != 0) return NULL; /* as realpath: an existing file */
  return _fullpath(NULL, path, 0);
}

double vso_now(void) { return (double)uv_hrtime() / 1e9; }
