/*
 * lua_decode.c - JSON text straight to Lua values, in one pass and with no tree in
 * between: plugin results and json.decode. Strict RFC 8259 (no comments, trailing
 * commas, NaN or leading zeros; control characters in strings must be escaped);
 * objects become tables, arrays sequences, null nil (a member or element that is
 * null is absent), integers that fit 64 bits Lua integers and other numbers floats.
 * Our own scanner rather than a library's: the tree json-c builds and frees for each
 * plugin result cost more than the plugin's whole call. Everything is built with the
 * Lua state's allocator, so the sandbox's memory cap (--memory-mb) counts all of it.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "host/lua_bridge.h"

/* Levels counted as plugin.h counts them: the top value is level 1, each value in a
 * container one deeper, scalars included. */
#define MAX_DEPTH KKP_JSON_MAX_DEPTH

/* The text ends with a NUL (every Lua string does): it is neither white space, a digit
 * nor a plain string byte, so the loops below stop on it with no bounds test, and
 * compare with end only when they stop. */
struct dec {
  lua_State *L;
  const char *p, *end;
  char *why;
  size_t cap;
};

/* Bytes that may stand as they are inside a string: not a control, quote or backslash. */
static const unsigned char plain[256] = {[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0xff] = 1};
/* The one-letter escapes and the byte each stands for. */
static const char escaped[256] = {['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
                                  ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t'};

static int fail(struct dec *d, const char *reason) {
  snprintf(d->why, d->cap, "%s", reason);
  return -1;
}

/* What stopped the scan at d->p: the text ended, or a byte that cannot be there. */
static int fail_here(struct dec *d) {
  return fail(d, d->p >= d->end ? "unexpected end of data" : "unexpected character");
}

/* A byte other than the one the grammar wants here: json-c's words, as before. */
static int fail_expected(struct dec *d, const char *what) {
  return d->p >= d->end ? fail_here(d) : fail(d, what);
}

static void skip_ws(struct dec *d) {
  const char *p = d->p;
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  d->p = p;
}

static int dec_value(struct dec *d, int level);

static int dec_literal(struct dec *d, const char *word, size_t n) {
  for (size_t k = 0; k < n; k++, d->p++)
    if (d->p >= d->end || *d->p != word[k]) return fail_here(d);
  return 0;
}

static const char *digits(const char *p) {
  while (*p >= '0' && *p <= '9') p++;
  return p;
}

/* A number with no fraction or exponent that fits 64 bits is a Lua integer (ids are);
 * any other is the nearest double. One beyond a double's range is refused. */
static int dec_number(struct dec *d) {
  const char *s = d->p, *p = s + (*s == '-');
  uint64_t u = 0;
  int whole = 1, fits = 1;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9')
    for (; *p >= '0' && *p <= '9'; p++) {
      unsigned dig = (unsigned)(*p - '0');
      if (u > (UINT64_MAX - dig) / 10) fits = 0;
      else u = u * 10 + dig;
    }
  else return d->p = p, fail_here(d);
  if (*p == '.') {
    whole = 0;
    if ((d->p = digits(p + 1)) == p + 1) return fail_here(d);
    p = d->p;
  }
  if (*p == 'e' || *p == 'E') {
    whole = 0;
    p += p[1] == '+' || p[1] == '-' ? 2 : 1;
    if ((d->p = digits(p)) == p) return fail_here(d);
    p = d->p;
  }
  d->p = p;
  if (whole && fits && u <= (uint64_t)INT64_MAX) {
    lua_pushinteger(d->L, *s == '-' ? -(lua_Integer)u : (lua_Integer)u);
    return 0;
  }
  if (whole && fits && *s == '-' && u == (uint64_t)INT64_MAX + 1) {
    lua_pushinteger(d->L, INT64_MIN);
    return 0;
  }
  double v = strtod(s, NULL); /* the grammar above is a subset of strtod's: it stops at p too */
  if (!isfinite(v)) {
    snprintf(d->why, d->cap, "the number %.*s%s is beyond the range of a double",
             (int)(p - s > 40 ? 40 : p - s), s, p - s > 40 ? "..." : "");
    return -1;
  }
  lua_pushnumber(d->L, v);
  return 0;
}

/* Four hex digits at p into *cp; stops at the first other byte (the NUL included). */
static int hex4(const char *p, unsigned *cp) {
  *cp = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = (unsigned char)p[i], v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') v = (c | 0x20) - 'a' + 10;
    else return -1;
    *cp = *cp << 4 | v;
  }
  return 0;
}

static void add_utf8(luaL_Buffer *b, unsigned cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) u[0] = (char)cp, n = 1;
  else if (cp < 0x800) u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
  else if (cp < 0x10000)
    u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f)), u[2] = (char)(0x80 | (cp & 0x3f)),
    n = 3;
  else
    u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
    u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
  luaL_addlstring(b, u, n);
}

/* \uXXXX at d->p (the backslash). A surrogate pair is one character; a surrogate
 * that is not half of a pair becomes U+FFFD, as json-c (our former parser) made it. */
static int dec_unicode(struct dec *d, luaL_Buffer *b) {
  const char *p = d->p;
  unsigned cp, lo;
  if (hex4(p + 2, &cp)) return d->p = p + 2, fail(d, "invalid string sequence");
  p += 6;
  if (cp >= 0xd800 && cp <= 0xdbff && p[0] == '\\' && p[1] == 'u') {
    if (hex4(p + 2, &lo)) return d->p = p + 2, fail(d, "invalid string sequence");
    if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00), p += 6;
  }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  add_utf8(b, cp);
  d->p = p;
  return 0;
}

