/* contacts.c - the contacts endpoints: list and search (phone_number by digits, or email; no
 * name search), get, create with Aircall's validation, update by POST, delete, and the
 * phone_details / email_details sub-resources. Validation texts are this simulator's picks. */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool contact_has_phone(const struct sim_contact *c, const char *digits) {
  char d[32];
  for (size_t k = 0; k < c->nphones; k++) {
    sim_digits(c->phones[k].value, d, sizeof d);
    if (strcmp(d, digits) == 0) return true;
  }
  return false;
}

static bool contact_has_email(const struct sim_contact *c, const char *email) {
  for (size_t k = 0; k < c->nemails; k++)
    if (strcasecmp(c->emails[k].value, email) == 0) return true;
  return false;
}

/* One row of a contacts page being sorted: the key is copied in, so the comparison needs no
 * context and qsort needs no file-level state (requests run on libmicrohttpd's threads). */
struct contact_row {
  int64_t t, id;
  size_t idx;
};

static int row_cmp(const void *a, const void *b) {
  const struct contact_row *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int row_cmp_desc(const void *a, const void *b) {
  return row_cmp(b, a);
}

void sim_contacts_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, bool search) {
  struct sim_company *co = rq->co;
  struct sim_page pg;
  int64_t from, to;
  bool desc, updated = false;
  const char *ob = sim_param(rq, "order_by");
  const char *phone = search ? sim_param(rq, "phone_number") : NULL;
  const char *email = search ? sim_param(rq, "email") : NULL;
  char digits[32] = "";
  size_t total = 0;
  struct contact_row *rows;
  if (sim_page_parse(rq, &pg, rs) || sim_range_parse(rq, &from, &to, &desc, rs)) return;
  if (ob) {
    if (strcmp(ob, "updated_at") == 0) updated = true;
    else if (strcmp(ob, "created_at") != 0) {
      sim_resp_error(rs, 400, "order_by must be created_at or updated_at");
      return;
    }
  }
  if (phone) sim_digits(phone, digits, sizeof digits);
  rows = malloc((co->ncontacts + 1) * sizeof *rows);
  if (!rows) {
    sim_resp_error(rs, 500, "out of memory");
    return;
  }
  /* Unknown parameters such as q are ignored: the API has no name search. */
  for (size_t i = 0; i < co->ncontacts; i++) {
    const struct sim_contact *c = &co->contacts[i];
    int64_t t = updated ? c->updated_at : c->created_at;
    if (c->deleted || t < from || t > to) continue;
    if (phone && (!digits[0] || !contact_has_phone(c, digits))) continue;
    if (email && !contact_has_email(c, email)) continue;
    rows[total++] = (struct contact_row){t, c->id, i};
  }
  qsort(rows, total, sizeof *rows, desc ? row_cmp_desc : row_cmp);
  json_object *items = json_object_new_array();
  size_t first = (size_t)((pg.page - 1) * pg.per_page);
  for (size_t k = first; k < total && k < first + (size_t)pg.per_page; k++)
    json_object_array_add(items, sim_render_contact(s, &co->contacts[rows[k].idx]));
  free(rows);
  sim_list_answer(s, rq, &pg, "contacts", items, total, rs);
}

static void answer_contact(struct sim *s, struct sim_resp *rs, int status, const struct sim_contact *c) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "contact", sim_render_contact(s, c));
  sim_resp_json(rs, status, o);
}

static struct sim_contact *find_or_404(struct sim_company *co, int64_t id, struct sim_resp *rs) {
  struct sim_contact *c = sim_contact_find(co, id);
  char msg[96];
  if (!c) {
    snprintf(msg, sizeof msg, "Contact %lld not found", (long long)id);
    sim_resp_error(rs, 404, msg);
  }
  return c;
}

void sim_contacts_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id) {
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  if (c) answer_contact(s, rs, 200, c);
}

