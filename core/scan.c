/* SPDX-License-Identifier: MIT */
#include "scan.h"
#include "scan_watch.h"

#include <stdlib.h>
#include <string.h>

/* SSE2 is part of every x86-64 CPU; elsewhere the portable code runs. */
#if defined(__SSE2__) && defined(__x86_64__)
#define VSO_SCAN_SSE2 1
#include <emmintrin.h>
#endif

void vso_scanner_init(vso_scanner *s, const vso_scan_sink *sink, unsigned flags) {
  memset(s, 0, sizeof *s);
  s->sink = *sink;
  s->flags = flags;
  s->max_line = SIZE_MAX;
}

void vso_scanner_free(vso_scanner *s) {
  vso_buf_free(&s->hold);
  vso_buf_free(&s->watched_);
}

bool vso_line_keep(const vso_line *line, size_t from, vso_buf *out) {
  vso_buf *hold = line->hold_;
  if (from == 0 && line->len >= 65536 && hold && hold->data == line->text && hold->len == line->len) {
    *out = *hold; /* taken over: the scanner starts its next line in a fresh buffer */
    *hold = (vso_buf){0};
    return true;
  }
  size_t n = line->len - from;
  char *copy = n < SIZE_MAX ? malloc(n + 1) : NULL;
  if (!copy) return false;
  memcpy(copy, line->text + from, n);
  copy[n] = '\0';
  *out = (vso_buf){copy, n, n + 1};
  return true;
}

ptrdiff_t vso_find_prefix(const char *p, size_t n) {
  const char *end = p + n;
  const char *q = p;
  size_t len = vso_dialect_prefix_len;
  while ((size_t)(end - q) >= len) {
    q = memchr(q, vso_dialect_prefix[0], (size_t)(end - q) - (len - 1));
    if (!q) return -1;
    if (memcmp(q, vso_dialect_prefix, len) == 0) return q - p;
    q++;
  }
  return -1;
}

static void pass(vso_scanner *s, const char *p, size_t n) {
  if (n && s->sink.pass) s->sink.pass(s->sink.ctx, p, n);
}

/* Length of the longest tail of p[0..n) that could begin the prefix (at
 * most its length less one). */
static size_t prefix_tail(const char *p, size_t n) {
  size_t max = n < vso_dialect_prefix_len - 1 ? n : vso_dialect_prefix_len - 1;
  for (size_t t = max; t > 0; t--)
    if (memcmp(p + n - t, vso_dialect_prefix, t) == 0) return t;
  return 0;
}

/* Hands a held line to the sink, numbered.  Its hold_ is the buffer its
 * text lives in, or NULL when the line lay whole in the chunk and is read
 * from there: it is then valid only during the call, and a log of nothing
 * but commands (replay of a setvariable log) costs no copy per line.  In
 * whole-line mode, the line is searched for "##vso[" here, once. */
static void give_line(vso_scanner *s, vso_line line) {
  line.line_no = s->lines + 1;
  if (s->flags & VSO_SCAN_WHOLE_LINES) {
    ptrdiff_t at = vso_find_prefix(line.text, line.len);
    line.command_at = at < 0 ? line.len : (size_t)at;
    size_t w = line.truncated ? line.command_at : vso_scan_find_watch(s, line.text, line.command_at, &s->watch_which_);
    if (w < line.command_at) vso_scan_end_watch(s, line.text + w, line.command_at - w, line.command_at < line.len);
  }
  s->held_lines++;
  if (s->sink.line) s->sink.line(s->sink.ctx, &line);
}

/* The line gathered in hold has ended at term (or was cut there). */
static void deliver(vso_scanner *s, const char *term, size_t term_len, bool cut) {
  if (!s->overflowed)
    give_line(s, (vso_line){.text = s->hold.data ? s->hold.data : "", .len = s->hold.len, .term = term,
                            .term_len = term_len, .cut = cut, .hold_ = &s->hold});
  else
    pass(s, term, term_len);
  vso_buf_clear(&s->hold);
  s->holding = false;
  s->overflowed = false;
}

/* A held line that cannot grow any further is delivered as it is, marked
 * truncated; the rest of it is passed on so that no byte is lost. */
static void overflow(vso_scanner *s) {
  give_line(s, (vso_line){.text = s->hold.data ? s->hold.data : "", .len = s->hold.len, .term = "", .truncated = true});
  vso_buf_free(&s->hold);
  s->overflowed = true;
}

/* Bytes of a held line that could not be held. */
static void rest(vso_scanner *s, const char *p, size_t n) {
  if (n && s->sink.rest) s->sink.rest(s->sink.ctx, p, n);
  else pass(s, p, n);
}

