/*
 * cli_args.c - what `kkp-host call` takes besides its JSON object, as KosmoKrator's
 * integrations:call does: --per-page 5, --per-page=5 and --arg per_page=5, kebab-case
 * names as snake_case, values coerced (true, false, null, integers, numbers with a
 * dot, JSON arrays and objects, else strings); did-you-mean for parameters and accounts.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "keystore/ks.h"

json_object *host_cli_coerce(const char *s) {
  char *end;
  if (strcmp(s, "true") == 0) return json_object_new_boolean(1);
  if (strcmp(s, "false") == 0) return json_object_new_boolean(0);
  if (strcmp(s, "null") == 0) return NULL;
  if (*s && strspn(s, "-0123456789") == strlen(s)) {
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*end && errno != ERANGE && end != s) return json_object_new_int64(v);
  }
  if (*s && strchr(s, '.') && strspn(s, "-+0123456789.eE") == strlen(s)) {
    double d = strtod(s, &end);
    if (!*end && isfinite(d)) return json_object_new_double(d);
  }
  if (*s == '[' || *s == '{') {
    enum json_tokener_error why;
    json_object *o = host_json_parse(s, strlen(s), &why);
    if (o) return o;
  }
  return json_object_new_string(s);
}

/* "per-page" -> "per_page" into out (cap bytes). 0, or -1 when it does not fit or is empty. */
static int snake(const char *name, size_t len, char *out, size_t cap) {
  if (len == 0 || len >= cap) return -1;
  for (size_t i = 0; i < len; i++) out[i] = name[i] == '-' ? '_' : name[i];
  out[len] = '\0';
  return 0;
}

int host_cli_call_flag(int argc, char **argv, int *i, json_object **flags, struct host_error *err) {
  const char *a = argv[*i], *name, *eq, *val;
  char key[256];
  size_t len;
  if (strcmp(a, "--arg") == 0 || strncmp(a, "--arg=", 6) == 0) {
    /* --arg KEY=VALUE: the key as written (no case change), for any name */
    val = a[5] == '=' ? a + 6 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!val || !(eq = strchr(val, '=')) || eq == val) {
      host_error_set(err, "--arg needs KEY=VALUE, e.g. --arg per_page=5 (got \"%s\")", val ? val : "");
      return -1;
    }
    name = val;
    len = (size_t)(eq - val);
    val = eq + 1;
    if (len >= sizeof key) goto too_long;
    memcpy(key, name, len);
    key[len] = '\0';
  } else {
    name = a + 2;
    eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    if (eq) val = eq + 1;
    else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) val = argv[++*i];
    else val = "true"; /* a bare --flag is true, as in integrations:call */
    if (snake(name, len, key, sizeof key)) goto too_long;
  }
  if (!*flags && !(*flags = json_object_new_object())) {
    host_error_set(err, "out of memory reading the arguments");
    return -1;
  }
  json_object_object_add(*flags, key, host_cli_coerce(val));
  return 0;
too_long:
  host_error_set(err, "argument name missing or too long in \"%s\"", a);
  return -1;
}

/* The flag a function parameter was given by: "--per-page" for per_page. */
static void flag_name(const char *param, char *out, size_t cap) {
  size_t n = 0;
  for (const char *p = "--"; *p && n + 1 < cap; p++) out[n++] = *p;
  for (const char *p = param; *p && n + 1 < cap; p++) out[n++] = *p == '_' ? '-' : *p;
  out[n] = '\0';
}

int host_cli_check_params(json_object *fn, json_object *flags, const char *target, struct host_error *err) {
  json_object *params = NULL, *props = NULL;
  if (!flags) return 0;
  json_object_object_get_ex(fn, "parameters", &params);
  json_object_object_get_ex(params, "properties", &props);
  json_object_object_foreach(flags, key, v) {
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    char fl[300], near[300];
    (void)v;
    if (props && json_object_object_get_ex(props, key, NULL)) continue;
    if (props) {
      json_object_object_foreach(props, pname, pschema) {
        (void)pschema;
        kkp_suggest_consider(key, pname, &best, &best_d);
      }
    }
    flag_name(key, fl, sizeof fl);
    if (best && kkp_suggest_close(key, best_d)) {
      flag_name(best, near, sizeof near);
      host_error_set(err, "%s has no parameter \"%s\" (given as %s). Did you mean: %s (--arg %s=...)", target,
                     key, fl, near, best);
    } else {
      host_error_set(err,
                     "%s has no parameter \"%s\" (given as %s); see kkp-host describe for its parameters",
                     target, key, fl);
    }
    return -1;
  }
  return 0;
}

char *host_cli_account_hint(const struct host_opts *o, const char *plugin, const char *account,
                            const char *error_json) {
  char dir[4096], **names = NULL, *out = NULL;
  size_t n = 0;
  struct ks_error kerr;
  json_object *root, *e = NULL;
  const char *near, *msg;
  if (o->keystore) snprintf(dir, sizeof dir, "%s", o->keystore);
  else if (ks_dir_default(dir, sizeof dir, &kerr) != KS_OK) return NULL;
  if (ks_account_list(dir, plugin, &names, &n, &kerr) != KS_OK) return NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], account) == 0) goto done; /* it exists: the plugin's error stands */
  near = kkp_suggest_among(account, (const char *const *)names, n);
  root = json_tokener_parse(error_json ? error_json : "");
  if (near && root && json_object_object_get_ex(root, "error", &e) && (msg = host_json_str(e, "message"))) {
    char *m = NULL;
    if (asprintf(&m, "%s (no account \"%s\" in the keystore. Did you mean: %s.%s)", msg, account, plugin,
                 near) >= 0) {
      json_object_object_add(e, "message", json_object_new_string(m));
      out = strdup(
          json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
      free(m);
    }
  }
  json_object_put(root);
done:
  ks_names_free(names, n);
  return out;
}
