/*
 * validate.c - checks arguments (and config) against the manifest's JSON
 * Schemas before any request, with messages that name the parameter, the
 * accepted values and what was given. Supports the subset the manifest uses.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

/* "an integer", "a string or an integer", ... from a schema's type. */
static void describe_types(json_object *type, char *out, size_t cap) {
  static const struct {
    const char *type, *text;
  } names[] = {{"integer", "an integer"}, {"string", "a string"}, {"number", "a number"},
               {"boolean", "a boolean"},  {"array", "an array"},  {"object", "an object"}};
  out[0] = '\0';
  size_t n = json_object_is_type(type, json_type_array) ? json_object_array_length(type) : 1;
  for (size_t i = 0; i < n; i++) {
    json_object *t = json_object_is_type(type, json_type_array) ? json_object_array_get_idx(type, i) : type;
    const char *name = json_object_get_string(t), *text = name;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
      if (strcmp(names[k].type, name) == 0) text = names[k].text;
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s%s", i ? " or " : "", text);
  }
}

/* What a value is, for "got ..." in messages. */
static void describe_value(json_object *v, char *out, size_t cap) {
  switch (json_object_get_type(v)) {
  case json_type_null: snprintf(out, cap, "null"); break;
  case json_type_boolean:
    snprintf(out, cap, "boolean %s", json_object_get_boolean(v) ? "true" : "false");
    break;
  case json_type_int: snprintf(out, cap, "integer %lld", (long long)json_object_get_int64(v)); break;
  case json_type_double: snprintf(out, cap, "number %g", json_object_get_double(v)); break;
  case json_type_string:
    snprintf(out, cap, "string \"%.60s%s\"", json_object_get_string(v),
             json_object_get_string_len(v) > 60 ? "..." : "");
    break;
  case json_type_array: snprintf(out, cap, "an array"); break;
  case json_type_object: snprintf(out, cap, "an object"); break;
  }
}

/* An integral double (Lua 10.0) counts as an integer. */
static int is_integer(json_object *v) {
  if (json_object_is_type(v, json_type_int)) return 1;
  if (!json_object_is_type(v, json_type_double)) return 0;
  double d = json_object_get_double(v);
  return isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0;
}

static int type_matches(const char *type, json_object *v) {
  if (strcmp(type, "integer") == 0) return is_integer(v);
  if (strcmp(type, "number") == 0)
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
  if (strcmp(type, "string") == 0) return json_object_is_type(v, json_type_string);
  if (strcmp(type, "boolean") == 0) return json_object_is_type(v, json_type_boolean);
  if (strcmp(type, "array") == 0) return json_object_is_type(v, json_type_array);
  if (strcmp(type, "object") == 0) return json_object_is_type(v, json_type_object);
  return 0;
}

/* Which of the schema's types v has, or NULL. */
static const char *matching_type(json_object *schema, json_object *v) {
  json_object *type;
  if (!json_object_object_get_ex(schema, "type", &type)) return "any";
  if (!json_object_is_type(type, json_type_array))
    return type_matches(json_object_get_string(type), v) ? json_object_get_string(type) : NULL;
  for (size_t i = 0; i < json_object_array_length(type); i++) {
    const char *t = json_object_get_string(json_object_array_get_idx(type, i));
    if (type_matches(t, v)) return t;
  }
  return NULL;
}

static int fail_param(struct ac_error *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_param(struct ac_error *e, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof(e->message), fmt, ap);
  va_end(ap);
  e->status = KKP_ERR_INVALID_ARGUMENT;
  ac_error_detail(e, "parameter", json_object_new_string(path));
  return e->status;
}

static int validate_value(const char *path, json_object *schema, json_object *v, struct ac_error *e);

/* The integers every JSON reader holds exactly (2^53 - 1). json-c silently
 * clamps larger literals to INT64_MAX/UINT64_MAX/INT64_MIN: refusing them here
 * keeps a clamped value from being sent as if it were what the agent wrote. */
#define AC_INT_LIMIT 9007199254740991LL

static int validate_integer(const char *path, json_object *schema, json_object *v, struct ac_error *e) {
  long long n = json_object_get_int64(v);
  if (n > AC_INT_LIMIT || n < -AC_INT_LIMIT)
    return fail_param(e, path, "%s is out of range: integers must be between %lld and %lld (got %s)", path,
                      -AC_INT_LIMIT, AC_INT_LIMIT, json_object_get_string(v));
  json_object *min, *max;
  int has_min = json_object_object_get_ex(schema, "minimum", &min);
  int has_max = json_object_object_get_ex(schema, "maximum", &max);
  long long lo = has_min ? json_object_get_int64(min) : 0, hi = has_max ? json_object_get_int64(max) : 0;
  if ((has_min && n < lo) || (has_max && n > hi)) {
    if (has_min && has_max)
      return fail_param(e, path, "%s must be between %lld and %lld (got %lld)", path, lo, hi, n);
    if (has_min) return fail_param(e, path, "%s must be at least %lld (got %lld)", path, lo, n);
    return fail_param(e, path, "%s must be at most %lld (got %lld)", path, hi, n);
  }
  return KKP_OK;
}

