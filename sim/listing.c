/* listing.c - query strings and lists: decoding parameters (repeated keys kept, in order),
 * page/per_page and from/to/order checks, the 10,000-record cap, and the {items, meta}
 * envelope whose page links are absolute and keep the request's other parameters. */
#include "sim/sim.h"

#include <microhttpd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Form decoding: '+' as a space, then libmicrohttpd's %XX decoding (a bad escape stays as it was). */
static char *decode(const char *s, size_t n) {
  char *out = strndup(s, n);
  if (!out) return NULL;
  for (char *p = out; (p = strchr(p, '+')); p++) *p = ' ';
  MHD_http_unescape(out);
  return out;
}

int sim_params_parse(const char *query, struct sim_param **out, size_t *n) {
  size_t cap = 0, cnt = 0;
  struct sim_param *p = NULL;
  const char *q = query ? query : "";
  *out = NULL, *n = 0;
  while (*q) {
    const char *end = strchr(q, '&');
    size_t len = end ? (size_t)(end - q) : strlen(q);
    if (len) {
      const char *eq = memchr(q, '=', len);
      size_t klen = eq ? (size_t)(eq - q) : len;
      if (cnt == cap) {
        size_t ncap = cap ? cap * 2 : 8;
        struct sim_param *np = realloc(p, ncap * sizeof *p);
        if (!np) goto oom;
        p = np, cap = ncap;
      }
      p[cnt].key = decode(q, klen);
      p[cnt].val = eq ? decode(eq + 1, len - klen - 1) : strdup("");
      p[cnt].raw = q;
      p[cnt].raw_len = len;
      cnt++;
      if (!p[cnt - 1].key || !p[cnt - 1].val) goto oom;
    }
    q += len;
    if (*q == '&') q++;
  }
  *out = p, *n = cnt;
  return 0;
oom:
  sim_params_free(p, cnt);
  return -1;
}

void sim_params_free(struct sim_param *p, size_t n) {
  for (size_t i = 0; i < n; i++) free(p[i].key), free(p[i].val);
  free(p);
}

/* The last value given for a key (Rails keeps the last one for scalar keys). */
const char *sim_param(const struct sim_req *rq, const char *key) {
  const char *v = NULL;
  for (size_t i = 0; i < rq->nparams; i++)
    if (strcmp(rq->params[i].key, key) == 0) v = rq->params[i].val;
  return v;
}

