/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the stream scanner and line splitter (core/scan.h).
 *
 * Input layout: byte 0 gives k = byte0 % 16, the number of chunk-size bytes
 * that follow (each a chunk size 0..255, used in turn, cycling); byte k+1
 * gives max_line for a third, truncating run (0: none); the rest is the
 * stream.  For that stream the harness checks:
 *
 *   (a) whole-line mode (VSO_SCAN_WHOLE_LINES), fed in those chunks, delivers
 *       exactly the lines of a one-shot feed: same count, content, line_no and
 *       terminator.  The one documented exception (scan.h, tests/unit/
 *       test_scan.c check_term): a "\r\n" cut right after its '\r' by a chunk
 *       boundary is delivered as "\r" and the '\n' goes to pass();
 *   (b) held mode, one-shot and chunked: pass() bytes and held lines (text +
 *       term), in the order the sink saw them, equal the input byte for byte;
 *       the held lines of both runs are identical (same exception), and each
 *       held line starts with "##vso[";
 *   (c) held mode with a small max_line, chunked: the same byte-for-byte
 *       property, and truncated lines are exactly max_line bytes long;
 *   (d) held mode watching for the generator's announcement
 *       (vso_scanner_watch, announce.h), one-shot and chunked: the same
 *       bytes and held lines as without watching, the same watched lines,
 *       and the same announcement read from them.
 *
 * Counters (bytes, lines, held_lines) must agree between chunkings too.  Any
 * mismatch prints what differed and calls abort(). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "buf.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MISMATCH(...)                                  \
  do {                                                 \
    fprintf(stderr, "fuzz_scan: mismatch: ");          \
    fprintf(stderr, __VA_ARGS__);                      \
    fprintf(stderr, "\n");                             \
    abort();                                           \
  } while (0)

typedef struct rec_line {
  size_t at;      /* stream offset of text[0] */
  size_t len;
  char term[3];
  size_t term_len;
  uint64_t line_no;
  bool truncated;
  char *text;
} rec_line;

typedef struct collector {
  vso_buf stream; /* pass() bytes and held lines (text + term), in order */
  rec_line *lines;
  size_t n, cap;
  bool whole;     /* whole-line mode: a line need not start with "##vso[" */
  size_t max_line;
} collector;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) abort();
  return q;
}

static void xappend(vso_buf *b, const void *p, size_t n) {
  if (!vso_buf_append(b, p, n)) abort();
}

static void on_pass(void *ctx, const char *p, size_t n) {
  collector *c = ctx;
  if (n == 0) MISMATCH("pass() called with 0 bytes");
  xappend(&c->stream, p, n);
}

static void on_line(void *ctx, const vso_line *l) {
  collector *c = ctx;
  if (l->term_len > 2) MISMATCH("terminator of %zu bytes", l->term_len);
  if (!(l->term_len == 0 || (l->term_len == 1 && (l->term[0] == '\n' || l->term[0] == '\r')) ||
        (l->term_len == 2 && l->term[0] == '\r' && l->term[1] == '\n')))
    MISMATCH("line %llu: bad terminator", (unsigned long long)l->line_no);
  if (l->truncated && l->term_len) MISMATCH("a truncated line carries a terminator");
  if (!c->whole && !l->truncated && (l->len < vso_dialect_prefix_len || memcmp(l->text, vso_dialect_prefix, vso_dialect_prefix_len) != 0))
    MISMATCH("held line %llu does not start with \"##vso[\"", (unsigned long long)l->line_no);
  if (!c->whole && l->truncated && l->len > c->max_line)
    MISMATCH("truncated line of %zu bytes > max_line %zu", l->len, c->max_line);
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 16;
    c->lines = xrealloc(c->lines, c->cap * sizeof *c->lines);
  }
  rec_line *r = &c->lines[c->n++];
  r->at = c->stream.len;
  r->len = l->len;
  r->text = xrealloc(NULL, l->len);
  if (l->len) memcpy(r->text, l->text, l->len);
  if (l->term_len) memcpy(r->term, l->term, l->term_len);
  r->term_len = l->term_len;
  r->line_no = l->line_no;
  r->truncated = l->truncated;
  xappend(&c->stream, l->text, l->len);
  xappend(&c->stream, l->term, l->term_len);
}

