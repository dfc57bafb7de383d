/*
 * lua_errors.c - a plugin's error as a Lua script sees it. Plugins speak JSON: "an
 * array", "an object", and 0-based element paths such as phone_numbers[0].value, with
 * the path of the argument at fault in details.parameter. A Lua script counts from 1
 * and has tables: here the message says "a Lua sequence", "a Lua table with named
 * fields" and phone_numbers[1].value. kkp-host call and MCP show the plugin's words.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/lua_bridge.h"

static const struct {
  const char *json, *lua;
} words[] = {{"an array", "a Lua sequence"}, {"an object", "a Lua table with named fields"}};

static int ident_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* path with every [N] made [N+1] into out; 0 when it has no index (nothing to
 * translate) or does not fit. */
static int lua_path(const char *path, char *out, size_t cap) {
  size_t n = 0;
  int indexes = 0;
  for (const char *p = path; *p && n < cap; p++) {
    char *end;
    unsigned long long i;
    if (*p == '[' && p[1] >= '0' && p[1] <= '9' && (i = strtoull(p + 1, &end, 10)) < 1000000000ULL &&
        *end == ']') {
      int w = snprintf(out + n, cap - n, "[%llu]", i + 1);
      if (w < 0 || (size_t)w >= cap - n) return 0;
      n += (size_t)w;
      p = end;
      indexes = 1;
    } else {
      out[n++] = *p;
    }
  }
  if (n >= cap) return 0;
  out[n] = '\0';
  return indexes;
}

/* Whether text at s (inside msg) is the whole word or path w: not part of a longer name. */
static int stands_at(const char *msg, const char *s, const char *w, size_t n) {
  if (strncmp(s, w, n) != 0) return 0;
  if (s > msg && (ident_byte(s[-1]) || s[-1] == '.' || s[-1] == ']')) return 0;
  return !ident_byte(s[n]);
}

/* Pushes msg in Lua's words; param (may be NULL) is the JSON path of the argument. */
static void push_lua_words(lua_State *L, const char *msg, const char *param) {
  char lp[512];
  size_t plen = param ? strlen(param) : 0;
  int paths = param && lua_path(param, lp, sizeof lp);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (const char *s = msg; *s;) {
    size_t k = 0;
    if (paths && stands_at(msg, s, param, plen)) {
      luaL_addstring(&b, lp);
      s += plen;
      continue;
    }
    while (k < sizeof words / sizeof words[0] && !stands_at(msg, s, words[k].json, strlen(words[k].json)))
      k++;
    if (k < sizeof words / sizeof words[0]) {
      luaL_addstring(&b, words[k].lua);
      s += strlen(words[k].json);
    } else {
      luaL_addchar(&b, *s++);
    }
  }
  luaL_pushresult(&b);
}

/* The string at t[key] (t at idx), left on the stack; NULL when absent or not a string. */
static const char *field(lua_State *L, int idx, const char *key) {
  return lua_getfield(L, idx, key) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
}

int host_lua_raise_plugin_error(lua_State *L, const char *plugin, const char *fn, const char *error_json) {
  const char *code = NULL, *msg = NULL, *param = NULL;
  char why[128];
  int where;
  luaL_where(L, 1); /* the script's line, as luaL_error gives for the host's own */
  where = lua_gettop(L);
  if (host_lua_decode(L, error_json, strlen(error_json), why, sizeof why) == 0 && lua_istable(L, -1) &&
      lua_getfield(L, -1, "error") == LUA_TTABLE) {
    int e = lua_gettop(L);
    code = field(L, e, "code");
    msg = field(L, e, "message");
    if (lua_getfield(L, e, "details") == LUA_TTABLE) param = field(L, -1, "parameter");
  }
  /* A plugin that speaks Lua itself (built before plugins spoke JSON) is shown as it is. */
  if (msg && !strstr(msg, "Lua")) push_lua_words(L, msg, param);
  else lua_pushstring(L, msg ? msg : error_json);
  lua_pushfstring(L, "%s%s.%s: %s: %s", lua_tostring(L, where), plugin, fn, code ? code : "internal_error",
                  lua_tostring(L, -1));
  return lua_error(L);
}
