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
    "  list                               plugins found (reads manifests only; loads nothing)\n"
    "  describe PLUGIN [--json]           a plugin's functions and parameters (--json: the raw manifest)\n"
    "  call PLUGIN[.ACCOUNT].FUNCTION [JSON|-]\n"
    "                                     call one function; arguments as a JSON object, '-' reads\n"
    "                                     them from stdin; result JSON on stdout, error JSON on stderr\n"
    "  lua FILE|-                         run a Lua script in the sandbox with app.integrations.*\n"
    "  doc NAME                           the agent reference: integrations.PLUGIN[.FUNCTION]\n"
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
    "  --verbose           plugin log lines on stderr\n"
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

static int cmd_list(const struct host_opts *o) {
  struct host_manifest **ms;
  struct host_error err;
  size_t n;
  if (host_manifest_all(o, &ms, &n, &err)) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return HOST_EXIT_HOST;
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
    host_suggest_consider(fn, host_json_str(json_object_array_get_idx(fs, i), "name"), &best, &best_d);
  return best && host_suggest_close(fn, best_d) ? best : NULL;
}

static int cmd_call(const struct host_opts *o, const char *target, const char *args_arg) {
  char plugin[128], account[128] = "default", fn[256], msg[1536];
  const char *dot1 = strchr(target, '.'), *dot2 = strrchr(target, '.');
  struct host_manifest *m = NULL;
  struct host_plugin *p = NULL;
  struct host_account *a = NULL;
  struct host_error err;
  json_object *f, *args = NULL;
  char *args_text = NULL, *result = NULL, *errjson = NULL;
  int rc = HOST_EXIT_HOST, st;
  enum json_tokener_error jerr;
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
  if (!args_arg) args_text = strdup("{}");
  else if (strcmp(args_arg, "-") == 0) args_text = read_stdin();
  else args_text = strdup(args_arg);
  if (!args_text) {
    print_host_error("host_error", "cannot read the arguments (out of memory or unreadable stdin)");
    goto out;
  }
  /* strictly: the plugin receives args_text itself, so it must be exactly one object */
  args = host_json_parse(args_text, strlen(args_text), &jerr);
  if (!args || !json_object_is_type(args, json_type_object)) {
    snprintf(msg, sizeof msg, "the arguments must be one JSON object, e.g. '{\"per_page\": 10}'%s%s",
             jerr != json_tokener_success ? ": not valid JSON: " : "",
             jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "");
    print_host_error("usage", msg);
    rc = HOST_EXIT_USAGE;
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
    print_json_text(errjson, stderr);
    rc = host_exit_for_status(st);
    goto out;
  }
  st = host_account_invoke(a, fn, args_text, &result);
  print_json_text(result, st == KKP_OK ? stdout : stderr);
  rc = host_exit_for_status(st);
out:
  json_object_put(args);
  free(args_text);
  free(result);
  free(errjson);
  host_account_close(a);
  host_plugin_release(p);
  host_manifest_free(m);
  return rc;
}

static int cmd_doc(const struct host_opts *o, const char *name) {
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
  fputs(doc, stdout);
  free(doc);
  return HOST_EXIT_OK;
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

int main(int argc, char **argv) {
  struct host_opts o = {.timeout_ms = -1, .memory_mb = 32, .timeout_s = 30};
  const char *pos[4];
  size_t npos = 0;
  int as_json = 0;
  const char *tools_format = NULL;
  /* Before any plugin is loaded or passphrase read: the plugin's credential, and
   * libcurl's copies of it, must not end up in a core file or a tracer's hands. */
  if (ks_process_guard() != 0)
    fprintf(stderr, "kkp-host: warning: cannot turn off core dumps and tracing (%s)\n", strerror(errno));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    size_t klen;
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
    } else if (IS("--write") && val && strcmp(val, "allow") == 0) {
      o.write = HOST_WRITE_ALLOW;
    } else if (IS("--write") && val && strcmp(val, "deny") == 0) {
      o.write = HOST_WRITE_DENY;
    } else if (IS("--write")) {
      return usage_error("--write takes allow or deny, as --write=allow or --write=deny (got \"%s\")", a);
    } else {
      return usage_error("unknown option or missing value: \"%s\"", a);
    }
#undef IS
  }
  if (npos == 0) {
    fputs(usage_text, stderr);
    return HOST_EXIT_USAGE;
  }
  if (strcmp(pos[0], "list") == 0 && npos == 1) return cmd_list(&o);
  if (strcmp(pos[0], "describe") == 0 && npos == 2 && tools_format)
    return host_mcp_describe(&o, pos[1], tools_format);
  if (strcmp(pos[0], "describe") == 0 && npos == 2) return cmd_describe(&o, pos[1], as_json);
  if (strcmp(pos[0], "mcp") == 0 && npos == 1) return host_mcp_serve(&o);
  if (strcmp(pos[0], "call") == 0 && (npos == 2 || npos == 3))
    return cmd_call(&o, pos[1], npos == 3 ? pos[2] : NULL);
  if (strcmp(pos[0], "lua") == 0 && npos == 2) return host_lua_run(&o, pos[1]);
  if (strcmp(pos[0], "doc") == 0 && npos == 2) return cmd_doc(&o, pos[1]);
  if (strcmp(pos[0], "check") == 0 && npos == 2) return host_check(&o, pos[1], as_json);
  if (!host_command_help(pos[0]) && host_command_suggest(pos[0])) {
    fprintf(stderr, "kkp-host: unknown command \"%s\". Did you mean: %s\n", pos[0],
            host_command_suggest(pos[0]));
    return HOST_EXIT_USAGE;
  }
  return usage_error("unknown command or wrong number of arguments for \"%s\"", pos[0]);
}
