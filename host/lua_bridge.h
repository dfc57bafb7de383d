/*
 * lua_bridge.h - the pieces of the Lua sandbox that talk to each other: JSON
 * conversion (lua_json.c), the app.integrations namespace (lua_namespace.c).
 */
#ifndef HOST_LUA_BRIDGE_H
#define HOST_LUA_BRIDGE_H

#include <lua.h>

#include "host/host.h"

/* A new userdata on the stack owning one json_object (put by __gc); returns the
 * slot to fill. Keeps a JSON tree safe from leaking when a Lua error unwinds. */
json_object **host_lua_box(lua_State *L);
/* Pushes o as a Lua value (null -> nil). May raise a Lua error (memory). */
void host_lua_push_json(lua_State *L, json_object *o, int depth);
/* The value at idx as JSON (caller puts it); schema (borrowed, may be NULL) decides
 * what an empty table is. Never raises: on failure NULL with err set; nil gives
 * NULL with err empty. path names the value in messages. */
json_object *host_lua_to_json(lua_State *L, int idx, json_object *schema, const char *path, char *err,
                              size_t cap);
/* The sandbox's memory cap in bytes (lua_sandbox.c). */
size_t host_lua_memory_cap(lua_State *L);
/* What the script has left under the cap: the budget of one Lua-to-JSON
 * conversion, whose tree and text are built outside the capped allocator. */
size_t host_lua_memory_left(lua_State *L);
/* on 1 / 0 around a host call that blocks outside the script (a plugin call, a
 * terminal prompt): the watchdog never ends the process in the middle of one.
 * Calls nest; do not raise a Lua error in between. */
void host_lua_blocking(lua_State *L, int on);
/* Milliseconds left of the script's time cap (--timeout-s), at least 1: what a
 * plugin call may take. */
long long host_lua_time_left_ms(lua_State *L);
/* The json global: json.encode, json.decode. */
void host_lua_open_json(lua_State *L);

/* Plugins, loaded plugins and open accounts of one Lua run. */
struct host_lua_ns;
/* Builds app.integrations.* and lua_read_doc for every plugin found (manifests
 * only; libraries load on first call). Returns NULL with err set on failure. */
struct host_lua_ns *host_lua_ns_open(lua_State *L, const struct host_opts *o, struct host_error *err);
/* Frees every account (account_free), then the plugins and manifests. Call after lua_close. */
void host_lua_ns_close(struct host_lua_ns *ns);

#endif
