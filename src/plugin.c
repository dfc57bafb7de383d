/*
 * plugin.c - the ABI surface of aircall.so: the one exported entry point, the
 * function table, and invoke's path (find, parse, validate, dispatch, answer).
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "src/account.h"
#include "src/ac.h"

/* The C side of each manifest function. Names and parameters live in the
 * manifest; tests check that this table and the manifest agree. */
static const struct {
  const char *name;
  ac_handler run;
} handlers[] = {
    {"list_calls", ac_list_calls},         {"get_call", ac_get_call},
    {"list_contacts", ac_list_contacts},   {"create_contact", ac_create_contact},
    {"update_contact", ac_update_contact}, {"list_users", ac_list_users},
    {"list_numbers", ac_list_numbers},     {"get_current_user", ac_get_current_user},
};

ac_handler ac_handler_find(const char *name) {
  for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
    if (strcmp(handlers[i].name, name) == 0) return handlers[i].run;
  return NULL;
}

/* Each manifest function resolved once, when the plugin is loaded: its names,
 * its parameters' schema and its handler, so an invocation looks up a name in
 * this table instead of walking the manifest. Read-only after libs_init. */
#define AC_MAX_FUNCTIONS 16
struct ac_function {
  const char *name, *full_name; /* borrowed from the manifest */
  json_object *params;          /* the parameters' schema (the manifest's) */
  ac_handler run;               /* NULL: described but not implemented */
};
static struct ac_function functions[AC_MAX_FUNCTIONS];
static size_t n_functions;

static void functions_init(void) {
  json_object *fns;
  if (!json_object_object_get_ex(ac_manifest(), "functions", &fns)) return;
  for (size_t i = 0; i < json_object_array_length(fns) && n_functions < AC_MAX_FUNCTIONS; i++) {
    json_object *f = json_object_array_get_idx(fns, i);
    struct ac_function *d = &functions[n_functions];
    if (!(d->name = ac_json_str(f, "name"))) continue;
    d->full_name = ac_json_str(f, "full_name");
    json_object_object_get_ex(f, "parameters", &d->params);
    d->run = ac_handler_find(d->name);
    n_functions++;
  }
}

/* The function called name or full_name, or NULL. */
static const struct ac_function *function_find(const char *name) {
  for (size_t i = 0; name && i < n_functions; i++)
    if (strcmp(functions[i].name, name) == 0 ||
        (functions[i].full_name && strcmp(functions[i].full_name, name) == 0))
      return &functions[i];
  return NULL;
}

void ac_call_options(struct ac_ctx *c, const struct kkp_call *call) {
  memset(&c->call, 0, sizeof c->call);
  if (!call || call->struct_size < sizeof call->struct_size) return;
  size_t n = call->struct_size < sizeof c->call ? call->struct_size : sizeof c->call;
  memcpy(&c->call, call, n);
  c->call.struct_size = sizeof c->call;
}

static pthread_once_t libs_once = PTHREAD_ONCE_INIT;
static int libs_ok; /* one-time library init result */

static void libs_init(void) {
  libs_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK && sodium_init() >= 0 && ac_manifest() != NULL;
  if (libs_ok) functions_init();
}

static char *answer(const struct ac_error *e) {
  return ac_error_json(e);
}

static const char *describe(void) {
  return ac_manifest_json;
}

static int account_init(const struct kkp_host *host, const char *account, const char *config_json,
                        struct kkp_account **out, char **error_json) {
  struct ac_error e;
  ac_error_init(&e);
  if (out) *out = NULL;
  if (error_json) *error_json = NULL;
  pthread_once(&libs_once, libs_init);
  if (!out || !error_json) return KKP_ERR_INVALID_ARGUMENT;
  int rc = libs_ok ? ac_account_new(host, account, config_json, out, &e)
                   : ac_fail(&e, KKP_ERR_INTERNAL, "libcurl or libsodium failed to initialise");
  if (rc) *error_json = answer(&e);
  ac_error_clear(&e);
  return rc;
}

/* "unknown function" with the closest name and the list. */
static int unknown_function(const char *name, struct ac_error *e) {
  const char *names[AC_MAX_FUNCTIONS];
  struct ac_buf list = {0};
  for (size_t i = 0; i < n_functions; i++) {
    names[i] = functions[i].name;
    ac_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
  }
  const char *near = kkp_suggest_among(name, names, n_functions);
  if (near)
    ac_fail(e, KKP_ERR_INVALID_ARGUMENT, "unknown function \"%.60s\". Did you mean \"%s\"? Functions: %s",
            name, near, list.s ? list.s : "");
  else
    ac_fail(e, KKP_ERR_INVALID_ARGUMENT, "unknown function \"%.60s\". Functions: %s", name,
            list.s ? list.s : "");
  ac_buf_free(&list);
  return e->status;
}

/* Fills in the schema's defaults, so handlers read one value (the manifest's).
 * Each default is copied, never shared: json-c's reference counts are plain
 * integers (Debian builds it without atomic counts), so two invocations taking
 * and dropping references to the one manifest object at once can lose an
 * update and free it under the other. The manifest is only ever read. */
static int add_defaults(json_object *params, json_object *args, struct ac_error *e) {
  json_object *props, *def, *ignored, *copy;
  if (!json_object_object_get_ex(params, "properties", &props)) return KKP_OK;
  json_object_object_foreach(props, key, schema) {
    if (!json_object_object_get_ex(schema, "default", &def) || json_object_object_get_ex(args, key, &ignored))
      continue;
    copy = NULL;
    if (json_object_deep_copy(def, &copy, NULL) != 0 || json_object_object_add(args, key, copy) != 0) {
      json_object_put(copy);
      return ac_fail(e, KKP_ERR_INTERNAL, "out of memory applying the default of %s", key);
    }
  }
  return KKP_OK;
}