/* Whether strings of schema are dates: format "date-time" or "date", given directly
 * or in an anyOf branch (how the manifest says "a date-time, a bare date or seconds"). */
static int is_date_schema(json_object *schema) {
  json_object *any;
  const char *format = ac_json_str(schema, "format");
  if (format) return strcmp(format, "date-time") == 0 || strcmp(format, "date") == 0;
  if (!json_object_object_get_ex(schema, "anyOf", &any) || !json_object_is_type(any, json_type_array))
    return 0;
  for (size_t i = 0; i < json_object_array_length(any); i++)
    if (is_date_schema(json_object_array_get_idx(any, i))) return 1;
  return 0;
}

static int validate_string(const char *path, json_object *schema, json_object *v, struct ac_error *e) {
  const char *s = json_object_get_string(v);
  long long len = json_object_get_string_len(v);
  long long min = ac_json_int(schema, "minLength", -1), max = ac_json_int(schema, "maxLength", -1);
  json_object *en;
  if (strlen(s) != (size_t)len) return fail_param(e, path, "%s must not contain NUL characters", path);
  if (min > 0 && len < min) {
    if (min == 1) return fail_param(e, path, "%s must not be empty", path);
    return fail_param(e, path, "%s must be at least %lld characters long (got %lld)", path, min, len);
  }
  if (max >= 0 && len > max)
    return fail_param(e, path, "%s must be at most %lld characters long (got %lld)", path, max, len);
  if (json_object_object_get_ex(schema, "enum", &en)) {
    struct ac_buf list = {0};
    for (size_t i = 0; i < json_object_array_length(en); i++) {
      const char *opt = json_object_get_string(json_object_array_get_idx(en, i));
      if (strcmp(opt, s) == 0) {
        ac_buf_free(&list);
        return KKP_OK;
      }
      ac_buf_printf(&list, "%s\"%s\"", i == 0 ? "" : (i + 1 == json_object_array_length(en) ? " or " : ", "),
                    opt);
    }
    fail_param(e, path, "%s must be one of %s (got \"%.60s\")", path, list.s ? list.s : "", s);
    /* A copy: the manifest is shared by concurrent invocations and json-c's
     * reference counts are not atomic (see add_defaults in plugin.c). */
    json_object *accepted = NULL;
    json_object_deep_copy(en, &accepted, NULL);
    ac_error_detail(e, "accepted", accepted);
    ac_buf_free(&list);
    return e->status;
  }
  long long when;
  if (is_date_schema(schema) && ac_iso8601_parse(s, &when) != 0)
    return fail_param(e, path,
                      "%s must be an ISO-8601 date-time such as \"2026-01-01T00:00:00Z\" or "
                      "\"2026-01-01T09:30:00+02:00\", a date such as \"2026-01-01\", or UNIX seconds "
                      "(got \"%.60s\")",
                      path, s);
  return KKP_OK;
}

static int validate_array(const char *path, json_object *schema, json_object *v, struct ac_error *e) {
  long long n = (long long)json_object_array_length(v);
  long long min = ac_json_int(schema, "minItems", -1), max = ac_json_int(schema, "maxItems", -1);
  if (min > 0 && n < min)
    return fail_param(e, path, "%s must have at least %lld item%s (got %lld)", path, min, min == 1 ? "" : "s",
                      n);
  if (max >= 0 && n > max)
    return fail_param(e, path, "%s may have at most %lld items (got %lld)", path, max, n);
  json_object *items;
  if (!json_object_object_get_ex(schema, "items", &items)) return KKP_OK;
  for (long long i = 0; i < n; i++) {
    char sub[160];
    snprintf(sub, sizeof(sub), "%s[%lld]", path, i); /* 0-based, as JSON counts (a Lua host translates) */
    int rc = validate_value(sub, items, json_object_array_get_idx(v, (size_t)i), e);
    if (rc) return rc;
  }
  return KKP_OK;
}

/* null means "not given" (a Lua host has no other way to say it): drops such members. */
static void drop_nulls(json_object *v) {
  for (int again = 1; again;) {
    again = 0;
    json_object_object_foreach(v, key, val) {
      if (val == NULL) {
        json_object_object_del(v, key);
        again = 1;
        break;
      }
    }
  }
}

