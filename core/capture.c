/* SPDX-License-Identifier: MIT */
#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stream_names[] = {"stdout", "stderr"};

/* ---- reading records ------------------------------------------------------------ */

static bool reader_fail(vso_capture_reader *r, const char *why) {
  r->bad = true;
  snprintf(r->error, sizeof r->error, "%s", why);
  return false;
}

bool vso_capture_magic(const char *p, size_t n) {
  size_t m = strlen(VSO_CAPTURE_MAGIC);
  return n >= m && (memcmp(p, VSO_CAPTURE_MAGIC, m) == 0 || memcmp(p, VSO_CAPTURE_MAGIC_V1, m) == 0);
}

bool vso_capture_number(vso_slice s, uint64_t max, uint64_t *out) {
  if (!s.n || (s.p[0] == '0' && s.n > 1)) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < s.n; i++) {
    if (s.p[i] < '0' || s.p[i] > '9') return false;
    unsigned d = (unsigned)(s.p[i] - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

/* A record header's word as a number (vso_capture_number). */
static bool parse_number(const char *word, uint64_t max, uint64_t *out) {
  return vso_capture_number((vso_slice){word, strlen(word)}, max, out);
}

static int stream_of(const char *word) {
  for (int i = 0; i < 2; i++)
    if (strcmp(word, stream_names[i]) == 0) return i;
  return -1;
}

static const struct {
  const char *name;
  vso_stream_encoding enc;
} encoding_names[] = {
    {"utf-16le", VSO_ENC_UTF16LE},
    {"utf-16be", VSO_ENC_UTF16BE},
    {"utf-32le", VSO_ENC_UTF32LE},
    {"utf-32be", VSO_ENC_UTF32BE},
};

/* Splits line (NUL-terminated, written into) at single spaces: at most max
 * words, none empty.  Returns the count, or -1. */
static int split_words(char *line, char **words, int max) {
  int n = 0;
  for (char *p = line;;) {
    if (n == max || !*p || *p == ' ') return -1;
    words[n++] = p;
    char *sp = strchr(p, ' ');
    if (!sp) return n;
    *sp = '\0';
    p = sp + 1;
  }
}

static bool read_attempt(vso_capture_reader *r, char **w, int n) {
  uint64_t v;
  if (n != 2 || !parse_number(w[1], VSO_CAPTURE_MAX_ATTEMPT, &v) || v == 0)
    return reader_fail(r, "malformed @attempt: a number from 1 to 1000 is expected");
  if ((int)v != r->attempt_ + 1) return reader_fail(r, "@attempt out of order: attempts are numbered 1, 2, ...");
  r->attempt_ = (int)v;
  if (r->attempt) r->attempt(r->ctx, (int)v);
  return true;
}

enum { PAYLOAD_DATA, PAYLOAD_LINE, PAYLOAD_IMAGEBUILDER, PAYLOAD_MATRIX };
static const char *const source_types[] = {[PAYLOAD_IMAGEBUILDER] = "imagebuilder", [PAYLOAD_MATRIX] = "matrix"};

/* A record with a payload: @stdout LEN, @stderr LEN, @line STREAM LEN. */
static bool read_payload_header(vso_capture_reader *r, char **w, int n, bool line) {
  uint64_t len;
  int stream = line ? (n == 3 ? stream_of(w[1]) : -1) : stream_of(w[0] + 1);
  if (n != (line ? 3 : 2) || stream < 0 || !parse_number(w[n - 1], (1ull << 62), &len))
    return reader_fail(r, line ? "malformed @line record" : "malformed data record");
  if (line && len == 0) return reader_fail(r, "an empty @line record");
  r->stream_ = stream;
  r->remaining_ = len;
  r->payload_kind_ = line ? PAYLOAD_LINE : PAYLOAD_DATA;
  return true;
}

/* @imagebuilder LEN, @matrix LEN: one line of words, before any attempt. */
static bool read_source_header(vso_capture_reader *r, char **w, int n, int kind) {
  uint64_t len;
  if (r->attempt_) return reader_fail(r, "an expectation record after the first @attempt");
  if (n != 2 || !parse_number(w[1], 1u << 24, &len) || len == 0) return reader_fail(r, "malformed expectation record");
  r->remaining_ = len;
  r->payload_kind_ = kind;
  return true;
}

static bool read_end(vso_capture_reader *r, char **w, int n) {
  uint64_t bytes, lines;
  int stream = n == 4 ? stream_of(w[1]) : -1;
  if (stream < 0 || !parse_number(w[2], UINT64_MAX, &bytes) || !parse_number(w[3], UINT64_MAX, &lines))
    return reader_fail(r, "malformed @end record");
  if (r->end) r->end(r->ctx, stream, bytes, lines);
  return true;
}

static bool read_encoding(vso_capture_reader *r, char **w, int n) {
  int stream = n == 3 ? stream_of(w[1]) : -1;
  for (size_t i = 0; stream >= 0 && i < sizeof encoding_names / sizeof encoding_names[0]; i++)
    if (strcmp(w[2], encoding_names[i].name) == 0) {
      if (r->encoding) r->encoding(r->ctx, stream, encoding_names[i].enc);
      return true;
    }
  return reader_fail(r, "malformed @encoding record");
}

static bool read_listing(vso_capture_reader *r, char **w, int n) {
  if (n != 2 || strcmp(w[1], "masked") != 0 || !r->attempt_) return reader_fail(r, "malformed @listing record");
  if (r->listing_masked) r->listing_masked(r->ctx);
  return true;
}

/* @legs STREAM LINE 0|1: a secret value's legs against the announcement. */
static bool read_legs(vso_capture_reader *r, char **w, int n) {
  uint64_t line_no, same;
  int stream = n == 4 ? stream_of(w[1]) : -1;
  if (!r->attempt_ || stream < 0 || !parse_number(w[2], UINT64_MAX, &line_no) || !parse_number(w[3], 1, &same))
    return reader_fail(r, "malformed @legs record");
  if (r->legs) r->legs(r->ctx, stream, line_no, same == 1);
  return true;
}

/* "key=0" or "key=1": the value, or -1. */
static int knob_word(const char *word, const char *key) {
  size_t k = strlen(key);
  if (strncmp(word, key, k) != 0 || word[k] != '=' || (word[k + 1] != '0' && word[k + 1] != '1') || word[k + 2])
    return -1;
  return word[k + 1] - '0';
}

static bool read_knobs(vso_capture_reader *r, char **w, int n) {
  if (r->attempt_) return reader_fail(r, "@knobs after the first @attempt");
  int decode = n >= 2 ? knob_word(w[1], "decode-percents") : -1;
  int multiline = n == 3 ? knob_word(w[2], "multiline-secrets") : 0; /* older: none allowed */
  if (n > 3 || decode < 0 || multiline < 0) return reader_fail(r, "malformed @knobs record");
  if (r->knobs) r->knobs(r->ctx, (vso_knobs){.decode_percents = decode, .allow_multiline_secret = multiline});
  return true;
}

/* One header line, without its '\n'. */
static bool read_header(vso_capture_reader *r, const char *h, size_t n) {
  char line[128];
  char *w[5];
  if (n >= sizeof line || memchr(h, '\0', n)) return reader_fail(r, "malformed record header");
  memcpy(line, h, n);
  line[n] = '\0';
  int nw = line[0] == '@' ? split_words(line, w, 5) : -1;
  if (nw < 1) return reader_fail(r, "malformed record header");
  const char *word = w[0] + 1;
  bool v2 = r->version >= 2;
  if (strcmp(word, "attempt") == 0) return read_attempt(r, w, nw);
  if (strcmp(word, "stdout") == 0 || strcmp(word, "stderr") == 0) return read_payload_header(r, w, nw, false);
  if (v2 && strcmp(word, "line") == 0) return read_payload_header(r, w, nw, true);
  if (v2 && strcmp(word, "end") == 0) return read_end(r, w, nw);
  if (v2 && strcmp(word, "encoding") == 0) return read_encoding(r, w, nw);
  if (v2 && strcmp(word, "knobs") == 0) return read_knobs(r, w, nw);
  if (v2 && strcmp(word, "listing") == 0) return read_listing(r, w, nw);
  if (v2 && strcmp(word, "legs") == 0) return read_legs(r, w, nw);
  if (v2 && strcmp(word, "imagebuilder") == 0) return read_source_header(r, w, nw, PAYLOAD_IMAGEBUILDER);
  if (v2 && strcmp(word, "matrix") == 0) return read_source_header(r, w, nw, PAYLOAD_MATRIX);
  return reader_fail(r, "unknown record type");
}

/* The payload of a data record goes out as it comes; a line's is gathered
 * whole first. */
static size_t read_payload(vso_capture_reader *r, const char *p, size_t n) {
  size_t take = n < r->remaining_ ? n : (size_t)r->remaining_;
  r->remaining_ -= take;
  if (r->payload_kind_ == PAYLOAD_DATA) {
    if (r->data) r->data(r->ctx, r->stream_, p, take);
    return take;
  }
  if (!vso_buf_append(&r->payload_, p, take)) return reader_fail(r, "out of memory"), take;
  if (r->remaining_) return take;
  if (r->payload_kind_ != PAYLOAD_LINE) { /* one line of words */
    if (memchr(r->payload_.data, '\n', r->payload_.len)) return reader_fail(r, "malformed expectation record"), take;
    if (r->source) r->source(r->ctx, source_types[r->payload_kind_], r->payload_.data, r->payload_.len);
    vso_buf_clear(&r->payload_);
    return take;
  }
  const char *nl = memchr(r->payload_.data, '\n', r->payload_.len);
  if (!nl) return reader_fail(r, "a @line record without its facts line"), take;
  size_t nf = (size_t)(nl - r->payload_.data);
  if (r->line) r->line(r->ctx, r->stream_, r->payload_.data, nf, nl + 1, r->payload_.len - nf - 1);
  vso_buf_clear(&r->payload_);
  return take;
}

/* The first line: which version this is. */
static bool read_magic(vso_capture_reader *r) {
  size_t m = strlen(VSO_CAPTURE_MAGIC);
  if (r->header_.len == m && memcmp(r->header_.data, VSO_CAPTURE_MAGIC, m) == 0) r->version = 2;
  else if (r->header_.len == m && memcmp(r->header_.data, VSO_CAPTURE_MAGIC_V1, m) == 0) r->version = 1;
  else return reader_fail(r, "not a vsorelay capture");
  return true;
}

bool vso_capture_feed(vso_capture_reader *r, const char *p, size_t n) {
  while (n > 0 && !r->bad) {
    if (r->remaining_) {
      size_t took = read_payload(r, p, n);
      p += took;
      n -= took;
      continue;
    }
    const char *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) + 1 : n;
    if (r->header_.len + take > 128) return reader_fail(r, "record header too long");
    if (!vso_buf_append(&r->header_, p, take)) return reader_fail(r, "out of memory");
    p += take;
    n -= take;
    if (!nl) break;
    bool ok = r->version ? read_header(r, r->header_.data, r->header_.len - 1) : read_magic(r);
    vso_buf_clear(&r->header_);
    if (!ok) return false;
  }
  return !r->bad;
}

bool vso_capture_finish(vso_capture_reader *r) {
  if (r->bad) return false;
  if (!r->version) return reader_fail(r, "not a vsorelay capture");
  if (r->remaining_ || r->header_.len) return reader_fail(r, "the capture ends inside a record");
  return true;
}

void vso_capture_reject(vso_capture_reader *r, const char *why) { reader_fail(r, why); }

void vso_capture_reader_free(vso_capture_reader *r) {
  vso_buf_free(&r->header_);
  vso_buf_free(&r->payload_);
}

/* ---- writing records ------------------------------------------------------------ */

bool vso_capture_put_magic(vso_buf *out, vso_knobs knobs) {
  return vso_buf_append_str(out, VSO_CAPTURE_MAGIC) &&
         vso_buf_appendf(out, "@knobs decode-percents=%d multiline-secrets=%d\n", knobs.decode_percents ? 1 : 0,
                         knobs.allow_multiline_secret ? 1 : 0);
}

bool vso_capture_put_source(vso_buf *out, const char *type, size_t n) { return vso_buf_appendf(out, "@%s %zu\n", type, n); }

bool vso_capture_put_attempt(vso_buf *out, int attempt) { return vso_buf_appendf(out, "@attempt %d\n", attempt); }

bool vso_capture_put_data(vso_buf *out, int stream, size_t n) {
  return vso_buf_appendf(out, "@%s %zu\n", stream_names[stream], n);
}

bool vso_capture_put_line(vso_buf *out, int stream, const vso_buf *facts, size_t n) {
  return vso_buf_appendf(out, "@line %s %zu\n", stream_names[stream], facts->len + 1 + n) &&
         vso_buf_append(out, facts->data, facts->len) && vso_buf_append_char(out, '\n');
}

bool vso_capture_put_end(vso_buf *out, int stream, uint64_t bytes, uint64_t lines) {
  return vso_buf_appendf(out, "@end %s %llu %llu\n", stream_names[stream], (unsigned long long)bytes,
                         (unsigned long long)lines);
}

bool vso_capture_put_listing_masked(vso_buf *out) { return vso_buf_append_str(out, "@listing masked\n"); }

bool vso_capture_put_legs(vso_buf *out, int stream, uint64_t line_no, bool same) {
  return vso_buf_appendf(out, "@legs %s %llu %d\n", stream_names[stream], (unsigned long long)line_no, same);
}

bool vso_capture_put_encoding(vso_buf *out, int stream, vso_stream_encoding e) {
  for (size_t i = 0; i < sizeof encoding_names / sizeof encoding_names[0]; i++)
    if (encoding_names[i].enc == e) return vso_buf_appendf(out, "@encoding %s %s\n", stream_names[stream],
                                                           encoding_names[i].name);
  return true; /* UTF-8: nothing to say */
}
