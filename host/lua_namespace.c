/*
 * lua_namespace.c - app.integrations.PLUGIN[.ACCOUNT].FUNCTION for Lua scripts, and
 * lua_read_doc. Names resolve from the manifests (short or full function names) and
 * the keystore (account names); libraries load and accounts open on first call.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/lua_bridge.h"
#include "keystore/ks.h"

struct ns_account {
  size_t plugin; /* index in ns->manifests */
  struct host_account *acct;
};

struct host_lua_ns {
  const struct host_opts *o;
  struct host_manifest **manifests; /* every plugin found; owned */
  size_t n;
  struct host_plugin **plugins; /* [n], loaded on first call; one reference each */
  char ***accounts;             /* [n] account names from the keystore, loaded on first need */
  size_t *n_accounts;
  int *accounts_read;
  struct ns_account *open; /* accounts initialised so far */
  size_t n_open;
};

#define NS_KEY "kkp.ns"

static struct host_lua_ns *ns_of(lua_State *L) {
  struct host_lua_ns *ns;
  lua_getfield(L, LUA_REGISTRYINDEX, NS_KEY);
  ns = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return ns;
}

/* The keystore's accounts for plugin i (an unreadable keystore means none). */
static void ns_accounts(struct host_lua_ns *ns, size_t i) {
  char dir[4096];
  struct ks_error kerr;
  if (ns->accounts_read[i]) return;
  ns->accounts_read[i] = 1;
  if (ns->o->keystore) snprintf(dir, sizeof dir, "%s", ns->o->keystore);
  else if (ks_dir_default(dir, sizeof dir, &kerr) != KS_OK) return;
  if (ks_account_list(dir, ns->manifests[i]->name, &ns->accounts[i], &ns->n_accounts[i], &kerr) != KS_OK) {
    ns->accounts[i] = NULL;
    ns->n_accounts[i] = 0;
    if (ns->o->verbose) fprintf(stderr, "[host] accounts of %s: %s\n", ns->manifests[i]->name, kerr.message);
  }
}

static int ns_has_account(struct host_lua_ns *ns, size_t i, const char *name) {
  if (strcmp(name, "default") == 0) return 1; /* always addressable; the plugin says if it is missing */
  ns_accounts(ns, i);
  for (size_t k = 0; k < ns->n_accounts[i]; k++)
    if (strcmp(ns->accounts[i][k], name) == 0) return 1;
  return 0;
}

/* Raises "Unknown function: PATH. Did you mean: X" over function names (and account
 * names when with_accounts), or lists what exists when nothing is close. */
static int unknown(lua_State *L, struct host_lua_ns *ns, size_t i, const char *path, const char *key,
                   int with_accounts) {
  json_object *fs = host_manifest_functions(ns->manifests[i]);
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  luaL_Buffer b;
  for (size_t k = 0; k < json_object_array_length(fs); k++)
    kkp_suggest_consider(key, host_json_str(json_object_array_get_idx(fs, k), "name"), &best, &best_d);
  if (with_accounts) {
    ns_accounts(ns, i);
    for (size_t k = 0; k < ns->n_accounts[i]; k++)
      kkp_suggest_consider(key, ns->accounts[i][k], &best, &best_d);
  }
  luaL_buffinit(L, &b);
  luaL_where(L, 1); /* the script's line, as luaL_error gives */
  luaL_addvalue(&b);
  lua_pushfstring(L, "Unknown function: %s.%s", path, key);
  luaL_addvalue(&b);
  if (best && kkp_suggest_close(key, best_d)) {
    luaL_addstring(&b, ". Did you mean: ");
    luaL_addstring(&b, best);
  } else {
    luaL_addstring(&b, " (functions:");
    for (size_t k = 0; k < json_object_array_length(fs); k++) {
      luaL_addstring(&b, k ? ", " : " ");
      luaL_addstring(&b, host_json_str(json_object_array_get_idx(fs, k), "name"));
    }
    if (with_accounts) {
      luaL_addstring(&b, "; accounts: default");
      for (size_t k = 0; k < ns->n_accounts[i]; k++)
        if (strcmp(ns->accounts[i][k], "default") != 0) {
          luaL_addstring(&b, ", ");
          luaL_addstring(&b, ns->accounts[i][k]);
        }
    }
    luaL_addstring(&b, ")");
  }
  luaL_pushresult(&b);
  return lua_error(L);
}

