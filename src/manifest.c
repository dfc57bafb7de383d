/*
 * manifest.c - the embedded manifest, parsed once per process: the single
 * source of function names, parameter schemas and config keys.
 */
#include <pthread.h>
#include <string.h>

#include "src/ac.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
/* One-time init; read-only afterwards, and shared by every invocation of every
 * thread. json-c's reference counts and serialisation buffers are not
 * thread-safe, so no code may json_object_get/put a part of it, add to it or
 * print a part of it: a value handed out of the plugin is copied first
 * (json_object_deep_copy). Lookups (object_get_ex, array_get_idx, get_string
 * of a string) only read. */
static json_object *manifest;

static void parse(void) {
  manifest = json_tokener_parse(ac_manifest_json);
}

json_object *ac_manifest(void) {
  pthread_once(&once, parse);
  return manifest;
}

json_object *ac_manifest_function(const char *name) {
  json_object *fns;
  if (!name || !json_object_object_get_ex(ac_manifest(), "functions", &fns)) return NULL;
  size_t n = json_object_array_length(fns);
  for (size_t i = 0; i < n; i++) {
    json_object *f = json_object_array_get_idx(fns, i);
    const char *short_name = ac_json_str(f, "name"), *full = ac_json_str(f, "full_name");
    if ((short_name && strcmp(short_name, name) == 0) || (full && strcmp(full, name) == 0)) return f;
  }
  return NULL;
}

json_object *ac_manifest_config(void) {
  json_object *cfg;
  return json_object_object_get_ex(ac_manifest(), "config", &cfg) ? cfg : NULL;
}

void ac_manifest_release(void) {
  json_object_put(manifest);
  manifest = NULL;
}
