/*
 * lua_sandbox.c - runs an agent's Lua script with only what it needs: base (no file
 * loading, text chunks only), string (no dump), table, math, utf8, os.time/date/clock,
 * under a memory cap (the allocator) and a time cap (an instruction-count hook, and a
 * watchdog thread for the C library calls no hook can interrupt).
 */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/lua_bridge.h"

/* How long past the deadline a C library call (a pattern match over a long string
 * is the usual one: seconds of C with no Lua instruction for the hook) may go on
 * before the watchdog ends the process. */
#define WATCHDOG_GRACE_S 1.0

struct sandbox {
  size_t used, limit;
  int hit_limit;   /* an allocation was refused by the cap */
  int timed_out;   /* the time cap has raised its error */
  double deadline; /* CLOCK_MONOTONIC seconds */
  double timeout_s;
  /* the watchdog */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int watching, stop;
  atomic_int in_host; /* > 0 while the host waits on a plugin or the terminal: not the script's time */
  char stop_msg[256];
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The memory cap: Lua turns a NULL from here into "not enough memory". */
static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  struct sandbox *sb = ud;
  size_t old = ptr ? osize : 0;
  void *np;
  if (nsize == 0) {
    free(ptr);
    sb->used -= old;
    return NULL;
  }
  if (nsize > old && sb->used - old + nsize > sb->limit) {
    sb->hit_limit = 1;
    return NULL;
  }
  if (!(np = realloc(ptr, nsize))) return NULL;
  sb->used = sb->used - old + nsize;
  return np;
}

