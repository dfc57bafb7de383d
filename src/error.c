/*
 * error.c - the one error object of an invocation and its JSON form
 * (docs/SPEC.md §1: {"error": {"code", "message", "retryable", "http_status", ...}}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

void ac_error_init(struct ac_error *e) {
  memset(e, 0, sizeof(*e));
  e->retry_after_s = -1;
}

void ac_error_clear(struct ac_error *e) {
  json_object_put(e->details);
  ac_error_init(e);
}

int ac_fail(struct ac_error *e, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof(e->message), fmt, ap);
  va_end(ap);
  e->status = status;
  return status;
}

void ac_error_append(struct ac_error *e, const char *fmt, ...) {
  size_t len = strnlen(e->message, sizeof(e->message) - 1);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message + len, sizeof(e->message) - len, fmt, ap);
  va_end(ap);
}

void ac_error_move(struct ac_error *to, struct ac_error *from) {
  if (to == from) return;
  ac_error_clear(to);
  *to = *from; /* the details object changes hands: only one of the two may own it */
  ac_error_init(from);
}

void ac_error_detail(struct ac_error *e, const char *key, json_object *value) {
  if (!e->details) e->details = json_object_new_object();
  if (e->details) json_object_object_add(e->details, key, value);
  else json_object_put(value);
}

const char *ac_status_code(int status) {
  return kkp_status_name(status);
}

char *ac_error_json(const struct ac_error *e) {
  json_object *root = json_object_new_object(), *err = json_object_new_object();
  char *out = NULL;
  if (!root || !err) {
    json_object_put(root);
    json_object_put(err);
    goto fallback;
  }
  json_object_object_add(err, "code", json_object_new_string(ac_status_code(e->status)));
  json_object_object_add(err, "message",
                         json_object_new_string(e->message[0] ? e->message : "unknown error"));
  json_object_object_add(err, "retryable", json_object_new_boolean(e->retryable));
  if (e->http_status > 0) json_object_object_add(err, "http_status", json_object_new_int64(e->http_status));
  if (e->retry_after_s >= 0)
    json_object_object_add(err, "retry_after_s", json_object_new_int64(e->retry_after_s));
  if (e->details) json_object_object_add(err, "details", json_object_get(e->details));
  json_object_object_add(root, "error", err);
  out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(root);
  if (out) return out;
fallback:
  /* Out of memory: a static-shaped answer still reaches the host. */
  return strdup("{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\",\"retryable\":true}}");
}
