/*
 * mcp_calls.c - tools/call: each call runs on its own worker thread (invoke is
 * thread-safe), on an account opened once and kept for the server's life, with the
 * ABI 1.1 call options: cancellation from notifications/cancelled, progress
 * notifications for a progressToken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/mcp.h"

/* ---- the callbacks lent to the plugin ---- */

static void cb_log(void *ctx, int level, const char *message) {
  static const char *const names[] = {"error", "warn", "info", "debug"};
  const struct host_mcp_account *a = ctx;
  if (!a->o->verbose || !message) return;
  fprintf(stderr, "[%s] %s\n", level >= 0 && level <= 3 ? names[level] : "log", message);
}

/* Only the environment: stdin carries the protocol, so there is no terminal to ask. */
static int cb_get_secret(void *ctx, const char *name, char *buf, size_t cap) {
  struct host_mcp_account *a = ctx;
  const char *env;
  size_t len;
  if (!name || !buf || cap == 0 || strcmp(name, KKP_SECRET_KEYSTORE_PASSPHRASE) != 0) return -1;
  if (!(env = getenv(KKP_ENV_KEYSTORE_PASSPHRASE))) {
    a->asked_passphrase = 1;
    return -1;
  }
  if ((len = strlen(env)) + 1 > cap) return -1;
  memcpy(buf, env, len + 1);
  return (int)len;
}

static int cb_cancelled(void *ctx) {
  const struct host_mcp_call *c = ctx;
  return atomic_load(&c->cancelled);
}

static void cb_progress(void *ctx, uint64_t done, uint64_t total, const char *message) {
  struct host_mcp_call *c = ctx;
  json_object *n, *p;
  /* MCP wants progress to grow with every notification: a wait at the same count moves it a little */
  double value = (double)done > c->last_progress ? (double)done : c->last_progress + 0.01;
  if (atomic_load(&c->cancelled)) return;
  c->last_progress = value;
  n = json_object_new_object(), p = json_object_new_object();
  json_object_object_add(n, "jsonrpc", json_object_new_string("2.0"));
  json_object_object_add(n, "method", json_object_new_string("notifications/progress"));
  json_object_object_add(p, "progressToken", json_object_get(c->progress_token));
  json_object_object_add(p, "progress", json_object_new_double(value));
  if (total > 0) json_object_object_add(p, "total", json_object_new_double((double)total));
  if (message) json_object_object_add(p, "message", json_object_new_string(message));
  json_object_object_add(n, "params", p);
  host_mcp_send(c->server, n);
  json_object_put(n);
}

/* ---- accounts ---- */

/* A plugin string as a malloc'd copy, the original handed back to the plugin. */
static char *take_string(const struct host_plugin *p, char *s) {
  char *copy;
  if (!s) return NULL;
  copy = strdup(s);
  p->api.free_string(s);
  return copy;
}