/* 422 in the shape seen on the real API: {"error","success":false,"errors":{field:[msg]}}. */
static void unprocessable(struct sim_resp *rs, const char *field, const char *msg, const char *troubleshoot) {
  json_object *o = json_object_new_object(), *e = json_object_new_object();
  json_object *a = json_object_new_array();
  json_object_array_add(a, json_object_new_string(msg));
  json_object_object_add(e, field, a);
  json_object_object_add(o, "error", json_object_new_string("Unprocessable Entity"));
  json_object_object_add(o, "success", json_object_new_boolean(false));
  json_object_object_add(o, "errors", e);
  json_object_object_add(o, "troubleshoot", json_object_new_string(troubleshoot));
  sim_resp_json(rs, 422, o);
}

/* The body as a JSON object, or a 400 naming the problem. Caller puts the result. */
static json_object *body_object(const struct sim_req *rq, struct sim_resp *rs) {
  json_object *o = NULL;
  if (rq->body && rq->body_len) {
    struct json_tokener *tok = json_tokener_new();
    if (tok) {
      o = json_tokener_parse_ex(tok, rq->body, (int)rq->body_len);
      if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        o = NULL;
      }
      json_tokener_free(tok);
    }
  }
  if (!o || !json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    sim_resp_error(rs, 400, "The request body must be a JSON object (Content-Type: application/json)");
    return NULL;
  }
  return o;
}

/* A string field: absent is fine; present must be a non-blank string when `nonblank`. */
static int text_field(json_object *body, const char *key, bool nonblank, const char **out,
                      struct sim_resp *rs) {
  json_object *v;
  char msg[160];
  *out = NULL;
  if (!json_object_object_get_ex(body, key, &v)) return 0;
  if (v == NULL && !nonblank) return 0;
  if (!json_object_is_type(v, json_type_string)) {
    snprintf(msg, sizeof msg, "%s must be a string", key);
    sim_resp_error(rs, 400, msg);
    return -1;
  }
  *out = json_object_get_string(v);
  if (nonblank && strspn(*out, " \t\r\n") == strlen(*out)) {
    snprintf(msg, sizeof msg, "%s can't be blank: a field that is sent must have a value", key);
    sim_resp_error(rs, 400, msg);
    return -1;
  }
  return 0;
}

static bool blank(const char *s) {
  return !s || strspn(s, " \t\r\n") == strlen(s);
}

/* Reads [{label, value}, ...] from `key`; returns the count, or -1 after answering. */
static int detail_list(json_object *body, const char *key, bool required, json_object **out,
                       struct sim_resp *rs) {
  json_object *v;
  char msg[160];
  *out = NULL;
  if (!json_object_object_get_ex(body, key, &v) || v == NULL) {
    if (!required) return 0;
    snprintf(msg, sizeof msg, "%s is required: give at least one {label, value}", key);
    unprocessable(rs, key, "can't be blank", msg);
    return -1;
  }
  if (!json_object_is_type(v, json_type_array)) {
    snprintf(msg, sizeof msg, "%s must be an array of {label, value} objects", key);
    sim_resp_error(rs, 400, msg);
    return -1;
  }
  size_t n = json_object_array_length(v);
  if (required && n == 0) {
    snprintf(msg, sizeof msg, "%s is required: give at least one {label, value}", key);
    unprocessable(rs, key, "can't be blank", msg);
    return -1;
  }
  if (n > SIM_MAX_DETAILS) {
    snprintf(msg, sizeof msg, "%s accepts at most 20 entries", key);
    unprocessable(rs, key, "is too long (maximum is 20)", msg);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(v, i), *l, *val;
    if (!json_object_is_type(e, json_type_object) || !json_object_object_get_ex(e, "label", &l) ||
        !json_object_object_get_ex(e, "value", &val) || !json_object_is_type(l, json_type_string) ||
        !json_object_is_type(val, json_type_string) || blank(json_object_get_string(l)) ||
        blank(json_object_get_string(val))) {
      snprintf(msg, sizeof msg, "each entry of %s needs a non-empty label and value", key);
      unprocessable(rs, key, "is invalid", msg);
      return -1;
    }
  }
  *out = v;
  return (int)n;
}

