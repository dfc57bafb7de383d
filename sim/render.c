/* render.c - turns the simulator's records into the JSON objects Aircall answers with,
 * field for field as listed in docs/aircall-api.md (calls have no from/to, numbers no `number`,
 * v1 users one `name`, v2 users no first/last name). */
#include "sim/sim.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const AVAIL[3] = {"available", "custom", "unavailable"};
static const char *const LANG[3] = {"en-US", "fr-FR", "de-DE"};
static const char *const TZ[4] = {"Europe/Paris", "America/New_York", "Europe/London", "Europe/Berlin"};
static const char *const NUMBER_AVAIL[3] = {"open", "closed", "custom"};
static const char *const MISSED[6] = {"out_of_opening_hours", "short_abandoned",    "abandoned_in_ivr",
                                      "abandoned_in_classic", "no_available_agent", "agents_did_not_answer"};

void sim_iso8601(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static void add(json_object *o, const char *k, json_object *v) {
  json_object_object_add(o, k, v);
}
static json_object *str(const char *s) {
  return s ? json_object_new_string(s) : NULL;
}
static json_object *i64(int64_t v) {
  return json_object_new_int64(v);
}
static json_object *boolean(bool b) {
  return json_object_new_boolean(b);
}
static json_object *iso(int64_t t) {
  char b[32];
  sim_iso8601(t, b);
  return json_object_new_string(b);
}
static json_object *link(const struct sim *s, const char *kind, int64_t id) {
  char b[128];
  snprintf(b, sizeof b, "%s/v1/%s/%lld", s->base_url, kind, (long long)id);
  return json_object_new_string(b);
}

json_object *sim_render_user_v1(const struct sim *s, const struct sim_company *co, const struct sim_user *u,
                                bool abridged) {
  json_object *o = json_object_new_object();
  add(o, "id", i64(u->id));
  add(o, "direct_link", link(s, "users", u->id));
  add(o, "name", str(u->name));
  add(o, "email", str(u->email));
  add(o, "available", boolean(u->availability == 0));
  add(o, "availability_status", str(AVAIL[u->availability]));
  /* Inside a call the user drops substatus and wrap_up_time (docs/aircall-api.md, Calls). */
  if (!abridged) add(o, "substatus", str(u->availability == 0 ? "always_opened" : "out_for_lunch"));
  add(o, "created_at", iso(u->created_at));
  add(o, "time_zone", str(TZ[u->time_zone]));
  add(o, "language", str(LANG[u->language]));
  if (!abridged) {
    add(o, "wrap_up_time", i64(u->wrap_up_time));
    json_object *nums = json_object_new_array();
    json_object_array_add(nums, sim_render_number(s, co, &co->numbers[u->number_idx], false));
    add(o, "numbers", nums);
  }
  return o;
}

json_object *sim_render_user_v2(const struct sim *s, const struct sim_company *co, const struct sim_user *u) {
  json_object *o = json_object_new_object();
  char b[128];
  add(o, "id", i64(u->id));
  add(o, "name", str(u->name));
  add(o, "email", str(u->email));
  snprintf(b, sizeof b, "%s/v2/users/%lld", s->base_url, (long long)u->id);
  add(o, "direct_link", str(b));
  add(o, "language", str(LANG[u->language]));
  add(o, "created_at", iso(u->created_at));
  add(o, "time_zone", str(TZ[u->time_zone]));
  add(o, "state", str("active"));
  add(o, "wrap_up_time", i64(u->wrap_up_time));
  snprintf(b, sizeof b, "%d", u->extension);
  add(o, "extension", str(b));
  add(o, "availability_status", str(AVAIL[u->availability]));
  add(o, "available", boolean(u->availability == 0));
  add(o, "default_number_id", i64(co->numbers[u->number_idx].id));
  add(o, "substatus", str(u->availability == 0 ? "always_opened" : "out_for_lunch"));
  return o;
}

json_object *sim_render_number(const struct sim *s, const struct sim_company *co, const struct sim_number *n,
                               bool with_users) {
  json_object *o = json_object_new_object();
  add(o, "id", i64(n->id));
  add(o, "direct_link", link(s, "numbers", n->id));
  add(o, "name", str(n->name));
  add(o, "digits", str(n->digits));
  add(o, "created_at", iso(n->created_at));
  add(o, "country", str(n->country));
  add(o, "time_zone", str(n->time_zone));
  add(o, "open", boolean(n->availability != 1));
  add(o, "availability_status", str(NUMBER_AVAIL[n->availability]));
  add(o, "is_ivr", boolean(n->is_ivr));
  add(o, "live_recording_activated", boolean(n->live_recording));
  add(o, "priority", n->priority ? i64(n->priority) : NULL);
  json_object *m = json_object_new_object();
  char b[160];
  static const char *const MSG[4] = {"welcome", "waiting", "voicemail", "closed"};
  for (size_t k = 0; k < 4; k++) {
    snprintf(b, sizeof b, "https://assets.aircall.example/numbers/%lld/%s.mp3", (long long)n->id, MSG[k]);
    add(m, MSG[k], str(b));
  }
  add(o, "messages", m);
  if (with_users) {
    json_object *us = json_object_new_array();
    for (size_t i = 0; i < co->nusers; i++)
      if (&co->numbers[co->users[i].number_idx] == n)
        json_object_array_add(us, sim_render_user_v1(s, co, &co->users[i], true));
    add(o, "users", us);
  }
  return o;
}

json_object *sim_render_tag(const struct sim_tag *t) {
  json_object *o = json_object_new_object();
  add(o, "id", i64(t->id));
  add(o, "name", str(t->name));
  add(o, "color", str(t->color));
  add(o, "description", str(t->description));
  return o;
}

static json_object *details(const struct sim_detail *d, size_t n) {
  json_object *a = json_object_new_array();
  for (size_t k = 0; k < n; k++) {
    json_object *o = json_object_new_object();
    add(o, "id", i64(d[k].id));
    add(o, "label", str(d[k].label));
    add(o, "value", str(d[k].value));
    json_object_array_add(a, o);
  }
  return a;
}

json_object *sim_render_contact(const struct sim *s, const struct sim_contact *c) {
  json_object *o = json_object_new_object();
  add(o, "id", i64(c->id));
  add(o, "direct_link", link(s, "contacts", c->id));
  add(o, "first_name", str(c->first_name));
  add(o, "last_name", str(c->last_name));
  add(o, "company_name", str(c->company_name));
  add(o, "information", str(c->information));
  add(o, "is_shared", boolean(true));
  add(o, "created_at", i64(c->created_at));
  add(o, "updated_at", i64(c->updated_at));
  add(o, "phone_numbers", details(c->phones, c->nphones));
  add(o, "emails", details(c->emails, c->nemails));
  return o;
}

/* The contact whose phone has the same digits as the call's external party, if any. */
static const struct sim_contact *contact_for(const struct sim_company *co, const char *raw) {
  char want[32], have[32];
  if (sim_digits(raw, want, sizeof want) == 0) return NULL;
  for (size_t i = 0; i < co->ncontacts; i++) {
    const struct sim_contact *c = &co->contacts[i];
    if (c->deleted) continue;
    for (size_t k = 0; k < c->nphones; k++) {
      sim_digits(c->phones[k].value, have, sizeof have);
      if (strcmp(want, have) == 0) return c;
    }
  }
  return NULL;
}

static json_object *user_or_null(const struct sim *s, const struct sim_company *co, int32_t idx) {
  return idx < 0 ? NULL : sim_render_user_v1(s, co, &co->users[idx], true);
}

/* A link to one of the call's assets when the flag says it has one, null otherwise. */
static json_object *asset(const struct sim_call *c, unsigned flags, const char *name) {
  char b[160];
  if (!(c->flags & flags)) return NULL;
  snprintf(b, sizeof b, "https://assets.aircall.example/calls/%lld/%s", (long long)c->id, name);
  return json_object_new_string(b);
}

static json_object *call_teams(const struct sim *s, const struct sim_call *c) {
  json_object *teams = json_object_new_array();
  if (c->direction == SIM_INBOUND && (c->flags & SIM_CALL_TEAM)) {
    json_object *t = json_object_new_object();
    add(t, "id", i64(71));
    add(t, "name", str("Support"));
    add(t, "direct_link", link(s, "teams", 71));
    add(t, "created_at", iso(1546300800LL));
    json_object_array_add(teams, t);
  }
  return teams;
}

static json_object *call_comments(const struct sim *s, const struct sim_company *co,
                                  const struct sim_call *c) {
  json_object *comments = json_object_new_array();
  if ((c->flags & SIM_CALL_COMMENT) && co->nusers) {
    json_object *cm = json_object_new_object();
    add(cm, "id", i64(c->id % 1000000 + 7000000));
    add(cm, "content", str("Customer asked for a call back tomorrow"));
    add(cm, "posted_at", i64(c->started_at + c->duration + 60));
    add(cm, "posted_by", sim_render_user_v1(s, co, &co->users[0], true));
    json_object_array_add(comments, cm);
  }
  return comments;
}

static json_object *call_tags(const struct sim *s, const struct sim_company *co, const struct sim_call *c) {
  json_object *tags = json_object_new_array();
  for (size_t t = 0; t < c->ntags; t++) {
    const struct sim_tag *tag = &co->tags[c->tags[t]];
    json_object *to = json_object_new_object();
    add(to, "id", i64(tag->id));
    add(to, "name", str(tag->name));
    add(to, "created_at", i64(c->started_at + c->duration + 30));
    add(to, "tagged_by", co->nusers ? sim_render_user_v1(s, co, &co->users[0], true) : NULL);
    json_object_array_add(tags, to);
  }
  return tags;
}

json_object *sim_render_call(const struct sim *s, const struct sim_company *co, const struct sim_call *c,
                             bool with_contact) {
  json_object *o = json_object_new_object();
  char b[160];
  bool answered = c->answered_after >= 0;
  add(o, "id", i64(c->id));
  snprintf(b, sizeof b, "CA%016llx%016llx", (unsigned long long)c->id * 2654435761ULL,
           (unsigned long long)c->started_at);
  add(o, "sid", str(b));
  add(o, "direct_link", link(s, "calls", c->id));
  add(o, "direction", str(c->direction == SIM_INBOUND ? "inbound" : "outbound"));
  add(o, "status", str("done")); /* history only: every generated call has ended */
  add(o, "missed_call_reason", c->missed_reason ? str(MISSED[c->missed_reason - 1]) : NULL);
  add(o, "started_at", i64(c->started_at));
  add(o, "answered_at", answered ? i64(c->started_at + c->answered_after) : NULL);
  add(o, "ended_at", i64(c->started_at + c->duration));
  add(o, "duration", i64(c->duration));
  add(o, "raw_digits", str(c->raw_digits));
  add(o, "recording", asset(c, SIM_CALL_RECORDING, "recording.mp3"));
  add(o, "voicemail", asset(c, SIM_CALL_VOICEMAIL, "voicemail.mp3"));
  add(o, "asset", asset(c, SIM_CALL_RECORDING | SIM_CALL_VOICEMAIL, "asset"));
  add(o, "archived", boolean(c->flags & SIM_CALL_ARCHIVED));
  add(o, "cost", str("0.0"));
  add(o, "user", user_or_null(s, co, c->user_idx));
  add(o, "assigned_to", user_or_null(s, co, (c->flags & SIM_CALL_ASSIGNED) ? c->user_idx : -1));
  add(o, "number", sim_render_number(s, co, &co->numbers[c->number_idx], false));
  const struct sim_contact *k = with_contact ? contact_for(co, c->raw_digits) : NULL;
  add(o, "contact", k ? sim_render_contact(s, k) : NULL);
  add(o, "teams", call_teams(s, c));
  add(o, "transferred_by", user_or_null(s, co, c->transferred_by));
  add(o, "transferred_to", user_or_null(s, co, c->transferred_to));
  add(o, "comments", call_comments(s, co, c));
  add(o, "tags", call_tags(s, co, c));
  add(o, "participants", json_object_new_array());
  return o;
}
