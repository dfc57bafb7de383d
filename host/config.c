/*
 * config.c - the plugin config handed to account_init, in layers, later ones
 * winning: the config file $KOSMO_HOME/kkp/NAME.json, then the environment
 * (NAME_KEY, e.g. AIRCALL_NAME_SCAN_PAGES), then the flags (--base-url,
 * --keystore, --timeout-ms, then each --config KEY=VALUE). Every key is checked
 * against the manifest's config schema, with did-you-mean, and every value
 * against the key's type, so a typo is refused before the plugin sees it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

static json_object *config_props(const struct host_manifest *m) {
  json_object *cfg, *props;
  if (json_object_object_get_ex(m->root, "config", &cfg) &&
      json_object_object_get_ex(cfg, "properties", &props))
    return props;
  return NULL;
}

int host_config_path(const char *plugin, char *out, size_t cap) {
  const char *kh = getenv("KOSMO_HOME"), *home = getenv("HOME");
  int n;
  if (kh && *kh) n = snprintf(out, cap, "%s/kkp/%s.json", kh, plugin);
  else if (home && *home) n = snprintf(out, cap, "%s/.kosmokrator/kkp/%s.json", home, plugin);
  else return -1;
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The key's schema, or NULL with err naming the closest key (where: how it was given). */
static json_object *key_schema(const struct host_manifest *m, const char *key, const char *where,
                               struct host_error *err) {
  json_object *props = config_props(m), *s;
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  if (props && json_object_object_get_ex(props, key, &s)) return s;
  if (props) {
    json_object_object_foreach(props, k, v) {
      (void)v;
      kkp_suggest_consider(key, k, &best, &best_d);
    }
  }
  if (best && kkp_suggest_close(key, best_d))
    host_error_set(err, "%s: %s has no config key \"%s\". Did you mean: %s", where, m->name, key, best);
  else
    host_error_set(err,
                   "%s: %s has no config key \"%s\" (see the config section of kkp-host describe %s --json)",
                   where, m->name, key, m->name);
  return NULL;
}

/* Whether v fits the schema's type and bounds; err says what was expected. */
static int value_fits(json_object *schema, json_object *v, const char *key, const char *where,
                      struct host_error *err) {
  const char *type = host_json_str(schema, "type");
  json_object *lo = NULL, *hi = NULL;
  int ok = 1;
  if (!type) return 1;
  if (strcmp(type, "integer") == 0) ok = json_object_is_type(v, json_type_int);
  else if (strcmp(type, "number") == 0)
    ok = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
  else if (strcmp(type, "boolean") == 0) ok = json_object_is_type(v, json_type_boolean);
  else if (strcmp(type, "string") == 0) ok = json_object_is_type(v, json_type_string);
  if (ok && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)) {
    double d = json_object_get_double(v);
    json_object_object_get_ex(schema, "minimum", &lo);
    json_object_object_get_ex(schema, "maximum", &hi);
    ok = !(lo && d < json_object_get_double(lo)) && !(hi && d > json_object_get_double(hi));
  }
  if (ok) return 1;
  if (lo && hi)
    host_error_set(err, "%s: %s needs %s from %s to %s, not %s", where, key, type, json_object_get_string(lo),
                   json_object_get_string(hi), json_object_to_json_string(v));
  else
    host_error_set(err, "%s: %s needs a value of type %s, not %s", where, key, type,
                   json_object_to_json_string(v));
  return 0;
}

/* A text value (environment, --config) as the schema's type: "40" is 40 for an integer
 * key and "40" for a string key. New value, or NULL with err set. */
static json_object *text_value(json_object *schema, const char *text, const char *key, const char *where,
                               struct host_error *err) {
  const char *type = host_json_str(schema, "type");
  json_object *v = type && strcmp(type, "string") == 0 ? json_object_new_string(text) : host_cli_coerce(text);
  if (!v && strcmp(text, "null") == 0) {
    host_error_set(err, "%s: %s needs a value, not null", where, key);
    return NULL;
  }
  if (v && !value_fits(schema, v, key, where, err)) {
    json_object_put(v);
    return NULL;
  }
  return v;
}