/* The account (plugin i, name), loading the library and opening it on first use.
 * On failure pushes the error JSON text and returns NULL. */
static struct host_account *ns_account(lua_State *L, struct host_lua_ns *ns, size_t i, const char *name,
                                       int *status) {
  struct host_error err;
  struct ns_account *grown;
  struct host_account *a;
  char *ej = NULL;
  int failed;
  for (size_t k = 0; k < ns->n_open; k++)
    if (ns->open[k].plugin == i && strcmp(ns->open[k].acct->name, name) == 0) return ns->open[k].acct;
  host_lua_blocking(L, 1);
  failed = !ns->plugins[i] && host_plugin_load(ns->manifests[i], &ns->plugins[i], &err);
  host_lua_blocking(L, 0);
  if (failed) {
    *status = -1;
    lua_pushstring(L, err.message);
    return NULL;
  }
  if (!(grown = realloc(ns->open, (ns->n_open + 1) * sizeof *grown))) {
    *status = KKP_ERR_INTERNAL;
    lua_pushstring(L, "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}");
    return NULL;
  }
  ns->open = grown;
  host_lua_blocking(L, 1); /* account_init may ask for the keystore passphrase */
  *status = host_account_open(ns->o, ns->plugins[i], name, &a, &ej);
  host_lua_blocking(L, 0);
  if (*status != KKP_OK) {
    lua_pushstring(L, ej ? ej : "{}");
    free(ej);
    return NULL;
  }
  ns->open[ns->n_open].plugin = i;
  ns->open[ns->n_open++].acct = a;
  return a;
}

/* What one call holds outside Lua, freed by __gc should a Lua error unwind past it
 * (a memory error while the result becomes tables, a refused argument). */
struct call_box {
  json_object *args;
  char *out;
};

static void call_box_free(struct call_box *b) {
  json_object_put(b->args);
  free(b->out);
  b->args = NULL;
  b->out = NULL;
}

static int call_box_gc(lua_State *L) {
  call_box_free(lua_touserdata(L, 1));
  return 0;
}

static struct call_box *call_box_new(lua_State *L) {
  struct call_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->args = NULL;
  b->out = NULL;
  /* the metatable under a pointer key: found without making a string each call */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &call_box_gc) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, call_box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &call_box_gc);
  }
  lua_setmetatable(L, -2);
  return b;
}

/* The parameters schema of f as a schema for the arguments' table: an object even
 * when empty. The manifest's own when it says so (the usual case: nothing to build). */
static json_object *args_schema(json_object *params, json_object **built) {
  json_object *props = NULL;
  *built = NULL;
  if (json_object_is_type(params, json_type_object) && host_json_str(params, "type") &&
      strcmp(host_json_str(params, "type"), "object") == 0)
    return params;
  json_object_object_get_ex(params, "properties", &props);
  if (!(*built = json_object_new_object())) return NULL;
  json_object_object_add(*built, "type", json_object_new_string("object"));
  if (props) json_object_object_add(*built, "properties", json_object_get(props));
  return *built;
}

/* Plain arguments (f(a, b)) map in the manifest's parameter order. Raises on a bad one. */
static json_object *positional_args(lua_State *L, json_object *props, json_object *out, const char *plugin,
                                    const char *fn) {
  char cerr[512];
  int k = 0, nargs = lua_gettop(L) - 1; /* the call box is on top */
  if (props) {
    json_object_object_foreach(props, pname, pschema) {
      json_object *v;
      if (++k > nargs) break;
      if (lua_isnil(L, k)) continue;
      if (!(v = host_lua_to_json(L, k, pschema, pname, cerr, sizeof cerr)))
        return luaL_error(L, "%s.%s: invalid_argument: %s", plugin, fn, cerr), NULL;
      json_object_object_add(out, pname, v);
    }
  }
  if (nargs > k || (k == nargs && !props))
    luaL_error(L, "%s.%s: invalid_argument: takes at most %d positional argument(s), got %d", plugin, fn,
               props ? json_object_object_length(props) : 0, nargs);
  return out;
}

