/*
 * show.c - what is installed, from the manifests alone (no plugin code runs):
 * `kkp-host list`, `describe` and `doc`; and how kkp-host prints JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

void host_print_json(json_object *o, FILE *f) {
  int flags =
      JSON_C_TO_STRING_NOSLASHESCAPE |
      (isatty(fileno(f)) ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
  fprintf(f, "%s\n", json_object_to_json_string_ext(o, flags));
}

/* Prints a JSON text (re-serialised; as it is when it does not parse). */
void host_print_json_text(const char *s, FILE *f) {
  json_object *o = json_tokener_parse(s);
  if (o) host_print_json(o, f);
  else fprintf(f, "%s\n", s);
  json_object_put(o);
}

void host_print_error(const char *code, const char *message) {
  char *e = host_error_json(code, message);
  if (e) host_print_json_text(e, stderr);
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
  host_print_json(root, stdout);
  json_object_put(root);
}

int host_cmd_list(const struct host_opts *o, int as_json) {
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

int host_cmd_describe(const struct host_opts *o, const char *name, int as_json) {
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

int host_cmd_doc(const struct host_opts *o, const char *name, int as_json) {
  char plugin[128];
  const char *rest = name, *fn;
  struct host_manifest *m;
  struct host_error err;
  char *doc;
  size_t len;
  if (strncmp(rest, "integrations.", 13) == 0) rest += 13;
  fn = strchr(rest, '.');
  len = fn ? (size_t)(fn - rest) : strlen(rest);
  if (len == 0 || len >= sizeof plugin) {
    fprintf(
        stderr,
        "kkp-host: doc needs integrations.PLUGIN[.FUNCTION], not \"%s\"\nRun kkp-host --help for usage.\n",
        name);
    return HOST_EXIT_USAGE;
  }
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
    host_print_json(root, stdout);
    json_object_put(root);
  } else {
    fputs(doc, stdout);
  }
  free(doc);
  return HOST_EXIT_OK;
}