static bool parse_i64(const char *s, int64_t *out) {
  char *end;
  if (!s || !*s) return false;
  for (const char *c = s; *c; c++)
    if ((*c < '0' || *c > '9') && !(c == s && *c == '-')) return false;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

int sim_param_int(const struct sim_req *rq, const char *key, int64_t min, int64_t *out, bool *present,
                  struct sim_resp *rs) {
  const char *v = sim_param(rq, key);
  char msg[160];
  *present = v != NULL;
  if (!v) return 0;
  if (!parse_i64(v, out) || *out < min) {
    snprintf(msg, sizeof msg, "%s must be an integer of at least %lld", key, (long long)min);
    sim_resp_error(rs, 400, msg);
    return -1;
  }
  return 0;
}

int sim_page_parse(const struct sim_req *rq, struct sim_page *pg, struct sim_resp *rs) {
  bool present;
  pg->page = 1, pg->per_page = 20;
  /* page below 1, per_page outside 1..50: 400 (docs/aircall-api.md, "Undecided": 400 likeliest). */
  if (sim_param_int(rq, "page", 1, &pg->page, &present, rs)) return -1;
  if (sim_param_int(rq, "per_page", 1, &pg->per_page, &present, rs)) return -1;
  if (pg->per_page > SIM_MAX_PER_PAGE) {
    sim_resp_error(rs, 400, "per_page must be between 1 and 50");
    return -1;
  }
  if ((pg->page - 1) > (SIM_RECORD_CAP - 1) / pg->per_page) {
    /* The exact body recorded from the real API (docs/aircall-api.md, 10,000-record cap). */
    free(rs->body);
    rs->status = 400;
    rs->content_type = "application/json; charset=utf-8";
    rs->body =
        strdup("{\"error\":\"Bad Request\",\"data\":null,\"message\":\"BAD_REQUEST\",\"errors\":\"Your "
               "query is limited to 10k results and pagination is out of bound, please use timestamps "
               "or other filters.\",\"troubleshoot\":\"BAD_REQUEST\",\"success\":false}");
    return -1;
  }
  return 0;
}

int sim_range_parse(const struct sim_req *rq, int64_t *from, int64_t *to, bool *desc, struct sim_resp *rs) {
  const char *o = sim_param(rq, "order");
  const char *names[2] = {"from", "to"};
  int64_t *vals[2] = {from, to};
  *from = INT64_MIN, *to = INT64_MAX, *desc = false;
  for (int i = 0; i < 2; i++) {
    const char *v = sim_param(rq, names[i]);
    char msg[200];
    if (!v) continue;
    if (!parse_i64(v, vals[i]) || *vals[i] < 0) {
      /* The API wants UNIX seconds here; an ISO string is the classic mistake. */
      snprintf(msg, sizeof msg, "%s must be a UNIX timestamp in seconds, e.g. 1767225600", names[i]);
      sim_resp_error(rs, 400, msg);
      return -1;
    }
  }
  if (o) {
    if (strcmp(o, "desc") == 0) *desc = true;
    else if (strcmp(o, "asc") != 0) {
      sim_resp_error(rs, 400, "order must be asc or desc");
      return -1;
    }
  }
  return 0;
}

/* http://127.0.0.1:PORT/path?<other params as sent>&page=N&per_page=M */
static json_object *page_link(const struct sim *s, const struct sim_req *rq, int64_t page, int64_t per_page) {
  size_t cap = strlen(s->base_url) + strlen(rq->path) + strlen(rq->query) + 64;
  char *b = malloc(cap);
  size_t n;
  if (!b) return NULL;
  n = (size_t)snprintf(b, cap, "%s%s?", s->base_url, rq->path);
  for (size_t i = 0; i < rq->nparams; i++) {
    const struct sim_param *p = &rq->params[i];
    if (strcmp(p->key, "page") == 0 || strcmp(p->key, "per_page") == 0) continue;
    memcpy(b + n, p->raw, p->raw_len);
    n += p->raw_len;
    b[n++] = '&';
  }
  snprintf(b + n, cap - n, "page=%lld&per_page=%lld", (long long)page, (long long)per_page);
  json_object *o = json_object_new_string(b);
  free(b);
  return o;
}

void sim_list_answer(const struct sim *s, const struct sim_req *rq, const struct sim_page *pg,
                     const char *key, json_object *items, size_t total, struct sim_resp *rs) {
  json_object *o = json_object_new_object(), *m = json_object_new_object();
  int64_t next_start = pg->page * pg->per_page; /* index of the next page's first record */
  bool has_next = (uint64_t)next_start < total && next_start < SIM_RECORD_CAP;
  json_object_object_add(m, "count", json_object_new_int64((int64_t)json_object_array_length(items)));
  json_object_object_add(m, "total", json_object_new_int64((int64_t)total));
  json_object_object_add(m, "current_page", json_object_new_int64(pg->page));
  json_object_object_add(m, "per_page", json_object_new_int64(pg->per_page));
  json_object_object_add(m, "next_page_link", has_next ? page_link(s, rq, pg->page + 1, pg->per_page) : NULL);
  json_object_object_add(m, "previous_page_link",
                         pg->page > 1 ? page_link(s, rq, pg->page - 1, pg->per_page) : NULL);
  json_object_object_add(o, key, items);
  json_object_object_add(o, "meta", m);
  sim_resp_json(rs, 200, o);
}
