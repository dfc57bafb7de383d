/*
 * lua_json.c - the one place where JSON and Lua values convert: objects <-> tables,
 * arrays <-> sequences, 64-bit integers <-> Lua integers, null -> nil. A parameter's
 * JSON Schema decides what an empty table is. Also the json.encode/json.decode globals.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "host/lua_bridge.h"

/* Levels counted as json-c counts them (plugin.h): a script may send what the
 * host's parser and the plugins accept, no deeper. The top value is depth 0. */
#define MAX_DEPTH KKP_JSON_MAX_DEPTH

/* ---- JSON -> Lua ---- */

/* A json_object owned by a userdata, so that a Lua error (out of memory while
 * building tables) never leaks it: the collector puts it. */
static int box_gc(lua_State *L) {
  json_object **b = lua_touserdata(L, 1);
  if (b && *b) {
    json_object_put(*b);
    *b = NULL;
  }
  return 0;
}

json_object **host_lua_box(lua_State *L) {
  json_object **b = lua_newuserdatauv(L, sizeof *b, 0);
  *b = NULL;
  if (luaL_newmetatable(L, "kkp.jsonbox")) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

void host_lua_push_json(lua_State *L, json_object *o, int depth) {
  luaL_checkstack(L, 3, "JSON nested too deeply");
  if (depth > MAX_DEPTH) luaL_error(L, "JSON nested deeper than %d levels", MAX_DEPTH);
  switch (json_object_get_type(o)) {
  case json_type_null: lua_pushnil(L); break;
  case json_type_boolean: lua_pushboolean(L, json_object_get_boolean(o)); break;
  case json_type_int:
    /* uint64 above INT64_MAX cannot be a Lua integer: keep it as a float */
    if (json_object_get_int64(o) == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX)
      lua_pushnumber(L, (lua_Number)json_object_get_uint64(o));
    else lua_pushinteger(L, (lua_Integer)json_object_get_int64(o));
    break;
  case json_type_double: {
    /* json-c reads NaN, Infinity and 1e999; none is a JSON number a script can send back */
    double d = json_object_get_double(o);
    if (!isfinite(d))
      luaL_error(L, "JSON number %s is not finite (NaN, Infinity or out of range)",
                 json_object_get_string(o));
    lua_pushnumber(L, d);
    break;
  }
  case json_type_string:
    lua_pushlstring(L, json_object_get_string(o), (size_t)json_object_get_string_len(o));
    break;
  case json_type_array: {
    size_t n = json_object_array_length(o);
    lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
      host_lua_push_json(L, json_object_array_get_idx(o, i), depth + 1);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  }
  case json_type_object:
    lua_createtable(L, 0, json_object_object_length(o));
    json_object_object_foreach(o, k, v) {
      host_lua_push_json(L, v, depth + 1);
      lua_setfield(L, -2, k);
    }
    break;
  }
}

/* ---- Lua -> JSON ---- */

/* Whether the schema's "type" (a string or a list of strings) names t. */
static int schema_is(json_object *schema, const char *t) {
  json_object *ty;
  if (!schema || !json_object_object_get_ex(schema, "type", &ty)) return 0;
  if (json_object_is_type(ty, json_type_string)) return strcmp(json_object_get_string(ty), t) == 0;
  return host_json_array_has(ty, t);
}

static json_object *sub_schema(json_object *schema, const char *member, const char *key) {
  json_object *m, *s = NULL;
  if (!schema || !json_object_object_get_ex(schema, member, &m)) return NULL;
  if (!key) return m;
  json_object_object_get_ex(m, key, &s);
  return s;
}

/* n > 0 when the table at idx is exactly the sequence 1..n; 0 when empty; -1 otherwise. */
static lua_Integer sequence_length(lua_State *L, int idx) {
  lua_Integer count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
      lua_pop(L, 1);
      return -1;
    }
    if (lua_tointeger(L, -1) > max) max = lua_tointeger(L, -1);
    count++;
  }
  return count == max ? count : -1;
}

/* Table traversal order is arbitrary: put the schema's properties first, in the
 * manifest's order, then any others, so the JSON sent is stable. Consumes obj. */