/* The call's arguments as JSON into box->args: none, one table of parameters, or
 * plain arguments. Raises invalid_argument. */
static void call_args(lua_State *L, json_object *f, struct call_box *box, const char *plugin,
                      const char *fn) {
  json_object *params = NULL, *props = NULL, *built, *schema;
  char cerr[512];
  int nargs = lua_gettop(L) - 1;
  json_object_object_get_ex(f, "parameters", &params);
  json_object_object_get_ex(params, "properties", &props);
  if (nargs == 1 && lua_istable(L, 1)) {
    schema = args_schema(params, &built);
    box->args = host_lua_to_json(L, 1, schema, "arguments", cerr, sizeof cerr);
    json_object_put(built);
    if (!box->args) luaL_error(L, "%s.%s: invalid_argument: %s", plugin, fn, cerr);
  } else if (!(box->args = json_object_new_object())) {
    luaL_error(L, "%s.%s: internal_error: out of memory", plugin, fn);
  } else if (nargs > 1 || (nargs == 1 && !lua_isnil(L, 1))) {
    positional_args(L, props, box->args, plugin, fn);
  }
}

/* Raises write_denied unless f may run (a write function asks, or obeys --write). */
static void call_permitted(lua_State *L, struct host_lua_ns *ns, json_object *f, const char *plugin,
                           const char *fn) {
  struct host_error err;
  int permitted;
  if (!host_function_is_write(f)) return;
  host_lua_blocking(L, 1); /* the y/N prompt */
  permitted = host_write_permitted(ns->o, plugin, fn, &err);
  host_lua_blocking(L, 0);
  if (!permitted) luaL_error(L, "%s.%s: write_denied: %s", plugin, fn, err.message);
}

/* Upvalues: plugin index, account name, function name (short), its manifest entry. */
static int ns_call(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(1));
  const char *account = lua_tostring(L, lua_upvalueindex(2)), *fn = lua_tostring(L, lua_upvalueindex(3));
  const char *plugin = ns->manifests[i]->name, *out;
  json_object *f = lua_touserdata(L, lua_upvalueindex(4));
  struct call_box *box = call_box_new(L);
  struct host_account *a;
  char why[128];
  int st;
  call_args(L, f, box, plugin, fn);
  call_permitted(L, ns, f, plugin, fn);
  if (!(a = ns_account(L, ns, i, account, &st))) {
    if (st < 0) return luaL_error(L, "%s.%s: load_error: %s", plugin, fn, lua_tostring(L, -1));
    return host_lua_raise_plugin_error(L, plugin, fn, lua_tostring(L, -1));
  }
  host_lua_blocking(L, 1);
  /* The script's time cap holds inside the call too: the plugin gets what is left;
   * its progress shows on a terminal. */
  st = host_account_invoke_shown(a, fn, json_object_to_json_string_ext(box->args, JSON_C_TO_STRING_PLAIN),
                                 host_lua_time_left_ms(L), &box->out);
  host_lua_blocking(L, 0);
  out = box->out ? box->out : "{}";
  if (st != KKP_OK) return host_lua_raise_plugin_error(L, plugin, fn, out);
  /* The result's text becomes Lua values in one pass, with no tree in between. */
  if (host_lua_decode(L, out, strlen(out), why, sizeof why))
    return luaL_error(L, "%s.%s: internal_error: the plugin returned a result that is not JSON: %s", plugin,
                      fn, why);
  call_box_free(box); /* now rather than when the collector comes by */
  return 1;
}

/* The function's manifest entry rides along: the manifests outlive the Lua state. */
static void push_function(lua_State *L, size_t i, const char *account, json_object *f) {
  lua_pushinteger(L, (lua_Integer)i);
  lua_pushstring(L, account);
  lua_pushstring(L, host_json_str(f, "name"));
  lua_pushlightuserdata(L, f);
  lua_pushcclosure(L, ns_call, 4);
}

