/*
 * main.c - the kkp-host command line: list, describe, call, lua, doc. Parses flags,
 * then hands each command to its part (manifests, loader, accounts, Lua sandbox).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "keystore/process_guard.h"

#ifndef HOST_VERSION
#define HOST_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "usage: kkp-host [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  list [--json]                      plugins found (reads manifests only; loads nothing)\n"
    "  describe PLUGIN [--json]           a plugin's functions and parameters (--json: the raw manifest)\n"
    "  call PLUGIN[.ACCOUNT].FUNCTION [JSON|-] [--NAME VALUE | --NAME=VALUE | --arg NAME=VALUE]...\n"
    "                                     call one function; arguments as a JSON object ('-' reads\n"
    "                                     it from stdin) and/or as flags on top of it: --per-page 5 is\n"
    "                                     per_page = 5 (true, false, null, integers and numbers with a\n"
    "                                     dot are coerced, [..] and {..} are JSON, else strings; use\n"
    "                                     --arg for a name kkp-host uses itself, e.g. --arg timeout_ms=5).\n"
    "                                     Result JSON on stdout, error JSON on stderr\n"
    "  lua FILE|-                         run a Lua script in the sandbox with app.integrations.*\n"
    "  doc NAME [--json]                  the agent reference: integrations.PLUGIN[.FUNCTION]\n"
    "  describe PLUGIN --tools=mcp|openai the tool list an MCP server or OpenAI would get\n"
    "  mcp [--plugin NAME]... [--account NAME]... [--write=allow|deny]\n"
    "                                     an MCP server on stdio: every function as a tool\n"
    "                                     (default: every plugin, provisioned account, no writes)\n"
    "  check PLUGIN[.ACCOUNT] [--json]    try a credential live: one cheap read, says who it is\n"
    "  --help, --version                  (COMMAND --help: that command's help)\n"
    "\n"
    "Options:\n"
    "  --plugin-dir DIR    search DIR first (repeatable). Then $KKP_PLUGIN_PATH (colon-separated),\n"
    "                      $KOSMO_HOME/plugins (KOSMO_HOME defaults to ~/.kosmokrator), then\n"
    "                      " HOST_PLUGIN_DIR_REL " beside the kkp-host binary\n"
    "  --base-url URL      the plugin's base_url (default $<PLUGIN>_BASE_URL, e.g. AIRCALL_BASE_URL)\n"
    "  --keystore DIR      keystore folder (default $KKP_KEYSTORE, then $KOSMO_HOME/keystore)\n"
    "  --timeout-ms N      whole-request timeout passed to the plugin\n"
    "  --write=allow|deny  whether write functions may run; default: ask y/N on a terminal,\n"
    "                      deny when stdin is not a terminal\n"
    "  --config KEY=VALUE  call, lua: a plugin config key (repeatable), e.g. --config name_scan_pages=40\n"
    "                      or --config max_rate_wait_ms=120000; the keys are the manifest's config\n"
    "                      (kkp-host describe PLUGIN --json). Config comes from, later winning: the file\n"
    "                      $KOSMO_HOME/kkp/PLUGIN.json (a JSON object of keys), the environment\n"
    "                      <PLUGIN>_<KEY> (e.g. AIRCALL_NAME_SCAN_PAGES=40), --base-url, --keystore,\n"
    "                      --timeout-ms, then --config\n"
    "  --json              list, describe, doc: JSON output\n"
    "  --verbose           plugin log lines on stderr (also KKP_DEBUG=1). Without it, a long call\n"
    "                      shows its progress (pages read, rate-limit waits) on one line of stderr\n"
    "                      when stderr is a terminal\n"
    "  --memory-mb N       lua: memory cap (default 32)\n"
    "  --timeout-s N       lua: time cap in seconds (default 30)\n"
    "\n"
    "  --passphrase-file FILE  the keystore passphrase: the first line of FILE (or /dev/fd/N)\n"
    "\n"
    "The keystore passphrase, when host.key is wrapped, comes from --passphrase-file, else\n"
    "$KKP_KEYSTORE_PASSPHRASE_FILE, else $KKP_KEYSTORE_PASSPHRASE, else is asked on the terminal,\n"
    "once per process however many accounts are opened.\n"
    "\n"
    "Exit status:\n"
    "   0  ok\n"
    "   1  host error: plugin not found or refused by the loader, write denied, Lua script error\n"
    "   2  usage error\n"
    "   3  invalid_argument     4  unauthorized     5  not_found\n"
    "   6  rate_limited         7  upstream_error   8  network_error\n"
    "   9  config_error        10  unsupported     11  internal_error (and any unknown status)\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "kkp-host: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nRun kkp-host --help for usage.\n");
  return HOST_EXIT_USAGE;
}

static void print_json(json_object *o, FILE *f) {
  int flags =
      JSON_C_TO_STRING_NOSLASHESCAPE |
      (isatty(fileno(f)) ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
  fprintf(f, "%s\n", json_object_to_json_string_ext(o, flags));
}

/* Prints a JSON text (re-serialised; as it is when it does not parse). */
static void print_json_text(const char *s, FILE *f) {
  json_object *o = json_tokener_parse(s);
  if (o) print_json(o, f);
  else fprintf(f, "%s\n", s);
  json_object_put(o);
}