static int replace(char **dst, const char *v) {
  char *n = v ? strdup(v) : NULL;
  if (v && !n) return -1;
  free(*dst);
  *dst = n;
  return 0;
}

static int add_details(struct sim_company *co, struct sim_detail *d, size_t *n, json_object *arr) {
  for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
    json_object *e = json_object_array_get_idx(arr, i), *l, *v;
    json_object_object_get_ex(e, "label", &l);
    json_object_object_get_ex(e, "value", &v);
    d[*n].id = co->next_detail_id++;
    d[*n].label = strdup(json_object_get_string(l));
    d[*n].value = strdup(json_object_get_string(v));
    (*n)++;
    if (!d[*n - 1].label || !d[*n - 1].value) return -1;
  }
  return 0;
}

void sim_contacts_create(struct sim *s, const struct sim_req *rq, struct sim_resp *rs) {
  struct sim_company *co = rq->co;
  json_object *body = body_object(rq, rs), *phones, *emails;
  const char *first, *last, *company, *info;
  struct sim_contact *c;
  if (!body) return;
  if (text_field(body, "first_name", false, &first, rs) || text_field(body, "last_name", false, &last, rs) ||
      text_field(body, "company_name", false, &company, rs) ||
      text_field(body, "information", false, &info, rs) ||
      detail_list(body, "phone_numbers", true, &phones, rs) < 0 ||
      detail_list(body, "emails", false, &emails, rs) < 0)
    goto out;
  if (co->ncontacts == co->contacts_cap) {
    size_t ncap = co->contacts_cap * 2;
    struct sim_contact *nc = realloc(co->contacts, ncap * sizeof *nc);
    if (!nc) {
      sim_resp_error(rs, 500, "out of memory");
      goto out;
    }
    memset(nc + co->contacts_cap, 0, (ncap - co->contacts_cap) * sizeof *nc);
    co->contacts = nc, co->contacts_cap = ncap;
  }
  c = &co->contacts[co->ncontacts++];
  memset(c, 0, sizeof *c);
  c->id = co->next_contact_id++;
  c->created_at = c->updated_at = (int64_t)time(NULL);
  if (replace(&c->first_name, first) || replace(&c->last_name, last) || replace(&c->company_name, company) ||
      replace(&c->information, info) || add_details(co, c->phones, &c->nphones, phones) ||
      add_details(co, c->emails, &c->nemails, emails)) {
    sim_contact_clear(c); /* a failed create leaves no half-made contact behind */
    co->ncontacts--;
    co->next_contact_id--;
    sim_resp_error(rs, 500, "out of memory");
    goto out;
  }
  answer_contact(s, rs, 201, c);
out:
  json_object_put(body);
}

void sim_contacts_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id) {
  static const char *const KEYS[4] = {"first_name", "last_name", "company_name", "information"};
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  json_object *body;
  const char *v[4];
  if (!c || !(body = body_object(rq, rs))) return;
  for (int i = 0; i < 4; i++)
    if (text_field(body, KEYS[i], true, &v[i], rs)) goto out;
  char **dst[4] = {&c->first_name, &c->last_name, &c->company_name, &c->information};
  for (int i = 0; i < 4; i++)
    if (v[i] && replace(dst[i], v[i])) {
      sim_resp_error(rs, 500, "out of memory");
      goto out;
    }
  c->updated_at = (int64_t)time(NULL);
  answer_contact(s, rs, 200, c);
out:
  json_object_put(body);
}

void sim_contacts_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id) {
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  (void)s;
  if (!c) return;
  sim_contact_clear(c);
  c->id = id; /* keeps the array sorted for the binary search */
  c->deleted = true;
  sim_resp_text(rs, 204, NULL, NULL);
}

