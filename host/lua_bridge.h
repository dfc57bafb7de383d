/*
 * lua_bridge.h - the pieces of the Lua sandbox that talk to each other: JSON text to
 * Lua (lua_decode.c), Lua to JSON (lua_json.c), plugin errors in Lua's words
 * (lua_errors.c), the app.integrations namespace (lua_namespace.c).
 */
#ifndef HOST_LUA_BRIDGE_H
#define HOST_LUA_BRIDGE_H

#include <lua.h>

#include "host/host.h"

/* A new userdata on the stack owning one json_object (put by __gc); returns the
 * slot to fill. Keeps a JSON tree safe from leaking when a Lua error unwinds. */
json_object **host_lua_box(lua_State *L);
/* Pushes the Lua value of the JSON text s[0..len), which must be followed by a NUL
 * (as every Lua and C string is): objects as tables, arrays as sequences, integers
 * that fit 64 bits as Lua integers, other numbers as floats, null as nil. Strict RFC
 * 8259, at most KKP_JSON_MAX_DEPTH levels. Returns 0 with one value pushed, or -1
 * with nothing pushed and what is wrong in why ("unexpected character"). Raises
 * only Lua's own errors (memory: everything is built under the sandbox's cap). */
int host_lua_decode(lua_State *L, const char *s, size_t len, char *why, size_t cap);
/* Raises "SCRIPT:LINE: PLUGIN.FUNCTION: CODE: MESSAGE" from a plugin's error JSON,
 * its message in Lua's words (1-based paths, "a Lua sequence"). */
int host_lua_raise_plugin_error(lua_State *L, const char *plugin, const char *fn, const char *error_json);
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
