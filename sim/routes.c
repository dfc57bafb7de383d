/* routes.c - maps a method and a path under /v1 or /v2 to its endpoint. Anything else is
 * the edge's 404 {"message":"Not Found"}, including PUT /v1/contacts/:id (update is POST). */
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#define MAXSEG 6

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

static bool is(const char *a, const char *b) {
  return strcmp(a, b) == 0;
}

void sim_route(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  char buf[512];
  const char *g[MAXSEG + 1];
  size_t n = split(rq->path, buf, sizeof buf, g);
  const char *m = rq->method;
  bool get = is(m, "GET"), post = is(m, "POST"), put = is(m, "PUT"), del = is(m, "DELETE");
  int64_t id = 0, did = 0;
  if (n >= 2 && is(g[0], "v2")) {
    if (n == 2 && get && is(g[1], "users")) {
      sim_users_list(s, rq, rs, 2);
      return;
    }
    if (n == 3 && get && is(g[1], "users")) {
      sim_users_get(s, rq, rs, 2, g[2]);
      return;
    }
  } else if (n >= 2 && is(g[0], "v1")) {
    const char *r = g[1];
    if (n == 2 && get) {
      if (is(r, "calls")) {
        sim_calls_list(s, rq, rs, false);
        return;
      }
      if (is(r, "contacts")) {
        sim_contacts_list(s, rq, rs, false);
        return;
      }
      if (is(r, "users")) {
        sim_users_list(s, rq, rs, 1);
        return;
      }
      if (is(r, "numbers")) {
        sim_numbers_list(s, rq, rs);
        return;
      }
      if (is(r, "tags")) {
        sim_tags_list(s, rq, rs);
        return;
      }
      if (is(r, "ping")) {
        sim_ping(s, rq, rs);
        return;
      }
      if (is(r, "company")) {
        sim_company_get(s, rq, rs);
        return;
      }
    }
    if (n == 2 && post && is(r, "contacts")) {
      sim_contacts_create(s, rq, rs);
      return;
    }
    if (n == 3 && get && is(r, "calls") && is(g[2], "search")) {
      sim_calls_list(s, rq, rs, true);
      return;
    }
    if (n == 3 && get && is(r, "contacts") && is(g[2], "search")) {
      sim_contacts_list(s, rq, rs, true);
      return;
    }
    if (n == 3 && get && is(r, "integrations") && is(g[2], "me")) {
      sim_integration_me(s, rq, rs);
      return;
    }
    if (n >= 3 && id_of(g[2], &id)) {
      if (n == 3 && get && is(r, "calls")) {
        sim_calls_get(s, rq, rs, id);
        return;
      }
      if (n == 3 && get && is(r, "users")) {
        sim_users_get(s, rq, rs, 1, g[2]);
        return;
      }
      if (n == 3 && get && is(r, "numbers")) {
        sim_numbers_get(s, rq, rs, id);
        return;
      }
      if (n == 3 && is(r, "contacts")) {
        if (get) {
          sim_contacts_get(s, rq, rs, id);
          return;
        }
        if (post) {
          sim_contacts_update(s, rq, rs, id);
          return;
        }
        if (del) {
          sim_contacts_delete(s, rq, rs, id);
          return;
        }
      }
      if (n >= 4 && is(r, "contacts") && (is(g[3], "phone_details") || is(g[3], "email_details"))) {
        bool phone = is(g[3], "phone_details");
        if (n == 4 && post) {
          sim_details_add(s, rq, rs, id, phone);
          return;
        }
        if (n == 5 && id_of(g[4], &did)) {
          if (put) {
            sim_details_update(s, rq, rs, id, did, phone);
            return;
          }
          if (del) {
            sim_details_delete(s, rq, rs, id, did, phone);
            return;
          }
        }
      }
    }
    /* An id that is not a number on a resource that has ids: the application's 404. */
    if (n == 3 && get && (is(r, "calls") || is(r, "contacts") || is(r, "users") || is(r, "numbers"))) {
      sim_resp_error(rs, 404, "The id in the path must be a positive integer");
      return;
    }
  }
  sim_resp_message(rs, 404, "Not Found");
}