static void detail_refs(struct sim_contact *c, bool phone, struct sim_detail **d, size_t **n) {
  *d = phone ? c->phones : c->emails;
  *n = phone ? &c->nphones : &c->nemails;
}

void sim_details_add(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, bool phone) {
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  json_object *body, *l, *v;
  struct sim_detail *d;
  size_t *n;
  const char *key = phone ? "phone_numbers" : "emails";
  if (!c || !(body = body_object(rq, rs))) return;
  detail_refs(c, phone, &d, &n);
  if (!json_object_object_get_ex(body, "label", &l) || !json_object_object_get_ex(body, "value", &v) ||
      !json_object_is_type(l, json_type_string) || !json_object_is_type(v, json_type_string) ||
      blank(json_object_get_string(l)) || blank(json_object_get_string(v))) {
    unprocessable(rs, key, "is invalid", "label and value are required and must not be empty");
    goto out;
  }
  if (*n >= SIM_MAX_DETAILS) {
    unprocessable(rs, key, "is too long (maximum is 20)", "a contact has at most 20 of each");
    goto out;
  }
  d[*n].label = strdup(json_object_get_string(l));
  d[*n].value = strdup(json_object_get_string(v));
  if (!d[*n].label || !d[*n].value) {
    free(d[*n].label), free(d[*n].value);
    d[*n].label = d[*n].value = NULL;
    sim_resp_error(rs, 500, "out of memory");
    goto out;
  }
  d[*n].id = rq->co->next_detail_id++;
  (*n)++;
  c->updated_at = (int64_t)time(NULL);
  answer_contact(s, rs, 201, c);
out:
  json_object_put(body);
}

static struct sim_detail *detail_find(struct sim_contact *c, bool phone, int64_t did, size_t *at,
                                      struct sim_resp *rs) {
  struct sim_detail *d;
  size_t *n;
  char msg[96];
  detail_refs(c, phone, &d, &n);
  for (size_t k = 0; k < *n; k++)
    if (d[k].id == did) {
      *at = k;
      return &d[k];
    }
  snprintf(msg, sizeof msg, "%s %lld not found on contact %lld", phone ? "Phone number" : "Email",
           (long long)did, (long long)c->id);
  sim_resp_error(rs, 404, msg);
  return NULL;
}

void sim_details_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, int64_t did,
                        bool phone) {
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  struct sim_detail *d;
  json_object *body;
  const char *l, *v;
  size_t at;
  if (!c || !(d = detail_find(c, phone, did, &at, rs)) || !(body = body_object(rq, rs))) return;
  if (text_field(body, "label", true, &l, rs) || text_field(body, "value", true, &v, rs)) goto out;
  if ((l && replace(&d->label, l)) || (v && replace(&d->value, v))) {
    sim_resp_error(rs, 500, "out of memory");
    goto out;
  }
  c->updated_at = (int64_t)time(NULL);
  answer_contact(s, rs, 200, c);
out:
  json_object_put(body);
}

void sim_details_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, int64_t did,
                        bool phone) {
  struct sim_contact *c = find_or_404(rq->co, id, rs);
  struct sim_detail *d;
  size_t *n, at;
  (void)s;
  if (!c || !detail_find(c, phone, did, &at, rs)) return;
  detail_refs(c, phone, &d, &n);
  /* Aircall requires a phone number on every contact; removing the last one is refused. */
  if (phone && *n == 1) {
    unprocessable(rs, "phone_numbers", "can't be blank",
                  "a contact must keep at least one phone number: add the new one first");
    return;
  }
  free(d[at].label), free(d[at].value);
  memmove(&d[at], &d[at + 1], (*n - at - 1) * sizeof *d);
  (*n)--;
  c->updated_at = (int64_t)time(NULL);
  sim_resp_text(rs, 204, NULL, NULL);
}
