/*
 * lua_json.c - Lua values to JSON: tables -> objects or arrays, Lua integers -> 64-bit
 * integers, nil -> null; a parameter's JSON Schema decides what an empty table is. Also
 * the json.encode/json.decode globals (the way back is lua_decode.c).
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

static json_object *to_json(lua_State *L, int idx, json_object *schema, int depth, const char *path,
                            struct conv *c);

static json_object *number_to_json(lua_State *L, int idx, json_object *schema, const char *path,
                                   struct conv *c) {
  json_object *o;
  lua_Number d;
  if (lua_isinteger(L, idx))
    return (o = json_object_new_int64((int64_t)lua_tointeger(L, idx))) ? o : nomem(c, path);
  d = lua_tonumber(L, idx);
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

static json_object *string_to_json(lua_State *L, int idx, const char *path, struct conv *c) {
  json_object *o;
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  if (len >= INT32_MAX) { /* json-c's lengths are ints */
    snprintf(c->err, c->cap, "%s is a string of %zu bytes, longer than JSON text may be here", path, len);
    return NULL;
  }
  if (charge_string(c, s, len, path)) return NULL;
  return (o = json_object_new_string_len(s, (int)len)) ? o : nomem(c, path);
}

/* The sequence 1..n of the table at idx as an array; items is the schema of each. */
static json_object *array_to_json(lua_State *L, int idx, lua_Integer n, json_object *items, int depth,
                                  const char *path, struct conv *c) {
  json_object *out = json_object_new_array(), *v;
  char sub[256];
  if (!out) return nomem(c, path);
  for (lua_Integer i = 1; i <= n; i++) {
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

/* The key under lua_next's value as an object key (a string, or an integer's digits
 * in buf); never converted in place, which would confuse lua_next. */
static const char *object_key(lua_State *L, char *buf, size_t cap) {
  if (lua_type(L, -2) == LUA_TSTRING) return lua_tostring(L, -2);
  if (!lua_isinteger(L, -2)) return NULL;
  snprintf(buf, cap, "%lld", (long long)lua_tointeger(L, -2));
  return buf;
}

/* The table at idx as an object, its members in the schema's order (in_schema_order). */
static json_object *object_to_json(lua_State *L, int idx, json_object *schema, int depth, const char *path,
                                   struct conv *c) {
  json_object *out = json_object_new_object(), *v;
  char sub[256], keybuf[64];
  const char *key;
  if (!out) return nomem(c, path);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (!(key = object_key(L, keybuf, sizeof keybuf))) {
      snprintf(c->err, c->cap, "%s has a %s key; JSON object keys are strings", path, luaL_typename(L, -2));
      lua_pop(L, 2);
      json_object_put(out);
      return NULL;
    }
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    v = charge(c, COST_CHILD + TEXT_FACTOR * 2, sub) || charge_string(c, key, strlen(key), sub)
            ? NULL
            : to_json(L, -1, sub_schema(schema, "properties", key), depth + 1, sub, c);
    if (!v && *c->err) {
      lua_pop(L, 2);
      json_object_put(out);
      return NULL;
    }
    json_object_object_add(out, key, v);
    lua_pop(L, 1);
  }
  return in_schema_order(out, sub_schema(schema, "properties", NULL));
}

/* A table: a cycle is refused; a sequence (or an empty table the schema calls an
 * array) is an array, any other an object. */
static json_object *table_to_json(lua_State *L, int idx, json_object *schema, int depth, const char *path,
                                  struct conv *c) {
  lua_Integer n;
  int as_array;
  c->path_tables[depth] = lua_topointer(L, idx);
  for (int d = 0; d < depth; d++)
    if (c->path_tables[d] == c->path_tables[depth]) {
      snprintf(c->err, c->cap, "%s is a cycle: it contains itself, which JSON cannot carry", path);
      return NULL;
    }
  n = sequence_length(L, idx);
  as_array = n > 0 || (n == 0 && schema_is(schema, "array") && !schema_is(schema, "object"));
  if (charge(c, as_array ? COST_ARRAY : COST_OBJECT, path)) return NULL;
  if (as_array) return array_to_json(L, idx, n, sub_schema(schema, "items", NULL), depth, path, c);
  return object_to_json(L, idx, schema, depth, path, c);
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
  case LUA_TNUMBER: return number_to_json(L, idx, schema, path, c);
  case LUA_TSTRING: return string_to_json(L, idx, path, c);
  case LUA_TTABLE: return table_to_json(L, idx, schema, depth, path, c);
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
  char why[128];
  if (host_lua_decode(L, s, len, why, sizeof why))
    return luaL_error(L, "json.decode: not valid JSON: %s", why);
  return 1;
}

void host_lua_open_json(lua_State *L) {
  static const luaL_Reg fns[] = {{"encode", l_encode}, {"decode", l_decode}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setglobal(L, "json");
}