static void hold(vso_scanner *s, const char *p, size_t n) {
  if (s->overflowed) {
    rest(s, p, n);
    return;
  }
  if (n > s->max_line - s->hold.len || !vso_buf_append(&s->hold, p, n)) {
    if (n <= s->max_line - s->hold.len) s->out_of_memory = true;
    size_t room = s->max_line - s->hold.len;
    if (room > n) room = n;
    if (room && !vso_buf_append(&s->hold, p, room)) room = 0;
    overflow(s);
    rest(s, p + room, n - room);
  }
}

/* How many bytes of p[0..n) equal c: eight at a time (SWAR), since this runs
 * over every byte the child writes.  Each matching byte adds 1 to its lane of
 * an accumulator, summed across lanes before any lane can overflow (no
 * popcount instruction is assumed). */
static size_t count_byte(const char *p, size_t n, unsigned char c) {
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full, pattern = 0x0101010101010101ull * c;
  size_t count = 0, i = 0;
  while (i + 8 <= n) {
    uint64_t lanes = 0;
    for (int k = 0; k < 255 && i + 8 <= n; k++, i += 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      uint64_t x = w ^ pattern; /* a zero byte where p[i] == c */
      lanes += (~(((x & low7) + low7) | x | low7)) >> 7;
    }
    /* lanes hold up to 255 each: add them pairwise into 16-bit lanes first */
    lanes = (lanes & 0x00FF00FF00FF00FFull) + ((lanes >> 8) & 0x00FF00FF00FF00FFull);
    count += (size_t)((lanes * 0x0001000100010001ull) >> 48);
  }
  for (; i < n; i++) count += (unsigned char)p[i] == c;
  return count;
}

#ifdef VSO_SCAN_SSE2
/* The sum of the 16 byte lanes. */
static uint64_t sum_lanes(__m128i lanes) {
  __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128()); /* two 64-bit halves */
  return (uint64_t)_mm_cvtsi128_si64(sums) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
}
#endif

/* Line ends in p[0..n): every '\n', and every '\r' not followed by '\n'
 * (a "\r\n" is one).  A '\r' at p[n-1] counts: the caller knows p[n] is
 * not '\n' (it starts the prefix, or the chunk ends and after_cr takes the '\n'). */
static size_t count_line_ends(const char *p, size_t n) {
  size_t ends = count_byte(p, n, '\n');
  for (const char *q = p, *end = p + n; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; q++)
    if (q + 1 == end || q[1] != '\n') ends++;
  return ends;
}

typedef enum { FOUND_NONE, FOUND_PREFIX, FOUND_WATCH } found_kind;

#ifdef VSO_SCAN_SSE2
/* The 16-bytes-at-a-time part of scan_plain.  A candidate is the prefix's
 * first byte followed by its second ('#' and '#'), so the '#' of
 * "#12 [build 3/7]" or "#0000000042" costs nothing, and line ends are
 * counted in the same registers; with watched texts, their first two bytes
 * are a second candidate.  Returns where it stopped: at a prefix or a
 * watched text (*found), or where the portable code goes on (the last 16
 * bytes, or a candidate too close to the end to decide).  Inlined twice,
 * with and without watched texts, so that a scanner without them runs the
 * loop it always ran. */
/* A candidate of the SIMD pass at p[at] (the prefix's first two bytes, or
 * the key's first byte): the command prefix (1), a watched text starting at
 * *start (2), neither (0), or undecided until the next chunk (-1).  A
 * watched text cut by the chunk's end is left to the tail that
 * end_plain_chunk keeps. */
static inline __attribute__((always_inline)) int candidate(const vso_scanner *s, const char *p, size_t n, size_t at,
                                                          size_t *start) {
  if (p[at] == vso_dialect_prefix[0]) { /* the key's first byte is no prefix byte (vso_scanner_watch) */
    if (at + vso_dialect_prefix_len > n) return -1;
    return memcmp(p + at, vso_dialect_prefix, vso_dialect_prefix_len) == 0;
  }
  size_t key_at = s->watch_key_at_;
  if (at + 1 >= n || p[at + 1] != s->watch_[0][key_at + 1] || at < key_at || at - key_at + s->watch_min_ > n ||
      !vso_scan_watch_at(s, p + at - key_at, n - at + key_at))
    return 0;
  *start = at - key_at;
  return 2;
}

/* The candidates of the block at p[i], bits of all (kept out of the loop,
 * so that the loop keeps its registers): where the scan stops, at a prefix
 * or a watched text (*found), or at i when the next chunk decides
 * (FOUND_NONE); SIZE_MAX when the scan goes on. */