/* Every namespace table gets a metatable whose __index resolves names. __metatable
 * hides it from getmetatable and refuses setmetatable: a script that could fetch
 * __index could call it on something that is not a table (lua_rawset on a string
 * corrupts memory) or swap the resolver. Leaves the table on the stack. */
static void set_resolver(lua_State *L, lua_CFunction index, int nup) {
  lua_newtable(L);
  lua_insert(L, -1 - nup);
  lua_pushcclosure(L, index, nup);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "app.integrations is read-only");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

/* __pairs of app.integrations.PLUGIN[.ACCOUNT]: what an agent can use there, each
 * name resolved through the table itself (so the values are what indexing gives):
 * every function, and on a plugin's table every account in the keystore. Returns
 * next over a fresh table of them. Upvalue: plugin index; 2: account (or none). */
static int ns_pairs(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(1));
  int on_plugin = lua_isnone(L, lua_upvalueindex(2));
  json_object *fs = host_manifest_functions(ns->manifests[i]);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_newtable(L);
  for (size_t k = 0; k < json_object_array_length(fs); k++) {
    const char *name = host_json_str(json_object_array_get_idx(fs, k), "name");
    if (!name) continue;
    lua_getfield(L, 1, name);
    lua_setfield(L, -2, name);
  }
  if (on_plugin) {
    ns_accounts(ns, i);
    for (size_t k = 0; k < ns->n_accounts[i]; k++) {
      if (host_manifest_function(ns->manifests[i], ns->accounts[i][k])) continue; /* a function wins */
      lua_getfield(L, 1, ns->accounts[i][k]);
      lua_setfield(L, -2, ns->accounts[i][k]);
    }
  }
  lua_getglobal(L, "next");
  if (!lua_isfunction(L, -1)) return luaL_error(L, "pairs: next is not available");
  lua_insert(L, -2);
  lua_pushnil(L);
  return 3;
}

/* Adds __pairs to the metatable of the table on the stack top (set_resolver's). */
static void set_pairs(lua_State *L, size_t i, const char *account) {
  lua_getmetatable(L, -1); /* raw: __metatable only hides it from scripts */
  lua_pushinteger(L, (lua_Integer)i);
  if (account) lua_pushstring(L, account);
  lua_pushcclosure(L, ns_pairs, account ? 2 : 1);
  lua_setfield(L, -2, "__pairs");
  lua_pop(L, 1);
}

/* __index of app.integrations.PLUGIN.ACCOUNT. Upvalues: plugin index, account. */
static int ns_account_index(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(1));
  const char *account = lua_tostring(L, lua_upvalueindex(2)), *key;
  luaL_checktype(L, 1, LUA_TTABLE); /* rawset below: never on anything else */
  key = luaL_checkstring(L, 2);
  json_object *f = host_manifest_function(ns->manifests[i], key);
  if (!f) {
    lua_pushfstring(L, "app.integrations.%s.%s", ns->manifests[i]->name, account);
    return unknown(L, ns, i, lua_tostring(L, -1), key, 0);
  }
  push_function(L, i, account, f);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 1); /* resolved once */
  return 1;
}

/* __index of app.integrations.PLUGIN. Upvalue: plugin index. */
static int ns_plugin_index(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(1));
  const char *key;
  json_object *f;
  luaL_checktype(L, 1, LUA_TTABLE); /* rawset below: never on anything else */
  key = luaL_checkstring(L, 2);
  f = host_manifest_function(ns->manifests[i], key);
  if (f) {
    push_function(L, i, "default", f);
  } else if (ns_has_account(ns, i, key)) {
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)i);
    lua_pushvalue(L, 2);
    set_resolver(L, ns_account_index, 2);
    set_pairs(L, i, key);
  } else {
    lua_pushfstring(L, "app.integrations.%s", ns->manifests[i]->name);
    return unknown(L, ns, i, lua_tostring(L, -1), key, 1);
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  return 1;
}