static int layer_file(const struct host_manifest *m, json_object *c, struct host_error *err) {
  char path[4096], where[4200];
  FILE *f;
  char *text;
  long len;
  json_object *root;
  enum json_tokener_error why;
  if (host_config_path(m->name, path, sizeof path)) return 0;
  if (!(f = fopen(path, "rb"))) {
    if (errno == ENOENT || errno == ENOTDIR) return 0; /* no file: nothing to apply */
    /* there but unreadable: never run with half the config the user wrote */
    host_error_set(err, "config file %s: cannot read it (%s): fix its permissions or remove it", path,
                   strerror(errno));
    return -1;
  }
  text = NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && len < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
      (text = malloc((size_t)len + 1)) && fread(text, 1, (size_t)len, f) == (size_t)len)
    text[len] = '\0';
  else len = -1;
  fclose(f);
  root = len >= 0 ? host_json_parse(text, (size_t)len, &why) : NULL;
  free(text);
  snprintf(where, sizeof where, "config file %s", path);
  if (!root || !json_object_is_type(root, json_type_object)) {
    host_error_set(err, "%s: must be one JSON object of config keys, e.g. {\"name_scan_pages\": 40}%s%s",
                   where, len < 0 ? " (unreadable or over 1 MiB)" : "", root ? "" : "");
    json_object_put(root);
    return -1;
  }
  json_object_object_foreach(root, key, v) {
    json_object *s = key_schema(m, key, where, err);
    if (!s || !value_fits(s, v, key, where, err)) {
      json_object_put(root);
      return -1;
    }
    json_object_object_add(c, key, json_object_get(v));
  }
  json_object_put(root);
  return 0;
}

/* NAME_KEY for every key of the schema: AIRCALL_NAME_SCAN_PAGES, AIRCALL_BASE_URL. */
static int layer_env(const struct host_manifest *m, json_object *c, struct host_error *err) {
  json_object *props = config_props(m);
  if (!props) return 0;
  json_object_object_foreach(props, key, schema) {
    char var[256];
    size_t n = 0;
    const char *val;
    json_object *v;
    for (const char *p = m->name; *p && n < 120; p++)
      var[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    var[n++] = '_';
    for (const char *p = key; *p && n < sizeof var - 1; p++) var[n++] = (char)toupper((unsigned char)*p);
    var[n] = '\0';
    if (!(val = getenv(var)) || !*val) continue;
    if (!(v = text_value(schema, val, key, var, err))) return -1;
    json_object_object_add(c, key, v);
  }
  return 0;
}

/* The flags: returns 1 (usage error) with err set when one is wrong. */
static int layer_flags(const struct host_opts *o, const struct host_manifest *m, json_object *c,
                       struct host_error *err) {
  json_object *props = config_props(m), *s, *v;
  if (o->base_url && props && json_object_object_get_ex(props, "base_url", NULL))
    json_object_object_add(c, "base_url", json_object_new_string(o->base_url));
  if (o->keystore && props && json_object_object_get_ex(props, "keystore", NULL))
    json_object_object_add(c, "keystore", json_object_new_string(o->keystore));
  if (o->timeout_ms >= 0 && props && json_object_object_get_ex(props, "timeout_ms", NULL))
    json_object_object_add(c, "timeout_ms", json_object_new_int64(o->timeout_ms));
  for (size_t i = 0; i < o->n_config; i++) {
    char key[128], where[200];
    const char *eq = strchr(o->config[i], '=');
    size_t len = eq ? (size_t)(eq - o->config[i]) : 0;
    if (!eq || len == 0 || len >= sizeof key) {
      host_error_set(err, "--config needs KEY=VALUE, e.g. --config name_scan_pages=40 (got \"%s\")",
                     o->config[i]);
      return 1;
    }
    memcpy(key, o->config[i], len);
    key[len] = '\0';
    snprintf(where, sizeof where, "--config %s", key);
    if (!(s = key_schema(m, key, where, err)) || !(v = text_value(s, eq + 1, key, where, err))) return 1;
    json_object_object_add(c, key, v);
  }
  return 0;
}

int host_config_build(const struct host_opts *o, const struct host_manifest *m, char **out,
                      struct host_error *err) {
  json_object *c = json_object_new_object();
  int rc;
  *out = NULL;
  if (!c) {
    host_error_set(err, "out of memory building the plugin config");
    return -1;
  }
  rc = layer_file(m, c, err);
  if (rc == 0) rc = layer_env(m, c, err);
  if (rc == 0) rc = layer_flags(o, m, c, err);
  if (rc == 0 && !(*out = strdup(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE)))) {
    host_error_set(err, "out of memory building the plugin config");
    rc = -1;
  }
  json_object_put(c);
  return rc;
}

char *host_config_json(const struct host_opts *o, const struct host_manifest *m) {
  struct host_error err;
  char *s = NULL;
  return host_config_build(o, m, &s, &err) == 0 ? s : NULL;
}
