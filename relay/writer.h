/* SPDX-License-Identifier: MIT */
/* Checked, blocking writes.  Stdout is written with write(2) in a full-write
 * loop and never made non-blocking (libuv's uv_pipe_open would leave
 * O_NONBLOCK on a description shared with the next command of the step). */
#ifndef VSO_WRITER_H
#define VSO_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

#include "dialect.h"
#include "text.h"

/* Writes all of p[0..n) to fd: retries on EINTR, polls on EAGAIN (a sibling
 * may have set O_NONBLOCK on the shared description), loops on short
 * writes.  Returns 0 or a positive errno. */
int vso_write_all(int fd, const void *p, size_t n);

/* An output channel that remembers its first failure: once the reader has
 * gone (EPIPE), later writes are dropped and the failure is reported once. */
typedef struct vso_out {
  /* public */
  int fd;
  const char *name;   /* "stdout", "stderr", a file name */
  /* Read by the agent: the first VSO_ENCODING_BYTES bytes go out in one
   * write, so that its reader decides the stream's encoding on exactly
   * those (dialect.h), and encoding says what it decided. */
  bool agent_reads;
  /* read-only (error may be set at the start: a closed stdout is EBADF) */
  int error;          /* first errno, 0 while healthy */
  bool mid_line;      /* the last byte written ended no line */
  vso_stream_encoding encoding; /* agent_reads: undecided until its first bytes are out */
  /* private */
  unsigned char head_[VSO_ENCODING_BYTES]; /* agent_reads: the first bytes, until there are enough */
  size_t head_len_;
} vso_out;

bool vso_out_write(vso_out *o, const void *p, size_t n);
/* The end of the output: bytes still held for the encoding go out.  False
 * when the write failed. */
bool vso_out_flush(vso_out *o);
/* What the agent decodes o as: decided, or, while its first bytes are held,
 * what they decide if vsorelay's own text (ASCII, never a NUL) follows them
 * or nothing does. */
vso_stream_encoding vso_out_encoding(const vso_out *o);
/* Ends an unterminated last line, so that what follows starts a line of its
 * own: the agent would read a command glued to a line as that line's data. */
bool vso_out_line_start(vso_out *o);
/* One logging command of vsorelay's own (dialect.h), on a line of its own.
 * message is vsorelay's own words with whatever they quote already quoted
 * once (vso_quote); it is made safe again with the secrets known now
 * (vso_inert_line), then escaped the agent's way, so that nothing in it can
 * end the command or start another.  False when the write failed
 * (o->error) or memory ran out. */
bool vso_out_command(vso_out *o, const vso_secrets *secrets, vso_own_command kind, const char *message);

/* Text that was quoted once, maybe long before (a reason, a diagnostic, a
 * message), made safe for where it goes now: masked with the secrets known
 * now (a value may have become secret after the text was made; where a
 * quotation was cut, "...", what precedes the cut is masked too if a secret
 * could begin there), the keyword deactivated, any control byte shown as a
 * space: one inert line. */
bool vso_inert_line(const vso_secrets *secrets, const char *p, size_t n, vso_buf *out);

/* The process's stderr, one channel for the command's relayed stderr and
 * vsorelay's own diagnostics, so that their bytes leave in the order they
 * were written (the encoding's first bytes may be held: vso_out). */
vso_out *vso_stderr(void);

/* A diagnostic on stderr, "vsorelay: <message>\n".  The message is made one
 * line the agent cannot execute: "##vso" deactivated, CR and LF shown as
 * spaces, whatever it quotes (paths, names, a manifest's keys). */
void vso_warn(const char *fmt, ...) VSO_PRINTF(1, 2);

#endif