/* The plugin's error JSON with the fix for a missing passphrase added to its message. */
static char *with_passphrase_hint(char *error_json) {
  json_object *root = json_tokener_parse(error_json), *e;
  const char *msg;
  char *out = NULL, *text;
  if (root && json_object_object_get_ex(root, "error", &e) && (msg = host_json_str(e, "message"))) {
    static const char hint[] = ". The keystore's host.key is wrapped with a passphrase and an MCP server "
                               "has no terminal to ask for it: set " KKP_ENV_KEYSTORE_PASSPHRASE
                               " in the server's environment (the \"env\" block of the client's MCP "
                               "configuration)";
    if (asprintf(&text, "%s%s", msg, hint) >= 0) {
      json_object_object_add(e, "message", json_object_new_string(text));
      free(text);
      out = strdup(
          json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
  }
  json_object_put(root);
  if (!out) return error_json;
  free(error_json);
  return out;
}

/* Opens a new account entry; on failure *error_json (caller frees). */
static int account_open(struct host_mcp *s, struct host_mcp_plugin *pl, const char *name,
                        struct host_mcp_account **out, char **error_json) {
  struct host_mcp_account *a = calloc(1, sizeof *a);
  char *cfg = NULL, *perr = NULL;
  struct host_error cerr;
  int st;
  *out = NULL;
  if (host_config_build(s->o, pl->m, &cfg, &cerr)) {
    /* a bad config file, variable or --config: the plugin never sees it */
    *error_json = host_error_json("config_error", cerr.message);
    st = KKP_ERR_CONFIG;
    goto out;
  }
  if (!a || !cfg || !(a->name = strdup(name))) {
    *error_json = host_error_json("internal_error", "out of memory opening an account");
    st = KKP_ERR_INTERNAL;
    goto out;
  }
  a->plugin = pl;
  a->o = s->o;
  a->host =
      (struct kkp_host){KKP_ABI_MAJOR, KKP_ABI_MINOR, sizeof(struct kkp_host), a, cb_log, cb_get_secret};
  st = pl->p->api.account_init(&a->host, name, cfg, &a->acct, &perr);
  if (st != KKP_OK) {
    *error_json = take_string(pl->p, perr);
    if (!*error_json)
      *error_json = host_error_json(kkp_status_name(st), "account_init failed without an error");
    else if (a->asked_passphrase) *error_json = with_passphrase_hint(*error_json);
    if (a->acct) pl->p->api.account_free(a->acct);
    goto out;
  }
  if (perr) pl->p->api.free_string(perr);
  host_plugin_retain(pl->p);
  *out = a;
  a = NULL;
out:
  free(cfg);
  if (a) free(a->name);
  free(a);
  return st;
}

/* The account, opened on first use. A failed open is not kept: the next call tries again. */
static int account_get(struct host_mcp *s, struct host_mcp_plugin *pl, const char *name,
                       struct host_mcp_account **out, char **error_json) {
  struct host_mcp_account **grown;
  int st = KKP_OK;
  pthread_mutex_lock(&s->accounts_lock);
  for (size_t i = 0; i < s->n_accounts; i++)
    if (s->accounts[i]->plugin == pl && strcmp(s->accounts[i]->name, name) == 0) {
      *out = s->accounts[i];
      goto out;
    }
  if (!(grown = realloc(s->accounts, (s->n_accounts + 1) * sizeof *grown))) {
    *error_json = host_error_json("internal_error", "out of memory opening an account");
    st = KKP_ERR_INTERNAL;
    goto out;
  }
  s->accounts = grown;
  if ((st = account_open(s, pl, name, out, error_json)) == KKP_OK) s->accounts[s->n_accounts++] = *out;
out:
  pthread_mutex_unlock(&s->accounts_lock);
  return st;
}

void host_mcp_accounts_close(struct host_mcp *s) {
  for (size_t i = 0; i < s->n_accounts; i++) {
    struct host_mcp_account *a = s->accounts[i];
    a->plugin->p->api.account_free(a->acct);
    host_plugin_release(a->plugin->p);
    free(a->name);
    free(a);
  }
  free(s->accounts);
  s->accounts = NULL;
  s->n_accounts = 0;
}

/* ---- one call ---- */

static int invoke(struct host_mcp_account *a, struct host_mcp_call *c, char **result) {
  const struct host_plugin *p = a->plugin->p;
  char *r = NULL;
  int st;
  if (p->api.struct_size >= KKP_PLUGIN_SIZE_1_1 && p->api.invoke_call) {
    struct kkp_call opts = {0};
    opts.struct_size = sizeof opts;
    opts.ctx = c;
    opts.cancelled = cb_cancelled;
    opts.progress = c->progress_token ? cb_progress : NULL;
    st = p->api.invoke_call(a->acct, c->function, c->args, &opts, &r);
  } else {
    st = p->api.invoke(a->acct, c->function, c->args, &r);
  }
  *result = take_string(p, r);
  if (!*result)
    *result =
        st == KKP_OK ? strdup("{}") : host_error_json(kkp_status_name(st), "the plugin gave no error object");
  return st;
}

/* A tool result: the JSON as the one text block (what KosmoKrator decodes), and
 * the same object as structuredContent on success. */
static json_object *tool_result(int ok, const char *json_text) {
  json_object *r = json_object_new_object(), *content = json_object_new_array(),
              *t = json_object_new_object();
  json_object_object_add(t, "type", json_object_new_string("text"));
  json_object_object_add(t, "text", json_object_new_string(json_text ? json_text : "{}"));
  json_object_array_add(content, t);
  json_object_object_add(r, "content", content);
  if (ok) {
    enum json_tokener_error why;
    json_object *obj = json_text ? host_json_parse(json_text, strlen(json_text), &why) : NULL;
    if (json_object_is_type(obj, json_type_object)) json_object_object_add(r, "structuredContent", obj);
    else json_object_put(obj);
  } else {
    json_object_object_add(r, "isError", json_object_new_boolean(1));
  }
  return r;
}

static void call_free(struct host_mcp_call *c) {
  json_object_put(c->id);
  json_object_put(c->progress_token);
  free(c->function);
  free(c->account);
  free(c->args);
  free(c);
}

static void call_end(struct host_mcp *s, struct host_mcp_call *c) {
  pthread_mutex_lock(&s->lock);
  for (struct host_mcp_call **pp = &s->calls; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  call_free(c); /* before the count drops: the server may be waiting to exit */
  s->in_flight--;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

static void *worker(void *arg) {
  struct host_mcp_call *c = arg;
  struct host_mcp *s = c->server;
  struct host_mcp_account *a = NULL;
  char *result = NULL;
  int st = account_get(s, c->plugin, c->account, &a, &result);
  if (st == KKP_OK) st = invoke(a, c, &result);
  /* A cancelled request gets no answer at all (MCP's cancellation rule). */
  if (!atomic_load(&c->cancelled)) host_mcp_reply(s, c->id, tool_result(st == KKP_OK, result));
  free(result);
  call_end(s, c);
  return NULL;
}

/* ---- tools/call ---- */

/* Which plugin serves tool name; the function in *fn. */
static struct host_mcp_plugin *find_tool(struct host_mcp *s, const char *name, json_object **fn) {
  for (size_t i = 0; i < s->n_plugins; i++)
    if ((*fn = host_mcp_tool_function(&s->plugins[i], name))) return &s->plugins[i];
  return NULL;
}

static void unknown_tool(struct host_mcp *s, json_object *id, const char *name) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  char msg[512];
  for (size_t i = 0; i < s->n_plugins; i++) {
    json_object *fs = host_manifest_functions(s->plugins[i].m);
    for (size_t k = 0; k < json_object_array_length(fs); k++) {
      json_object *f = json_object_array_get_idx(fs, k);
      if (!host_function_is_write(f) || s->write_allowed)
        kkp_suggest_consider(name, host_json_str(f, "full_name"), &best, &best_d);
    }
  }
  if (best && !kkp_suggest_close(name, best_d)) best = NULL;
  snprintf(msg, sizeof msg, "unknown tool \"%.100s\" (see tools/list)%s%s%s", name,
           best ? ". Did you mean \"" : "", best ? best : "", best ? "\"?" : "");
  host_mcp_error(s, id, HOST_MCP_INVALID_PARAMS, msg, NULL);
}

/* An error result the agent reads, for what the host refuses before any call. */
static void refuse(struct host_mcp *s, json_object *id, const char *code, const char *message) {
  char *e = host_error_json(code, message);
  host_mcp_reply(s, id, tool_result(0, e));
  free(e);
}

/* The account named by `_account` (removed from args), else the plugin's default. */
static const char *pick_account(struct host_mcp *s, json_object *id, struct host_mcp_plugin *pl,
                                json_object *args) {
  json_object *v;
  char msg[1024];
  size_t used;
  if (!json_object_object_get_ex(args, "_account", &v) || json_object_is_type(v, json_type_null)) {
    if (pl->default_account) return pl->default_account;
    used = (size_t)snprintf(msg, sizeof msg,
                            "pass _account: this server offers several %s accounts:", pl->m->name);
  } else if (json_object_is_type(v, json_type_string)) {
    return json_object_get_string(v);
  } else {
    used = (size_t)snprintf(msg, sizeof msg, "_account must be a string, one of:");
  }
  for (size_t i = 0; i < pl->n_accounts && used < sizeof msg; i++)
    used += (size_t)snprintf(msg + used, sizeof msg - used, "%s %s", i ? "," : "", pl->accounts[i]);
  refuse(s, id, "invalid_argument", msg);
  return NULL;
}

/* Starts the call on a worker thread, waiting for a free slot first. */
static void start(struct host_mcp *s, struct host_mcp_call *c) {
  pthread_t t;
  pthread_attr_t attr;
  int rc;
  pthread_mutex_lock(&s->lock);
  while (s->in_flight >= HOST_MCP_WORKERS_MAX) pthread_cond_wait(&s->changed, &s->lock);
  s->in_flight++;
  c->next = s->calls;
  s->calls = c;
  pthread_mutex_unlock(&s->lock);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  rc = pthread_create(&t, &attr, worker, c);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    host_mcp_error(s, c->id, HOST_MCP_INTERNAL_ERROR, "cannot start a thread for the call: try again", NULL);
    call_end(s, c);
  }
}

static struct host_mcp_call *call_new(struct host_mcp *s, json_object *id, json_object *params,
                                      struct host_mcp_plugin *pl, json_object *fn, const char *account,
                                      json_object *args) {
  struct host_mcp_call *c = calloc(1, sizeof *c);
  json_object *meta, *token;
  const char *text;
  if (!c) return NULL;
  c->server = s;
  c->plugin = pl;
  c->id = json_object_get(id);
  if (json_object_object_get_ex(params, "_meta", &meta) &&
      json_object_object_get_ex(meta, "progressToken", &token) &&
      (json_object_is_type(token, json_type_string) || json_object_is_type(token, json_type_int)))
    c->progress_token = json_object_get(token);
  atomic_init(&c->cancelled, 0);
  c->last_progress = -1;
  c->account = strdup(account); /* before the delete: account may be _account's own string */
  json_object_object_del(args, "_account");
  text = json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  c->function = strdup(host_json_str(fn, "name"));
  c->args = strdup(text);
  if (!c->function || !c->account || !c->args) {
    call_free(c);
    return NULL;
  }
  return c;
}

void host_mcp_tools_call(struct host_mcp *s, json_object *id, json_object *params) {
  const char *name = host_json_str(params, "name"), *account;
  json_object *fn = NULL, *given = NULL, *args = NULL;
  struct host_mcp_plugin *pl;
  struct host_mcp_call *c;
  char msg[512];
  if (!id) return; /* a notification cannot be answered */
  if (!name) {
    host_mcp_error(s, id, HOST_MCP_INVALID_PARAMS,
                   "tools/call needs params.name, a tool's name from tools/list", NULL);
    return;
  }
  json_object_object_get_ex(params, "arguments", &given);
  if (given && !json_object_is_type(given, json_type_object)) {
    host_mcp_error(s, id, HOST_MCP_INVALID_PARAMS, "tools/call params.arguments must be an object", NULL);
    return;
  }
  if (!(pl = find_tool(s, name, &fn))) {
    unknown_tool(s, id, name);
    return;
  }
  if (host_function_is_write(fn) && !s->write_allowed) {
    snprintf(msg, sizeof msg,
             "%s is a write function and this server runs with --write=deny: add --write=allow to the "
             "server's args to offer it (the client then asks the person before each write)",
             name);
    refuse(s, id, "write_denied", msg);
    return;
  }
  if (given) json_object_deep_copy(given, &args, NULL);
  else args = json_object_new_object();
  if (!args) {
    host_mcp_error(s, id, HOST_MCP_INTERNAL_ERROR, "out of memory copying the arguments", NULL);
    return;
  }
  if ((account = pick_account(s, id, pl, args))) {
    c = call_new(s, id, params, pl, fn, account, args);
    if (c) start(s, c);
    else host_mcp_error(s, id, HOST_MCP_INTERNAL_ERROR, "out of memory starting the call", NULL);
  }
  json_object_put(args);
}

void host_mcp_cancel(struct host_mcp *s, json_object *request_id) {
  pthread_mutex_lock(&s->lock);
  for (struct host_mcp_call *c = s->calls; c; c = c->next)
    if (json_object_equal(c->id, request_id)) atomic_store(&c->cancelled, 1);
  pthread_mutex_unlock(&s->lock);
}

void host_mcp_calls_wait(struct host_mcp *s) {
  pthread_mutex_lock(&s->lock);
  while (s->in_flight > 0) pthread_cond_wait(&s->changed, &s->lock);
  pthread_mutex_unlock(&s->lock);
}