/* __index of app.integrations: only unknown plugin names get here. */
static int ns_integrations_index(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  const char *key = luaL_checkstring(L, 2), *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < ns->n; i++) kkp_suggest_consider(key, ns->manifests[i]->name, &best, &best_d);
  if (best && kkp_suggest_close(key, best_d))
    return luaL_error(L, "Unknown integration: app.integrations.%s. Did you mean: %s", key, best);
  return luaL_error(
      L, "Unknown integration: app.integrations.%s (install its plugin, or pass --plugin-dir DIR)", key);
}

/* lua_read_doc("integrations.PLUGIN[.FUNCTION]") */
static int l_read_doc(lua_State *L) {
  struct host_lua_ns *ns = ns_of(L);
  const char *name = luaL_checkstring(L, 1), *rest = name, *fn;
  struct host_error err;
  size_t len;
  char *doc;
  if (strncmp(rest, "integrations.", 13) == 0) rest += 13;
  fn = strchr(rest, '.');
  len = fn ? (size_t)(fn - rest) : strlen(rest);
  for (size_t i = 0; i < ns->n; i++) {
    if (strlen(ns->manifests[i]->name) != len || strncmp(ns->manifests[i]->name, rest, len) != 0) continue;
    if (!(doc = host_doc(ns->manifests[i], fn ? fn + 1 : NULL, &err)))
      return luaL_error(L, "lua_read_doc: %s", err.message);
    lua_pushstring(L, doc);
    free(doc);
    return 1;
  }
  return luaL_error(L, "lua_read_doc: no integration \"%s\" (try \"integrations.NAME\"; see kkp-host list)",
                    name);
}

struct host_lua_ns *host_lua_ns_open(lua_State *L, const struct host_opts *o, struct host_error *err) {
  struct host_lua_ns *ns = calloc(1, sizeof *ns);
  if (!ns) goto nomem;
  ns->o = o;
  if (host_manifest_all(o, &ns->manifests, &ns->n, err)) {
    free(ns);
    return NULL;
  }
  if (ns->n && (!(ns->plugins = calloc(ns->n, sizeof *ns->plugins)) ||
                !(ns->accounts = calloc(ns->n, sizeof *ns->accounts)) ||
                !(ns->n_accounts = calloc(ns->n, sizeof *ns->n_accounts)) ||
                !(ns->accounts_read = calloc(ns->n, sizeof *ns->accounts_read)))) {
    host_lua_ns_close(ns);
    goto nomem;
  }
  lua_pushlightuserdata(L, ns);
  lua_setfield(L, LUA_REGISTRYINDEX, NS_KEY);
  lua_newtable(L); /* app */
  lua_newtable(L); /* app.integrations */
  for (size_t i = 0; i < ns->n; i++) {
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)i);
    set_resolver(L, ns_plugin_index, 1);
    set_pairs(L, i, NULL);
    lua_setfield(L, -2, ns->manifests[i]->name);
  }
  set_resolver(L, ns_integrations_index, 0);
  lua_setfield(L, -2, "integrations");
  lua_setglobal(L, "app");
  lua_pushcfunction(L, l_read_doc);
  lua_setglobal(L, "lua_read_doc");
  return ns;
nomem:
  host_error_set(err, "out of memory building app.integrations");
  return NULL;
}

void host_lua_ns_close(struct host_lua_ns *ns) {
  if (!ns) return;
  for (size_t k = 0; k < ns->n_open; k++) host_account_close(ns->open[k].acct);
  free(ns->open);
  for (size_t i = 0; i < ns->n; i++) {
    if (ns->plugins) host_plugin_release(ns->plugins[i]);
    if (ns->accounts && ns->accounts[i]) ks_names_free(ns->accounts[i], ns->n_accounts[i]);
  }
  free(ns->plugins);
  free(ns->accounts);
  free(ns->n_accounts);
  free(ns->accounts_read);
  host_manifest_all_free(ns->manifests, ns->n);
  free(ns);
}