/* The function an invocation names, with a handler. */
static int resolve(const char *name, const struct ac_function **fn, struct ac_error *e) {
  if (!(*fn = function_find(name))) return unknown_function(name ? name : "(null)", e);
  if (!(*fn)->run) return ac_fail(e, KKP_ERR_UNSUPPORTED, "%s is described but not implemented", (*fn)->name);
  return KKP_OK;
}

/* The arguments as an object checked against the function's schema, with its
 * defaults filled in. */
static int read_args(struct ac_ctx *c, const struct ac_function *fn, const char *args_json,
                     json_object **args) {
  const char *text = args_json ? args_json : "{}";
  size_t len = strnlen(text, (size_t)AC_MAX_ARGS + 1);
  if (len > AC_MAX_ARGS)
    return ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "the arguments of %s are over %d bytes", fn->name,
                   AC_MAX_ARGS);
  if (!(*args = ac_json_parse_with(ac_curl_tokener(c->curl), text, len)))
    return ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
                   "the arguments of %s are not valid JSON: pass an object such as {\"per_page\": 10}",
                   fn->name);
  int rc = ac_validate_object(fn->name, fn->params, *args, &c->err);
  return rc ? rc : add_defaults(fn->params, *args, &c->err);
}

/* Reads the arguments and runs the handler within the call's budget, on a
 * handle borrowed from the account (its tokener parses the arguments too). */
static int run(struct ac_ctx *c, const struct ac_function *fn, const char *args_json, json_object **args,
               struct ac_result *out) {
  if (!(c->curl = ac_curl_take(c->acct)))
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "could not create an HTTP handle");
  int rc = read_args(c, fn, args_json, args);
  if (rc == KKP_OK) {
    ac_call_start(c);
    rc = fn->run(c, *args, out);
  }
  ac_curl_give(c->acct, c->curl);
  c->curl = NULL;
  return rc;
}

/* The result as the JSON text handed to the host (malloc'd; its text moves out of res). */
static int serialise(struct ac_ctx *c, const char *function, struct ac_result *res, char **json) {
  if (res->text) {
    *json = res->text; /* already JSON text: handed over as it is */
    res->text = NULL;
    return KKP_OK;
  }
  if (!res->obj) return ac_fail(&c->err, KKP_ERR_INTERNAL, "%s produced no result", function);
  const char *s = ac_json_text(res->obj);
  if (!s || !(*json = strdup(s)))
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory serialising the result");
  return KKP_OK;
}

static int invoke_call(struct kkp_account *acct, const char *function, const char *args_json,
                       const struct kkp_call *call, char **result_json) {
  struct ac_ctx c = {.acct = acct};
  struct ac_result res = {0};
  const struct ac_function *fn = NULL;
  json_object *args = NULL;
  int rc;
  if (!result_json) return KKP_ERR_INVALID_ARGUMENT;
  *result_json = NULL;
  ac_call_options(&c, call);
  ac_error_init(&c.err);
  if (!acct) rc = ac_fail(&c.err, KKP_ERR_INVALID_ARGUMENT, "invoke needs an account from account_init");
  else if ((rc = resolve(function, &fn, &c.err)) == KKP_OK &&
           (rc = run(&c, fn, args_json, &args, &res)) == KKP_OK)
    rc = serialise(&c, function, &res, result_json);
  if (rc != KKP_OK) {
    if (c.err.status == KKP_OK) ac_fail(&c.err, rc, "%s failed", function ? function : "invoke");
    *result_json = answer(&c.err);
  }
  /* An upstream that echoes the Authorization header must not hand the
   * credential to the host through a result or an error. */
  ac_redact(acct, *result_json);
  free(res.text);
  json_object_put(res.obj);
  json_object_put(args);
  ac_error_clear(&c.err);
  return rc;
}

static int invoke(struct kkp_account *acct, const char *function, const char *args_json, char **result_json) {
  return invoke_call(acct, function, args_json, NULL, result_json);
}

static void account_free(struct kkp_account *acct) {
  ac_account_free(acct);
}

static void free_string(char *s) {
  free(s);
}

static const struct kkp_plugin plugin = {
    .abi_major = KKP_ABI_MAJOR,
    .abi_minor = KKP_ABI_MINOR,
    .struct_size = sizeof(struct kkp_plugin),
    .name = AC_PLUGIN_NAME,
    .version = AC_VERSION,
    .describe = describe,
    .account_init = account_init,
    .invoke = invoke,
    .account_free = account_free,
    .free_string = free_string,
    .invoke_call = invoke_call,
};

__attribute__((visibility("default"))) const struct kkp_plugin *kkp_plugin_entry(uint32_t host_abi_major,
                                                                                 uint32_t host_abi_minor) {
  (void)host_abi_minor; /* every 1.x host can use this table: it reads struct_size */
  if (host_abi_major != KKP_ABI_MAJOR) return NULL;
  pthread_once(&libs_once, libs_init);
  return libs_ok ? &plugin : NULL;
}

/* The parsed manifest lives for the process; free it at unload so leak checkers stay quiet. */
__attribute__((destructor)) static void plugin_unload(void) {
  ac_manifest_release();
}
