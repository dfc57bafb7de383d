/* controls.c - the test controls under /__sim (no auth, not logged, not rate-limited): the
 * fault queue (POST /__sim/faults), the request log (GET /__sim/requests), POST /__sim/reset
 * and GET /__sim/health. Called with s->lock held. */
#include "sim/sim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The log stops growing here so a long benchmark cannot eat the machine; the answer says how
 * many entries were dropped. */
#define SIM_LOG_MAX 1000000

struct sim_fault {
  char *method; /* NULL: any */
  char *path;   /* prefix; NULL: any */
  long count;
  struct sim_fault_hit hit;
};

struct sim_log_entry {
  char *method, *path, *query, *body, *company;
  int status;
  int64_t at_ms; /* UNIX milliseconds at arrival: tests compare retries with reset moments */
  int in_flight; /* requests in progress at its arrival, itself included: tests see reads at once */
};

static const struct {
  const char *name;
  enum sim_fault_kind kind;
  int status;
} KINDS[] = {
    {"status_before", SIM_FAULT_STATUS_BEFORE, 500},
    {"status_after", SIM_FAULT_STATUS_AFTER, 500},
    {"delay", SIM_FAULT_DELAY, 0},
    {"reset", SIM_FAULT_RESET, 0},
    {"reset_after", SIM_FAULT_RESET_AFTER, 0},
    {"truncate", SIM_FAULT_TRUNCATE, 200},
    {"invalid_json", SIM_FAULT_INVALID_JSON, 200},
    {"html", SIM_FAULT_HTML, 502},
};

void sim_fault_hit_clear(struct sim_fault_hit *hit) {
  free(hit->body);
  for (size_t i = 0; i < hit->nheaders; i++) free(hit->headers[i].name), free(hit->headers[i].value);
  memset(hit, 0, sizeof *hit);
}

static void fault_free(struct sim_fault *f) {
  free(f->method);
  free(f->path);
  sim_fault_hit_clear(&f->hit);
}

static char *dup_hit_str(const char *s) {
  return s ? strdup(s) : NULL;
}

bool sim_fault_take(struct sim *s, const char *method, const char *path, struct sim_fault_hit *hit) {
  for (size_t i = 0; i < s->nfaults; i++) {
    struct sim_fault *f = &s->faults[i];
    if (f->method && strcmp(f->method, method) != 0) continue;
    if (f->path && strncmp(path, f->path, strlen(f->path)) != 0) continue;
    memset(hit, 0, sizeof *hit);
    hit->kind = f->hit.kind;
    hit->status = f->hit.status;
    hit->delay_ms = f->hit.delay_ms;
    hit->body = dup_hit_str(f->hit.body);
    for (size_t h = 0; h < f->hit.nheaders; h++) {
      hit->headers[h].name = strdup(f->hit.headers[h].name);
      hit->headers[h].value = strdup(f->hit.headers[h].value);
      hit->nheaders++;
    }
    if (--f->count <= 0) {
      fault_free(f);
      memmove(f, f + 1, (s->nfaults - i - 1) * sizeof *f);
      s->nfaults--;
    }
    return true;
  }
  return false;
}

/* The fault's kind, with its default status; on error answers 400 and returns -1. */
static int fault_kind(json_object *o, struct sim_fault *f, struct sim_resp *rs) {
  json_object *v;
  char msg[200];
  if (!json_object_is_type(o, json_type_object)) {
    sim_resp_error(rs, 400, "a fault is a JSON object: {\"kind\":..., \"path\":..., ...}");
    return -1;
  }
  if (!json_object_object_get_ex(o, "kind", &v) || !json_object_is_type(v, json_type_string)) {
    sim_resp_error(rs, 400,
                   "kind is required: status_before, status_after, delay, reset, "
                   "reset_after, truncate, invalid_json or html");
    return -1;
  }
  const char *kind = json_object_get_string(v);
  for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(kind, KINDS[i].name) == 0) f->hit.kind = KINDS[i].kind, f->hit.status = KINDS[i].status;
  if (f->hit.kind == SIM_FAULT_NONE) {
    snprintf(msg, sizeof msg,
             "unknown kind \"%.40s\": use status_before, status_after, delay, reset, reset_after, "
             "truncate, invalid_json or html",
             kind);
    sim_resp_error(rs, 400, msg);
    return -1;
  }
  return 0;
}

