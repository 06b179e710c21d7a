/* SPDX-License-Identifier: MIT */
/* fast-writer: floods stdout with realistic log lines and some
 * ##vso[task.setvariable] lines, as fast as it can, then exits at once.
 *
 * usage: fast-writer [--lines N] [--bytes B] [--every K] [--stderr-too]
 *                    [--partial TEXT] [--sleep MS] [--exit-code C] [--summary]
 *
 * At least one of --lines, --bytes, --partial is required.
 *
 *   --lines N      write lines 1..N (stops at whichever of --lines/--bytes
 *                  comes first when both are given).
 *   --bytes B      keep writing whole lines until at least B bytes have been
 *                  written (stdout + stderr); the total is B..B+200.
 *   --every K      every K-th line (line numbers n with n % K == 0) is
 *                  "##vso[task.setvariable variable=var<i>;isoutput=true]value<i>"
 *                  with i = n / K, the running count of such lines, from 1.
 *                  Default 0: none.
 *   --stderr-too   the other lines with n % 5 == 2 go to stderr instead of
 *                  stdout.  ##vso lines always go to stdout.
 *   --partial TEXT after the lines, write TEXT to stdout with no newline.
 *   --sleep MS     sleep MS milliseconds before exiting (after --partial).
 *   --exit-code C  exit status (default 0).
 *   --summary      finally print
 *                  "fast-writer: lines=L setvariables=V stdout_bytes=O stderr_bytes=E\n"
 *                  to stderr (not counted in those numbers).
 *
 * Every other line is a log line of 80..200 bytes including the "\n",
 * a function of n only:
 *   "HH:MM:SS info: Microsoft.DotNet.ImageBuilder.Commands.BuildCommand[0] #<n> <hex>...\n"
 * where HH:MM:SS is n seconds after midnight (mod 24 h), and the length is
 * 80 + (n * 7919) % 121.  Nothing else is written.
 *
 * stdout is written in 64 KiB write(2) calls (the last one shorter), like a
 * program whose stdout is a fully buffered pipe; stderr lines are written one
 * write(2) each, like an unbuffered stderr.  The order between the two
 * streams is therefore the program's order only up to the stdout buffering.
 *
 * Exit status 2 on a usage error, 1 if a system call fails (reported on
 * stderr).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "fast-writer"
#define USAGE "[--lines N] [--bytes B] [--every K] [--stderr-too] [--partial TEXT]\n" \
              "                   [--sleep MS] [--exit-code C] [--summary]"
#include "helper.h"
#define OUTBUF (64 * 1024)
#define MAXLINE 256

static char outbuf[OUTBUF];
static size_t outlen;

static void out_flush(void) {
  write_all(STDOUT_FILENO, outbuf, outlen);
  outlen = 0;
}

static void out_add(const char *p, size_t n) {
  if (outlen + n > OUTBUF) {
    size_t room = OUTBUF - outlen; /* fill the buffer so every write is 64 KiB */
    memcpy(outbuf + outlen, p, room);
    outlen = OUTBUF;
    out_flush();
    p += room;
    n -= room;
  }
  memcpy(outbuf + outlen, p, n);
  outlen += n;
}

/* A log line for line number n; returns its length (80..200, with "\n"). */
static size_t log_line(char *buf, unsigned long long n) {
  size_t len = 80 + (size_t)((n * 7919ULL) % 121ULL);
  unsigned long long t = n % 86400ULL;
  int h = snprintf(buf, MAXLINE, "%02llu:%02llu:%02llu info: Microsoft.DotNet.ImageBuilder.Commands.BuildCommand[0] #%llu ",
                   t / 3600, t / 60 % 60, t % 60, n);
  if (h < 0 || (size_t)h >= len) { /* only for absurd n */
    errno = EOVERFLOW;
    fail("line number too large");
  }
  static const char hex[] = "0123456789abcdef";
  uint64_t x = n * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = (size_t)h; i < len - 1; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    buf[i] = hex[x & 15];
  }
  buf[len - 1] = '\n';
  return len;
}

