/* SPDX-License-Identifier: MIT */
/* The scanner's watched texts and lines (scan_watch.h). */
#include "scan_watch.h"

#include <stdint.h>
#include <string.h>

bool vso_scanner_watch(vso_scanner *s, const char *const *texts, size_t n, size_t key_at) {
  if (n == 0 || n > VSO_SCAN_WATCH_TEXTS) return false;
  for (size_t k = 0; k < n; k++) {
    size_t len = strlen(texts[k]);
    if (len < key_at + 2 || len > VSO_SCAN_WATCH_TEXT_MAX || memcmp(texts[k] + key_at, texts[0] + key_at, 2) != 0 ||
        strpbrk(texts[k], "\r\n") || memchr(texts[k], vso_dialect_prefix[0], len) ||
        memchr(vso_dialect_prefix, texts[k][0], vso_dialect_prefix_len) ||
        memchr(vso_dialect_prefix, texts[k][key_at], vso_dialect_prefix_len))
      return false;
  }
  s->watch_min_ = SIZE_MAX;
  for (size_t k = 0; k < n; k++) {
    s->watch_len_[k] = strlen(texts[k]);
    memcpy(s->watch_[k], texts[k], s->watch_len_[k]);
    if (s->watch_len_[k] < s->watch_min_) s->watch_min_ = s->watch_len_[k];
  }
  s->watch_key_at_ = key_at;
  s->nwatch_ = n;
  return true;
}


/* ---- watched lines ------------------------------------------------------ */

/* 1 + which watched text starts at q (with avail bytes there), or 0.  A
 * text's last 8 bytes are compared first: texts that share a long beginning
 * (a logger's category) and the lines that share it with them differ there. */
size_t vso_scan_watch_at(const vso_scanner *s, const char *q, size_t avail) {
  for (size_t k = 0; k < s->nwatch_; k++) {
    size_t len = s->watch_len_[k];
    if (len > avail) continue;
    if (len >= 8) {
      uint64_t a, b;
      memcpy(&a, q + len - 8, 8);
      memcpy(&b, s->watch_[k] + len - 8, 8);
      if (a != b) continue;
    }
    if (memcmp(q, s->watch_[k], len) == 0) return k + 1;
  }
  return 0;
}

/* Where a watched text first starts in p[0..n), or n; *which says which.
 * Found by its key, which is in every text at the same place. */
size_t vso_scan_find_watch(const vso_scanner *s, const char *p, size_t n, size_t *which) {
  const size_t key_at = s->watch_key_at_;
  const char *end = p + n;
  for (const char *q = p + key_at; s->nwatch_ && q + 1 < end && (q = memchr(q, s->watch_[0][key_at], (size_t)(end - q - 1))); q++) {
    if (q[1] != s->watch_[0][key_at + 1]) continue;
    size_t k = vso_scan_watch_at(s, q - key_at, (size_t)(end - q) + key_at);
    if (k) {
      *which = k - 1;
      return (size_t)(q - key_at - p);
    }
  }
  return n;
}

/* Adds bytes of the watched line that spans chunks, up to VSO_SCAN_WATCH_MAX. */
void vso_scan_watch_add(vso_scanner *s, const char *p, size_t n) {
  size_t room = VSO_SCAN_WATCH_MAX - s->watched_.len;
  if (n > room) {
    n = room;
    s->watch_cut_ = true;
  }
  if (n && !vso_buf_append(&s->watched_, p, n)) s->watch_cut_ = true; /* out of memory: cut short */
}

/* The watched line ends with p[0..n): it goes to the sink, read in place
 * when it lay whole in the chunk being fed. */
void vso_scan_end_watch(vso_scanner *s, const char *p, size_t n, bool command_after) {
  bool in_place = s->watched_.len == 0 && !s->watch_cut_;
  if (!in_place) vso_scan_watch_add(s, p, n);
  vso_watched w = {.text = in_place ? p : s->watched_.data ? s->watched_.data : "",
                   .len = in_place ? n : s->watched_.len,
                   .which = s->watch_which_,
                   .line_no = s->lines + 1,
                   .truncated = !in_place && s->watch_cut_,
                   .command_after = command_after};
  if (w.len > VSO_SCAN_WATCH_MAX) {
    w.len = VSO_SCAN_WATCH_MAX;
    w.truncated = true;
  }
  s->watched_lines++;
  if (s->sink.watched) s->sink.watched(s->sink.ctx, &w);
  vso_buf_clear(&s->watched_);
  s->watch_cut_ = false;
  s->watching_ = false;
}

/* The longest end of p[0..n) that may begin a watched text (shorter than it). */
void vso_scan_set_watch_tail(vso_scanner *s, const char *p, size_t n) {
  size_t best = 0;
  for (size_t k = 0; k < s->nwatch_; k++)
    for (size_t t = n < s->watch_len_[k] - 1 ? n : s->watch_len_[k] - 1; t > best; t--)
      if (memcmp(p + n - t, s->watch_[k], t) == 0) {
        best = t;
        break;
      }
  memcpy(s->watch_tail_bytes_, p + n - best, best);
  s->watch_tail_ = best;
}

/* The last chunk ended with the beginning of a watched text: see whether
 * this one goes on with it.  Returns 1 when it does (a watched line has
 * begun, its beginning in watched_), 2 when the whole chunk goes on with it
 * and the next decides, 0 when not.  The bytes themselves pass as usual. */
int vso_scan_resolve_watch_tail(vso_scanner *s, const char *p, size_t n) {
  size_t t = s->watch_tail_;
  s->watch_tail_ = 0;
  for (size_t from = 0; from < t; from++) { /* each end of the tail, the longest first */
    const char *q = s->watch_tail_bytes_ + from;
    size_t have = t - from;
    for (size_t k = 0; k < s->nwatch_; k++) {
      size_t len = s->watch_len_[k];
      if (have >= len || memcmp(q, s->watch_[k], have) != 0) continue;
      size_t need = len - have, avail = n < need ? n : need;
      if (memcmp(p, s->watch_[k] + have, avail) != 0) continue;
      if (avail < need) { /* still undecided */
        memmove(s->watch_tail_bytes_, q, have);
        memcpy(s->watch_tail_bytes_ + have, p, n);
        s->watch_tail_ = have + n;
        return 2;
      }
      s->watching_ = true;
      s->watch_which_ = k;
      vso_scan_watch_add(s, q, have);
      return 1;
    }
  }
  return 0;
}

