/* SPDX-License-Identifier: MIT */
/* The --capture format: a record of both streams of every attempt of `run`,
 * from which `vsorelay replay FILE` reaches the verdict the run reached.
 * relay/capture_file.c writes it; this file reads it and encodes its
 * records.  A capture is outside input: the reader is strict, bounded, and
 * fuzzed (tests/fuzz/fuzz_capture.c).
 *
 * Version 2 (written since the capture learnt facts):
 *
 *   vsorelay-capture 2\n
 *   @knobs decode-percents=1 multiline-secrets=0\n
 *                                   the agent's settings the run read with
 *   @imagebuilder LEN\n<LEN bytes>  the expectations the run took from
 *   @matrix LEN\n<LEN bytes>        ImageBuilder's arguments in its command
 *                                   (replay has no command): what they said,
 *                                   then each matrix with its platforms; one
 *                                   line of words each, before any @attempt
 *   @attempt N\n                    N = 1, 2, ... in order
 *   @stdout LEN\n<LEN bytes>        bytes that held no command, as relayed
 *   @stderr LEN\n<LEN bytes>        (secrets masked as "***")
 *   @line STREAM LEN\n<LEN bytes>   one held line: its facts (one line of
 *                                   key=value words), "\n", then the line as
 *                                   shown (masked), its terminator included
 *   @end STREAM BYTES LINES\n       the stream of this attempt ended; the
 *                                   bytes and lines the run counted
 *   @legs STREAM LINE 0|1\n         the value set on that line, secret and so
 *                                   shown masked, held the legs the generator
 *                                   announced (1) or not (0), as the run
 *                                   judged it; after the attempt's @end
 *   @listing masked\n               a secret masked this attempt's generator
 *                                   listing out of the shape the run read it
 *                                   in: replay cannot check it (fails closed)
 *   @encoding STREAM NAME\n         the agent decodes vsorelay's STREAM as
 *                                   NAME (utf-16le, utf-16be, utf-32le,
 *                                   utf-32be): written once, at the end, and
 *                                   only when it is not UTF-8
 *
 * A held line's text is read again by replay when masking left it as it was
 * (exact=1); otherwise its facts say what the run read: the command, the
 * variable's name, flags, length and matrix verdict, and the diagnostics.
 * So a secret equal to "true", a multi-line secret, or a secret matrix reach
 * the same verdict as the run although the file never holds a secret.  The
 * order of @line and @end records is the order the run read them in, across
 * both streams: the last of two unterminated commands stays the last.
 *
 * Version 1 (still read): the magic "vsorelay-capture 1", then @attempt,
 * @stdout and @stderr records only, held lines among the bytes. */
#ifndef VSO_CAPTURE_H
#define VSO_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "buf.h"
#include "dialect.h"
#include "text.h"

#define VSO_CAPTURE_MAGIC_V1 "vsorelay-capture 1\n"
#define VSO_CAPTURE_MAGIC "vsorelay-capture 2\n"

enum { VSO_STREAM_STDOUT = 0, VSO_STREAM_STDERR = 1 };

/* Attempts are numbered from 1; --retries allows at most 100 more. */
enum { VSO_CAPTURE_MAX_ATTEMPT = 1000 };
/* An expectation's index in a facts line's expect= is below this. */
enum { VSO_CAPTURE_MAX_INDEX = 1000000 };

/* Reading: fed the file's bytes in chunks, calls back with each record. */
typedef struct vso_capture_reader {
  /* public: callbacks, any may be NULL */
  void *ctx;
  /* bytes of a stream: in version 1 every byte; in version 2 those that hold no command */
  void (*data)(void *ctx, int stream, const char *p, size_t n);
  /* version 2: one held line, whole: its facts line and its text as shown */
  void (*line)(void *ctx, int stream, const char *facts, size_t nfacts, const char *text, size_t ntext);
  void (*end)(void *ctx, int stream, uint64_t bytes, uint64_t lines);
  void (*attempt)(void *ctx, int attempt);
  void (*encoding)(void *ctx, int stream, vso_stream_encoding e);
  void (*knobs)(void *ctx, vso_knobs knobs);
  /* version 2: @listing masked, in an attempt */
  void (*listing_masked)(void *ctx);
  /* version 2: @legs STREAM LINE 0|1, in an attempt */
  void (*legs)(void *ctx, int stream, uint64_t line_no, bool same);
  /* version 2: @imagebuilder or @matrix (type), its payload, before any attempt */
  void (*source)(void *ctx, const char *type, const char *p, size_t n);
  /* read-only */
  int version;                /* 1 or 2, once the magic is read */
  bool bad;
  char error[128];            /* why it is not a capture, once bad */
  /* private */
  vso_buf header_, payload_;
  int stream_, attempt_;
  int payload_kind_;          /* 0 stream data, 1 @line, 2 @imagebuilder, 3 @matrix */
  unsigned long long remaining_;
} vso_capture_reader;

