/*
 * json_scan.c - a validating JSON scanner (RFC 8259 grammar) that allocates
 * nothing. get_call's answer is spliced rather than parsed and re-printed:
 * json-c's parse of a 2 KiB call costs more than the loopback round trip.
 */
#include <ctype.h>
#include <string.h>

#include "src/ac.h"

#define AC_SCAN_MAX_DEPTH 32 /* json-c's default, so both paths accept the same texts */

static const char *skip_ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* p at '"'; returns the byte after the closing quote, or NULL. */
static const char *scan_string(const char *p, const char *e) {
  for (p++; p < e; p++) {
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

static const char *scan_literal(const char *p, const char *e, const char *word) {
  size_t n = strlen(word);
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
  if (p >= e) return NULL;
  switch (*p) {
  case '{': return scan_container(p, e, depth, 1);
  case '[': return scan_container(p, e, depth, 0);
  case '"': return scan_string(p, e);
  case 't': return scan_literal(p, e, "true");
  case 'f': return scan_literal(p, e, "false");
  case 'n': return scan_literal(p, e, "null");
  default: return scan_number(p, e);
  }
}

int ac_json_scan_object(const char *text, size_t len, struct ac_span *root) {
  const char *e = text + len, *p = skip_ws(text, e), *end;
  if (p >= e || *p != '{' || !(end = scan_value(p, e, 1)) || skip_ws(end, e) != e) return -1;
  root->start = p;
  root->end = end;
  return 0;
}

int ac_json_member(struct ac_span obj, const char *key, struct ac_span *value) {
  const char *p = obj.start, *e = obj.end;
  size_t klen = strlen(key);
  int found = 0;
  if (p >= e || *p != '{') return 0;
  p = skip_ws(p + 1, e);
  while (p < e && *p == '"') {
    const char *kend = scan_string(p, e); /* the span was validated: never NULL here */
    int match = (size_t)(kend - p) == klen + 2 && memcmp(p + 1, key, klen) == 0;
    p = skip_ws(skip_ws(kend, e) + 1, e); /* past ':' */
    const char *vend = scan_value(p, e, 1);
    if (!vend) return 0;
    if (match) { /* the last of duplicate keys wins, as in json-c */
      value->start = p;
      value->end = vend;
      found = 1;
    }
    p = skip_ws(vend, e);
    if (p < e && *p == ',') p = skip_ws(p + 1, e);
  }
  return found;
}
