/*
 * lua_decode_fuzz.c - libFuzzer target for the host's JSON-text-to-Lua scanner
 * (host/lua_decode.c) and the plugin error it feeds (host/lua_errors.c). For any
 * text: decoding leaves exactly one value on success and none on failure, with a
 * reason; it accepts exactly the objects the plugin's own validating scanner
 * (src/json_scan.c) accepts, but for numbers beyond a double; what it decoded
 * goes back through json.encode and decodes again; and the text raised as a
 * plugin's error gives a message, never a crash. Never a leak or undefined
 * behaviour, under a memory cap as the sandbox's.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <string.h>

#include "host/lua_bridge.h"
#include "src/ac.h"
#include "tests/fuzz/fuzz_lua.h"
#include "tests/fuzz/fuzz_util.h"

/* Whether the text's first non-blank byte opens an object (what ac_json_scan reads). */
static int is_object_text(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && strchr(" \t\r\n", s[i]) && s[i]) i++;
  return i < len && s[i] == '{';
}

/* Upvalue-free: arg 1 the text. Lua errors (memory) are caught by the pcall around. */
static int run(lua_State *L) {
  size_t len;
  const char *s = lua_tolstring(L, 1, &len);
  char why[128];
  int top = lua_gettop(L), bad = host_lua_decode(L, s, len, why, sizeof why);
  if (bad ? lua_gettop(L) != top || !why[0] : lua_gettop(L) != top + 1) abort();
  if (is_object_text(s, len) && (ac_json_scan(s, len, NULL) == 0) != !bad && !strstr(why, "beyond the range"))
    abort(); /* the plugin's validator and the host's decoder disagree on this text */
  if (bad) return 0;
  lua_getglobal(L, "json");
  lua_getfield(L, -1, "encode");
  lua_pushvalue(L, top + 1);
  lua_call(L, 1, 1); /* a refused value (too large) raises: fine */
  s = lua_tolstring(L, -1, &len);
  if (host_lua_decode(L, s, len, why, sizeof why)) abort(); /* json.encode's text decodes */
  return 0;
}

static int raise_error(lua_State *L) {
  return host_lua_raise_plugin_error(L, "plugin", "fn", lua_tostring(L, 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct capped cap = {0, 8u << 20};
  lua_State *L = lua_newstate(capped_alloc, &cap);
  if (!L) return 0;
  luaL_openlibs(L);
  host_lua_open_json(L);
  lua_pushcfunction(L, run);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK && !lua_isstring(L, -1)) abort(); /* errors carry a message */
  lua_settop(L, 0);
  lua_pushcfunction(L, raise_error);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_ERRRUN || !lua_isstring(L, -1)) abort(); /* always an error, with words */
  lua_close(L);
  return 0;
}
