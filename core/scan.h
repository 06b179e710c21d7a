/* SPDX-License-Identifier: MIT */
/* Stream scanner and line splitter: the first two stages of the data path.
 *
 * Bytes arrive in chunks of any size.  Lines end at "\n", "\r\n" or a bare
 * "\r", exactly as .NET's StreamReader.ReadLine ends them for the agent; a
 * "\r" at the end of one chunk and a "\n" at the start of the next are one
 * terminator.  The last line is delivered at end of input even without a
 * terminator.  Bytes are never altered.
 *
 * The scanner holds back only what it must.  A line is held from the first
 * command prefix in it ("##vso[", dialect.h: the only part the agent
 * parses) to its end; every other
 * byte goes to the sink's pass() at once, so a prompt without a newline
 * shows immediately and memory grows only with the longest held line.  With
 * VSO_SCAN_WHOLE_LINES every line is held and delivered whole (tests, fuzz,
 * small files).
 *
 * An optional observer watches for a few texts (vso_scanner_watch): a plain
 * line that holds one is also shown to the sink's watched(), from that text
 * to the line's end, while its bytes are passed on as usual.  The scanner
 * finds the texts in the same pass that finds the command prefix and counts
 * the line ends, so an observer costs a compare per 16 bytes, and a call
 * only for a line that holds its text.  When a watched line goes on to hold
 * a command, the text up to the command prefix is the watched line, and the
 * command its end: one line, once. */
#ifndef VSO_SCAN_H
#define VSO_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dialect.h"


typedef struct vso_line {
  /* read-only */
  const char *text;   /* from "##vso[" (whole-line mode: from the line start)  */
  size_t len;         /* to the end of the line's content, terminator excluded */
  size_t command_at;  /* where "##vso[" starts in text: 0 in held mode; in
                         whole-line mode, len when the line holds none      */
  const char *term;   /* "\n", "\r\n", "\r", or "" at end of input             */
  size_t term_len;
  uint64_t line_no;   /* 1-based, the agent's numbering                         */
  bool truncated;     /* the line outgrew max_line: text is only its beginning  */
  bool cut;           /* the stream was cut before the line ended (cut_at_end)   */
  /* private: the scanner's buffer text lies in, for vso_line_keep; NULL when
   * the line lay whole in the chunk fed and is read from there (text is
   * then valid only during the sink's call) */
  vso_buf *hold_;
} vso_line;

/* Makes out (empty) own text[from..len), for a consumer that keeps the line
 * after the sink's call returns.  A long line that fills the scanner's
 * buffer is taken over, not copied (a 64 MiB value is then held once, not
 * twice); any other is copied at its exact size.  False when memory runs
 * out. */
bool vso_line_keep(const vso_line *line, size_t from, vso_buf *out);

/* A plain line that holds a watched text, from that text on. */
typedef struct vso_watched {
  /* read-only */
  const char *text;   /* from the watched text to the line's end (or to the command prefix) */
  size_t len;         /* at most VSO_SCAN_WATCH_MAX: a longer line is cut (truncated) */
  size_t which;       /* which of the texts given to vso_scanner_watch it starts with */
  uint64_t line_no;   /* 1-based, as vso_line's */
  bool truncated;     /* the line went on past VSO_SCAN_WATCH_MAX bytes */
  bool command_after; /* the rest of the line, from the command prefix, went to sink.line */
} vso_watched;

typedef struct vso_scan_sink {
  void *ctx;
  /* Bytes that hold no logging command: relay them as they are. */
  void (*pass)(void *ctx, const char *p, size_t n);
  /* A held line (see above). */
  void (*line)(void *ctx, const vso_line *line);
  /* Optional: a line that holds a watched text (vso_scanner_watch).  text
   * is valid only during the call. */
  void (*watched)(void *ctx, const vso_watched *w);
  /* Optional: the rest of a held line that outgrew what could be held (max_line,
   * or memory), after the line was delivered truncated; its terminator still
   * goes to pass().  Without it, the rest goes to pass() too.  A relay must
   * not show these bytes as they are: they belong to a logging command. */
  void (*rest)(void *ctx, const char *p, size_t n);
} vso_scan_sink;