/* Whether p[0..n) starts like a capture (either version's magic). */
bool vso_capture_magic(const char *p, size_t n);
/* Returns false once the input is not a well-formed capture (error says why). */
bool vso_capture_feed(vso_capture_reader *r, const char *p, size_t n);
bool vso_capture_finish(vso_capture_reader *r);
/* A callback found a record's content malformed: the capture is rejected. */
void vso_capture_reject(vso_capture_reader *r, const char *why);
void vso_capture_reader_free(vso_capture_reader *r);

/* Writing: each appends one record to out.  False when memory runs out. */
bool vso_capture_put_magic(vso_buf *out, vso_knobs knobs);
bool vso_capture_put_attempt(vso_buf *out, int attempt);
/* The header of n bytes of a stream; the bytes follow it. */
bool vso_capture_put_data(vso_buf *out, int stream, size_t n);
/* The header of a held line and its facts (vso_capture_put_facts); the n
 * bytes of its shown text follow them. */
bool vso_capture_put_line(vso_buf *out, int stream, const vso_buf *facts, size_t n);
bool vso_capture_put_end(vso_buf *out, int stream, uint64_t bytes, uint64_t lines);
bool vso_capture_put_encoding(vso_buf *out, int stream, vso_stream_encoding e);
bool vso_capture_put_listing_masked(vso_buf *out);
bool vso_capture_put_legs(vso_buf *out, int stream, uint64_t line_no, bool same);
/* The header of an @imagebuilder or @matrix record (type); its n bytes follow. */
bool vso_capture_put_source(vso_buf *out, const char *type, size_t n);

/* The words of a facts line: " key=" and p[0..n) encoded (every byte
 * outside '!'..'~', and '%' and ',', as %XX). */
bool vso_capture_put_word(vso_buf *out, const char *key, const char *p, size_t n);
/* A whole decimal number in s: digits only, no sign, no leading zero, at
 * most max.  False otherwise. */
bool vso_capture_number(vso_slice s, uint64_t max, uint64_t *out);
/* Decodes p[0..n) into storage, which must have room for n more bytes and
 * a NUL (decoding never lengthens); false when it is malformed. */
bool vso_capture_decode(const char *p, size_t n, vso_buf *storage, vso_slice *out);
/* Reads a line of words ("key=value key=value", one space between, none
 * before or after), calling each with every key and its decoded value (a
 * slice into storage, which must have room for n more bytes and a NUL).
 * False at the first malformed word, or when each returns false. */
typedef bool (*vso_capture_word_fn)(void *ctx, vso_slice key, vso_slice value);
bool vso_capture_each_word(const char *p, size_t n, vso_buf *storage, vso_capture_word_fn each, void *ctx);

/* A held line's facts as one line of words, every string masked with
 * secrets; a secret value's matrix reason and legs are left out. */
bool vso_capture_put_facts(vso_buf *out, const vso_line_facts *f, const vso_secrets *secrets);
/* Where the decoded strings of a facts line live (the caller frees both). */
typedef struct vso_capture_facts_buf {
  vso_buf values, diags;
} vso_capture_facts_buf;
/* Reads a facts line back.  Slices of *f point into storage, valid until
 * its next use.  False (with why) when it is malformed. */
bool vso_capture_read_facts(const char *p, size_t n, vso_line_facts *f, vso_capture_facts_buf *storage,
                            const char **why);

#endif
