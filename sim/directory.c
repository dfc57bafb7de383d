/* directory.c - the company's directory endpoints: users (v1 and v2), numbers, tags, and the
 * identity endpoints /v1/ping, /v1/company and /v1/integrations/me. */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lists whose records carry an ISO created_at: from/to compare the UNIX seconds behind it. */
static void list_simple(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, const char *key,
                        size_t n, json_object *(*render)(struct sim *, const struct sim_req *, size_t),
                        int64_t (*created)(const struct sim_req *, size_t)) {
  struct sim_page pg;
  int64_t from, to;
  bool desc;
  size_t total = 0, *idx;
  if (sim_page_parse(rq, &pg, rs) || sim_range_parse(rq, &from, &to, &desc, rs)) return;
  idx = malloc((n + 1) * sizeof *idx);
  if (!idx) {
    sim_resp_error(rs, 500, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    size_t j = desc ? n - 1 - i : i; /* records are generated in creation order */
    int64_t t = created(rq, j);
    if (t >= from && t <= to) idx[total++] = j;
  }
  json_object *items = json_object_new_array();
  size_t first = (size_t)((pg.page - 1) * pg.per_page);
  for (size_t k = first; k < total && k < first + (size_t)pg.per_page; k++)
    json_object_array_add(items, render(s, rq, idx[k]));
  free(idx);
  sim_list_answer(s, rq, &pg, key, items, total, rs);
}

static json_object *user_v1(struct sim *s, const struct sim_req *rq, size_t i) {
  return sim_render_user_v1(s, rq->co, &rq->co->users[i], false);
}
static json_object *user_v2(struct sim *s, const struct sim_req *rq, size_t i) {
  return sim_render_user_v2(s, rq->co, &rq->co->users[i]);
}
static int64_t user_created(const struct sim_req *rq, size_t i) {
  return rq->co->users[i].created_at;
}
static json_object *number(struct sim *s, const struct sim_req *rq, size_t i) {
  return sim_render_number(s, rq->co, &rq->co->numbers[i], true);
}
static int64_t number_created(const struct sim_req *rq, size_t i) {
  return rq->co->numbers[i].created_at;
}

void sim_users_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int version) {
  list_simple(s, rq, rs, "users", rq->co->nusers, version == 2 ? user_v2 : user_v1, user_created);
}

/* v2 accepts an id or an email (docs/aircall-api.md, Users); v1 an id only. */
void sim_users_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int version,
                   const char *key) {
  struct sim_company *co = rq->co;
  char *end;
  long long id = strtoll(key, &end, 10);
  bool numeric = *key && !*end;
  char msg[160];
  for (size_t i = 0; i < co->nusers; i++) {
    struct sim_user *u = &co->users[i];
    if ((numeric && u->id == id) || (!numeric && version == 2 && strcasecmp(u->email, key) == 0)) {
      json_object *o = json_object_new_object();
      json_object_object_add(
          o, "user", version == 2 ? sim_render_user_v2(s, co, u) : sim_render_user_v1(s, co, u, false));
      sim_resp_json(rs, 200, o);
      return;
    }
  }
  snprintf(msg, sizeof msg, "User %.100s not found", key);
  sim_resp_error(rs, 404, msg);
}

void sim_numbers_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  list_simple(s, rq, rs, "numbers", rq->co->nnumbers, number, number_created);
}

void sim_numbers_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id) {
  struct sim_company *co = rq->co;
  char msg[96];
  for (size_t i = 0; i < co->nnumbers; i++)
    if (co->numbers[i].id == id) {
      json_object *o = json_object_new_object();
      json_object_object_add(o, "number", sim_render_number(s, co, &co->numbers[i], true));
      sim_resp_json(rs, 200, o);
      return;
    }
  snprintf(msg, sizeof msg, "Number %lld not found", (long long)id);
  sim_resp_error(rs, 404, msg);
}

void sim_tags_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  struct sim_page pg;
  if (sim_page_parse(rq, &pg, rs)) return;
  json_object *items = json_object_new_array();
  size_t first = (size_t)((pg.page - 1) * pg.per_page);
  for (size_t k = first; k < SIM_NTAGS && k < first + (size_t)pg.per_page; k++)
    json_object_array_add(items, sim_render_tag(&rq->co->tags[k]));
  sim_list_answer(s, rq, &pg, "tags", items, SIM_NTAGS, rs);
}

void sim_ping(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  (void)s, (void)rq;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "ping", json_object_new_string("pong"));
  sim_resp_json(rs, 200, o);
}

void sim_company_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  (void)s;
  json_object *o = json_object_new_object(), *c = json_object_new_object();
  json_object_object_add(c, "name", json_object_new_string(rq->co->name));
  json_object_object_add(c, "users_count", json_object_new_int64((int64_t)rq->co->nusers));
  json_object_object_add(c, "numbers_count", json_object_new_int64((int64_t)rq->co->nnumbers));
  json_object_object_add(o, "company", c);
  sim_resp_json(rs, 200, o);
}

void sim_integration_me(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  struct sim_company *co = rq->co;
  if (rq->cred != SIM_CRED_BEARER) {
    /* PICK (docs/aircall-api.md says "for OAuth tokens only" without the answer to API keys):
     * 403 with an application error body, so it is told apart from the edge's bad-credential
     * 403 {"message":"Forbidden"}. */
    sim_resp_error(rs, 403,
                   "integrations/me answers OAuth access tokens only: API keys (Basic) belong to "
                   "the company, not to an integration or a user");
    return;
  }
  json_object *o = json_object_new_object(), *i = json_object_new_object();
  json_object *ids = json_object_new_array();
  for (size_t k = 0; k < co->nnumbers; k++)
    json_object_array_add(ids, json_object_new_int64(co->numbers[k].id));
  json_object_object_add(i, "name", json_object_new_string("KosmoKrator"));
  json_object_object_add(i, "custom_name", json_object_new_string("KosmoKrator agents"));
  json_object_object_add(i, "logo", json_object_new_string("https://assets.aircall.example/logo.png"));
  json_object_object_add(i, "company_id", json_object_new_int64(co->id));
  json_object_object_add(i, "status", json_object_new_string("active"));
  json_object_object_add(i, "active", json_object_new_boolean(true));
  json_object_object_add(i, "number_ids", ids);
  json_object_object_add(i, "numbers_count", json_object_new_int64((int64_t)co->nnumbers));
  /* The admin who installed the integration: the company's first user. */
  json_object_object_add(i, "user", sim_render_user_v1(s, co, &co->users[0], false));
  json_object_object_add(o, "integration", i);
  sim_resp_json(rs, 200, o);
}