/* The rest of a string that has escapes, from d->p, into b. */
static int dec_escaped_string(struct dec *d, luaL_Buffer *b) {
  for (;;) {
    const char *p = d->p, *run = p;
    while (plain[(unsigned char)*p]) p++;
    luaL_addlstring(b, run, (size_t)(p - run));
    d->p = p;
    if (*p == '"') break;
    if (*p != '\\') /* a control byte, or the end */
      return p >= d->end ? fail_here(d) : fail(d, "control character in a string (it must be escaped)");
    if (p[1] == 'u') {
      if (dec_unicode(d, b)) return -1;
    } else if (escaped[(unsigned char)p[1]]) {
      luaL_addchar(b, escaped[(unsigned char)p[1]]);
      d->p = p + 2;
    } else {
      d->p = p + 1;
      return d->p >= d->end ? fail_here(d) : fail(d, "invalid string sequence");
    }
  }
  luaL_pushresult(b);
  d->p++;
  return 0;
}

/* A string at d->p (the quote): pushed as is when it has no escape (the usual case). */
static int dec_string(struct dec *d) {
  const char *s = d->p + 1, *p = s;
  luaL_Buffer b;
  while (plain[(unsigned char)*p]) p++;
  if (*p == '"') {
    lua_pushlstring(d->L, s, (size_t)(p - s));
    d->p = p + 1;
    return 0;
  }
  luaL_buffinit(d->L, &b);
  d->p = s;
  return dec_escaped_string(d, &b);
}

/* A container's first members wait on the stack until its size is known: a table
 * made at its size is filled without the rehash each doubling costs (half the work of
 * building a result). Past GATHER they go straight in, the table growing as usual. */
#define GATHER 64

/* The container's n gathered items (pairs for an object, values for an array) above
 * base go into its table, made at base + 1 the first time; the stack is left at it. */
static void flush(lua_State *L, int base, int n, int object, lua_Integer *count) {
  int t = base + 1;
  if (*count == 0 && lua_gettop(L) == base + n * (object ? 2 : 1)) {
    lua_createtable(L, object ? 0 : n, object ? n : 0);
    lua_insert(L, t);
  }
  for (int k = 0; k < n; k++) {
    if (object) {
      lua_pushvalue(L, t + 1 + 2 * k);
      lua_pushvalue(L, t + 2 + 2 * k);
      lua_rawset(L, t); /* of duplicate keys the last wins; a null member is absent */
    } else {
      lua_pushvalue(L, t + 1 + k);
      lua_rawseti(L, t, ++*count); /* null leaves a hole, as nil does in a sequence */
    }
  }
  if (object) *count += n;
  lua_settop(L, t);
}

/* The items of an array or object at d->p ('[' or '{'), gathered then flushed. */
static int dec_container(struct dec *d, int level, int object) {
  lua_State *L = d->L;
  int base = lua_gettop(L), n = 0;
  lua_Integer count = 0;
  char close = object ? '}' : ']';
  d->p++;
  skip_ws(d);
  if (*d->p == close) return d->p++, lua_createtable(L, 0, 0), 0;
  for (;;) {
    if (!lua_checkstack(L, 6)) luaL_error(L, "JSON too large for the Lua stack"); /* an item, a flush */
    skip_ws(d);
    if (object) {
      if (*d->p != '"') return fail_expected(d, "quoted object property name expected");
      if (dec_string(d)) return -1;
      skip_ws(d);
      if (*d->p != ':') return fail_expected(d, "object property name separator ':' expected");
      d->p++;
    }
    if (dec_value(d, level + 1)) return -1;
    if (++n == GATHER) flush(L, base, n, object, &count), n = 0;
    skip_ws(d);
    if (*d->p == close) break;
    if (*d->p != ',')
      return fail_expected(d, object ? "object value separator ',' expected"
                                     : "array value separator ',' expected");
    d->p++;
  }
  d->p++;
  flush(L, base, n, object, &count);
  return 0;
}

static int dec_value(struct dec *d, int level) {
  skip_ws(d);
  if (level > MAX_DEPTH) return fail(d, "nesting too deep");
  switch (*d->p) {
  case '{': return dec_container(d, level, 1);
  case '[': return dec_container(d, level, 0);
  case '"': return dec_string(d);
  case 't': return lua_pushboolean(d->L, 1), dec_literal(d, "true", 4);
  case 'f': return lua_pushboolean(d->L, 0), dec_literal(d, "false", 5);
  case 'n': return lua_pushnil(d->L), dec_literal(d, "null", 4);
  default: return dec_number(d);
  }
}

int host_lua_decode(lua_State *L, const char *s, size_t len, char *why, size_t cap) {
  struct dec d = {L, s, s + len, why, cap};
  int top = lua_gettop(L);
  why[0] = '\0';
  luaL_checkstack(L, 8, "no room on the Lua stack for JSON"); /* a top-level scalar's */
  if (dec_value(&d, 1) == 0) {
    skip_ws(&d);
    if (d.p == d.end) return 0;
    fail_here(&d);
  }
  lua_settop(L, top);
  return -1;
}
