/*
 * fuzz_lua.h - what the Lua fuzz targets share: a Lua state's allocator with a memory
 * cap (as the sandbox keeps one), and the rest of the sandbox's interface
 * (host/lua_bridge.h) for states made with it, so that host/lua_sandbox.c, whose
 * allocator these states do not use, is never linked in: its functions would read
 * another struct through the same pointer.
 */
#ifndef FUZZ_LUA_H
#define FUZZ_LUA_H

#include <lua.h>
#include <stdlib.h>

#include "host/lua_bridge.h"

struct capped {
  size_t used, limit;
};

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  struct capped *c = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    c->used -= old;
    return NULL;
  }
  if (nsize > old && c->used - old + nsize > c->limit) return NULL;
  void *np = realloc(ptr, nsize);
  if (np) c->used = c->used - old + nsize;
  return np;
}

size_t host_lua_memory_cap(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ((struct capped *)ud)->limit;
}

size_t host_lua_memory_left(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  struct capped *c = ud;
  return c->used < c->limit ? c->limit - c->used : 0;
}

void host_lua_blocking(lua_State *L, int on) {
  (void)L, (void)on;
}

long long host_lua_time_left_ms(lua_State *L) { /* these states have no time cap */
  (void)L;
  return 9000000000000000LL;
}

#endif
