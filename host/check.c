/*
 * check.c - `kkp-host check PLUGIN[.ACCOUNT]`: tries one account's credential live with
 * one cheap authenticated read and says who the credential is. Which read is the
 * manifest's choice ("check": a function name or a list tried in order, the next
 * one only when a function is unsupported for this credential, e.g. an identity
 * read that API keys cannot make); without one, the first read function that needs
 * no argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

#define CHECK_MAX 8

/* The functions to try, in order, as names borrowed from m. */
static size_t check_functions(const struct host_manifest *m, const char **out) {
  json_object *c = NULL, *fs = host_manifest_functions(m);
  size_t n = 0;
  if (json_object_object_get_ex(m->root, "check", &c) && json_object_is_type(c, json_type_string))
    out[n++] = json_object_get_string(c);
  for (size_t i = 0;
       json_object_is_type(c, json_type_array) && i < json_object_array_length(c) && n < CHECK_MAX; i++) {
    json_object *v = json_object_array_get_idx(c, i);
    if (json_object_is_type(v, json_type_string)) out[n++] = json_object_get_string(v);
  }
  for (size_t i = 0; n == 0 && i < json_object_array_length(fs); i++) {
    json_object *f = json_object_array_get_idx(fs, i), *params = NULL, *req = NULL;
    json_object_object_get_ex(f, "parameters", &params);
    json_object_object_get_ex(params, "required", &req);
    if (!host_function_is_write(f) && json_object_array_length(req) == 0 && host_json_str(f, "name"))
      out[n++] = host_json_str(f, "name");
  }
  return n;
}

/* Who the credential is, from a check function's result: a user, an integration or
 * a company where the result names one, else what the read answered. */
static void describe_who(json_object *result, const char *fn, char *out, size_t cap) {
  json_object *user = NULL, *company = NULL;
  const char *name, *email, *integration;
  if (json_object_object_get_ex(result, "user", &user) && json_object_is_type(user, json_type_object)) {
    name = host_json_str(user, "name");
    email = host_json_str(user, "email");
    integration = host_json_str(user, "integration");
    snprintf(out, cap, "user %s%s%s%s%s%s", name ? name : "?", email ? " <" : "", email ? email : "",
             email ? ">" : "", integration ? ", integration " : "", integration ? integration : "");
    return;
  }
  if (json_object_object_get_ex(result, "company", &company) && (name = host_json_str(company, "name"))) {
    snprintf(out, cap, "company %s", name);
    return;
  }
  json_object_object_foreach(result, key, val) {
    if (json_object_is_type(val, json_type_array)) {
      snprintf(out, cap, "%s answered with %zu %s", fn, json_object_array_length(val), key);
      return;
    }
  }
  snprintf(out, cap, "%s answered", fn);
}

static int check_report(const char *plugin, const char *account, const char *fn, int st, const char *text,
                        int as_json) {
  json_object *res = json_tokener_parse(text), *out = json_object_new_object(), *err = NULL;
  char who[512];
  json_object_object_add(out, "success", json_object_new_boolean(st == KKP_OK));
  json_object_object_add(out, "plugin", json_object_new_string(plugin));
  json_object_object_add(out, "account", json_object_new_string(account));
  json_object_object_add(out, "function", json_object_new_string(fn));
  if (st == KKP_OK) {
    describe_who(res, fn, who, sizeof who);
    json_object_object_add(out, "who", json_object_new_string(who));
    if (as_json)
      printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    else printf("ok: %s.%s works: %s\n", plugin, account, who);
  } else {
    json_object_object_get_ex(res, "error", &err);
    json_object_object_add(out, "error", json_object_get(err));
    if (as_json)
      printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    fprintf(stderr, "kkp-host: check %s.%s failed: %s: %s\n", plugin, account,
            host_json_str(err, "code") ? host_json_str(err, "code") : kkp_status_name(st),
            host_json_str(err, "message") ? host_json_str(err, "message") : text);
  }
  json_object_put(out);
  json_object_put(res);
  return host_exit_for_status(st);
}

/* Opens the account and runs the check functions until one is not unsupported. */
static int check_run(const struct host_opts *o, struct host_manifest *m, const char *account, int as_json) {
  const char *fns[CHECK_MAX];
  size_t n = check_functions(m, fns), i = 0;
  struct host_plugin *p = NULL;
  struct host_account *a = NULL;
  struct host_error err;
  char *text = NULL, real[128];
  int st, rc;
  if (n == 0) {
    fprintf(stderr,
            "kkp-host: %s declares no \"check\" function and has no read function without "
            "arguments: try a call instead (kkp-host describe %s)\n",
            m->name, m->name);
    return HOST_EXIT_HOST;
  }
  if (host_plugin_load(m, &p, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  host_account_resolve(o, m->name, account, real, sizeof real);
  st = host_account_open(o, p, real, &a, &text);
  for (; st == KKP_OK && i < n; i++) {
    free(text);
    st = host_account_invoke(a, fns[i], "{}", &text);
    if (st == KKP_ERR_UNSUPPORTED && i + 1 < n) st = KKP_OK; /* not for this credential: the next one */
    else break;
  }
  rc = check_report(m->name, real, fns[i < n ? i : n - 1], st, text ? text : "{}", as_json);
  free(text);
  host_account_close(a);
  host_plugin_release(p);
  return rc;
}

int host_check(const struct host_opts *o, const char *target, int as_json) {
  char plugin[128], account[128] = "default";
  const char *dot = strchr(target, '.');
  struct host_manifest *m;
  struct host_error err;
  int rc;
  size_t plen = dot ? (size_t)(dot - target) : strlen(target);
  if (plen == 0 || plen >= sizeof plugin || (dot && (!dot[1] || strlen(dot + 1) >= sizeof account))) {
    fprintf(stderr,
            "kkp-host: check needs PLUGIN or PLUGIN.ACCOUNT, not \"%s\" (e.g. aircall.default)\n"
            "Run kkp-host check --help for usage.\n",
            target);
    return HOST_EXIT_USAGE;
  }
  snprintf(plugin, sizeof plugin, "%.*s", (int)plen, target);
  if (dot) snprintf(account, sizeof account, "%s", dot + 1);
  if (host_manifest_find(o, plugin, &m, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  rc = check_run(o, m, account, as_json);
  host_manifest_free(m);
  return rc;
}
