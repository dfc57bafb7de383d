/*
 * json.c - small typed getters over json-c, so callers read Aircall objects
 * without repeating type checks, and the typed reads of Aircall's answers
 * (a wrong shape is an error naming the field, never a json-c assertion).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "src/ac.h"

const char *ac_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
  return json_object_get_string(v);
}

const char *ac_json_text(json_object *o) {
  return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

long long ac_json_int(json_object *o, const char *key, long long fallback) {
  json_object *v;
  /* An integral double (a Lua float such as 10.0) passed validation as an integer. */
  if (!o || !json_object_object_get_ex(o, key, &v) ||
      !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
    return fallback;
  return json_object_get_int64(v);
}

json_object *ac_json_parse_with(json_tokener *tok, const char *text, size_t len) {
  if (len > INT_MAX) return NULL;
  if (!tok) return ac_json_parse(text, len);
  json_tokener_reset(tok);
  /* Strict: no trailing commas, single quotes or NaN, and nothing after the value. */
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object *j = json_tokener_parse_ex(tok, text, (int)len);
  size_t end =
      json_tokener_get_error(tok) == json_tokener_success ? (size_t)json_tokener_get_parse_end(tok) : 0;
  json_tokener_reset(tok); /* drops what an unfinished parse holds */
  while (end && end < len && strchr(" \t\r\n", text[end]) && text[end]) end++;
  if (end != len) {
    json_object_put(j);
    return NULL;
  }
  return j;
}

json_object *ac_json_parse(const char *text, size_t len) {
  json_tokener *tok = json_tokener_new_ex(KKP_JSON_MAX_DEPTH);
  if (!tok) return NULL;
  json_object *j = ac_json_parse_with(tok, text, len);
  json_tokener_free(tok);
  return j;
}

/* ---- reading Aircall's answers ------------------------------------------- */

/* "a string", "an object", ... : what a value is, for messages. */
static const char *kind(json_object *v) {
  switch (json_object_get_type(v)) {
  case json_type_null: return "null";
  case json_type_boolean: return "a boolean";
  case json_type_double: return "a fractional number";
  case json_type_int:
    /* json-c keeps integers past INT64_MAX as unsigned: no id is that large. */
    return json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX
               ? "an integer out of range"
               : "an integer";
  case json_type_string: return "a string";
  case json_type_array: return "an array";
  case json_type_object: return "an object";
  }
  return "an unknown value";
}

static int has_type(json_object *v, json_type type) {
  if (!json_object_is_type(v, type)) return 0;
  return type != json_type_int || strcmp(kind(v), "an integer") == 0;
}

static const char *type_name(json_type type) {
  switch (type) {
  case json_type_object: return "an object";
  case json_type_array: return "an array";
  case json_type_string: return "a string";
  case json_type_int: return "an integer";
  case json_type_boolean: return "a boolean";
  default: return "a number";
  }
}

int ac_json_check(struct ac_error *e, const char *what, const char *at, json_object *v, json_type type) {
  if (has_type(v, type)) return KKP_OK;
  return ac_fail(e, KKP_ERR_UPSTREAM, "Aircall's answer to %s has %s as %s, not %s", what,
                 at && *at ? at : "its top level", kind(v), type_name(type));
}

int ac_json_member(struct ac_error *e, const char *what, json_object *o, const char *at, const char *key,
                   json_type type, enum ac_json_need need, json_object **out) {
  char place[192];
  json_object *v = NULL;
  *out = NULL;
  int rc = ac_json_check(e, what, at, o, json_type_object);
  if (rc) return rc;
  snprintf(place, sizeof(place), "%s%s%s", at && *at ? at : "", at && *at ? "." : "", key);
  if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
    if (need == AC_JSON_OPTIONAL) return KKP_OK;
    return ac_fail(e, KKP_ERR_UPSTREAM, "Aircall's answer to %s has no \"%s\" (%s expected)", what, place,
                   type_name(type));
  }
  if ((rc = ac_json_check(e, what, place, v, type))) return rc;
  *out = v;
  return KKP_OK;
}

int ac_json_item(struct ac_error *e, const char *what, json_object *list, const char *at, size_t i,
                 json_type type, json_object **out) {
  char place[192];
  *out = NULL;
  int rc = ac_json_check(e, what, at, list, json_type_array);
  if (rc) return rc;
  json_object *v = i < json_object_array_length(list) ? json_object_array_get_idx(list, i) : NULL;
  snprintf(place, sizeof(place), "%s[%zu]", at, i); /* 0-based, as JSON counts */
  if ((rc = ac_json_check(e, what, place, v, type))) return rc;
  *out = v;
  return KKP_OK;
}

int ac_json_member_object(struct ac_error *e, const char *what, json_object *o, const char *at,
                          const char *key, enum ac_json_need need, json_object **out) {
  return ac_json_member(e, what, o, at, key, json_type_object, need, out);
}

int ac_json_member_array(struct ac_error *e, const char *what, json_object *o, const char *at,
                         const char *key, enum ac_json_need need, json_object **out) {
  return ac_json_member(e, what, o, at, key, json_type_array, need, out);
}

int ac_json_member_string(struct ac_error *e, const char *what, json_object *o, const char *at,
                          const char *key, enum ac_json_need need, const char **out) {
  json_object *v;
  int rc = ac_json_member(e, what, o, at, key, json_type_string, need, &v);
  *out = v ? json_object_get_string(v) : NULL;
  return rc;
}

int ac_json_member_int(struct ac_error *e, const char *what, json_object *o, const char *at, const char *key,
                       enum ac_json_need need, long long *out) {
  json_object *v;
  int rc = ac_json_member(e, what, o, at, key, json_type_int, need, &v);
  if (v) *out = json_object_get_int64(v);
  return rc;
}
