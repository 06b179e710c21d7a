/* SPDX-License-Identifier: MIT */
/* bench-gen: writes the benchmark inputs to stdout, as fast as it can.
 *
 *   bench-gen log --bytes N [--every K] [--write-size B]
 *       Realistic build-log lines of 80..200 bytes (with "\n"), whole lines
 *       until at least N bytes are out.  Every K-th line (default 1000) is
 *         ##vso[task.setvariable variable=v<i>;isoutput=true]<json>
 *       with i = 1, 2, ... (7 digits, zero-padded).  The lines are built once
 *       as a block of K lines; each repetition only rewrites the line-number
 *       and variable-number digits in place, so the generator costs next to
 *       nothing and the pipeline measures the consumer.  Output goes out in
 *       write(2) calls of B bytes (default 1 MiB): a program with a big,
 *       fully buffered stdout.
 *
 *   bench-gen setvars --lines N [--names M] [--write-size B]
 *       N lines, every one a task.setvariable (the parse-rate input).  The
 *       variable is v<i> (i = 1..N, all distinct), or v<i mod M> with --names.
 *
 *   bench-gen bigvalue --value-bytes N [--write-size B]
 *       Ten log lines, one "##vso[task.setvariable variable=big;isoutput=true]"
 *       line whose value is N bytes of JSON-like text, ten log lines.  Written
 *       from a small buffer, so the generator's own memory stays tiny.
 *
 * Exit status 2 on a usage error, 1 if a write fails (EPIPE included). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "bench-gen"

static char *outbuf;
static size_t outcap, outlen;
static unsigned long long total;

__attribute__((noreturn)) static void usage(const char *msg) {
  fprintf(stderr,
          PROG ": %s\n"
               "usage: " PROG " log --bytes N [--every K] [--write-size B]\n"
               "       " PROG " setvars --lines N [--names M] [--write-size B]\n"
               "       " PROG " bigvalue --value-bytes N [--write-size B]\n",
          msg);
  exit(2);
}

static void write_all(const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, PROG ": write: %s\n", strerror(errno));
      exit(1);
    }
    p += w;
    n -= (size_t)w;
  }
}

static void flush_out(void) {
  write_all(outbuf, outlen);
  outlen = 0;
}

/* Appends to the output buffer; every write(2) is exactly outcap bytes
 * except the last. */
static void put(const char *p, size_t n) {
  total += n;
  while (n > 0) {
    size_t room = outcap - outlen;
    size_t take = n < room ? n : room;
    memcpy(outbuf + outlen, p, take);
    outlen += take;
    p += take;
    n -= take;
    if (outlen == outcap) flush_out();
  }
}

static unsigned long long num(const char *opt, const char *v) {
  if (!v || *v < '0' || *v > '9') usage(opt);
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end) usage(opt);
  return x;
}

/* Writes x as exactly w decimal digits at p (the high digits are dropped). */
static void put_digits(char *p, size_t w, unsigned long long x) {
  for (size_t i = w; i-- > 0;) {
    p[i] = (char)('0' + x % 10);
    x /= 10;
  }
}

/* ---- log ------------------------------------------------------------------ */

static const char *const messages[] = {
    "info: Microsoft.DotNet.ImageBuilder.Commands.BuildCommand[0] Building image src/runtime/8.0/bookworm-slim/amd64",
    "#12 [linux/amd64 build 3/7] RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates",
    "Step 5/12 : RUN curl -fSL --output dotnet.tar.gz https://dotnetcli.example/dotnet-runtime-linux-x64.tar.gz",
    "info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] Processing platform linux/arm64/v8",
    "Get:17 http://deb.debian.example/debian bookworm/main amd64 libssl3 amd64 3.0.11-1~deb12u2 [2016 kB]",
    " ---> Running in 3f9c2a1be4d7; Removing intermediate container 3f9c2a1be4d7 ---> 9a1e7c44f0b2",
    "warning: Microsoft.DotNet.ImageBuilder[0] Retrying 'docker pull mcr.example/dotnet/runtime-deps:8.0' (2/5)",
    "Successfully tagged mcr.example/dotnet/aspnet:8.0.4-bookworm-slim-amd64 sha256:4b7e2a9d0c13e8f6",
};
enum { NMESSAGES = sizeof messages / sizeof messages[0], LINE_DIGITS = 10, VAR_DIGITS = 7 };