/* An unknown member: names the closest and lists what is accepted. A nested one
 * is named by its whole path ("phone_numbers[0].kind"), as details.parameter says. */
static int unknown_member(const char *path, const char *key, const char *what, json_object *props,
                          struct ac_error *e) {
  const char *names[64] = {0};
  size_t n = 0;
  struct ac_buf list = {0};
  char full[104];
  if (path) snprintf(full, sizeof(full), "%s.%s", path, key);
  if (props) {
    json_object_object_foreach(props, pname, pval) {
      (void)pval;
      if (n < 64) names[n++] = pname;
      ac_buf_printf(&list, "%s%s", list.len ? ", " : "", pname);
    }
  }
  const char *near = kkp_suggest_among(key, names, n), *accepted_list = list.s ? list.s : "";
  if (n == 0 && !path)
    fail_param(e, key, "%s takes no parameters (got \"%.60s\"): call it with {}", what, key);
  else if (path && near)
    fail_param(e, full, "unknown parameter \"%s\". Did you mean \"%s\"? Accepted: %s", full, near,
               accepted_list);
  else if (path) fail_param(e, full, "unknown parameter \"%s\". Accepted: %s", full, accepted_list);
  else if (near)
    fail_param(e, key, "unknown parameter \"%.60s\" for %s. Did you mean \"%s\"? Accepted: %s", key, what,
               near, accepted_list);
  else fail_param(e, key, "unknown parameter \"%.60s\" for %s. Accepted: %s", key, what, accepted_list);
  json_object *accepted = json_object_new_array();
  for (size_t i = 0; i < n; i++) json_object_array_add(accepted, json_object_new_string(names[i]));
  ac_error_detail(e, "accepted", accepted);
  ac_buf_free(&list);
  return e->status;
}

/* "path.name", or "name" at the top. */
static void member_path(const char *path, const char *name, char *out, size_t cap) {
  if (path) snprintf(out, cap, "%s.%s", path, name);
  else snprintf(out, cap, "%s", name);
}

/* Every member the schema requires is there (and not null). */
static int check_required(const char *path, const char *what, json_object *schema, json_object *v,
                          struct ac_error *e) {
  json_object *req, *ignored;
  if (!json_object_object_get_ex(schema, "required", &req)) return KKP_OK;
  for (size_t i = 0; i < json_object_array_length(req); i++) {
    const char *name = json_object_get_string(json_object_array_get_idx(req, i));
    if (!json_object_object_get_ex(v, name, &ignored) || json_object_is_type(ignored, json_type_null)) {
      char full[160];
      member_path(path, name, full, sizeof(full));
      return fail_param(e, full, "%s is required by %s", full, what);
    }
  }
  return KKP_OK;
}

/* Checks the members of object v against schema's properties/required. */
static int validate_members(const char *path, const char *what, json_object *schema, json_object *v,
                            struct ac_error *e) {
  json_object *props = NULL, *ps;
  json_object_object_get_ex(schema, "properties", &props);
  drop_nulls(v);
  json_object_object_foreach(v, key, val) {
    if (!props || !json_object_object_get_ex(props, key, &ps))
      return unknown_member(path, key, what, props, e);
    char sub[160];
    member_path(path, key, sub, sizeof(sub));
    int rc = validate_value(sub, ps, val, e);
    if (rc) return rc;
  }
  return check_required(path, what, schema, v, e);
}

static int validate_value(const char *path, json_object *schema, json_object *v, struct ac_error *e) {
  const char *type = matching_type(schema, v);
  if (!type) {
    char want[160], got[120];
    json_object *t = NULL;
    json_object_object_get_ex(schema, "type", &t);
    describe_types(t, want, sizeof(want));
    describe_value(v, got, sizeof(got));
    return fail_param(e, path, "%s must be %s (got %s)", path, want, got);
  }
  if (strcmp(type, "integer") == 0) return validate_integer(path, schema, v, e);
  if (strcmp(type, "string") == 0) return validate_string(path, schema, v, e);
  if (strcmp(type, "array") == 0) return validate_array(path, schema, v, e);
  if (strcmp(type, "object") == 0) return validate_members(path, path, schema, v, e);
  return KKP_OK;
}

int ac_validate_object(const char *what, json_object *schema, json_object *value, struct ac_error *e) {
  if (!json_object_is_type(value, json_type_object))
    return ac_fail(e, KKP_ERR_INVALID_ARGUMENT, "the arguments of %s must be a JSON object", what);
  return validate_members(NULL, what, schema, value, e);
}