static __attribute__((noinline)) size_t block_candidates(const vso_scanner *s, const char *p, size_t n, size_t i,
                                                         unsigned all, found_kind *found) {
  for (; all; all &= all - 1) {
    size_t at = i + (size_t)__builtin_ctz(all), start = at;
    if (s->nwatch_ && p[at] != vso_dialect_prefix[0] && p[at + 1] != s->watch_[0][s->watch_key_at_ + 1]) continue;
    int c = candidate(s, p, n, at, &start);
    if (c < 0) { /* decided by the next chunk: the portable code goes on */
      *found = FOUND_NONE;
      return i;
    }
    if (c > 0) {
      *found = c == 1 ? FOUND_PREFIX : FOUND_WATCH;
      return start;
    }
  }
  return SIZE_MAX;
}

/* The '\r' not followed by '\n' in the whole blocks p[0..n) (n a multiple
 * of 16, p[n] readable): the second pass of a group of blocks that held a
 * '\r', as a log with CRLF line ends has in every group. */
static uint64_t lone_crs(const char *p, size_t n) {
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  __m128i lanes = _mm_setzero_si128();
  for (size_t i = 0; i < n; i += 16) { /* at most 127 blocks: a lane cannot overflow */
    __m128i here = _mm_loadu_si128((const __m128i *)(p + i));
    __m128i next = _mm_loadu_si128((const __m128i *)(p + i + 1));
    lanes = _mm_sub_epi8(lanes, _mm_andnot_si128(_mm_cmpeq_epi8(next, lf), _mm_cmpeq_epi8(here, cr)));
  }
  return sum_lanes(lanes);
}

/* The line ends of a group of blocks p[from..i): its '\n' in lanes, and its
 * lone '\r' when it held any (crs). */
static uint64_t group_ends(const char *p, size_t from, size_t i, __m128i lanes, __m128i crs) {
  return sum_lanes(lanes) + (_mm_movemask_epi8(crs) ? lone_crs(p + from, i - from) : 0);
}

static inline __attribute__((always_inline)) size_t scan_blocks_of(const vso_scanner *s, const char *p, size_t n,
                                                                   uint64_t *ends, found_kind *found, bool watch) {
  const __m128i first = _mm_set1_epi8(vso_dialect_prefix[0]), second = _mm_set1_epi8(vso_dialect_prefix[1]);
  const __m128i kfirst = _mm_set1_epi8(s->watch_[0][s->watch_key_at_]);
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  size_t i = 0;
  *found = FOUND_NONE;
  while (i + 17 <= n) { /* each block also reads the byte after it */
    /* a group of up to 127 blocks: each lane counts one '\n' a block at
     * most; a '\r' is only noted, and the group's lone ones counted after it */
    __m128i lanes = _mm_setzero_si128(), crs = _mm_setzero_si128();
    size_t from = i;
    for (int k = 0; k < 127 && i + 17 <= n; k++, i += 16) {
      __m128i here = _mm_loadu_si128((const __m128i *)(p + i));
      __m128i next = _mm_loadu_si128((const __m128i *)(p + i + 1));
      __m128i pairs = _mm_and_si128(_mm_cmpeq_epi8(here, first), _mm_cmpeq_epi8(next, second));
      if (watch) /* the key's first byte, in the same mask: its second is checked for each one found */
        pairs = _mm_or_si128(pairs, _mm_cmpeq_epi8(here, kfirst));
      int all = _mm_movemask_epi8(pairs);
      if (__builtin_expect(all != 0, 0)) {
        size_t at = block_candidates(s, p, n, i, (unsigned)all, found);
        if (at != SIZE_MAX) {
          /* a watched text may start in an earlier block: it holds no line end */
          *ends += group_ends(p, from, i, lanes, crs) + (at > i ? count_line_ends(p + i, at - i) : 0);
          return at;
        }
      }
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(here, lf));
      crs = _mm_or_si128(crs, _mm_cmpeq_epi8(here, cr));
    }
    *ends += group_ends(p, from, i, lanes, crs);
  }
  return i;
}
#endif

/* Where the first prefix or watched text starts in p[0..n) (n if none),
 * with the line ends before it added to *ends: the one pass over text that
 * holds no command, which is nearly all of a log.  SSE2 on x86-64 (every
 * such CPU has it) does the bulk; the portable code does the rest, or all
 * of it elsewhere. */
