/*
 * json_scan.c - a validating JSON scanner (RFC 8259 grammar) that allocates
 * nothing. get_call's answer is spliced rather than parsed and re-printed:
 * json-c's parse of a 2 KiB call costs more than the loopback round trip.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
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

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* Nonzero when one of the 8 bytes of w is below n (n <= 128; the classic SWAR test). */
#define BYTE_BELOW(w, n) (((w)-ONES * (n)) & ~(w)&HIGHS)

/* p inside a string: the first byte that is not plain (quote, backslash, control
 * or the NUL sentinel), eight bytes a step (little-endian words) while none of them is one. */
static const char *plain_run(const char *p, const char *e) {
  while (e - p >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t hit = BYTE_BELOW(w, 0x20) | BYTE_BELOW(w ^ (ONES * '"'), 1) | BYTE_BELOW(w ^ (ONES * '\\'), 1);
    /* Borrows run only upwards: the lowest flag is exact, so it names the first such byte. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
#else
    if (hit) break;
#endif
    p += 8;
  }
  while (plain[(unsigned char)*p]) p++; /* stops at the sentinel at the latest (see skip_ws) */
  return p;
}

/* p at '"'; returns the byte after the closing quote, or NULL. */
static const char *scan_string(const char *p, const char *e) {
  for (p++; p < e; p++) {
    p = plain_run(p, e);
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

/* ---- the cursor: reading a text member by member, item by item ------------ */

int ac_json_begin(struct ac_json_cur *c, const char *text, size_t len) {
  c->p = text, c->e = text + len, c->depth = 0, c->first = 0, c->closed = NULL;
  if (text[len] != '\0') return -1; /* the sentinel the scanner relies on */
  c->p = skip_ws(c->p, c->e);
  return 0;
}

int ac_json_open(struct ac_json_cur *c) {
  if (c->p >= c->e || (*c->p != '{' && *c->p != '[') || c->depth + 1 > AC_SCAN_MAX_DEPTH) return -1;
  c->p = skip_ws(c->p + 1, c->e);
  c->depth++;
  c->first = 1;
  return 0;
}

/* Past the ',' between two entries, or past the closing `close` (0). */
static int next_entry(struct ac_json_cur *c, char close) {
  if (c->p < c->e && *c->p == close) {
    c->closed = c->p;
    c->p = skip_ws(c->p + 1, c->e);
    c->depth--;
    c->first = 0;
    return 0;
  }
  if (!c->first) {
    if (c->p >= c->e || *c->p != ',') return -1;
    c->p = skip_ws(c->p + 1, c->e);
  }
  c->first = 0;
  return 1;
}

int ac_json_next_member(struct ac_json_cur *c, struct ac_span *key) {
  int rc = next_entry(c, '}');
  if (rc != 1) return rc;
  const char *kend = c->p < c->e && *c->p == '"' ? scan_string(c->p, c->e) : NULL;
  if (!kend) return -1;
  key->start = c->p + 1, key->end = kend - 1; /* the key's bytes, without its quotes */
  c->p = skip_ws(kend, c->e);
  if (c->p >= c->e || *c->p != ':') return -1;
  c->p = skip_ws(c->p + 1, c->e);
  return 1;
}

int ac_json_next_item(struct ac_json_cur *c) {
  return next_entry(c, ']');
}

int ac_json_value(struct ac_json_cur *c, struct ac_span *v) {
  const char *end = scan_value(c->p, c->e, c->depth + 1);
  if (!end) return -1;
  v->start = c->p, v->end = end;
  c->p = skip_ws(end, c->e);
  c->first = 0;
  return 0;
}

int ac_json_object(struct ac_json_cur *c, const struct ac_json_want *want, struct ac_span *v) {
  const char *end = scan_members(c->p, c->e, c->depth + 1, want);
  if (!end) return -1;
  v->start = c->p, v->end = end;
  c->p = skip_ws(end, c->e);
  c->first = 0;
  return 0;
}

int ac_json_end(const struct ac_json_cur *c) {
  return c->depth == 0 && c->p == c->e ? 0 : -1;
}

int ac_json_key_is(struct ac_span key, const char *name) {
  size_t n = strlen(name);
  return (size_t)(key.end - key.start) == n && memcmp(key.start, name, n) == 0;
}

const char *ac_json_kind(struct ac_span v) {
  switch (*v.start) {
  case '"': return "a string";
  case '{': return "an object";
  case '[': return "an array";
  case 't':
  case 'f': return "a boolean";
  case 'n': return "null";
  default: /* a number: as json-c would read it */
    for (const char *p = v.start; p < v.end; p++)
      if (*p == '.' || *p == 'e' || *p == 'E') return "a fractional number";
    return "an integer";
  }
}

/* The code point of the 4 hex digits at p. */
static unsigned hex4(const char *p) {
  unsigned u = 0;
  for (int i = 0; i < 4; i++)
    u = u * 16 + (unsigned)(isdigit((unsigned char)p[i]) ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
  return u;
}

static size_t put_utf8(unsigned u, char *o) {
  if (u < 0x80) return o[0] = (char)u, 1;
  if (u < 0x800) return o[0] = (char)(0xc0 | u >> 6), o[1] = (char)(0x80 | (u & 0x3f)), 2;
  if (u < 0x10000)
    return o[0] = (char)(0xe0 | u >> 12), o[1] = (char)(0x80 | (u >> 6 & 0x3f)),
           o[2] = (char)(0x80 | (u & 0x3f)), 3;
  o[0] = (char)(0xf0 | u >> 18), o[1] = (char)(0x80 | (u >> 12 & 0x3f));
  o[2] = (char)(0x80 | (u >> 6 & 0x3f)), o[3] = (char)(0x80 | (u & 0x3f));
  return 4;
}

/* One escape at p (after the backslash) into o: bytes written; *p advanced. A
 * surrogate without its pair becomes U+FFFD, as json-c makes it. */
static size_t unescape_one(const char **p, const char *end, char *o) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  char ch = *(*p)++;
  if (ch != 'u') return o[0] = to[strchr(from, ch) - from], 1;
  unsigned u = hex4(*p);
  *p += 4;
  if (u >= 0xd800 && u < 0xdc00 && end - *p >= 6 && (*p)[0] == '\\' && (*p)[1] == 'u') {
    unsigned lo = hex4(*p + 2);
    if (lo >= 0xdc00 && lo < 0xe000) {
      *p += 6;
      return put_utf8(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00), o);
    }
  }
  return put_utf8(u >= 0xd800 && u < 0xe000 ? 0xfffd : u, o);
}

size_t ac_json_unescape(struct ac_span s, char *out, size_t cap) {
  size_t n = 0;
  char one[4];
  if (cap == 0) return 0;
  for (const char *p = s.start + 1, *end = s.end - 1; p < end;) {
    const char *stop = memchr(p, '\\', (size_t)(end - p));
    size_t run = (size_t)((stop ? stop : end) - p), k = run < cap - 1 - n ? run : cap - 1 - n;
    memcpy(out + n, p, k);
    n += k, p += run;
    if (!stop) break;
    p++;
    size_t m = unescape_one(&p, end, one);
    if (n + m > cap - 1) break;
    memcpy(out + n, one, m);
    n += m;
  }
  out[n] = '\0';
  return n;
}

void ac_buf_json_string(struct ac_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  ac_buf_append(b, "\"", 1);
  for (size_t i = 0, from = 0; i <= n; i++) {
    unsigned char ch = i < n ? (unsigned char)s[i] : 0;
    if (i < n && ch >= 0x20 && ch != '"' && ch != '\\') continue;
    ac_buf_append(b, s + from, i - from);
    from = i + 1;
    if (i == n) break;
    char esc[6] = {'\\', (char)ch, 0, 0, 0, 0};
    if (ch < 0x20) esc[1] = 'u', esc[2] = esc[3] = '0', esc[4] = hex[ch >> 4], esc[5] = hex[ch & 15];
    ac_buf_append(b, esc, ch < 0x20 ? 6 : 2);
  }
  ac_buf_append(b, "\"", 1);
}

char *ac_json_plain_escapes(const char *text, size_t len) {
  struct ac_buf out = {0};
  char small[256];
  const char *p = text, *e = text + len;
  for (const char *q; (q = memchr(p, '"', (size_t)(e - p)));) {
    const char *end = scan_string(q, e); /* the text is valid: end is the byte after its quote */
    if (!end) break;
    if (!memchr(q, '\\', (size_t)(end - q))) {
      ac_buf_append(&out, p, (size_t)(end - p));
    } else {
      struct ac_span s = {q, end};
      size_t cap = (size_t)(end - q);
      char *tmp = cap <= sizeof(small) ? small : malloc(cap);
      if (!tmp) break;
      size_t n = ac_json_unescape(s, tmp, cap);
      ac_buf_append(&out, p, (size_t)(q - p));
      ac_buf_json_string(&out, tmp, n);
      if (tmp != small) free(tmp);
    }
    p = end;
  }
  ac_buf_append(&out, p, (size_t)(e - p));
  if (out.oom || !out.s) {
    ac_buf_free(&out);
    return NULL;
  }
  return out.s;
}
