/* routes.c - maps a method and a path under /v1 or /v2 to its endpoint, through one table of
 * {method, path pattern, handler} read top to bottom (the first match answers). Anything else is
 * the edge's 404 {"message":"Not Found"}, including PUT /v1/contacts/:id (update is POST). */
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#define MAXSEG 6

/* What a pattern took from the path: ":id" segments in order (id, then sub_id), the third
 * segment as written (the users endpoints take it as their key), and the entry's arg. */
struct route_match {
  int64_t id, sub_id;
  const char *key;
  int arg;
};

typedef void (*route_fn)(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                         const struct route_match *m);

/* Splits "/v1/contacts/12/phone_details/9" into segments; NUL-separated copy in buf. */
static size_t split(const char *path, char *buf, size_t cap, const char *seg[MAXSEG + 1]) {
  size_t n = 0, len = strlen(path);
  if (len + 1 > cap || path[0] != '/') return 0;
  memcpy(buf, path + 1, len);
  char *p = buf;
  while (n <= MAXSEG) {
    seg[n++] = p;
    char *slash = strchr(p, '/');
    if (!slash) break;
    *slash = '\0';
    p = slash + 1;
  }
  for (size_t i = 0; i < n; i++)
    if (!*seg[i]) return 0; /* "//" or a trailing slash: not a route */
  return n;
}

static bool id_of(const char *s, int64_t *out) {
  if (!*s || strlen(s) > 19) return false;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9') return false;
  *out = strtoll(s, NULL, 10);
  return *out > 0;
}

static void calls_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                       const struct route_match *m) {
  sim_calls_list(s, rq, rs, m->arg);
}
static void calls_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                      const struct route_match *m) {
  sim_calls_get(s, rq, rs, m->id);
}
static void contacts_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                          const struct route_match *m) {
  sim_contacts_list(s, rq, rs, m->arg);
}
static void contacts_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                         const struct route_match *m) {
  sim_contacts_get(s, rq, rs, m->id);
}
static void contacts_create(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                            const struct route_match *m) {
  (void)m;
  sim_contacts_create(s, rq, rs);
}
static void contacts_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                            const struct route_match *m) {
  sim_contacts_update(s, rq, rs, m->id);
}
static void contacts_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                            const struct route_match *m) {
  sim_contacts_delete(s, rq, rs, m->id);
}
/* arg: 1 for phone_details, 0 for email_details. */
static void details_add(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                        const struct route_match *m) {
  sim_details_add(s, rq, rs, m->id, m->arg);
}
static void details_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                           const struct route_match *m) {
  sim_details_update(s, rq, rs, m->id, m->sub_id, m->arg);
}
static void details_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                           const struct route_match *m) {
  sim_details_delete(s, rq, rs, m->id, m->sub_id, m->arg);
}
/* arg: the API version, 1 or 2. */
static void users_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                       const struct route_match *m) {
  sim_users_list(s, rq, rs, m->arg);
}
static void users_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                      const struct route_match *m) {
  sim_users_get(s, rq, rs, m->arg, m->key);
}
static void numbers_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                         const struct route_match *m) {
  (void)m;
  sim_numbers_list(s, rq, rs);
}
static void numbers_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                        const struct route_match *m) {
  sim_numbers_get(s, rq, rs, m->id);
}
static void tags_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                      const struct route_match *m) {
  (void)m;
  sim_tags_list(s, rq, rs);
}
static void ping(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, const struct route_match *m) {
  (void)m;
  sim_ping(s, rq, rs);
}
static void company_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                        const struct route_match *m) {
  (void)m;
  sim_company_get(s, rq, rs);
}
static void integration_me(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                           const struct route_match *m) {
  (void)m;
  sim_integration_me(s, rq, rs);
}
/* An id that is not a number on a resource that has ids: the application's 404. */
static void bad_id(struct sim *s, const struct sim_req *rq, struct sim_resp *rs,
                   const struct route_match *m) {
  (void)s, (void)rq, (void)m;
  sim_resp_error(rs, 404, "The id in the path must be a positive integer");
}

/* In a pattern, ":id" matches a positive integer (at most two per pattern: id, then sub_id)
 * and "*" any segment; other segments match themselves. */
static const struct route {
  const char *method;
  const char *pattern;
  route_fn fn;
  int arg;
} ROUTES[] = {
    {"GET", "/v2/users", users_list, 2},
    {"GET", "/v2/users/*", users_get, 2},
    {"GET", "/v1/calls", calls_list, false},
    {"GET", "/v1/contacts", contacts_list, false},
    {"GET", "/v1/users", users_list, 1},
    {"GET", "/v1/numbers", numbers_list, 0},
    {"GET", "/v1/tags", tags_list, 0},
    {"GET", "/v1/ping", ping, 0},
    {"GET", "/v1/company", company_get, 0},
    {"POST", "/v1/contacts", contacts_create, 0},
    {"GET", "/v1/calls/search", calls_list, true},
    {"GET", "/v1/contacts/search", contacts_list, true},
    {"GET", "/v1/integrations/me", integration_me, 0},
    {"GET", "/v1/calls/:id", calls_get, 0},
    {"GET", "/v1/users/:id", users_get, 1},
    {"GET", "/v1/numbers/:id", numbers_get, 0},
    {"GET", "/v1/contacts/:id", contacts_get, 0},
    {"POST", "/v1/contacts/:id", contacts_update, 0},
    {"DELETE", "/v1/contacts/:id", contacts_delete, 0},
    {"POST", "/v1/contacts/:id/phone_details", details_add, true},
    {"POST", "/v1/contacts/:id/email_details", details_add, false},
    {"PUT", "/v1/contacts/:id/phone_details/:id", details_update, true},
    {"PUT", "/v1/contacts/:id/email_details/:id", details_update, false},
    {"DELETE", "/v1/contacts/:id/phone_details/:id", details_delete, true},
    {"DELETE", "/v1/contacts/:id/email_details/:id", details_delete, false},
    {"GET", "/v1/calls/*", bad_id, 0},
    {"GET", "/v1/contacts/*", bad_id, 0},
    {"GET", "/v1/users/*", bad_id, 0},
    {"GET", "/v1/numbers/*", bad_id, 0},
};

/* Whether the path's n segments fit the pattern; fills m when they do. */
static bool route_matches(const char *pattern, const char *const *seg, size_t n, struct route_match *m) {
  char buf[128];
  const char *want[MAXSEG + 1];
  size_t nwant = split(pattern, buf, sizeof buf, want), ids = 0;
  int64_t id;
  if (nwant != n) return false;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(want[i], ":id") == 0) {
      if (!id_of(seg[i], &id)) return false;
      *(ids++ ? &m->sub_id : &m->id) = id;
    } else if (strcmp(want[i], "*") != 0 && strcmp(want[i], seg[i]) != 0) {
      return false;
    }
  }
  m->key = n > 2 ? seg[2] : NULL;
  return true;
}

void sim_route(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  char buf[512];
  const char *seg[MAXSEG + 1];
  size_t n = split(rq->path, buf, sizeof buf, seg);
  for (size_t i = 0; n && i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
    const struct route *r = &ROUTES[i];
    struct route_match m = {.arg = r->arg};
    if (strcmp(rq->method, r->method) == 0 && route_matches(r->pattern, seg, n, &m)) {
      r->fn(s, rq, rs, &m);
      return;
    }
  }
  sim_resp_message(rs, 404, "Not Found");
}