static json_object *in_schema_order(json_object *obj, json_object *props) {
  json_object *sorted, *v;
  if (!props || !(sorted = json_object_new_object())) return obj;
  json_object_object_foreach(props, pk, ps) {
    (void)ps;
    if (json_object_object_get_ex(obj, pk, &v)) json_object_object_add(sorted, pk, json_object_get(v));
  }
  json_object_object_foreach(obj, k, val) {
    if (!json_object_object_get_ex(props, k, NULL)) json_object_object_add(sorted, k, json_object_get(val));
  }
  json_object_put(obj);
  return sorted;
}

/* One conversion: where the error goes, the tables on the path from the root (to
 * name a cycle), and what is left of the size budget. The JSON tree and then its
 * text are built with malloc, outside the sandbox's allocator: without a budget a
 * table that holds the same subtable twice, nested 30 deep, would make 2^30 nodes.
 * The budget is what the script has left under its cap, and every node is charged
 * as it is made, for the tree and for the text it will print as: the script and
 * the conversion together stay under --memory-mb. */
struct conv {
  char *err;
  size_t cap;
  const void *path_tables[MAX_DEPTH + 1];
  size_t budget; /* bytes the tree and its text may still take */
};

/* What json-c spends per value, from its structures (with malloc's headers): a
 * scalar's json_object; an array's object, array_list and the 32 slots it reserves;
 * an object's hash table with its 16 reserved entries; and per element or member,
 * the slot or entry it takes as the container grows (doubling), plus a key's copy. */
#define COST_SCALAR 64
#define COST_ARRAY 384
#define COST_OBJECT 1024
#define COST_CHILD 48
/* The text is printed into a buffer that doubles as it grows: up to twice its length. */
#define TEXT_FACTOR 2

static int charge(struct conv *c, size_t bytes, const char *path) {
  if (bytes > c->budget) {
    snprintf(c->err, c->cap,
             "%s is too large to convert to JSON (over the memory cap; raise it with --memory-mb)", path);
    c->budget = 0;
    return -1;
  }
  c->budget -= bytes;
  return 0;
}

/* The length of s as JSON text: quotes, \" and \\, \u00XX for control bytes. */
static size_t text_len(const char *s, size_t n) {
  size_t out = 2;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    out += ch == '"' || ch == '\\' ? 2 : ch < 0x20 ? 6 : 1;
  }
  return out;
}

/* Charges a string (a value or a key) for its json-c copy and for its text. */
static int charge_string(struct conv *c, const char *s, size_t n, const char *path) {
  return charge(c, n + 1 + TEXT_FACTOR * text_len(s, n), path);
}

static json_object *nomem(struct conv *c, const char *path) {
  snprintf(c->err, c->cap, "out of memory converting %s to JSON", path);
  return NULL;
}

/* Never raises a Lua error (so nothing built here can leak): on failure returns
 * NULL with the reason in c->err. path names the value for the message. */