static void print_host_error(const char *code, const char *message) {
  char *e = host_error_json(code, message);
  if (e) print_json_text(e, stderr);
  free(e);
}

static void count_ops(const struct host_manifest *m, size_t *n, size_t *reads, size_t *writes) {
  json_object *fs = host_manifest_functions(m);
  *n = json_object_array_length(fs);
  *reads = *writes = 0;
  for (size_t i = 0; i < *n; i++) {
    if (host_function_is_write(json_object_array_get_idx(fs, i))) (*writes)++;
    else (*reads)++;
  }
}

static void print_auth(const struct host_manifest *m) {
  json_object *auth = NULL, *also;
  const char *strategy;
  json_object_object_get_ex(m->root, "auth", &auth);
  strategy = host_json_str(auth, "strategy");
  printf("auth: %s", strategy ? strategy : "none");
  if (json_object_object_get_ex(auth, "also", &also) && json_object_is_type(also, json_type_array) &&
      json_object_array_length(also) > 0) {
    printf(" (also");
    for (size_t i = 0; i < json_object_array_length(also); i++)
      printf("%s %s", i ? "," : "", json_object_get_string(json_object_array_get_idx(also, i)));
    printf(")");
  }
}

/* list --json: {"success": true, "plugins": [{name, version, functions, reads, writes,
 * auth, dir, library_present}]}. */
static void list_json(struct host_manifest **ms, size_t n) {
  json_object *root = json_object_new_object(), *arr = json_object_new_array();
  for (size_t i = 0; i < n; i++) {
    json_object *p = json_object_new_object(), *auth = NULL;
    size_t fnc, r, w;
    count_ops(ms[i], &fnc, &r, &w);
    json_object_object_get_ex(ms[i]->root, "auth", &auth);
    json_object_object_add(p, "name", json_object_new_string(ms[i]->name));
    json_object_object_add(p, "version", json_object_get(json_object_object_get(ms[i]->root, "version")));
    json_object_object_add(p, "functions", json_object_new_int64((int64_t)fnc));
    json_object_object_add(p, "reads", json_object_new_int64((int64_t)r));
    json_object_object_add(p, "writes", json_object_new_int64((int64_t)w));
    json_object_object_add(p, "auth", json_object_get(auth));
    json_object_object_add(p, "dir", json_object_new_string(ms[i]->dir));
    json_object_object_add(p, "library_present", json_object_new_boolean(access(ms[i]->so_path, F_OK) == 0));
    json_object_array_add(arr, p);
  }
  json_object_object_add(root, "success", json_object_new_boolean(1));
  json_object_object_add(root, "plugins", arr);
  print_json(root, stdout);
  json_object_put(root);
}

