/*
 * json.c - small typed getters over json-c, so callers read Aircall objects
 * without repeating type checks.
 */
#include <limits.h>
#include <string.h>

#include "src/ac.h"

const char *ac_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
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

json_object *ac_json_parse(const char *text, size_t len) {
  if (len > INT_MAX) return NULL;
  json_tokener *tok = json_tokener_new();
  if (!tok) return NULL;
  /* Strict: no trailing commas, single quotes or NaN, and nothing after the value. */
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object *j = json_tokener_parse_ex(tok, text, (int)len);
  size_t end =
      json_tokener_get_error(tok) == json_tokener_success ? (size_t)json_tokener_get_parse_end(tok) : 0;
  json_tokener_free(tok);
  while (end && end < len && strchr(" \t\r\n", text[end]) && text[end]) end++;
  if (end != len) {
    json_object_put(j);
    return NULL;
  }
  return j;
}
