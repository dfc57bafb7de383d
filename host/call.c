/*
 * call.c - `kkp-host call PLUGIN[.ACCOUNT].FUNCTION [JSON|-] [--NAME VALUE]...`: checks
 * the target, the arguments and the config before any plugin code loads, then loads
 * the plugin, opens the account and makes the one call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* The parts of PLUGIN[.ACCOUNT].FUNCTION (the account stays "default" when it is not
 * given). Sizes as declared. */
struct call_target {
  char plugin[128], account[128], fn[256];
  int has_account;
};

/* 0, or a usage error (printed) when target is not PLUGIN[.ACCOUNT].FUNCTION. */
static int target_parse(const char *target, struct call_target *t) {
  const char *dot1 = strchr(target, '.'), *dot2 = strrchr(target, '.');
  if (!dot1 || dot1 == target || !dot2[1] || (size_t)(dot1 - target) >= sizeof t->plugin ||
      strlen(dot2 + 1) >= sizeof t->fn || (dot2 > dot1 && (size_t)(dot2 - dot1 - 1) >= sizeof t->account) ||
      (dot2 > dot1 && dot2 == dot1 + 1)) {
    fprintf(stderr,
            "kkp-host: call needs PLUGIN.FUNCTION or PLUGIN.ACCOUNT.FUNCTION, not \"%s\" (e.g. "
            "aircall.list_calls)\nRun kkp-host --help for usage.\n",
            target);
    return HOST_EXIT_USAGE;
  }
  snprintf(t->plugin, sizeof t->plugin, "%.*s", (int)(dot1 - target), target);
  snprintf(t->account, sizeof t->account, "default");
  if ((t->has_account = dot2 > dot1))
    snprintf(t->account, sizeof t->account, "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
  snprintf(t->fn, sizeof t->fn, "%s", dot2 + 1);
  return HOST_EXIT_OK;
}

/* The closest function name of m to fn, or NULL when none is close. */
static const char *closest_function(const struct host_manifest *m, const char *fn) {
  json_object *fs = host_manifest_functions(m);
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < json_object_array_length(fs); i++)
    kkp_suggest_consider(fn, host_json_str(json_object_array_get_idx(fs, i), "name"), &best, &best_d);
  return best && kkp_suggest_close(fn, best_d) ? best : NULL;
}

/* The function t names in m, with every flag one of its parameters; NULL after
 * printing why (a usage error). */
static json_object *target_function(const struct host_manifest *m, const struct call_target *t,
                                    json_object *flags) {
  char msg[1536];
  struct host_error err;
  json_object *f = host_manifest_function(m, t->fn);
  if (!f) {
    const char *near = closest_function(m, t->fn);
    snprintf(msg, sizeof msg, "%s has no function \"%s\"%s%s (see kkp-host describe %s)", t->plugin, t->fn,
             near ? ". Did you mean: " : "", near ? near : "", t->plugin);
    host_print_error("usage", msg);
    return NULL;
  }
  snprintf(msg, sizeof msg, "%s.%s", t->plugin, host_json_str(f, "name"));
  if (host_cli_check_params(f, flags, msg, &err)) {
    host_print_error("usage", err.message);
    return NULL;
  }
  return f;
}

/* The arguments: the JSON object (or {}) with the flags on top. Returns the text the
 * plugin gets, or NULL after printing why (*rc set). */
static char *call_args(const char *args_arg, json_object *flags, int *rc) {
  char msg[512], *text;
  json_object *args;
  size_t len;
  enum json_tokener_error jerr = json_tokener_success;
  if (!args_arg) text = strdup("{}");
  else if (strcmp(args_arg, "-") == 0) text = host_read_all(stdin, &len);
  else text = strdup(args_arg);
  if (!text) {
    host_print_error("host_error", "cannot read the arguments (out of memory or unreadable stdin)");
    *rc = HOST_EXIT_HOST;
    return NULL;
  }
  /* strictly: the plugin receives text itself, so it must be exactly one object */
  args = host_json_parse(text, strlen(text), &jerr);
  if (!args || !json_object_is_type(args, json_type_object)) {
    snprintf(msg, sizeof msg, "the arguments must be one JSON object, e.g. '{\"per_page\": 10}'%s%s",
             jerr != json_tokener_success ? ": not valid JSON: " : "",
             jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "");
    host_print_error("usage", msg);
    json_object_put(args);
    free(text);
    *rc = HOST_EXIT_USAGE;
    return NULL;
  }
  if (flags) { /* flags win over the object's members */
    json_object_object_foreach(flags, k, v) json_object_object_add(args, k, json_object_get(v));
    free(text);
    text =
        strdup(json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  }
  json_object_put(args);
  if (!text) {
    host_print_error("host_error", "out of memory building the arguments");
    *rc = HOST_EXIT_HOST;
  }
  return text;
}

/* Before anything is loaded: a wrong --config is a usage error, a wrong config file
 * or variable a config_error; a write needs permission. 0 or the exit status. */
static int call_permitted(const struct host_opts *o, const struct host_manifest *m, const char *plugin,
                          json_object *f) {
  struct host_error err;
  char *cfg = NULL;
  int st = host_config_build(o, m, &cfg, &err);
  free(cfg);
  if (st != 0) {
    host_print_error(st > 0 ? "usage" : "config_error", err.message);
    return st > 0 ? HOST_EXIT_USAGE : host_exit_for_status(KKP_ERR_CONFIG);
  }
  if (host_function_is_write(f) && !host_write_permitted(o, plugin, host_json_str(f, "name"), &err)) {
    host_print_error("write_denied", err.message);
    return HOST_EXIT_HOST;
  }
  return HOST_EXIT_OK;
}

/* Loads the plugin, opens the account and calls; prints the result or the error. */
static int call_run(const struct host_opts *o, const struct host_manifest *m, const struct call_target *t,
                    const char *args_text) {
  struct host_plugin *p = NULL;
  struct host_account *a = NULL;
  struct host_error err;
  char *result = NULL, *errjson = NULL, *hinted;
  int st;
  if (host_plugin_load(m, &p, &err)) {
    host_print_error("host_error", err.message);
    return HOST_EXIT_HOST;
  }
  st = host_account_open(o, p, t->account, &a, &errjson);
  if (st != KKP_OK) {
    hinted = t->has_account ? host_cli_account_hint(o, t->plugin, t->account, errjson) : NULL;
    host_print_json_text(hinted ? hinted : errjson, stderr);
    free(hinted);
  } else {
    st = host_account_invoke_shown(a, t->fn, args_text, 0, &result);
    host_print_json_text(result, st == KKP_OK ? stdout : stderr);
  }
  free(result);
  free(errjson);
  host_account_close(a);
  host_plugin_release(p);
  return host_exit_for_status(st);
}

int host_cmd_call(const struct host_opts *o, const char *target, const char *args_arg, json_object *flags) {
  struct call_target t;
  struct host_manifest *m = NULL;
  struct host_error err;
  json_object *f;
  char *args_text = NULL;
  int rc = target_parse(target, &t);
  if (rc != HOST_EXIT_OK) return rc;
  if (host_manifest_find(o, t.plugin, &m, &err)) {
    host_print_error("host_error", err.message);
    return HOST_EXIT_HOST;
  }
  if (!(f = target_function(m, &t, flags))) rc = HOST_EXIT_USAGE;
  else if ((args_text = call_args(args_arg, flags, &rc)) && (rc = call_permitted(o, m, t.plugin, f)) == 0)
    rc = call_run(o, m, &t, args_text);
  free(args_text);
  host_manifest_free(m);
  return rc;
}