static json_object *to_json(lua_State *L, int idx, json_object *schema, int depth, const char *path,
                            struct conv *c) {
  json_object *o;
  idx = lua_absindex(L, idx);
  if (depth >= MAX_DEPTH || !lua_checkstack(L, 4)) {
    snprintf(c->err, c->cap, "%s is nested deeper than %d levels", path, MAX_DEPTH);
    return NULL;
  }
  /* A scalar's text: 24 bytes hold any number; the container's own cost is added below. */
  if (charge(c, COST_SCALAR + TEXT_FACTOR * 24, path)) return NULL;
  switch (lua_type(L, idx)) {
  case LUA_TNIL: return NULL; /* json-c's null: not an error */
  case LUA_TBOOLEAN: return (o = json_object_new_boolean(lua_toboolean(L, idx))) ? o : nomem(c, path);
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx))
      return (o = json_object_new_int64((int64_t)lua_tointeger(L, idx))) ? o : nomem(c, path);
    {
      lua_Number d = lua_tonumber(L, idx);
      /* 10.0 given where the schema wants an integer is the integer 10 */
      if (schema_is(schema, "integer") && !schema_is(schema, "number") && d == floor(d) && d >= -9.2e18 &&
          d <= 9.2e18)
        return (o = json_object_new_int64((int64_t)d)) ? o : nomem(c, path);
      if (isnan(d) || isinf(d)) {
        snprintf(c->err, c->cap, "%s is %s, which JSON cannot carry", path, isnan(d) ? "NaN" : "infinite");
        return NULL;
      }
      return (o = json_object_new_double(d)) ? o : nomem(c, path);
    }
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len >= INT32_MAX) { /* json-c's lengths are ints */
      snprintf(c->err, c->cap, "%s is a string of %zu bytes, longer than JSON text may be here", path, len);
      return NULL;
    }
    if (charge_string(c, s, len, path)) return NULL;
    return (o = json_object_new_string_len(s, (int)len)) ? o : nomem(c, path);
  }
  case LUA_TTABLE: {
    lua_Integer n;
    int as_array;
    json_object *out;
    char sub[256];
    c->path_tables[depth] = lua_topointer(L, idx);
    for (int d = 0; d < depth; d++)
      if (c->path_tables[d] == c->path_tables[depth]) {
        snprintf(c->err, c->cap, "%s is a cycle: it contains itself, which JSON cannot carry", path);
        return NULL;
      }
    n = sequence_length(L, idx);
    as_array = n > 0 || (n == 0 && schema_is(schema, "array") && !schema_is(schema, "object"));
    if (charge(c, as_array ? COST_ARRAY : COST_OBJECT, path)) return NULL;
    if (!(out = as_array ? json_object_new_array() : json_object_new_object())) return nomem(c, path);
    if (as_array) {
      json_object *items = sub_schema(schema, "items", NULL);
      for (lua_Integer i = 1; i <= n; i++) {
        json_object *v;
        lua_rawgeti(L, idx, i);
        snprintf(sub, sizeof sub, "%s[%lld]", path, (long long)i);
        v = charge(c, COST_CHILD + TEXT_FACTOR, sub) ? NULL : to_json(L, -1, items, depth + 1, sub, c);
        lua_pop(L, 1);
        if (!v && *c->err) {
          json_object_put(out);
          return NULL;
        }
        json_object_array_add(out, v);
      }
      return out;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      char keybuf[64];
      const char *key;
      json_object *v;
      if (lua_type(L, -2) == LUA_TSTRING) {
        key = lua_tostring(L, -2);
      } else if (lua_isinteger(L, -2)) {
        snprintf(keybuf, sizeof keybuf, "%lld", (long long)lua_tointeger(L, -2));
        key = keybuf;
      } else {
        snprintf(c->err, c->cap, "%s has a %s key; JSON object keys are strings", path, luaL_typename(L, -2));
        lua_pop(L, 2);
        json_object_put(out);
        return NULL;
      }
      snprintf(sub, sizeof sub, "%s.%s", path, key);
      v = charge(c, COST_CHILD + TEXT_FACTOR * 2, sub) || charge_string(c, key, strlen(key), sub)
              ? NULL
              : to_json(L, -1, sub_schema(schema, "properties", key), depth + 1, sub, c);
      lua_pop(L, 1);
      if (!v && *c->err) {
        lua_pop(L, 1);
        json_object_put(out);
        return NULL;
      }
      json_object_object_add(out, key, v);
    }
    return in_schema_order(out, sub_schema(schema, "properties", NULL));
  }
  default:
    snprintf(c->err, c->cap, "%s is a %s, which has no JSON form (use tables, strings, numbers, booleans)",
             path, luaL_typename(L, idx));
    return NULL;
  }
}

json_object *host_lua_to_json(lua_State *L, int idx, json_object *schema, const char *path, char *err,
                              size_t cap) {
  struct conv c = {.err = err, .cap = cap, .budget = host_lua_memory_left(L)};
  err[0] = '\0';
  return to_json(L, idx, schema, 0, path, &c);
}

/* ---- json.encode / json.decode ---- */

static int l_encode(lua_State *L) {
  char err[512];
  json_object **box;
  luaL_checkany(L, 1);
  box = host_lua_box(L);
  *box = host_lua_to_json(L, 1, NULL, "value", err, sizeof err);
  if (!*box && *err) return luaL_error(L, "json.encode: %s", err);
  lua_pushstring(
      L, json_object_to_json_string_ext(*box, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  return 1;
}

static int l_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  json_object **box = host_lua_box(L);
  enum json_tokener_error e;
  *box = host_json_parse(s, len, &e);
  if (e != json_tokener_success)
    return luaL_error(L, "json.decode: not valid JSON: %s", json_tokener_error_desc(e));
  host_lua_push_json(L, *box, 0);
  return 1;
}

void host_lua_open_json(lua_State *L) {
  static const luaL_Reg fns[] = {{"encode", l_encode}, {"decode", l_decode}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setglobal(L, "json");
}
