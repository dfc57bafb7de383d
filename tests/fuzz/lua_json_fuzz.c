/*
 * lua_json_fuzz.c - libFuzzer target for the host's Lua <-> JSON conversion
 * (host/lua_json.c): json.decode of any text, then the value back to JSON through
 * host_lua_to_json (with a parameter schema of the aircall manifest, as a plugin
 * call does) and json.encode, also after the script-side shapes that are hard for
 * a converter: a table that contains itself, and one subtable shared many times.
 * Errors are Lua errors or messages, never a crash, a leak or undefined behaviour.
 * Input: byte 0 picks the schema (bits 0-3) and the shapes (bits 4-5); the rest
 * is the JSON text.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>

#include "host/lua_bridge.h"
#include "tests/fuzz/fuzz_lua.h"
#include "tests/fuzz/fuzz_util.h"

static json_object *schemas[16];
static size_t n_schemas;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  static json_object *manifest;
  json_object *fns;
  manifest = json_object_from_file("manifest/aircall.json");
  if (!manifest || !json_object_object_get_ex(manifest, "functions", &fns)) {
    fprintf(stderr, "fuzz: run from the repository root (manifest/aircall.json)\n");
    abort();
  }
  schemas[n_schemas++] = NULL;
  for (size_t i = 0; i < json_object_array_length(fns) && n_schemas < 16; i++) {
    json_object *p;
    if (json_object_object_get_ex(json_object_array_get_idx(fns, i), "parameters", &p))
      schemas[n_schemas++] = p;
  }
  return 0;
}

/* Value at the top: when a table, t.self = t (shapes bit 0) and t.s1..t.s64 = one
 * shared subtable holding t's copy (bit 1). */
static void reshape(lua_State *L, int shapes) {
  if (!lua_istable(L, -1)) return;
  if (shapes & 1) {
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "self");
  }
  if (shapes & 2) {
    lua_newtable(L);
    for (int i = 1; i <= 8; i++) {
      lua_pushinteger(L, i);
      lua_rawseti(L, -2, i);
    }
    for (int i = 1; i <= 64; i++) {
      char k[8];
      snprintf(k, sizeof k, "s%d", i);
      lua_pushvalue(L, -1);
      lua_setfield(L, -3, k);
    }
    lua_pop(L, 1);
  }
}

static int run(lua_State *L) {
  const char *text = lua_touserdata(L, 1);
  int flags = (int)lua_tointeger(L, 2);
  size_t len = (size_t)lua_tointeger(L, 3);
  char err[512];
  lua_settop(L, 0);
  lua_getglobal(L, "json");
  lua_getfield(L, 1, "decode");
  lua_pushlstring(L, text, len);
  lua_call(L, 1, 1); /* errors for bad JSON: caught by the pcall around run */
  reshape(L, flags >> 4);
  json_object *o = host_lua_to_json(L, -1, schemas[(flags & 15) % n_schemas], "args", err, sizeof err);
  if (!o && !err[0] && !lua_isnil(L, -1)) abort(); /* only nil converts to null */
  json_object_put(o);
  lua_getfield(L, 1, "encode");
  lua_pushvalue(L, -2);
  lua_call(L, 1, 1);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  struct capped cap = {0, 8u << 20};
  lua_State *L = lua_newstate(capped_alloc, &cap);
  if (!L) return 0;
  luaL_openlibs(L);
  host_lua_open_json(L);
  lua_pushcfunction(L, run);
  lua_pushlightuserdata(L, (void *)(data + 1));
  lua_pushinteger(L, data[0]);
  lua_pushinteger(L, (lua_Integer)(size - 1));
  if (lua_pcall(L, 3, 0, 0) != LUA_OK && !lua_isstring(L, -1)) abort(); /* errors carry a message */
  lua_close(L);
  return 0;
}