static struct sandbox *sandbox_of(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

size_t host_lua_memory_cap(lua_State *L) {
  return sandbox_of(L)->limit;
}

size_t host_lua_memory_left(lua_State *L) {
  struct sandbox *sb = sandbox_of(L);
  return sb->used < sb->limit ? sb->limit - sb->used : 0;
}

void host_lua_blocking(lua_State *L, int on) {
  atomic_fetch_add(&sandbox_of(L)->in_host, on ? 1 : -1);
}

long long host_lua_time_left_ms(lua_State *L) {
  double left = (sandbox_of(L)->deadline - now_s()) * 1000.0;
  if (!(left >= 1.0)) return 1;
  return left < 9e15 ? (long long)left : 9000000000000000LL;
}

static struct timespec timespec_at(double s) {
  struct timespec ts;
  if (!(s < 1e10)) s = 1e10; /* --timeout-s 1e300: "never", without overflowing time_t */
  ts.tv_sec = (time_t)s;
  ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
  return ts;
}

/* Ends the process once the deadline plus the grace has passed with the script
 * still running and the host not waiting on a plugin (a plugin call is never cut in
 * half; the hook stops the script right after it returns). Exiting is the only way
 * out of a C call that does not return: the message is formatted beforehand, and
 * what print() has buffered is flushed when nobody holds stdout. */
static void *watchdog_main(void *arg) {
  struct sandbox *sb = arg;
  struct timespec at = timespec_at(sb->deadline + WATCHDOG_GRACE_S);
  pthread_mutex_lock(&sb->mu);
  while (!sb->stop) {
    if (pthread_cond_timedwait(&sb->cv, &sb->mu, &at) != ETIMEDOUT || sb->stop) continue;
    if (atomic_load(&sb->in_host) > 0) {
      at = timespec_at(now_s() + WATCHDOG_GRACE_S);
      continue;
    }
    if (ftrylockfile(stdout) == 0) {
      fflush(stdout);
      funlockfile(stdout);
    }
    if (write(STDERR_FILENO, sb->stop_msg, strlen(sb->stop_msg)) < 0) {
      /* nothing more to do: the status still says it failed */
    }
    _exit(HOST_EXIT_HOST);
  }
  pthread_mutex_unlock(&sb->mu);
  return NULL;
}

static int watchdog_start(struct sandbox *sb) {
  pthread_condattr_t ca;
  snprintf(sb->stop_msg, sizeof sb->stop_msg,
           "kkp-host: lua: time limit of %g s exceeded in a library call that cannot be interrupted (such as "
           "a pattern match over a long string): the script was stopped (raise the cap with --timeout-s)\n",
           sb->timeout_s);
  if (pthread_mutex_init(&sb->mu, NULL)) return -1;
  if (pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
      pthread_cond_init(&sb->cv, &ca)) {
    pthread_mutex_destroy(&sb->mu);
    return -1;
  }
  pthread_condattr_destroy(&ca);
  if (pthread_create(&sb->thread, NULL, watchdog_main, sb)) {
    pthread_cond_destroy(&sb->cv);
    pthread_mutex_destroy(&sb->mu);
    return -1;
  }
  sb->watching = 1;
  return 0;
}

static void watchdog_stop(struct sandbox *sb) {
  if (!sb->watching) return;
  pthread_mutex_lock(&sb->mu);
  sb->stop = 1;
  pthread_cond_signal(&sb->cv);
  pthread_mutex_unlock(&sb->mu);
  pthread_join(sb->thread, NULL);
  pthread_cond_destroy(&sb->cv);
  pthread_mutex_destroy(&sb->mu);
  sb->watching = 0;
}

/* The time cap: checked every few thousand instructions. Once past the deadline
 * every later check raises again, so pcall cannot swallow it for long. */
static void sandbox_hook(lua_State *L, lua_Debug *ar) {
  struct sandbox *sb = sandbox_of(L);
  (void)ar;
  if (now_s() > sb->deadline) {
    sb->timed_out = 1;
    luaL_error(L, "time limit of %f s exceeded: the script ran too long (raise the cap with --timeout-s)",
               sb->timeout_s);
  }
}

/* pcall and xpcall that cannot swallow the caps: once the time cap has fired, or
 * the memory cap has left Lua without memory, the error goes on to the top. */
static int sandbox_protected_call(lua_State *L) {
  struct sandbox *sb = sandbox_of(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  if (lua_toboolean(L, 1)) return lua_gettop(L);
  if (sb->timed_out || (sb->hit_limit && lua_type(L, 2) == LUA_TSTRING &&
                        strcmp(lua_tostring(L, 2), "not enough memory") == 0)) {
    lua_settop(L, 2);
    return lua_error(L);
  }
  return lua_gettop(L);
}

/* load() for text chunks only: bytecode can break the VM's safety. Keeps the
 * caller's argument count, since load(s, n, m) and load(s, n, m, nil) differ. */
static int sandbox_load(lua_State *L) {
  int n = lua_gettop(L);
  if (n >= 3 && !lua_isnil(L, 3) && strcmp(luaL_checkstring(L, 3), "t") != 0)
    return luaL_error(L, "load: only text chunks may be loaded in the sandbox (mode \"t\"), not mode \"%s\"",
                      lua_tostring(L, 3));
  if (n < 3) n = 3;
  if (n > 4) n = 4;
  lua_settop(L, n);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* dump(value): a readable, stable (sorted) rendering of any value, printed. */
static const char dump_lua[] =
    "local function key_lt(a, b)\n"
    "  local ta, tb = type(a), type(b)\n"
    "  if ta ~= tb then return ta < tb end\n"
    "  if ta == 'number' or ta == 'string' then return a < b end\n"
    "  return tostring(a) < tostring(b)\n"
    "end\n"
    "local function render(v, indent, seen, out)\n"
    "  if type(v) == 'string' then out[#out + 1] = string.format('%q', v) return end\n"
    "  if type(v) ~= 'table' then out[#out + 1] = tostring(v) return end\n"
    "  if seen[v] then out[#out + 1] = '<cycle>' return end\n"
    "  seen[v] = true\n"
    "  local keys = {}\n"
    "  for k in pairs(v) do keys[#keys + 1] = k end\n"
    "  if #keys == 0 then out[#out + 1] = '{}' seen[v] = nil return end\n"
    "  table.sort(keys, key_lt)\n"
    "  local n = #v\n"
    "  out[#out + 1] = '{\\n'\n"
    "  local pad = string.rep('  ', indent + 1)\n"
    "  for _, k in ipairs(keys) do\n"
    "    out[#out + 1] = pad\n"
    "    if not (math.type(k) == 'integer' and k >= 1 and k <= n) then\n"
    "      if type(k) == 'string' and k:match('^[%a_][%w_]*$') then out[#out + 1] = k .. ' = '\n"
    "      else out[#out + 1] = '['; render(k, indent + 1, seen, out); out[#out + 1] = '] = ' end\n"
    "    end\n"
    "    render(v[k], indent + 1, seen, out)\n"
    "    out[#out + 1] = ',\\n'\n"
    "  end\n"
    "  out[#out + 1] = string.rep('  ', indent) .. '}'\n"
    "  seen[v] = nil\n"
    "end\n"
    "return function(...)\n"
    "  local parts = {}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local out = {}\n"
    "    render((select(i, ...)), 0, {}, out)\n"
    "    parts[#parts + 1] = table.concat(out)\n"
    "  end\n"
    "  print(table.concat(parts, '\\t'))\n"
    "  return ...\n"
    "end\n";

static void open_sandbox_libs(lua_State *L) {
  static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                  {LUA_STRLIBNAME, luaopen_string},
                                  {LUA_TABLIBNAME, luaopen_table},
                                  {LUA_MATHLIBNAME, luaopen_math},
                                  {LUA_UTF8LIBNAME, luaopen_utf8},
                                  {LUA_OSLIBNAME, luaopen_os},
                                  {NULL, NULL}};
  static const char *const base_removed[] = {"dofile", "loadfile", NULL};
  static const char *const os_kept[] = {"time", "date", "clock", NULL};
  for (const luaL_Reg *l = libs; l->func; l++) {
    luaL_requiref(L, l->name, l->func, 1);
    lua_pop(L, 1);
  }
  for (const char *const *n = base_removed; *n; n++) {
    lua_pushnil(L);
    lua_setglobal(L, *n);
  }
  lua_getglobal(L, "load");
  lua_pushcclosure(L, sandbox_load, 1);
  lua_setglobal(L, "load");
  lua_getglobal(L, "pcall");
  lua_pushcclosure(L, sandbox_protected_call, 1);
  lua_setglobal(L, "pcall");
  lua_getglobal(L, "xpcall");
  lua_pushcclosure(L, sandbox_protected_call, 1);
  lua_setglobal(L, "xpcall");
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  /* os: a fresh table holding only the harmless clock functions */
  lua_getglobal(L, LUA_OSLIBNAME);
  lua_newtable(L);
  for (const char *const *n = os_kept; *n; n++) {
    lua_getfield(L, -2, *n);
    lua_setfield(L, -2, *n);
  }
  lua_setglobal(L, LUA_OSLIBNAME);
  lua_pop(L, 1);
}

/* Loads the script (path, or "-" for stdin) as a text chunk: luaL_loadfilex skips a
 * first line starting with '#' (#!/usr/bin/env kkp-host lua) and a UTF-8 BOM, and
 * refuses bytecode like load() does. Says why on stderr when it cannot. */
static int load_script(lua_State *L, const char *path) {
  const char *name = strcmp(path, "-") == 0 ? NULL : path, *msg, *why;
  int st = luaL_loadfilex(L, name, "t");
  if (st == LUA_OK) return 0;
  msg = lua_tostring(L, -1);
  if (st == LUA_ERRFILE) { /* "cannot open PATH: REASON": the reason, after the path */
    why = msg ? strstr(msg, name ? name : "stdin") : NULL;
    why = why ? why + strlen(name ? name : "stdin") : NULL;
    fprintf(stderr, "kkp-host: cannot read Lua script %s: %s\n", path,
            why && strncmp(why, ": ", 2) == 0 ? why + 2
            : msg                             ? msg
                                              : "unknown error");
  } else {
    fprintf(stderr, "kkp-host: lua: %s\n", msg ? msg : "(error object is not a string)");
  }
  return -1;
}

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int host_lua_run(const struct host_opts *o, const char *path) {
  struct sandbox sb = {0};
  struct host_lua_ns *ns = NULL;
  struct host_error err;
  lua_State *L = NULL;
  int rc = HOST_EXIT_HOST;
  sb.limit = o->memory_mb * 1024 * 1024;
  sb.timeout_s = o->timeout_s;
  if (!(L = lua_newstate(sandbox_alloc, &sb))) {
    fprintf(stderr, "kkp-host: cannot create a Lua state (out of memory)\n");
    goto out;
  }
  open_sandbox_libs(L);
  host_lua_open_json(L);
  lua_pushcfunction(L, traceback);
  if (load_script(L, path)) goto out; /* the script first: its errors before the plugins' */
  if (luaL_loadbufferx(L, dump_lua, sizeof dump_lua - 1, "=dump", "t") || lua_pcall(L, 0, 1, 0)) {
    fprintf(stderr, "kkp-host: internal error setting up dump: %s\n", lua_tostring(L, -1));
    goto out;
  }
  lua_setglobal(L, "dump");
  if (!(ns = host_lua_ns_open(L, o, &err))) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    goto out;
  }
  sb.deadline = now_s() + o->timeout_s;
  lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1000);
  if (watchdog_start(&sb)) {
    fprintf(stderr, "kkp-host: cannot start the time-cap watchdog thread\n");
    goto out;
  }
  if (lua_pcall(L, 0, 0, o->verbose ? -2 : 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (sb.hit_limit && msg && strstr(msg, "not enough memory"))
      fprintf(stderr,
              "kkp-host: lua: memory limit of %zu MiB exceeded: the script used too much memory (raise the "
              "cap with --memory-mb)\n",
              o->memory_mb);
    else fprintf(stderr, "kkp-host: lua: %s\n", msg ? msg : "(error object is not a string)");
    goto out;
  }
  rc = HOST_EXIT_OK;
out:
  if (L) lua_close(L); /* runs the script's finalizers: still under the watchdog */
  watchdog_stop(&sb);
  host_lua_ns_close(ns); /* after lua_close: no closure can reach an account any more */
  return rc;
}