enum {
  VSO_SCAN_WHOLE_LINES = 1u,
  VSO_SCAN_WATCH_TEXTS = 4,      /* at most this many watched texts */
  VSO_SCAN_WATCH_TEXT_MAX = 128, /* each at most this long */
  VSO_SCAN_WATCH_MAX = 65536,    /* a watched line is cut here */
};

typedef struct vso_scanner {
  /* public: set by vso_scanner_init; max_line may be lowered after it */
  vso_scan_sink sink;
  unsigned flags;
  size_t max_line;        /* a held line longer than this is delivered truncated */
  bool cut_at_end;        /* set before vso_scanner_finish when the stream did not end of
                             itself (its writer was stopped): an unterminated last line
                             is delivered marked cut, not as a line the writer finished */
  /* read-only */
  uint64_t lines;         /* terminators seen so far */
  uint64_t bytes;         /* bytes fed so far        */
  uint64_t held_lines;    /* lines delivered to sink.line */
  uint64_t watched_lines; /* lines delivered to sink.watched */
  bool out_of_memory;     /* a held line could not grow; it was delivered truncated */
  /* private */
  vso_buf hold;           /* the held part of the current line                   */
  bool holding;
  bool overflowed;        /* the current held line was already delivered truncated */
  bool line_open;         /* bytes of an unterminated line were seen */
  bool after_cr;          /* the last chunk ended with '\r': a leading '\n' is its pair */
  size_t partial;         /* a possible start of the prefix at the end of the last chunk */
  char partial_bytes[VSO_DIALECT_PREFIX_MAX];
  /* private: the watched texts and the watched line being read */
  char watch_[VSO_SCAN_WATCH_TEXTS][VSO_SCAN_WATCH_TEXT_MAX];
  size_t watch_len_[VSO_SCAN_WATCH_TEXTS];
  size_t nwatch_;
  size_t watch_key_at_;   /* where the key, the two bytes the SIMD pass looks for, is in each text */
  size_t watch_min_;      /* the shortest text's length */
  bool watching_;         /* inside a watched line */
  size_t watch_which_;
  vso_buf watched_;       /* the watched line so far, when it spans chunks (else empty) */
  bool watch_cut_;        /* watched_ reached VSO_SCAN_WATCH_MAX */
  size_t watch_tail_;     /* bytes ending the last chunk that may begin a watched text */
  char watch_tail_bytes_[VSO_SCAN_WATCH_TEXT_MAX];
} vso_scanner;

void vso_scanner_init(vso_scanner *s, const vso_scan_sink *sink, unsigned flags);
/* Watch for texts[0..n) (before the first byte is fed): each at most
 * VSO_SCAN_WATCH_TEXT_MAX bytes and holding no line end; all with the same
 * two bytes, the key, at key_at, which the scanner's one pass looks for (a
 * pair rare in ordinary output, so that a text costs a compare per 16 bytes
 * and nearly nothing else); none holding the command prefix's first byte,
 * and that prefix holding neither their first byte nor the key's (so that a
 * text and a prefix cut by a chunk boundary can never be the same bytes).
 * False, and nothing is watched, when they are not so. */
bool vso_scanner_watch(vso_scanner *s, const char *const *texts, size_t n, size_t key_at);
void vso_scanner_feed(vso_scanner *s, const char *p, size_t n);
/* End of input: delivers the unterminated last line, if any. */
void vso_scanner_finish(vso_scanner *s);
void vso_scanner_free(vso_scanner *s);

/* Where the command prefix ("##vso[", dialect.h) first starts in p[0..n),
 * or -1: the agent's IndexOf. */
ptrdiff_t vso_find_prefix(const char *p, size_t n);

#endif
