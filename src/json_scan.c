/*
 * json_scan.c - a validating JSON scanner (RFC 8259 grammar) that allocates
 * nothing. get_call's answer is spliced rather than parsed and re-printed:
 * json-c's parse of a 2 KiB call costs more than the loopback round trip.
 */
#include <ctype.h>
#include <string.h>

#include "src/ac.h"

/* The limit of ac_json_parse and of the host's parser too, so every path accepts the same texts. */
#define AC_SCAN_MAX_DEPTH KKP_JSON_MAX_DEPTH

/* The text ends with a NUL sentinel (text[len] == '\0'), which is neither white
 * space nor a plain string byte: the two hot loops below need no bounds test. */
static const char *skip_ws(const char *p, const char *e) {
  (void)e;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

/* Bytes that may stand as they are inside a string: not a control, quote or backslash. */
static const unsigned char plain[256] = {[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0xff] = 1};

/* p at '"'; returns the byte after the closing quote, or NULL. */
static const char *scan_string(const char *p, const char *e) {
  for (p++; p < e; p++) {
    while (plain[(unsigned char)*p]) p++; /* the common case: one test a byte (see skip_ws) */
    if (p >= e) return NULL;
    unsigned char ch = (unsigned char)*p;
    if (ch == '"') return p + 1;
    if (ch < 0x20) return NULL;
    if (ch != '\\') continue;
    if (++p >= e) return NULL;
    if (*p == 'u') {
      if (e - p < 5) return NULL;
      for (int i = 1; i <= 4; i++)
        if (!isxdigit((unsigned char)p[i])) return NULL;
      p += 4;
    } else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
      return NULL;
    }
  }
  return NULL;
}

static const char *scan_digits(const char *p, const char *e) {
  const char *start = p;
  while (p < e && isdigit((unsigned char)*p)) p++;
  return p > start ? p : NULL;
}

static const char *scan_number(const char *p, const char *e) {
  if (p < e && *p == '-') p++;
  if (p < e && *p == '0') p++;
  else if (!(p = scan_digits(p, e))) return NULL;
  if (p < e && *p == '.' && !(p = scan_digits(p + 1, e))) return NULL;
  if (p < e && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < e && (*p == '+' || *p == '-')) p++;
    if (!(p = scan_digits(p, e))) return NULL;
  }
  return p;
}

static const char *scan_literal(const char *p, const char *e, const char *word, size_t n) {
  return (size_t)(e - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

static const char *scan_value(const char *p, const char *e, int depth);

/* open at '{' or '['; members are "string: value" pairs for objects. */
static const char *scan_container(const char *p, const char *e, int depth, int object) {
  char close = object ? '}' : ']';
  if (depth > AC_SCAN_MAX_DEPTH) return NULL;
  p = skip_ws(p + 1, e);
  if (p < e && *p == close) return p + 1;
  for (;;) {
    if (object) {
      if (p >= e || *p != '"' || !(p = scan_string(p, e))) return NULL;
      p = skip_ws(p, e);
      if (p >= e || *p != ':') return NULL;
      p = skip_ws(p + 1, e);
    }
    if (!(p = scan_value(p, e, depth + 1))) return NULL;
    p = skip_ws(p, e);
    if (p < e && *p == close) return p + 1;
    if (p >= e || *p != ',') return NULL;
    p = skip_ws(p + 1, e);
  }
}

static const char *scan_value(const char *p, const char *e, int depth) {
  if (p >= e || depth > AC_SCAN_MAX_DEPTH) return NULL; /* a scalar is a level too, as in json-c */
  switch (*p) {
  case '{': return scan_container(p, e, depth, 1);
  case '[': return scan_container(p, e, depth, 0);
  case '"': return scan_string(p, e);
  case 't': return scan_literal(p, e, "true", 4);
  case 'f': return scan_literal(p, e, "false", 5);
  case 'n': return scan_literal(p, e, "null", 4);
  default: return scan_number(p, e);
  }
}

/* One pass over an object's members at p ('{'), validating them and noting the
 * values of the keys wanted (the last of duplicate keys wins, as in json-c); the
 * object value of keys[descend] is scanned with `inner` in the same pass.
 * Returns the byte after the object, or NULL when it is not valid JSON. */
static const char *scan_members(const char *p, const char *e, int depth, const struct ac_json_want *w) {
  for (size_t i = 0; w && i < w->n; i++) w->values[i].start = w->values[i].end = NULL;
  if (p >= e || *p != '{' || depth > AC_SCAN_MAX_DEPTH) return NULL;
  p = skip_ws(p + 1, e);
  if (p < e && *p == '}') return p + 1;
  for (;;) {
    const char *key = p, *kend;
    if (p >= e || *p != '"' || !(kend = scan_string(p, e))) return NULL;
    p = skip_ws(kend, e);
    if (p >= e || *p != ':') return NULL;
    p = skip_ws(p + 1, e);
    const char *vstart = p;
    size_t klen = (size_t)(kend - key) - 2, hit = w ? w->n : 0;
    for (size_t i = 0; w && i < w->n && hit == w->n; i++)
      if (w->keys[i][0] == key[1] && strncmp(key + 1, w->keys[i], klen) == 0 && w->keys[i][klen] == '\0')
        hit = i;
    if (w && hit == w->descend && hit < w->n && w->inner && *p == '{')
      p = scan_members(p, e, depth + 1, w->inner);
    else p = scan_value(p, e, depth + 1);
    if (!p) return NULL;
    if (w && hit < w->n) {
      w->values[hit].start = vstart;
      w->values[hit].end = p;
    }
    p = skip_ws(p, e);
    if (p < e && *p == '}') return p + 1;
    if (p >= e || *p != ',') return NULL;
    p = skip_ws(p + 1, e);
  }
}

int ac_json_scan(const char *text, size_t len, const struct ac_json_want *want) {
  if (text[len] != '\0') return -1; /* the sentinel the scanner relies on */
  const char *e = text + len, *end = scan_members(skip_ws(text, e), e, 1, want);
  return end && skip_ws(end, e) == e ? 0 : -1;
}
