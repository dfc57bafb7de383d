/*
 * strbuf.c - a growable string for URLs, queries and messages. Allocation
 * failure is sticky (oom) and checked once by the user, not after each append.
 *
 * Kept rather than open_memstream: it is the hot-path builder (every request's
 * path and query, every answer's body as libcurl hands it over), and it can be
 * given a buffer sized for a typical answer up front and hand that buffer on
 * without a copy, which a FILE* stream cannot. The query encoder is ours for
 * the same reason: curl_easy_escape allocates a string per value, and curl_url
 * would parse the whole URL again for every key added; the encoding it writes
 * is RFC 3986's unreserved set, as curl_easy_escape's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

static int grow(struct ac_buf *b, size_t extra) {
  if (b->oom) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void ac_buf_append(struct ac_buf *b, const char *s, size_t n) {
  if (grow(b, n)) return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void ac_buf_puts(struct ac_buf *b, const char *s) {
  ac_buf_append(b, s, strlen(s));
}

void ac_buf_printf(struct ac_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void ac_buf_urlencode(struct ac_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
        ch == '_' || ch == '.' || ch == '~') {
      ac_buf_append(b, (const char *)&ch, 1);
    } else {
      char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
      ac_buf_append(b, esc, 3);
    }
  }
}

void ac_buf_query(struct ac_buf *b, const char *key, const char *value) {
  ac_buf_puts(b, b->s && strchr(b->s, '?') ? "&" : "?");
  ac_buf_puts(b, key);
  ac_buf_puts(b, "=");
  ac_buf_urlencode(b, value);
}

void ac_buf_query_int(struct ac_buf *b, const char *key, long long value) {
  char num[32];
  snprintf(num, sizeof(num), "%lld", value);
  ac_buf_query(b, key, num);
}

void ac_buf_free(struct ac_buf *b) {
  free(b->s);
  memset(b, 0, sizeof(*b));
}