/* The member key of o when it is given and not null (a null member counts as absent). */
static json_object *member(json_object *o, const char *key) {
  json_object *v = NULL;
  return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* An optional string member into *out; false when it is there but not a string. */
static bool opt_string(json_object *o, const char *key, char **out) {
  json_object *v = member(o, key);
  if (!v) return true;
  if (!json_object_is_type(v, json_type_string)) return false;
  *out = strdup(json_object_get_string(v));
  return true;
}

/* An optional integer member in min..max into *out; false when it is there but not one. */
static bool opt_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out) {
  json_object *v = member(o, key);
  if (!v) return true;
  if (!json_object_is_type(v, json_type_int)) return false;
  int64_t n = json_object_get_int64(v);
  if (n < min || n > max) return false;
  *out = n;
  return true;
}

static bool opt_headers(json_object *o, struct sim_fault_hit *hit) {
  json_object *v = member(o, "headers");
  if (!v) return true;
  if (!json_object_is_type(v, json_type_object)) return false;
  json_object_object_foreach(v, hk, hv) {
    if (!json_object_is_type(hv, json_type_string) || hit->nheaders >= 8) return false;
    hit->headers[hit->nheaders].name = strdup(hk);
    hit->headers[hit->nheaders].value = strdup(json_object_get_string(hv));
    hit->nheaders++;
  }
  return true;
}

/* Parses one fault object into *f; on error answers 400 and returns -1. */
static int fault_parse(json_object *o, struct sim_fault *f, struct sim_resp *rs) {
  int64_t count = 1, status, delay = 0;
  memset(f, 0, sizeof *f);
  if (fault_kind(o, f, rs)) return -1;
  status = f->hit.status;
  if (opt_string(o, "method", &f->method) && opt_string(o, "path", &f->path) &&
      opt_int(o, "count", 1, INT64_MAX, &count) && opt_int(o, "status", 100, 599, &status) &&
      opt_int(o, "delay_ms", 0, 600000, &delay) && opt_string(o, "body", &f->hit.body) &&
      opt_headers(o, &f->hit)) {
    f->count = (long)count, f->hit.status = (int)status, f->hit.delay_ms = (long)delay;
    return 0;
  }
  fault_free(f);
  sim_resp_error(rs, 400,
                 "bad fault: method, path and body are strings, count >= 1, status 100..599, "
                 "delay_ms 0..600000, headers an object of at most 8 strings");
  return -1;
}

static void faults_post(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  json_object *body = rq->body ? json_tokener_parse(rq->body) : NULL;
  size_t n, queued = 0;
  struct sim_fault *tmp = NULL;
  if (!body || !(json_object_is_type(body, json_type_object) || json_object_is_type(body, json_type_array))) {
    sim_resp_error(rs, 400, "POST a JSON fault object or an array of them");
    goto out;
  }
  /* Parse every fault first so a bad one queues nothing. */
  n = json_object_is_type(body, json_type_array) ? json_object_array_length(body) : 1;
  tmp = calloc(n + 1, sizeof *tmp);
  if (!tmp) goto oom;
  for (size_t i = 0; i < n; i++) {
    json_object *o = json_object_is_type(body, json_type_array) ? json_object_array_get_idx(body, i) : body;
    if (fault_parse(o, &tmp[i], rs)) {
      for (size_t k = 0; k < i; k++) fault_free(&tmp[k]);
      goto out;
    }
  }
  if (s->nfaults + n > s->faults_cap) {
    size_t cap = (s->nfaults + n) * 2;
    struct sim_fault *nf = realloc(s->faults, cap * sizeof *nf);
    if (!nf) {
      for (size_t k = 0; k < n; k++) fault_free(&tmp[k]);
      goto oom;
    }
    s->faults = nf, s->faults_cap = cap;
  }
  memcpy(s->faults + s->nfaults, tmp, n * sizeof *tmp);
  s->nfaults += n;
  queued = n;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "queued", json_object_new_int64((int64_t)queued));
  sim_resp_json(rs, 201, o);
  goto out;
oom:
  sim_resp_error(rs, 500, "out of memory");
out:
  free(tmp);
  json_object_put(body);
}

static json_object *str_or_null(const char *v) {
  return v ? json_object_new_string(v) : NULL;
}

