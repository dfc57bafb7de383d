/*
 * json.c - small typed getters over json-c, so callers read Aircall objects
 * without repeating type checks.
 */
#include "src/ac.h"

const char *ac_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

long long ac_json_int(json_object *o, const char *key, long long fallback) {
  json_object *v;
  /* An integral double (a Lua float such as 10.0) passed validation as an integer. */
  if (!o || !json_object_object_get_ex(o, key, &v) ||
      !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
    return fallback;
  return json_object_get_int64(v);
}

json_object *ac_json_take(json_object *obj) {
  return json_object_get(obj);
}