static size_t scan_plain(const vso_scanner *s, const char *p, size_t n, uint64_t *ends, found_kind *found,
                         size_t *which) {
  size_t i = 0;
#ifdef VSO_SCAN_SSE2
  i = s->nwatch_ ? scan_blocks_of(s, p, n, ends, found, true) : scan_blocks_of(s, p, n, ends, found, false);
  if (*found == FOUND_WATCH) *which = vso_scan_watch_at(s, p + i, n - i) - 1;
  if (*found != FOUND_NONE) return i;
#endif
  ptrdiff_t k = vso_find_prefix(p + i, n - i);
  size_t c = k >= 0 ? i + (size_t)k : n;
  *found = k >= 0 ? FOUND_PREFIX : FOUND_NONE;
  /* a watched text (which holds no '#' and no line end) may have begun in
   * the last block, its key in the bytes left to the portable code */
  size_t from = s->nwatch_ && i > s->watch_key_at_ ? i - s->watch_key_at_ : 0;
  size_t w = s->nwatch_ ? from + vso_scan_find_watch(s, p + from, c - from, which) : c;
  if (w < c) {
    c = w;
    *found = FOUND_WATCH;
  }
  if (c > i) *ends += count_line_ends(p + i, c - i);
  return c;
}

/* Index of the first '\r' or '\n' in p[0..n), or n. */
static size_t find_eol(const char *p, size_t n) {
  const char *nl = memchr(p, '\n', n);
  size_t lim = nl ? (size_t)(nl - p) : n;
  const char *cr = memchr(p, '\r', lim);
  return cr ? (size_t)(cr - p) : lim;
}

/* Length of the terminator that starts at p[i] (p[i] is '\r' or '\n'). */
static size_t term_len_at(vso_scanner *s, const char *p, size_t n, size_t i) {
  if (p[i] == '\n') return 1;
  if (i + 1 < n) return p[i + 1] == '\n' ? 2 : 1;
  s->after_cr = true; /* the '\n' may open the next chunk */
  return 1;
}

/* A possible "##vso[" was cut by the last chunk boundary: see whether this
 * chunk completes it.  Returns how many bytes of p were consumed into a
 * still-undecided partial match (all of them) or 0. */
static size_t resolve_partial(vso_scanner *s, const char *p, size_t n) {
  size_t m = s->partial;
  const char *q = s->partial_bytes;
  for (size_t k = 0; k < m; k++) {
    size_t have = m - k;
    if (memcmp(q + k, vso_dialect_prefix, have) != 0) continue;
    size_t need = vso_dialect_prefix_len - have;
    size_t avail = n < need ? n : need;
    if (memcmp(p, &vso_dialect_prefix[have], avail) != 0) continue;
    pass(s, q, k);
    if (s->watching_) vso_scan_watch_add(s, q, k);
    if (avail < need) { /* still undecided: keep waiting */
      char tmp[VSO_DIALECT_PREFIX_MAX];
      memcpy(tmp, q + k, have);
      memcpy(tmp + have, p, avail);
      memcpy(s->partial_bytes, tmp, have + avail);
      s->partial = have + avail;
      return n;
    }
    s->partial = 0;
    if (s->watching_) vso_scan_end_watch(s, "", 0, true); /* the watched line goes on to hold a command */
    s->holding = true;
    hold(s, q + k, have);
    return 0;
  }
  pass(s, q, m);
  if (s->watching_) vso_scan_watch_add(s, q, m);
  s->partial = 0;
  return 0;
}

static void feed_whole_lines(vso_scanner *s, const char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t e = i + find_eol(p + i, n - i);
    s->holding = true;
    hold(s, p + i, e - i);
    if (e == n) return;
    size_t t = term_len_at(s, p, n, e);
    deliver(s, p + e, t, false);
    s->lines++;
    i = e + t;
  }
}

/* In a watched line at p[i]: it ends here, goes on to hold a command, or
 * goes on in the next chunk.  Returns where the scan goes on; *pass_from
 * moves past what was handed on (to n when the chunk is done, a cut prefix
 * kept). */
static size_t watch_line(vso_scanner *s, const char *p, size_t n, size_t i, size_t *pass_from) {
  size_t e = i + find_eol(p + i, n - i);
  ptrdiff_t k = vso_find_prefix(p + i, e - i);
  if (k >= 0) { /* the rest of the line, from the prefix, is held */
    size_t c = i + (size_t)k;
    vso_scan_end_watch(s, p + i, c - i, true);
    pass(s, p + *pass_from, c - *pass_from);
    s->holding = true;
    return *pass_from = c;
  }
  if (e < n) {
    vso_scan_end_watch(s, p + i, e - i, false);
    size_t t = term_len_at(s, p, n, e);
    s->lines++;
    return e + t;
  }
  /* the line goes on in the next chunk; its last bytes may begin a prefix */
  size_t t = prefix_tail(p + i, n - i);
  vso_scan_watch_add(s, p + i, n - i - t);
  pass(s, p + *pass_from, n - t - *pass_from);
  memcpy(s->partial_bytes, p + n - t, t);
  s->partial = t;
  return *pass_from = n;
}

