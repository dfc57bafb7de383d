/* answer.c - fills a sim_resp: JSON bodies, the two error shapes Aircall uses (the edge's
 * {"message"} and the application's {"error","troubleshoot"}), and extra headers. */
#include "sim/sim.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* libmicrohttpd's phrases, but for 413 and 422, where Aircall (Rails) still answers with the older
 * RFC 7231 names, and "Error" for a status it has no name for. */
const char *sim_reason(int status) {
  if (status == 413) return "Payload Too Large";
  if (status == 422) return "Unprocessable Entity";
  return MHD_get_reason_phrase_len_for((unsigned)status) ? MHD_get_reason_phrase_for((unsigned)status)
                                                         : "Error";
}

void sim_resp_clear(struct sim_resp *rs) {
  free(rs->body);
  json_object_put(rs->json);
  for (size_t i = 0; i < rs->nheaders; i++) free(rs->headers[i].name), free(rs->headers[i].value);
  memset(rs, 0, sizeof *rs);
}

static void set_body(struct sim_resp *rs, int status, char *body, const char *type) {
  free(rs->body);
  json_object_put(rs->json);
  rs->json = NULL;
  rs->status = status;
  rs->body = body;
  rs->content_type = type;
}

/* The tree holds copies of every value it shows, so it can be serialized without the lock. */
void sim_resp_json(struct sim_resp *rs, int status, json_object *obj) {
  set_body(rs, status, NULL, "application/json; charset=utf-8");
  rs->json = obj;
  if (!obj) rs->body = strdup("null");
}

void sim_resp_finish(struct sim_resp *rs) {
  if (!rs->json) return;
  const char *txt =
      json_object_to_json_string_ext(rs->json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  free(rs->body);
  rs->body = strdup(txt ? txt : "null");
  json_object_put(rs->json);
  rs->json = NULL;
}

void sim_resp_text(struct sim_resp *rs, int status, const char *body, const char *type) {
  set_body(rs, status, body ? strdup(body) : NULL, type);
}

void sim_resp_error(struct sim_resp *rs, int status, const char *troubleshoot) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "error", json_object_new_string(sim_reason(status)));
  json_object_object_add(o, "troubleshoot", json_object_new_string(troubleshoot));
  sim_resp_json(rs, status, o);
}

void sim_resp_message(struct sim_resp *rs, int status, const char *message) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "message", json_object_new_string(message));
  sim_resp_json(rs, status, o);
}

void sim_resp_header(struct sim_resp *rs, const char *name, const char *value) {
  if (rs->nheaders >= sizeof rs->headers / sizeof rs->headers[0]) return;
  rs->headers[rs->nheaders].name = strdup(name);
  rs->headers[rs->nheaders].value = strdup(value);
  rs->nheaders++;
}