static void sleep_ms(unsigned long long ms) {
  struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR) fail("nanosleep");
  }
}

typedef struct options {
  unsigned long long lines, bytes, every, sleep, exit_code;
  bool have_lines, have_bytes, stderr_too, summary;
  const char *partial;
} options;

static options parse_options(int argc, char **argv) {
  options o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--stderr-too")) o.stderr_too = true;
    else if (!strcmp(a, "--summary")) o.summary = true;
    else if (!strcmp(a, "--lines") && (o.have_lines = parse_num(v, 0, 1000000000000ULL, &o.lines))) i++;
    else if (!strcmp(a, "--lines")) usage_error("--lines wants 0..10^12");
    else if (!strcmp(a, "--bytes") && (o.have_bytes = parse_num(v, 0, 1ULL << 50, &o.bytes))) i++;
    else if (!strcmp(a, "--bytes")) usage_error("--bytes wants 0..2^50");
    else if (!strcmp(a, "--every") && parse_num(v, 0, 1000000000000ULL, &o.every)) i++;
    else if (!strcmp(a, "--every")) usage_error("--every wants 0..10^12");
    else if (!strcmp(a, "--partial") && (o.partial = v) != NULL) i++;
    else if (!strcmp(a, "--partial")) usage_error("--partial wants a text");
    else if (!strcmp(a, "--sleep") && parse_num(v, 0, 3600000ULL, &o.sleep)) i++;
    else if (!strcmp(a, "--sleep")) usage_error("--sleep wants 0..3600000 ms");
    else if (!strcmp(a, "--exit-code") && parse_num(v, 0, 255, &o.exit_code)) i++;
    else if (!strcmp(a, "--exit-code")) usage_error("--exit-code wants 0..255");
    else usage_error("unknown argument");
  }
  if (!o.have_lines && !o.have_bytes && !o.partial) usage_error("give --lines, --bytes or --partial");
  return o;
}

/* The n-th setvariable line into line; its length. */
static size_t setvariable_line(char *line, size_t size, unsigned long long n) {
  int k = snprintf(line, size, "##vso[task.setvariable variable=var%llu;isoutput=true]value%llu\n", n, n);
  if (k < 0 || (size_t)k >= size) {
    errno = EOVERFLOW;
    fail("snprintf");
  }
  return (size_t)k;
}

int main(int argc, char **argv) {
  options o = parse_options(argc, argv);
  char line[MAXLINE];
  unsigned long long n = 0, nvso = 0, out_bytes = 0, err_bytes = 0;
  for (;;) {
    if (o.have_lines && n >= o.lines) break;
    if (o.have_bytes && out_bytes + err_bytes >= o.bytes) break;
    if (!o.have_lines && !o.have_bytes) break;
    n++;
    size_t len;
    if (o.every && n % o.every == 0) {
      len = setvariable_line(line, sizeof line, ++nvso);
    } else {
      len = log_line(line, n);
      if (o.stderr_too && n % 5 == 2) {
        write_all(STDERR_FILENO, line, len);
        err_bytes += len;
        continue;
      }
    }
    out_add(line, len);
    out_bytes += len;
  }
  out_flush();
  if (o.partial) {
    size_t k = strlen(o.partial);
    write_all(STDOUT_FILENO, o.partial, k);
    out_bytes += k;
  }
  if (o.summary) {
    char s[200];
    int k = snprintf(s, sizeof s, PROG ": lines=%llu setvariables=%llu stdout_bytes=%llu stderr_bytes=%llu\n", n, nvso,
                     out_bytes, err_bytes);
    if (k < 0 || (size_t)k >= sizeof s) {
      errno = EOVERFLOW;
      fail("snprintf");
    }
    write_all(STDERR_FILENO, s, (size_t)k);
  }
  if (o.sleep) sleep_ms(o.sleep);
  return (int)o.exit_code;
}