static void requests_get(struct sim *s, struct sim_resp *rs) {
  json_object *o = json_object_new_object(), *a = json_object_new_array_ext((int)s->nlog);
  for (size_t i = 0; i < s->nlog; i++) {
    const struct sim_log_entry *e = &s->log[i];
    json_object *r = json_object_new_object();
    json_object_object_add(r, "at_ms", json_object_new_int64(e->at_ms));
    json_object_object_add(r, "method", str_or_null(e->method));
    json_object_object_add(r, "path", str_or_null(e->path));
    json_object_object_add(r, "query", str_or_null(e->query));
    json_object_object_add(r, "body", str_or_null(e->body));
    json_object_object_add(r, "company", str_or_null(e->company));
    json_object_object_add(r, "status", json_object_new_int(e->status));
    json_object_object_add(r, "in_flight", json_object_new_int(e->in_flight));
    json_object_array_add(a, r);
  }
  json_object_object_add(o, "requests", a);
  if (s->log_dropped) json_object_object_add(o, "dropped", json_object_new_int64((int64_t)s->log_dropped));
  sim_resp_json(rs, 200, o);
}

size_t sim_log_add(struct sim *s, const struct sim_req *rq, int status) {
  if (s->nlog >= SIM_LOG_MAX) {
    s->log_dropped++;
    return SIZE_MAX;
  }
  if (s->nlog == s->log_cap) {
    size_t cap = s->log_cap ? s->log_cap * 2 : 256;
    struct sim_log_entry *nl = realloc(s->log, cap * sizeof *nl);
    if (!nl) {
      s->log_dropped++;
      return SIZE_MAX;
    }
    s->log = nl, s->log_cap = cap;
  }
  struct sim_log_entry *e = &s->log[s->nlog++];
  e->method = strdup(rq->method);
  e->path = strdup(rq->path);
  e->query = strdup(rq->query);
  e->body = rq->body ? strdup(rq->body) : NULL;
  e->company = rq->co ? strdup(rq->co->name) : NULL;
  e->status = status;
  e->in_flight = s->in_flight;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  e->at_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
  return s->nlog - 1;
}

void sim_log_set_status(struct sim *s, size_t slot, int status) {
  if (slot < s->nlog) s->log[slot].status = status;
}

static void log_clear(struct sim *s) {
  for (size_t i = 0; i < s->nlog; i++) {
    struct sim_log_entry *e = &s->log[i];
    free(e->method), free(e->path), free(e->query), free(e->body), free(e->company);
  }
  s->nlog = 0;
  s->log_dropped = 0;
  s->log_gen++;
}

static void faults_clear(struct sim *s) {
  for (size_t i = 0; i < s->nfaults; i++) fault_free(&s->faults[i]);
  s->nfaults = 0;
}

/* Each company is generated aside and swapped in, so a failed reset leaves every company
 * whole (old or new data) rather than one with freed arrays that the next request would read. */
int sim_reset_data(struct sim *s, char **err) {
  for (size_t i = 0; i < s->ncompanies; i++) {
    struct sim_company fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.name = s->companies[i].name;
    if (sim_company_generate(&fresh, &s->cfg, err)) return -1;
    sim_company_free(&s->companies[i]);
    s->companies[i] = fresh;
  }
  return 0;
}

void sim_controls(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  const char *p = rq->path, *m = rq->method;
  if (strcmp(p, "/__sim/health") == 0 && strcmp(m, "GET") == 0) {
    sim_resp_text(rs, 200, "{\"status\":\"ok\"}", "application/json");
  } else if (strcmp(p, "/__sim/requests") == 0 && strcmp(m, "GET") == 0) {
    requests_get(s, rs);
  } else if (strcmp(p, "/__sim/faults") == 0 && strcmp(m, "POST") == 0) {
    faults_post(s, rq, rs);
  } else if (strcmp(p, "/__sim/reset") == 0 && strcmp(m, "POST") == 0) {
    char *err = NULL;
    log_clear(s);
    faults_clear(s);
    if (sim_reset_data(s, &err)) {
      sim_resp_error(rs, 500, err ? err : "reset failed");
      free(err);
      return;
    }
    sim_resp_text(rs, 200, "{\"reset\":true}", "application/json");
  } else {
    sim_resp_message(rs, 404, "Not Found");
  }
}

void sim_state_free(struct sim *s) {
  log_clear(s);
  faults_clear(s);
  free(s->log);
  free(s->faults);
  for (size_t i = 0; i < s->ncompanies; i++) {
    sim_company_free(&s->companies[i]);
    free(s->companies[i].name);
  }
  free(s->companies);
  for (size_t i = 0; i < s->ncreds; i++) free(s->creds[i].secret);
  free(s->creds);
}