static int cmd_list(const struct host_opts *o, int as_json) {
  struct host_manifest **ms;
  struct host_error err;
  size_t n;
  if (host_manifest_all(o, &ms, &n, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  if (as_json) {
    list_json(ms, n);
    host_manifest_all_free(ms, n);
    return HOST_EXIT_OK;
  }
  if (n == 0) fprintf(stderr, "kkp-host: no plugins found (pass --plugin-dir DIR or set KKP_PLUGIN_PATH)\n");
  for (size_t i = 0; i < n; i++) {
    size_t fnc, r, w;
    const char *version = host_json_str(ms[i]->root, "version");
    count_ops(ms[i], &fnc, &r, &w);
    printf("%s %s  %zu functions (%zu read, %zu write)  ", ms[i]->name, version ? version : "?", fnc, r, w);
    print_auth(ms[i]);
    printf("  %s%s\n", ms[i]->dir, access(ms[i]->so_path, F_OK) == 0 ? "" : "  [library missing]");
  }
  host_manifest_all_free(ms, n);
  return HOST_EXIT_OK;
}

static int cmd_describe(const struct host_opts *o, const char *name, int as_json) {
  struct host_manifest *m;
  struct host_error err;
  json_object *fs;
  const char *version, *desc;
  size_t fnc, r, w;
  if (host_manifest_find(o, name, &m, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  if (as_json) {
    fwrite(m->text, 1, m->len, stdout);
    host_manifest_free(m);
    return HOST_EXIT_OK;
  }
  version = host_json_str(m->root, "version");
  desc = host_json_str(m->root, "description");
  count_ops(m, &fnc, &r, &w);
  printf("%s %s  %zu functions (%zu read, %zu write)\n", m->name, version ? version : "?", fnc, r, w);
  if (desc) printf("%s\n", desc);
  print_auth(m);
  printf("\nmanifest: %s\n", m->json_path);
  fs = host_manifest_functions(m);
  for (size_t i = 0; i < fnc; i++) {
    json_object *f = json_object_array_get_idx(fs, i), *params = NULL, *props = NULL, *req = NULL;
    const char *fd = host_json_str(f, "description");
    printf("\n%s (%s, also %s)\n", host_json_str(f, "name"), host_function_is_write(f) ? "write" : "read",
           host_json_str(f, "full_name") ? host_json_str(f, "full_name") : "-");
    if (fd) printf("  %s\n", fd);
    if (json_object_object_get_ex(f, "parameters", &params)) {
      json_object_object_get_ex(params, "properties", &props);
      json_object_object_get_ex(params, "required", &req);
    }
    if (!props || json_object_object_length(props) == 0) {
      printf("  parameters: none\n");
      continue;
    }
    json_object_object_foreach(props, pname, pschema) {
      json_object *t = NULL;
      int required = host_json_array_has(req, pname);
      json_object_object_get_ex(pschema, "type", &t);
      printf("  %-14s %-18s %-9s %s\n", pname, t ? json_object_get_string(t) : "any",
             required ? "required" : "optional",
             host_json_str(pschema, "description") ? host_json_str(pschema, "description") : "");
    }
  }
  host_manifest_free(m);
  return HOST_EXIT_OK;
}

/* Reads all of stdin. Caller frees. */
static char *read_stdin(void) {
  size_t cap = 4096, n = 0, got;
  char *buf = malloc(cap + 1), *nb;
  while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
    n += got;
    if (n == cap) {
      if (!(nb = realloc(buf, cap * 2 + 1))) {
        free(buf);
        return NULL;
      }
      buf = nb;
      cap *= 2;
    }
  }
  if (buf) buf[n] = '\0';
  return buf;
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

/* The arguments: the JSON object (or {}) with the flags on top. Returns the text the
 * plugin gets, or NULL after printing why (*rc set). */
static char *call_args(const char *args_arg, json_object *flags, int *rc) {
  char msg[512], *text;
  json_object *args;
  enum json_tokener_error jerr = json_tokener_success;
  if (!args_arg) text = strdup("{}");
  else if (strcmp(args_arg, "-") == 0) text = read_stdin();
  else text = strdup(args_arg);
  if (!text) {
    print_host_error("host_error", "cannot read the arguments (out of memory or unreadable stdin)");
    *rc = HOST_EXIT_HOST;
    return NULL;
  }
  /* strictly: the plugin receives text itself, so it must be exactly one object */
  args = host_json_parse(text, strlen(text), &jerr);
  if (!args || !json_object_is_type(args, json_type_object)) {
    snprintf(msg, sizeof msg, "the arguments must be one JSON object, e.g. '{\"per_page\": 10}'%s%s",
             jerr != json_tokener_success ? ": not valid JSON: " : "",
             jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "");
    print_host_error("usage", msg);
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
    print_host_error("host_error", "out of memory building the arguments");
    *rc = HOST_EXIT_HOST;
  }
  return text;
}

static int cmd_call(const struct host_opts *o, const char *target, const char *args_arg, json_object *flags) {
  char plugin[128], account[128] = "default", fn[256], msg[1536];
  const char *dot1 = strchr(target, '.'), *dot2 = strrchr(target, '.');
  struct host_manifest *m = NULL;
  struct host_plugin *p = NULL;
  struct host_account *a = NULL;
  struct host_error err;
  json_object *f;
  char *args_text = NULL, *result = NULL, *errjson = NULL, *cfg = NULL, *hinted;
  int rc = HOST_EXIT_HOST, st;
  if (!dot1 || dot1 == target || !dot2[1] || (size_t)(dot1 - target) >= sizeof plugin ||
      strlen(dot2 + 1) >= sizeof fn || (dot2 > dot1 && (size_t)(dot2 - dot1 - 1) >= sizeof account) ||
      (dot2 > dot1 && dot2 == dot1 + 1)) {
    rc = usage_error(
        "call needs PLUGIN.FUNCTION or PLUGIN.ACCOUNT.FUNCTION, not \"%s\" (e.g. aircall.list_calls)",
        target);
    goto out;
  }
  snprintf(plugin, sizeof plugin, "%.*s", (int)(dot1 - target), target);
  if (dot2 > dot1) snprintf(account, sizeof account, "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
  snprintf(fn, sizeof fn, "%s", dot2 + 1);
  if (host_manifest_find(o, plugin, &m, &err)) {
    print_host_error("host_error", err.message);
    goto out;
  }
  if (!(f = host_manifest_function(m, fn))) {
    const char *near = closest_function(m, fn);
    snprintf(msg, sizeof msg, "%s has no function \"%s\"%s%s (see kkp-host describe %s)", plugin, fn,
             near ? ". Did you mean: " : "", near ? near : "", plugin);
    print_host_error("usage", msg);
    rc = HOST_EXIT_USAGE;
    goto out;
  }
  snprintf(msg, sizeof msg, "%s.%s", plugin, host_json_str(f, "name"));
  if (host_cli_check_params(f, flags, msg, &err)) {
    print_host_error("usage", err.message);
    rc = HOST_EXIT_USAGE;
    goto out;
  }
  if (!(args_text = call_args(args_arg, flags, &rc))) goto out;
  /* A wrong --config is a usage error, found before anything is loaded. */
  if ((st = host_config_build(o, m, &cfg, &err)) != 0) {
    print_host_error(st > 0 ? "usage" : "config_error", err.message);
    rc = st > 0 ? HOST_EXIT_USAGE : host_exit_for_status(KKP_ERR_CONFIG);
    goto out;
  }
  if (host_function_is_write(f) && !host_write_permitted(o, plugin, host_json_str(f, "name"), &err)) {
    print_host_error("write_denied", err.message);
    goto out;
  }
  if (host_plugin_load(m, &p, &err)) {
    print_host_error("host_error", err.message);
    goto out;
  }
  st = host_account_open(o, p, account, &a, &errjson);
  if (st != KKP_OK) {
    hinted = dot2 > dot1 ? host_cli_account_hint(o, plugin, account, errjson) : NULL;
    print_json_text(hinted ? hinted : errjson, stderr);
    free(hinted);
    rc = host_exit_for_status(st);
    goto out;
  }
  st = host_account_invoke_shown(a, fn, args_text, 0, &result);
  print_json_text(result, st == KKP_OK ? stdout : stderr);
  rc = host_exit_for_status(st);
out:
  free(cfg);
  free(args_text);
  free(result);
  free(errjson);
  host_account_close(a);
  host_plugin_release(p);
  host_manifest_free(m);
  return rc;
}

static int cmd_doc(const struct host_opts *o, const char *name, int as_json) {
  char plugin[128];
  const char *rest = name, *fn;
  struct host_manifest *m;
  struct host_error err;
  char *doc;
  size_t len;
  if (strncmp(rest, "integrations.", 13) == 0) rest += 13;
  fn = strchr(rest, '.');
  len = fn ? (size_t)(fn - rest) : strlen(rest);
  if (len == 0 || len >= sizeof plugin)
    return usage_error("doc needs integrations.PLUGIN[.FUNCTION], not \"%s\"", name);
  snprintf(plugin, sizeof plugin, "%.*s", (int)len, rest);
  if (host_manifest_find(o, plugin, &m, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  doc = host_doc(m, fn ? fn + 1 : NULL, &err);
  host_manifest_free(m);
  if (!doc) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
  }
  if (as_json) {
    json_object *root = json_object_new_object();
    json_object_object_add(root, "success", json_object_new_boolean(1));
    json_object_object_add(root, "name", json_object_new_string(name));
    json_object_object_add(root, "markdown", json_object_new_string(doc));
    print_json(root, stdout);
    json_object_put(root);
  } else {
    fputs(doc, stdout);
  }
  free(doc);
  return HOST_EXIT_OK;
}

/* The first of each group of options that only some commands take, to refuse one
 * given to a command it does not apply to (never ignored in silence). */
struct flags_seen {
  const char *json;   /* --json: list, describe, doc, call */
  const char *lua;    /* --memory-mb, --timeout-s: lua */
  const char *plugin; /* --base-url, --keystore, --timeout-ms, --config, --write: call, lua, mcp */
  const char *mcp;    /* --plugin, --account: mcp */
};

static void note_seen(struct flags_seen *s, const char *a, size_t klen) {
  static const char *const lua[] = {"--memory-mb", "--timeout-s"};
  static const char *const plugin[] = {"--base-url", "--keystore", "--timeout-ms", "--config", "--write"};
  for (size_t k = 0; k < sizeof lua / sizeof *lua; k++)
    if (!s->lua && strlen(lua[k]) == klen && strncmp(a, lua[k], klen) == 0) s->lua = lua[k];
  for (size_t k = 0; k < sizeof plugin / sizeof *plugin; k++)
    if (!s->plugin && strlen(plugin[k]) == klen && strncmp(a, plugin[k], klen) == 0) s->plugin = plugin[k];
  if (!s->mcp &&
      ((klen == 8 && strncmp(a, "--plugin", 8) == 0) || (klen == 9 && strncmp(a, "--account", 9) == 0)))
    s->mcp = klen == 8 ? "--plugin" : "--account";
}

static int flags_apply(const char *cmd, const struct flags_seen *s) {
  static const struct {
    const char *cmd;
    int json, lua, plugin, mcp;
  } rules[] = {{"list", 1, 0, 0, 0}, {"describe", 1, 0, 0, 0}, {"describe --tools", 0, 0, 1, 0},
               {"doc", 1, 0, 0, 0},  {"call", 1, 0, 1, 0},     {"lua", 0, 1, 1, 0},
               {"mcp", 0, 0, 1, 1},  {"check", 1, 0, 1, 0}};
  for (size_t k = 0; k < sizeof rules / sizeof *rules; k++) {
    const char *bad;
    if (strcmp(rules[k].cmd, cmd) != 0) continue;
    bad = !rules[k].json && s->json       ? s->json
          : !rules[k].lua && s->lua       ? s->lua
          : !rules[k].plugin && s->plugin ? s->plugin
          : !rules[k].mcp && s->mcp       ? s->mcp
                                          : NULL;
    if (!bad) return HOST_EXIT_OK;
    fprintf(stderr, "kkp-host: %s does not apply to %s (%s)\nRun kkp-host --help for usage.\n", bad, cmd,
            bad == s->json  ? "--json is for list, describe, doc, call and check"
            : bad == s->lua ? "it is for lua"
            : bad == s->mcp ? "it is for mcp; call takes the account as PLUGIN.ACCOUNT.FUNCTION"
                            : "it is for call, lua and mcp");
    return HOST_EXIT_USAGE;
  }
  return HOST_EXIT_OK; /* an unknown command: reported as such */
}

static int unknown_command(const char *cmd) {
  const char *near = host_cli_command_suggest(cmd);
  static const char *const known[] = {"list", "describe", "call", "lua", "doc", "mcp", "check"};
  for (size_t k = 0; k < sizeof known / sizeof *known; k++)
    if (strcmp(cmd, known[k]) == 0) return usage_error("wrong number of arguments for \"%s\"", cmd);
  if (near) {
    fprintf(stderr, "kkp-host: unknown command \"%s\". Did you mean: %s\nRun kkp-host --help for usage.\n",
            cmd, near);
    return HOST_EXIT_USAGE;
  }
  return usage_error("unknown command \"%s\" (commands: list, describe, call, lua, doc, mcp, check)", cmd);
}

/* Parses a whole number option. Returns -1 when it is not one. */
static long long number_arg(const char *s) {
  char *end;
  long long v;
  if (!s || !*s) return -1;
  errno = 0;
  v = strtoll(s, &end, 10);
  return *end || v < 0 || errno == ERANGE ? -1 : v;
}

/* main without the clean-up: *call_flags (call's arguments given as flags) is the
 * caller's to put, whichever way this returns. */
static int host_main(int argc, char **argv, json_object **call_flags_out) {
  struct host_opts o = {.timeout_ms = -1, .memory_mb = 32, .timeout_s = 30};
  const char *pos[4];
  size_t npos = 0;
  int as_json = 0, rc;
  struct flags_seen seen = {0};
  json_object **call_flags = call_flags_out;
  struct host_error err;
  const char *tools_format = NULL;
  /* Before any plugin is loaded or passphrase read: the plugin's credential, and
   * libcurl's copies of it, must not end up in a core file or a tracer's hands. */
  if (ks_process_guard() != 0)
    fprintf(stderr, "kkp-host: warning: cannot turn off core dumps and tracing (%s)\n", strerror(errno));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    size_t klen;
    int at = i;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      const char *help = npos > 0 ? host_command_help(pos[0]) : NULL;
      fputs(help ? help : usage_text, stdout);
      return HOST_EXIT_OK;
    }
    if (strcmp(a, "--version") == 0) {
      printf("kkp-host %s (plugin ABI %u.%u)\n", HOST_VERSION, KKP_ABI_MAJOR, KKP_ABI_MINOR);
      return HOST_EXIT_OK;
    }
    if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
      if (npos == sizeof pos / sizeof pos[0]) return usage_error("unexpected argument \"%s\"", a);
      pos[npos++] = a;
      continue;
    }
    if (strcmp(a, "--json") == 0) {
      as_json = 1;
      seen.json = a;
      continue;
    }
    if (strcmp(a, "--verbose") == 0) {
      o.verbose = 1;
      continue;
    }
    klen = strcspn(a, "=");
    if (a[klen] == '=') val = a + klen + 1;
    else if (i + 1 < argc && strcmp(a, "--write") != 0) val = argv[++i];
#define IS(opt) (strlen(opt) == klen && strncmp(a, opt, klen) == 0)
    note_seen(&seen, a, klen);
    if (IS("--plugin-dir") && val) {
      if (o.n_plugin_dirs == sizeof o.plugin_dirs / sizeof o.plugin_dirs[0])
        return usage_error("too many --plugin-dir (at most 32), at \"%s\"", val);
      o.plugin_dirs[o.n_plugin_dirs++] = val;
    } else if (IS("--base-url") && val) {
      o.base_url = val;
    } else if (IS("--passphrase-file") && val) {
      o.passphrase_file = val;
    } else if (IS("--keystore") && val) {
      o.keystore = val;
    } else if (IS("--timeout-ms") && val) {
      if ((o.timeout_ms = number_arg(val)) < 1)
        return usage_error("--timeout-ms needs a positive integer, not \"%s\"", val);
    } else if (IS("--memory-mb") && val) {
      long long v = number_arg(val);
      if (v < 1 || v > 1 << 20)
        return usage_error("--memory-mb needs an integer from 1 to 1048576, not \"%s\"", val);
      o.memory_mb = (size_t)v;
    } else if (IS("--timeout-s") && val) {
      char *end;
      o.timeout_s = strtod(val, &end);
      if (*end || !(o.timeout_s > 0) || !isfinite(o.timeout_s))
        return usage_error("--timeout-s needs a positive number of seconds, not \"%s\"", val);
    } else if (IS("--tools") && val) {
      tools_format = val;
    } else if (IS("--plugin") && val) {
      if (o.n_plugins == sizeof o.plugins / sizeof o.plugins[0])
        return usage_error("too many --plugin (at most 32), at \"%s\"", val);
      o.plugins[o.n_plugins++] = val;
    } else if (IS("--account") && val) {
      if (o.n_accounts == sizeof o.accounts / sizeof o.accounts[0])
        return usage_error("too many --account (at most 32), at \"%s\"", val);
      o.accounts[o.n_accounts++] = val;
    } else if (IS("--config") && val) {
      if (o.n_config == sizeof o.config / sizeof o.config[0])
        return usage_error("too many --config (at most 64), at \"%s\"", val);
      o.config[o.n_config++] = val;
    } else if (IS("--write") && val && strcmp(val, "allow") == 0) {
      o.write = HOST_WRITE_ALLOW;
    } else if (IS("--write") && val && strcmp(val, "deny") == 0) {
      o.write = HOST_WRITE_DENY;
    } else if (IS("--write")) {
      return usage_error("--write takes allow or deny, as --write=allow or --write=deny (got \"%s\")", a);
    } else if (npos >= 2 && strcmp(pos[0], "call") == 0) {
      /* after call's target, any other --name is one of the function's arguments */
      i = at;
      if (host_cli_call_flag(argc, argv, &i, call_flags, &err)) return usage_error("%s", err.message);
    } else {
      return usage_error("unknown option or missing value: \"%s\"", a);
    }
#undef IS
  }
  if (getenv("KKP_DEBUG") && *getenv("KKP_DEBUG") && strcmp(getenv("KKP_DEBUG"), "0") != 0) o.verbose = 1;
  if (npos == 0) {
    fputs(usage_text, stderr);
    return HOST_EXIT_USAGE;
  }
  /* describe --tools lists what mcp would serve: --write=deny leaves the writes out */
  rc = flags_apply(strcmp(pos[0], "describe") == 0 && tools_format ? "describe --tools" : pos[0], &seen);
  if (rc != HOST_EXIT_OK) return rc;
  if (strcmp(pos[0], "list") == 0 && npos == 1) return cmd_list(&o, as_json);
  if (strcmp(pos[0], "describe") == 0 && npos == 2 && tools_format)
    return host_mcp_describe(&o, pos[1], tools_format);
  if (strcmp(pos[0], "describe") == 0 && npos == 2) return cmd_describe(&o, pos[1], as_json);
  if (strcmp(pos[0], "mcp") == 0 && npos == 1) return host_mcp_serve(&o);
  if (strcmp(pos[0], "call") == 0 && (npos == 2 || npos == 3))
    return cmd_call(&o, pos[1], npos == 3 ? pos[2] : NULL, *call_flags);
  if (strcmp(pos[0], "lua") == 0 && npos == 2) return host_lua_run(&o, pos[1]);
  if (strcmp(pos[0], "doc") == 0 && npos == 2) return cmd_doc(&o, pos[1], as_json);
  if (strcmp(pos[0], "check") == 0 && npos == 2) return host_check(&o, pos[1], as_json);
  return unknown_command(pos[0]);
}

int main(int argc, char **argv) {
  json_object *call_flags = NULL;
  int rc = host_main(argc, argv, &call_flags);
  json_object_put(call_flags);
  return rc;
}