/* The chunk ends in plain text at p[i..n): its last line goes on in the
 * next chunk, unless the chunk ends one.  What may begin the prefix is kept
 * back; what may begin a watched text is remembered. */
static void end_plain_chunk(vso_scanner *s, const char *p, size_t n, size_t i, size_t pass_from, bool keep_tail) {
  if (p[n - 1] == '\r') s->after_cr = true; /* its '\n' may open the next chunk */
  size_t t = prefix_tail(p + i, n - i);
  pass(s, p + pass_from, n - t - pass_from);
  memcpy(s->partial_bytes, p + n - t, t);
  s->partial = t;
  /* a kept prefix ('#') lies between this chunk's text and the next one's:
   * no watched text (which holds no '#') goes on across it */
  if (s->nwatch_ && !keep_tail) vso_scan_set_watch_tail(s, p + i, t ? 0 : n - i);
}

/* A held line at p[i]: the part in this chunk.  Returns where the scan
 * goes on, n when the line goes on in the next chunk. */
static size_t held_line(vso_scanner *s, const char *p, size_t n, size_t i) {
  size_t e = i + find_eol(p + i, n - i);
  /* a line that began and ends in this chunk needs no copy into hold */
  bool in_place = e < n && s->hold.len == 0 && !s->overflowed && e - i <= s->max_line;
  if (!in_place) {
    hold(s, p + i, e - i);
    if (e == n) return n;
  }
  size_t t = term_len_at(s, p, n, e);
  if (in_place) {
    give_line(s, (vso_line){.text = p + i, .len = e - i, .term = p + e, .term_len = t});
    s->holding = false;
  } else {
    deliver(s, p + e, t, false);
  }
  s->lines++;
  return e + t;
}

void vso_scanner_feed(vso_scanner *s, const char *p, size_t n) {
  if (!n) return;
  s->bytes += n;
  s->line_open = p[n - 1] != '\n' && p[n - 1] != '\r';
  size_t i = 0;
  if (s->after_cr && n) {
    s->after_cr = false;
    if (p[0] == '\n') { /* second half of a "\r\n" cut by the chunk boundary */
      pass(s, p, 1);
      i = 1;
    }
  }
  if (s->flags & VSO_SCAN_WHOLE_LINES) {
    feed_whole_lines(s, p + i, n - i);
    return;
  }
  if (s->partial && i < n) i += resolve_partial(s, p + i, n - i);
  /* a tail that may begin a watched text excludes a kept prefix (vso_scanner_watch) */
  bool tail_pending = s->watch_tail_ && i < n && !s->holding && vso_scan_resolve_watch_tail(s, p + i, n - i) == 2;

  size_t pass_from = i; /* passed bytes are gathered and handed on in runs */
  while (i < n) {
    if (s->holding) {
      i = pass_from = held_line(s, p, n, i);
      continue;
    }
    if (s->watching_) {
      i = watch_line(s, p, n, i, &pass_from);
      continue;
    }
    /* Not in a command: jump straight to the next "##vso[" or watched text
     * in the chunk and count the lines on the way, rather than visiting every
     * line. */
    found_kind found;
    size_t which = 0;
    size_t c = i + scan_plain(s, p + i, n - i, &s->lines, &found, &which);
    if (c < n && found == FOUND_WATCH) {
      s->watching_ = true;
      s->watch_which_ = which;
      i = c;
      continue;
    }
    if (c < n) {
      pass(s, p + pass_from, c - pass_from);
      s->holding = true;
      i = c;
      continue;
    }
    end_plain_chunk(s, p, n, i, pass_from, tail_pending);
    return;
  }
  pass(s, p + pass_from, n - pass_from);
}

void vso_scanner_finish(vso_scanner *s) {
  if (s->partial) {
    pass(s, s->partial_bytes, s->partial);
    if (s->watching_) vso_scan_watch_add(s, s->partial_bytes, s->partial);
    s->partial = 0;
  }
  if (s->holding) {
    deliver(s, "", 0, s->cut_at_end);
    s->lines++;
  } else {
    if (s->watching_) vso_scan_end_watch(s, "", 0, false);
    if (s->line_open) s->lines++; /* an unterminated last line still counts */
  }
  s->line_open = false;
  s->after_cr = false;
  s->watch_tail_ = 0;
}