static void col_free(collector *c) {
  for (size_t i = 0; i < c->n; i++) free(c->lines[i].text);
  free(c->lines);
  vso_buf_free(&c->stream);
}

typedef struct counters {
  uint64_t bytes, lines, held_lines;
  bool oom;
} counters;

/* (d): the watched lines, one string each, and the announcement they make. */
typedef struct watching {
  vso_buf lines;                /* "which|line_no|cmd|cut|text\n" for each */
  vso_announcement an;
  vso_announce_reader reader;
} watching;

static watching *g_watching;     /* set while a watching run goes on */

static void on_watched(void *ctx, const vso_watched *w) {
  (void)ctx;
  watching *g = g_watching;
  char head[96];
  snprintf(head, sizeof head, "%zu|%llu|%d|%d|", w->which, (unsigned long long)w->line_no, w->command_after,
           w->truncated);
  xappend(&g->lines, head, strlen(head));
  xappend(&g->lines, w->text, w->len);
  xappend(&g->lines, "\n", 1);
  vso_announce_line(&g->reader, w);
}

/* Feeds in[0..n) cut at the given sizes (cycling; none: one shot). */
static counters run(const uint8_t *in, size_t n, const uint8_t *sizes, size_t nsizes, unsigned flags,
                    size_t max_line, collector *c) {
  memset(c, 0, sizeof *c);
  c->whole = (flags & VSO_SCAN_WHOLE_LINES) != 0;
  c->max_line = max_line ? max_line : SIZE_MAX;
  vso_scan_sink sink = {.ctx = c, .pass = on_pass, .line = on_line, .watched = on_watched};
  vso_scanner s;
  vso_scanner_init(&s, &sink, flags);
  if (max_line) s.max_line = max_line;
  if (g_watching && !vso_scanner_watch(&s, vso_announce_watch, vso_announce_nwatch, vso_announce_key_at))
    MISMATCH("the announcement's texts are refused");
  if (nsizes == 0) {
    vso_scanner_feed(&s, (const char *)in, n);
  } else {
    size_t i = 0, k = 0;
    while (i < n) {
      size_t want = sizes[k++ % nsizes];
      if (want > n - i) want = n - i;
      vso_scanner_feed(&s, (const char *)in + i, want); /* 0 bytes: must be a no-op */
      i += want;
    }
  }
  vso_scanner_finish(&s);
  counters k = {s.bytes, s.lines, s.held_lines, s.out_of_memory};
  vso_scanner_free(&s);
  return k;
}

/* Whether stream offset at is a chunk boundary of the chunked run. */
static bool is_cut(const uint8_t *sizes, size_t nsizes, size_t n, size_t at) {
  if (nsizes == 0) return false;
  size_t i = 0, k = 0;
  while (i < n) {
    size_t want = sizes[k++ % nsizes];
    if (want > n - i) want = n - i;
    i += want;
    if (i == at) return true;
    if (i > at) return false;
  }
  return false;
}

static void check_stream(const char *what, const collector *c, const uint8_t *in, size_t n) {
  if (c->stream.len != n || (n && memcmp(c->stream.data, in, n) != 0)) {
    size_t i = 0, m = c->stream.len < n ? c->stream.len : n;
    while (i < m && (uint8_t)c->stream.data[i] == in[i]) i++;
    MISMATCH("%s: pass + held bytes (%zu) differ from the input (%zu) at offset %zu", what, c->stream.len, n,
             i);
  }
}

/* want: the one-shot line; got: the chunked one. */
static void check_same_line(const char *what, size_t i, const rec_line *want, const rec_line *got,
                            const uint8_t *sizes, size_t nsizes, size_t n) {
  if (got->len != want->len || (want->len && memcmp(got->text, want->text, want->len) != 0))
    MISMATCH("%s: line %zu: content differs (%zu vs %zu bytes)", what, i, got->len, want->len);
  if (got->at != want->at) MISMATCH("%s: line %zu: at offset %zu, want %zu", what, i, got->at, want->at);
  if (got->line_no != want->line_no)
    MISMATCH("%s: line %zu: line_no %llu, want %llu", what, i, (unsigned long long)got->line_no,
             (unsigned long long)want->line_no);
  if (got->truncated != want->truncated) MISMATCH("%s: line %zu: truncated differs", what, i);
  bool same_term = got->term_len == want->term_len && memcmp(got->term, want->term, want->term_len) == 0;
  size_t term_at = want->at + want->len;
  bool split_crlf = want->term_len == 2 && got->term_len == 1 && got->term[0] == '\r' &&
                    is_cut(sizes, nsizes, n, term_at + 1);
  if (!same_term && !split_crlf)
    MISMATCH("%s: line %zu (line_no %llu): terminator of %zu bytes, want %zu", what, i,
             (unsigned long long)want->line_no, got->term_len, want->term_len);
}

