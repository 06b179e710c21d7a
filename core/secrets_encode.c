/* SPDX-License-Identifier: MIT */
/* The value encoders the agent registers with its masker (HostContext.
 * CreateSecretMasker): every secret is also masked as
 * ValueEncoders.JsonStringEscape, UriDataEscape and BackslashEscape make it
 * (Microsoft.TeamFoundation.DistributedTask.Logging.ValueEncoders).  The
 * agent encodes UTF-16 strings; on UTF-8 bytes the result is the same for
 * valid text.  Invalid bytes are kept as they are (JSON) or percent-encoded
 * one by one (URI), which is what a child encoding its own bytes prints.
 * Most secrets come out of an encoder as they went in: then nothing is
 * appended, without a copy. */
#include <stdint.h>
#include <string.h>

#include "secrets_int.h"

/* The JSON escape of q[i..] (n bytes in all) and how many bytes it takes,
 * or NULL when the byte stands for itself. */
static const char *json_escape(const unsigned char *q, size_t i, size_t n, char buf[8], size_t *take) {
  static const char hex[] = "0123456789abcdef"; /* Newtonsoft writes \u00xx in lower case */
  unsigned char c = q[i];
  *take = 1;
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\t': return "\\t";
    case '\n': return "\\n";
    case '\f': return "\\f";
    case '\r': return "\\r";
    default: break;
  }
  if (c < 0x20) {
    memcpy(buf, "\\u00", 4);
    buf[4] = hex[c >> 4], buf[5] = hex[c & 15], buf[6] = '\0';
    return buf;
  }
  if (c == 0xC2 && i + 1 < n && q[i + 1] == 0x85) return *take = 2, "\\u0085";
  if (c == 0xE2 && i + 2 < n && q[i + 1] == 0x80 && (q[i + 2] == 0xA8 || q[i + 2] == 0xA9))
    return *take = 3, q[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
  return NULL;
}

/* The bytes json_escape may change: the C0 controls, '"', '\\', and 0xC2
 * and 0xE2 (which begin U+0085, U+2028 and U+2029), as a 256-bit set. */
static bool json_may_escape(unsigned char c) {
  static const uint64_t bits[4] = {
      0xFFFFFFFFu | (uint64_t)1 << '"', (uint64_t)1 << ('\\' - 64), 0,
      (uint64_t)1 << (0xC2 - 192) | (uint64_t)1 << (0xE2 - 192)};
  return bits[c >> 6] >> (c & 63) & 1;
}

/* Newtonsoft.Json's JsonConvert.ToString without its quotes
 * (JavaScriptUtils.WriteEscapedJavaScriptString, StringEscapeHandling.
 * Default): ", \ and the C0 controls are escaped, \b \t \n \f \r by name and
 * the rest as \u00xx, and so are U+0085, U+2028, U+2029. */
bool vso_encode_json_string(const char *p, size_t n, vso_buf *out) {
  const unsigned char *q = (const unsigned char *)p;
  size_t from = 0, take, i = 0;
  char buf[8];
  while (i < n && !json_may_escape(q[i])) i++;
  if (i == n) return true; /* nothing to escape: the value itself */
  for (; i < n; i += take) {
    const char *esc = json_escape(q, i, n, buf, &take);
    if (!esc) continue;
    if (!vso_buf_append(out, p + from, i - from) || !vso_buf_append_str(out, esc)) return false;
    from = i + take;
  }
  return from == 0 || vso_buf_append(out, p + from, n - from);
}

/* RFC 3986's unreserved characters, by byte. */
static const bool unreserved_bytes[256] = {
    ['-'] = true, ['.'] = true, ['_'] = true, ['~'] = true,
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true, ['6'] = true, ['7'] = true,
    ['8'] = true, ['9'] = true, ['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true, ['F'] = true,
    ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true, ['M'] = true, ['N'] = true,
    ['O'] = true, ['P'] = true, ['Q'] = true, ['R'] = true, ['S'] = true, ['T'] = true, ['U'] = true, ['V'] = true,
    ['W'] = true, ['X'] = true, ['Y'] = true, ['Z'] = true, ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true,
    ['e'] = true, ['f'] = true, ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true, ['k'] = true, ['l'] = true,
    ['m'] = true, ['n'] = true, ['o'] = true, ['p'] = true, ['q'] = true, ['r'] = true, ['s'] = true, ['t'] = true,
    ['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true, ['y'] = true, ['z'] = true,
};

static bool unreserved(unsigned char c) { return unreserved_bytes[c]; }

/* Uri.EscapeDataString: everything but the unreserved A-Z a-z 0-9 - . _ ~
 * as %XX of its UTF-8 bytes. */
bool vso_encode_uri_data(const char *p, size_t n, vso_buf *out) {
  static const char hex[] = "0123456789ABCDEF";
  size_t i = 0;
  while (i < n && unreserved((unsigned char)p[i])) i++;
  if (i == n) return true;
  if (!vso_buf_reserve(out, n * 3) || !vso_buf_append(out, p, i)) return false;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
    if (!(unreserved(c) ? vso_buf_append_char(out, (char)c) : vso_buf_append(out, esc, 3))) return false;
  }
  return true;
}

/* One ordinal string.Replace: every from (2 bytes), left to right, not
 * overlapping, becomes to (1 byte). */
static bool replace(const char *p, size_t n, const char *from, char to, vso_buf *out) {
  if (!vso_buf_reserve(out, n)) return false;
  for (size_t i = 0; i < n; i++) {
    bool hit = i + 1 < n && p[i] == from[0] && p[i + 1] == from[1];
    out->data[out->len++] = hit ? to : p[i];
    i += hit;
  }
  out->data[out->len] = '\0';
  return true;
}

/* BackslashEscape undoes backslash escapes, one Replace after another:
 * \\ -> \, then \' -> ', then \" -> ", then \t -> TAB. */
bool vso_encode_backslash(const char *p, size_t n, vso_buf *out) {
  static const char *const from[4] = {"\\\\", "\\'", "\\\"", "\\t"};
  static const char to[4] = {'\\', '\'', '"', '\t'};
  if (!memchr(p, '\\', n)) return true;
  vso_buf a = {0}, b = {0};
  bool ok = vso_buf_append(&a, p, n);
  for (int k = 0; ok && k < 4; k++) {
    vso_buf_clear(&b);
    ok = replace(a.data, a.len, from[k], to[k], &b);
    vso_buf tmp = a;
    a = b;
    b = tmp;
  }
  ok = ok && vso_buf_append(out, a.data, a.len);
  vso_buf_free(&a);
  vso_buf_free(&b);
  return ok;
}