static const char setvar_head[] = "##vso[task.setvariable variable=v";
static const char setvar_tail[] =
    ";isoutput=true]{\"linuxAmd64\":{\"imageBuilderPaths\":\"--path src/runtime/8.0/bookworm-slim/amd64\","
    "\"osType\":\"linux\",\"architecture\":\"amd64\"}}\n";

typedef struct block {
  char *data;
  size_t len;
  size_t *line_start;   /* K + 1 offsets */
  size_t *digits_at;    /* where each normal line's number goes (or SIZE_MAX) */
  size_t var_at;        /* where the variable number goes */
  unsigned long long k; /* lines in the block */
} block;

/* The line at index j (0-based) of the block: "<time>Z <message> #<n> <hex>". */
static size_t make_log_line(char *p, unsigned long long j, size_t *digits_at) {
  size_t len = 80 + (size_t)((j * 7919ULL) % 121ULL); /* with the "\n" */
  unsigned long long t = (j * 37) % 86400;
  int h = snprintf(p, 64, "2024-05-14T%02llu:%02llu:%02llu.%07lluZ ", t / 3600, t / 60 % 60, t % 60,
                   (j * 7654321ULL) % 10000000ULL);
  size_t used = (size_t)h;
  const char *msg = messages[j % NMESSAGES];
  /* the message, cut so that " #<10 digits> " and the "\n" still fit */
  size_t room = len - 1 - used - (3 + LINE_DIGITS);
  size_t m = strlen(msg);
  if (m > room) m = room;
  memcpy(p + used, msg, m);
  used += m;
  memcpy(p + used, " #", 2);
  used += 2;
  *digits_at = used;
  memset(p + used, '0', LINE_DIGITS);
  used += LINE_DIGITS;
  p[used++] = ' ';
  static const char hex[] = "0123456789abcdef";
  uint64_t x = j * 0x9E3779B97F4A7C15ULL + 1;
  while (used < len - 1) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[used++] = hex[x & 15];
  }
  p[used++] = '\n';
  return used;
}

static void build_block(block *b, unsigned long long k) {
  b->k = k;
  b->data = malloc((size_t)k * 256 + 512);
  b->line_start = malloc(((size_t)k + 1) * sizeof *b->line_start);
  b->digits_at = malloc((size_t)k * sizeof *b->digits_at);
  if (!b->data || !b->line_start || !b->digits_at) {
    fprintf(stderr, PROG ": out of memory\n");
    exit(1);
  }
  size_t at = 0;
  for (unsigned long long j = 0; j < k; j++) {
    b->line_start[j] = at;
    if (j == k - 1) { /* the block's last line is the logging command */
      memcpy(b->data + at, setvar_head, sizeof setvar_head - 1);
      at += sizeof setvar_head - 1;
      b->var_at = at;
      memset(b->data + at, '0', VAR_DIGITS);
      at += VAR_DIGITS;
      memcpy(b->data + at, setvar_tail, sizeof setvar_tail - 1);
      at += sizeof setvar_tail - 1;
      b->digits_at[j] = SIZE_MAX;
    } else {
      size_t rel;
      size_t len = make_log_line(b->data + at, j, &rel);
      b->digits_at[j] = at + rel;
      at += len;
    }
  }
  b->line_start[k] = at;
  b->len = at;
}