static void check_same(const char *what, const collector *want, const collector *got, counters kw,
                       counters kg, const uint8_t *sizes, size_t nsizes, size_t n) {
  if (got->n != want->n) MISMATCH("%s: %zu lines chunked, %zu one-shot", what, got->n, want->n);
  for (size_t i = 0; i < want->n; i++)
    check_same_line(what, i, &want->lines[i], &got->lines[i], sizes, nsizes, n);
  if (kg.bytes != kw.bytes || kg.lines != kw.lines || kg.held_lines != kw.held_lines)
    MISMATCH("%s: counters differ: bytes %llu/%llu lines %llu/%llu held %llu/%llu", what,
             (unsigned long long)kg.bytes, (unsigned long long)kw.bytes, (unsigned long long)kg.lines,
             (unsigned long long)kw.lines, (unsigned long long)kg.held_lines,
             (unsigned long long)kw.held_lines);
  if (kg.oom || kw.oom) MISMATCH("%s: out_of_memory set", what);
  if (kw.bytes != n) MISMATCH("%s: bytes %llu, want %zu", what, (unsigned long long)kw.bytes, n);
  if (kw.held_lines != want->n) MISMATCH("%s: held_lines %llu, delivered %zu", what,
                                         (unsigned long long)kw.held_lines, want->n);
}

/* A short summary of an announcement, to compare two. */
static void summarise(const vso_announcement *a, vso_buf *out) {
  char head[64];
  snprintf(head, sizeof head, "%llu %d %zu|", (unsigned long long)a->listings, a->overflow, a->n);
  xappend(out, head, strlen(head));
  for (size_t i = 0; i < a->n; i++) {
    xappend(out, a->matrices[i].name, strlen(a->matrices[i].name));
    for (size_t k = 0; k < a->matrices[i].nlegs; k++) {
      const vso_announced_leg *l = &a->matrices[i].legs[k];
      xappend(out, ":", 1);
      xappend(out, l->name, strlen(l->name));
      for (size_t d = 0; d < l->ndockerfiles; d++) xappend(out, l->dockerfiles[d], strlen(l->dockerfiles[d]));
      if (l->architecture) xappend(out, l->architecture, strlen(l->architecture));
    }
    xappend(out, ";", 1);
  }
}

