/* calls.c - GET /v1/calls, /v1/calls/search and /v1/calls/:id. The search-only filters
 * (direction, user_id, phone_number, tags[]) are ignored on /v1/calls, as on the real API. */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call_filter {
  int direction; /* -1 any */
  bool has_user;
  int64_t user_id;
  char phone[32]; /* digits; "" none */
  bool has_phone;
  int64_t tags[16];
  size_t ntags;
  bool impossible; /* a tags[] value no call can carry (e.g. "545,678") */
};

static bool plain_id(const char *v, int64_t *out) {
  int64_t id = 0;
  if (!*v) return false;
  for (; *v; v++) {
    if (*v < '0' || *v > '9' || id > (INT64_MAX - 9) / 10) return false;
    id = id * 10 + (*v - '0');
  }
  *out = id;
  return id > 0;
}

/* Adds a tag id to the AND set; false when the set is full. A call carries at most three tags,
 * so more distinct ids than the set holds can never all match: the caller then matches nothing
 * rather than dropping ids (which would turn AND into a looser filter). */
static bool add_tag(struct call_filter *f, int64_t id) {
  for (size_t k = 0; k < f->ntags; k++)
    if (f->tags[k] == id) return true;
  if (f->ntags == sizeof f->tags / sizeof f->tags[0]) return false;
  f->tags[f->ntags++] = id;
  return true;
}

static int parse_search(const struct sim_req *rq, struct call_filter *f, struct sim_resp *rs) {
  const char *d = sim_param(rq, "direction"), *p = sim_param(rq, "phone_number");
  bool present;
  f->direction = -1;
  if (d) {
    if (strcmp(d, "inbound") == 0) f->direction = SIM_INBOUND;
    else if (strcmp(d, "outbound") == 0) f->direction = SIM_OUTBOUND;
    else {
      sim_resp_error(rs, 400, "direction must be inbound or outbound");
      return -1;
    }
  }
  if (sim_param_int(rq, "user_id", 1, &f->user_id, &present, rs)) return -1;
  f->has_user = present;
  if (p) {
    f->has_phone = true;
    sim_digits(p, f->phone, sizeof f->phone);
  }
  for (size_t i = 0; i < rq->nparams; i++) {
    const char *v = rq->params[i].val;
    int64_t id;
    if (strcmp(rq->params[i].key, "tags[]") != 0) continue;
    /* Only plain ids match: "545,678", " 545", "+545" or a tag name is a value no call carries. */
    if (!plain_id(v, &id)) {
      f->impossible = true;
      continue;
    }
    if (!add_tag(f, id)) f->impossible = true;
  }
  return 0;
}

static bool call_has_tag(const struct sim_company *co, const struct sim_call *c, int64_t id) {
  for (size_t k = 0; k < c->ntags; k++)
    if (co->tags[c->tags[k]].id == id) return true;
  return false;
}

static bool matches(const struct sim_company *co, const struct sim_call *c, const struct call_filter *f) {
  if (f->impossible) return false;
  if (f->direction >= 0 && c->direction != f->direction) return false;
  if (f->has_user && (c->user_idx < 0 || co->users[c->user_idx].id != f->user_id)) return false;
  if (f->has_phone) {
    char a[32], b[32];
    /* Either side: the external party or the company number (after any transfer). */
    sim_digits(c->raw_digits, a, sizeof a);
    sim_digits(co->numbers[c->number_idx].digits, b, sizeof b);
    if (!f->phone[0] || (strcmp(a, f->phone) != 0 && strcmp(b, f->phone) != 0)) return false;
  }
  for (size_t t = 0; t < f->ntags; t++)
    if (!call_has_tag(co, c, f->tags[t])) return false;
  return true;
}

/* First index whose started_at >= t (calls are sorted by started_at). */
static size_t lower_bound(const struct sim_company *co, int64_t t) {
  size_t lo = 0, hi = co->ncalls;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (co->calls[mid].started_at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void sim_calls_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, bool search) {
  struct sim_company *co = rq->co;
  struct sim_page pg;
  struct call_filter f;
  int64_t from, to;
  bool desc, with_contact;
  const char *fc = sim_param(rq, "fetch_contact");
  size_t lo, hi, total = 0, *idx = NULL;
  memset(&f, 0, sizeof f);
  f.direction = -1;
  if (sim_page_parse(rq, &pg, rs) || sim_range_parse(rq, &from, &to, &desc, rs)) return;
  if (search && parse_search(rq, &f, rs)) return;
  with_contact = fc && strcmp(fc, "true") == 0;
  /* from and to are inclusive bounds on started_at (the creation time). */
  lo = lower_bound(co, from);
  hi = to == INT64_MAX ? co->ncalls : lower_bound(co, to + 1);
  if (hi < lo) hi = lo;
  json_object *items = json_object_new_array();
  size_t first = (size_t)((pg.page - 1) * pg.per_page);
  if (!search) {
    total = hi - lo;
    for (size_t k = first; k < total && k < first + (size_t)pg.per_page; k++) {
      size_t i = desc ? hi - 1 - k : lo + k;
      json_object_array_add(items, sim_render_call(s, co, &co->calls[i], with_contact));
    }
  } else {
    idx = malloc((hi - lo + 1) * sizeof *idx);
    if (!idx) {
      json_object_put(items);
      sim_resp_error(rs, 500, "out of memory");
      return;
    }
    for (size_t i = lo; i < hi; i++)
      if (matches(co, &co->calls[i], &f)) idx[total++] = i;
    for (size_t k = first; k < total && k < first + (size_t)pg.per_page; k++) {
      size_t i = desc ? idx[total - 1 - k] : idx[k];
      json_object_array_add(items, sim_render_call(s, co, &co->calls[i], with_contact));
    }
    free(idx);
  }
  sim_list_answer(s, rq, &pg, "calls", items, total, rs);
}

void sim_calls_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id) {
  struct sim_company *co = rq->co;
  const char *fc = sim_param(rq, "fetch_contact");
  size_t lo = 0, hi = co->ncalls;
  char msg[96];
  while (lo < hi) { /* ids ascend with started_at */
    size_t mid = lo + (hi - lo) / 2;
    if (co->calls[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= co->ncalls || co->calls[lo].id != id) {
    snprintf(msg, sizeof msg, "Call %lld not found", (long long)id);
    sim_resp_error(rs, 404, msg);
    return;
  }
  json_object *o = json_object_new_object();
  json_object_object_add(o, "call", sim_render_call(s, co, &co->calls[lo], fc && strcmp(fc, "true") == 0));
  sim_resp_json(rs, 200, o);
}