static int gen_log(unsigned long long bytes, unsigned long long every) {
  if (every < 1) usage("--every wants at least 1");
  block b = {0};
  build_block(&b, every);
  unsigned long long line_no = 0, var = 0;
  while (total < bytes) {
    var++;
    for (unsigned long long j = 0; j < b.k; j++)
      if (b.digits_at[j] != SIZE_MAX) put_digits(b.data + b.digits_at[j], LINE_DIGITS, line_no + j + 1);
    put_digits(b.data + b.var_at, VAR_DIGITS, var);
    if (bytes - total >= b.len) {
      put(b.data, b.len);
      line_no += b.k;
      continue;
    }
    for (unsigned long long j = 0; j < b.k && total < bytes; j++) { /* the tail, line by line */
      put(b.data + b.line_start[j], b.line_start[j + 1] - b.line_start[j]);
      line_no++;
    }
  }
  flush_out();
  return 0;
}

/* ---- setvars ------------------------------------------------------------ */

static int gen_setvars(unsigned long long lines, unsigned long long names) {
  char line[512];
  for (unsigned long long i = 1; i <= lines; i++) {
    unsigned long long v = names ? i % names : i;
    int n = snprintf(line, sizeof line,
                     "##vso[task.setvariable variable=v%llu;isoutput=true]{\"leg%llu\":{\"imageBuilderPaths\":"
                     "\"--path src/runtime/8.0/bookworm-slim/amd64\",\"osType\":\"linux\"}}\n",
                     v, i);
    put(line, (size_t)n);
  }
  flush_out();
  return 0;
}

/* ---- bigvalue ----------------------------------------------------------- */

static int gen_bigvalue(unsigned long long value_bytes) {
  char line[256];
  size_t digits_at;
  for (unsigned long long j = 0; j < 10; j++) put(line, make_log_line(line, j, &digits_at));
  static const char head[] = "##vso[task.setvariable variable=big;isoutput=true]";
  put(head, sizeof head - 1);
  static const char piece[] =
      "{\"linuxAmd64\":{\"imageBuilderPaths\":\"--path src/runtime/8.0/bookworm-slim/amd64\",\"osType\":\"linux\"}},";
  char chunk[64 * 1024];
  size_t plen = sizeof piece - 1;
  for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = piece[i % plen];
  while (value_bytes > 0) {
    size_t n = value_bytes < sizeof chunk ? (size_t)value_bytes : sizeof chunk;
    put(chunk, n);
    value_bytes -= n;
  }
  put("\n", 1);
  for (unsigned long long j = 10; j < 20; j++) put(line, make_log_line(line, j, &digits_at));
  flush_out();
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) usage("no mode");
  const char *mode = argv[1];
  unsigned long long bytes = 0, every = 1000, lines = 0, names = 0, value_bytes = 0, write_size = 1 << 20;
  bool have_bytes = false, have_lines = false, have_value = false;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--bytes")) bytes = num(a, v), have_bytes = true;
    else if (!strcmp(a, "--every")) every = num(a, v);
    else if (!strcmp(a, "--lines")) lines = num(a, v), have_lines = true;
    else if (!strcmp(a, "--names")) names = num(a, v);
    else if (!strcmp(a, "--value-bytes")) value_bytes = num(a, v), have_value = true;
    else if (!strcmp(a, "--write-size")) write_size = num(a, v);
    else usage("unknown argument");
    i++;
  }
  if (write_size < 1 || write_size > (1ULL << 30)) usage("--write-size wants 1..2^30");
  outcap = (size_t)write_size;
  outbuf = malloc(outcap);
  if (!outbuf) usage("out of memory");
  signal(SIGPIPE, SIG_DFL);
  if (!strcmp(mode, "log")) {
    if (!have_bytes) usage("log wants --bytes");
    return gen_log(bytes, every);
  }
  if (!strcmp(mode, "setvars")) {
    if (!have_lines) usage("setvars wants --lines");
    return gen_setvars(lines, names);
  }
  if (!strcmp(mode, "bigvalue")) {
    if (!have_value) usage("bigvalue wants --value-bytes");
    return gen_bigvalue(value_bytes);
  }
  usage("unknown mode");
}