/* (d): watching changes nothing else, and any chunking watches the same. */
static void check_watching(const uint8_t *in, size_t n, const uint8_t *sizes, size_t nsizes, const collector *held,
                           counters kheld) {
  watching one = {0}, many = {0};
  collector c1, c2;
  one.reader = (vso_announce_reader){.into = &one.an, .source = "s"};
  many.reader = (vso_announce_reader){.into = &many.an, .source = "s"};
  g_watching = &one;
  counters k1 = run(in, n, NULL, 0, 0, 0, &c1);
  g_watching = &many;
  counters k2 = run(in, n, sizes, nsizes, 0, 0, &c2);
  g_watching = NULL;
  check_stream("watching one-shot", &c1, in, n);
  check_same("watching against not watching", held, &c1, kheld, k1, NULL, 0, n);
  check_same("watching chunked", &c1, &c2, k1, k2, sizes, nsizes, n);
  if (one.lines.len != many.lines.len || (one.lines.len && memcmp(one.lines.data, many.lines.data, one.lines.len)))
    MISMATCH("watching: the watched lines differ between one-shot and chunked");
  vso_buf s1 = {0}, s2 = {0};
  summarise(&one.an, &s1);
  summarise(&many.an, &s2);
  if (s1.len != s2.len || (s1.len && memcmp(s1.data, s2.data, s1.len))) MISMATCH("watching: the announcements differ");
  vso_buf_free(&s1);
  vso_buf_free(&s2);
  vso_buf_free(&one.lines);
  vso_buf_free(&many.lines);
  vso_announcement_free(&one.an);
  vso_announcement_free(&many.an);
  col_free(&c1);
  col_free(&c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  size_t nsizes = data[0] % 16;
  if (size < 2 + nsizes) return 0;
  const uint8_t *sizes = data + 1;
  size_t max_line = data[1 + nsizes] % 64; /* 0: no limit */
  const uint8_t *in = data + 2 + nsizes;
  size_t n = size - 2 - nsizes;
  /* all-zero sizes would never advance: treat them as one-shot too */
  bool any = false;
  for (size_t i = 0; i < nsizes; i++) any |= sizes[i] != 0;
  if (!any) nsizes = 0;

  collector w1, w2, h1, h2;
  /* (a) whole-line mode */
  counters kw1 = run(in, n, NULL, 0, VSO_SCAN_WHOLE_LINES, 0, &w1);
  counters kw2 = run(in, n, sizes, nsizes, VSO_SCAN_WHOLE_LINES, 0, &w2);
  check_stream("whole one-shot", &w1, in, n);
  check_stream("whole chunked", &w2, in, n);
  check_same("whole", &w1, &w2, kw1, kw2, sizes, nsizes, n);
  if (kw1.lines != w1.n) MISMATCH("whole: %llu lines counted, %zu delivered", (unsigned long long)kw1.lines, w1.n);

  /* (b) held mode */
  counters kh1 = run(in, n, NULL, 0, 0, 0, &h1);
  counters kh2 = run(in, n, sizes, nsizes, 0, 0, &h2);
  check_stream("held one-shot", &h1, in, n);
  check_stream("held chunked", &h2, in, n);
  check_same("held", &h1, &h2, kh1, kh2, sizes, nsizes, n);
  if (kh1.lines != kw1.lines)
    MISMATCH("held mode counted %llu lines, whole-line mode %llu", (unsigned long long)kh1.lines,
             (unsigned long long)kw1.lines);
  /* every held line is the "##vso[" tail of a whole line with the same number */
  size_t j = 0;
  for (size_t i = 0; i < h1.n; i++) {
    while (j < w1.n && w1.lines[j].line_no < h1.lines[i].line_no) j++;
    if (j == w1.n || w1.lines[j].line_no != h1.lines[i].line_no)
      MISMATCH("held line_no %llu is not a line", (unsigned long long)h1.lines[i].line_no);
    const rec_line *wl = &w1.lines[j], *hl = &h1.lines[i];
    ptrdiff_t at = vso_find_prefix(wl->text, wl->len);
    if (at < 0 || hl->at != wl->at + (size_t)at || hl->len != wl->len - (size_t)at)
      MISMATCH("held line %llu is not the line's tail from its first \"##vso[\"",
               (unsigned long long)hl->line_no);
  }
  size_t with_prefix = 0;
  for (size_t i = 0; i < w1.n; i++) with_prefix += vso_find_prefix(w1.lines[i].text, w1.lines[i].len) >= 0;
  if (with_prefix != h1.n) MISMATCH("%zu lines hold \"##vso[\", %zu held", with_prefix, h1.n);
  col_free(&h2);

  /* (c) held mode with a small max_line */
  if (max_line) {
    collector t;
    counters kt = run(in, n, sizes, nsizes, 0, max_line, &t);
    check_stream("truncating", &t, in, n);
    if (t.n != h1.n) MISMATCH("truncating: %zu lines, %zu without a limit", t.n, h1.n);
    for (size_t i = 0; i < t.n; i++) {
      const rec_line *a = &h1.lines[i], *b = &t.lines[i];
      bool over = a->len > max_line;
      if (b->truncated != over) MISMATCH("truncating: line %zu: truncated=%d for %zu bytes", i, b->truncated, a->len);
      size_t keep = over ? max_line : a->len;
      if (b->len != keep || b->at != a->at || b->line_no != a->line_no || memcmp(b->text, a->text, keep) != 0)
        MISMATCH("truncating: line %zu differs from the unlimited run", i);
      if (!over) check_same_line("truncating", i, a, b, sizes, nsizes, n);
    }
    if (kt.lines != kh1.lines || kt.bytes != kh1.bytes)
      MISMATCH("truncating: counters differ");
    col_free(&t);
  }
  check_watching(in, n, sizes, nsizes, &h1, kh1);
  col_free(&h1);
  col_free(&w1);
  col_free(&w2);
  return 0;
}
