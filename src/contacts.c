/*
 * contacts.c - list_contacts, create_contact and update_contact. Aircall has no
 * name search, no idempotent create and updates by POST plus sub-resources; this
 * file gives agents the search, the safety and the replace-all they expect.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/ac.h"

/* A reconciling search accepts a contact created this long before the POST started. */
#define AC_RECONCILE_SLACK_S 120

static int blank(const char *s) {
  for (; s && *s; s++)
    if (!isspace((unsigned char)*s)) return 0;
  return 1;
}

/* ---- list_contacts ---------------------------------------------------- */

/* A page of contacts as read here: `contacts` a list of objects whose names are
 * strings when present, `meta` an object whose next_page_link is a string when
 * present. *more says whether a next page exists. */
static int check_page(struct ac_error *e, const char *what, json_object *page, json_object **contacts,
                      json_object **meta, int *more) {
  static const char *const names[] = {"first_name", "last_name", "company_name"};
  const char *next = NULL;
  int rc;
  *more = 0;
  if ((rc = ac_json_member_array(e, what, page, "", "contacts", AC_JSON_REQUIRED, contacts)) ||
      (rc = ac_json_member_object(e, what, page, "", "meta", AC_JSON_OPTIONAL, meta)) ||
      (*meta &&
       (rc = ac_json_member_string(e, what, *meta, "meta", "next_page_link", AC_JSON_OPTIONAL, &next))))
    return rc;
  *more = next != NULL;
  for (size_t i = 0; i < json_object_array_length(*contacts); i++) {
    json_object *contact;
    const char *ignored;
    char at[32];
    snprintf(at, sizeof(at), "contacts[%zu]", i);
    if ((rc = ac_json_item(e, what, *contacts, "contacts", i, json_type_object, &contact))) return rc;
    for (size_t k = 0; k < 3 && rc == KKP_OK; k++)
      rc = ac_json_member_string(e, what, contact, at, names[k], AC_JSON_OPTIONAL, &ignored);
    if (rc) return rc;
  }
  return KKP_OK;
}

static int name_matches(json_object *contact, const char *q) {
  static const char *const fields[] = {"first_name", "last_name", "company_name"};
  for (size_t i = 0; i < 3; i++) {
    const char *v = ac_json_str(contact, fields[i]);
    if (v && strcasestr(v, q)) return 1;
  }
  /* "John Smith" finds first_name John + last_name Smith. */
  const char *first = ac_json_str(contact, "first_name"), *last = ac_json_str(contact, "last_name");
  if (first && last) {
    char full[512];
    snprintf(full, sizeof(full), "%s %s", first, last);
    if (strcasestr(full, q)) return 1;
  }
  return 0;
}

/* A name search in progress: the matches kept, how many to skip before the
 * asked page starts, and how much was read. */
struct name_scan {
  const char *q;
  long long per_page, skip, scanned;
  json_object *found;
  int pages;
  long long last; /* the last page to read, once the first page says how many there are */
  int complete;   /* the last page was read */
  int more;       /* one match past the asked page was seen */
};

/* Keeps the matches of one page of contacts, within the asked page. */
static void scan_keep(struct name_scan *s, json_object *contacts) {
  for (size_t i = 0; i < json_object_array_length(contacts) && !s->more; i++) {
    json_object *contact = json_object_array_get_idx(contacts, i);
    s->scanned++;
    if (!name_matches(contact, s->q)) continue;
    if (s->skip > 0) s->skip--;
    else if ((long long)json_object_array_length(s->found) < s->per_page)
      json_object_array_add(s->found, json_object_get(contact));
    else s->more = 1; /* one match past this page: the page is full and exact */
  }
}

/* Takes the next page of every contact (in order) and keeps its matches. */
static int scan_take(struct ac_ctx *c, const char *path, struct ac_response *r, void *arg) {
  struct name_scan *s = arg;
  json_object *contacts, *meta;
  char what[160];
  snprintf(what, sizeof(what), "GET %s", path);
  int next = 0, rc = ac_response_parse(c, what, r);
  if (rc) return rc;
  s->pages++;
  ac_progress(c, (uint64_t)s->pages, (uint64_t)c->acct->cfg.name_scan_pages,
              "list_contacts: searched %d page%s of contacts for a name", s->pages, s->pages == 1 ? "" : "s");
  if ((rc = check_page(&c->err, "GET /v1/contacts", r->json, &contacts, &meta, &next))) return rc;
  scan_keep(s, contacts);
  if (!next) s->complete = 1;
  if (s->pages == 1)
    s->last =
        ac_pages_after(ac_json_int(meta, "total", -1), ac_json_int(meta, "per_page", -1), AC_MAX_PER_PAGE);
  return s->more || s->complete ? AC_GET_STOP : KKP_OK;
}

/* The meta of a name search's answer: what was read, and whether it is complete. */
static json_object *scan_meta(const struct name_scan *s, long long page) {
  json_object *meta = json_object_new_object();
  json_object_object_add(meta, "count", json_object_new_int64((int64_t)json_object_array_length(s->found)));
  json_object_object_add(meta, "current_page", json_object_new_int64(page));
  json_object_object_add(meta, "per_page", json_object_new_int64(s->per_page));
  json_object_object_add(meta, "search", json_object_new_string("name"));
  json_object_object_add(meta, "scanned", json_object_new_int64(s->scanned));
  json_object_object_add(meta, "scanned_pages", json_object_new_int(s->pages));
  json_object_object_add(meta, "complete", json_object_new_boolean(s->complete || s->more));
  json_object_object_add(meta, "has_more", json_object_new_boolean(s->more));
  if (!s->complete && !s->more)
    json_object_object_add(
        meta, "note",
        json_object_new_string(
            "Aircall cannot search names: only the contacts read so far were searched. Search by "
            "phone number or email, or raise the plugin config `name_scan_pages`, for a complete answer."));
  return meta;
}

/* The API cannot search names: read pages of 50 and keep the matches, within a
 * budget of name_scan_pages pages; meta says how much was read and whether the
 * answer is complete. */
static int scan_names(struct ac_ctx *c, const char *q, long long per_page, long long page, const char *order,
                      struct ac_result *out) {
  struct name_scan s = {.q = q, .per_page = per_page, .skip = (page - 1) * per_page};
  int rc = KKP_OK, budget = c->acct->cfg.name_scan_pages;
  s.found = json_object_new_array();
  /* The first page says how many follow: those within the budget are read at once. */
  while (rc == KKP_OK && s.pages < budget && !s.more && !s.complete) {
    long long last = s.last < budget ? s.last : budget;
    rc = ac_http_get_pages(c, "/v1/contacts", order, s.pages + 1,
                           last > s.pages + 1 ? (int)last : s.pages + 1, scan_take, &s);
  }
  if (rc) {
    json_object_put(s.found);
    return rc;
  }
  out->obj = json_object_new_object();
  json_object_object_add(out->obj, "contacts", s.found);
  json_object_object_add(out->obj, "meta", scan_meta(&s, page));
  return KKP_OK;
}

int ac_list_contacts(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  const char *q = ac_json_str(args, "q"), *order = ac_json_str(args, "order");
  long long per_page = ac_json_int(args, "per_page", 0), page = ac_json_int(args, "page", 0);
  struct ac_buf path = {0};
  struct ac_response r = {0};
  const char *search = NULL;
  char trimmed[256];
  int rc;
  if (q) {
    while (isspace((unsigned char)*q)) q++;
    snprintf(trimmed, sizeof(trimmed), "%s", q);
    for (size_t n = strlen(trimmed); n > 0 && isspace((unsigned char)trimmed[n - 1]); n--)
      trimmed[n - 1] = '\0';
    q = trimmed;
    if (!*q) { /* blanks would list every contact as if no q were given */
      ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
              "q must not be blank: give a name, a phone number or an email, or leave q out to list "
              "every contact");
      ac_error_detail(&c->err, "parameter", json_object_new_string("q"));
      return c->err.status;
    }
  }
  rc = ac_page_within_cap(c, page, per_page, "search with q instead");
  if (rc) return rc;
  int digits = q ? ac_phone_digits(q) : -1;
  if (q && strchr(q, '@')) {
    search = "email";
    ac_buf_puts(&path, "/v1/contacts/search");
    ac_buf_query(&path, "email", q);
  } else if (q && digits >= 6 && digits <= 15) {
    char e164[64];
    ac_phone_normalise(q, e164, sizeof(e164));
    search = "phone_number";
    ac_buf_puts(&path, "/v1/contacts/search");
    ac_buf_query(&path, "phone_number", e164);
  } else if (q) {
    return scan_names(c, q, per_page, page, order, out);
  } else {
    ac_buf_puts(&path, "/v1/contacts");
  }
  ac_buf_query_int(&path, "per_page", per_page);
  ac_buf_query_int(&path, "page", page);
  ac_buf_query(&path, "order", order);
  if (path.oom) {
    ac_buf_free(&path);
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  }
  rc = ac_http(c, "GET", path.s, NULL, AC_SAFE, &r);
  ac_buf_free(&path);
  if (rc) return rc;
  json_object *contacts, *meta;
  int more;
  if ((rc = check_page(&c->err, search ? "GET /v1/contacts/search" : "GET /v1/contacts", r.json, &contacts,
                       &meta, &more))) {
    ac_response_free(&r);
    return rc;
  }
  if (search && meta) json_object_object_add(meta, "search", json_object_new_string(search));
  out->obj = r.json;
  return KKP_OK;
}

/* ---- checks shared by create and update ------------------------------- */

/* Two values that name the same entry: the same digits (with or without '+'),
 * or the same email in any case. */
static int same_value(const char *x, const char *y, int phone) {
  char a[64], b[64];
  if (!phone) return strcasecmp(x, y) == 0;
  ac_phone_normalise(x, a, sizeof(a));
  ac_phone_normalise(y, b, sizeof(b));
  return strcmp(a[0] == '+' ? a + 1 : a, b[0] == '+' ? b + 1 : b) == 0;
}

/* Refuses entry i of list `param` with the message fmt (printf-style, its first
 * conversion the entry's path), details.parameter naming that path as written. */
static int bad_entry(struct ac_ctx *c, const char *param, size_t i, const char *member, const char *fmt,
                     const char *value) {
  char path[96];
  snprintf(path, sizeof(path), "%s[%zu]%s%s", param, i, member ? "." : "", member ? member : "");
  ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, fmt, path, value);
  ac_error_detail(&c->err, "parameter", json_object_new_string(path));
  return c->err.status;
}

/* One entry of phone_numbers or emails: non-blank label and value, a phone of
 * 6..15 digits or an email with one '@', and a value not given earlier. */
static int check_entry(struct ac_ctx *c, json_object *list, const char *param, size_t i, int phone) {
  json_object *e = json_object_array_get_idx(list, i);
  const char *label = ac_json_str(e, "label"), *value = ac_json_str(e, "value");
  if (blank(label)) return bad_entry(c, param, i, "label", "%s must not be blank (e.g. \"Work\")%s", "");
  if (blank(value)) return bad_entry(c, param, i, "value", "%s must not be blank%s", "");
  if (phone && (ac_phone_digits(value) < 6 || ac_phone_digits(value) > 15))
    return bad_entry(c, param, i, "value",
                     "%s \"%.40s\" is not a phone number: use 6 to 15 digits, ideally in E.164 such as "
                     "\"+33612345678\"",
                     value);
  if (!phone && !ac_email_valid(value))
    return bad_entry(c, param, i, "value",
                     "%s \"%.60s\" is not an email address: it needs one @ with text on both sides, such "
                     "as \"jane.smith@acme.example\"",
                     value);
  for (size_t j = 0; j < i; j++)
    if (same_value(value, ac_json_str(json_object_array_get_idx(list, j), "value"), phone))
      return bad_entry(c, param, i, NULL,
                       "%s repeats the value of an earlier entry (\"%.40s\"): give each once", value);
  return KKP_OK;
}

/* Phone numbers and emails (list may be NULL), each entry as check_entry says. */
static int check_entries(struct ac_ctx *c, json_object *list, const char *param, int phone) {
  size_t n = list ? json_object_array_length(list) : 0;
  for (size_t i = 0; i < n; i++) {
    int rc = check_entry(c, list, param, i, phone);
    if (rc) return rc;
  }
  return KKP_OK;
}

/* {label, value} as sent: a phone that starts with '+' goes as E.164. */
static json_object *entry_body(json_object *entry, int phone) {
  json_object *o = json_object_new_object();
  const char *value = ac_json_str(entry, "value");
  char e164[64];
  if (phone && value[strspn(value, " ")] == '+') {
    ac_phone_normalise(value, e164, sizeof(e164));
    value = e164;
  }
  json_object_object_add(o, "label", json_object_new_string(ac_json_str(entry, "label")));
  json_object_object_add(o, "value", json_object_new_string(value));
  return o;
}

/* Digits of a phone without '+', or the lowercased email: what makes two entries the same. */
static void entry_key(const char *value, int phone, char *out, size_t cap) {
  if (phone) {
    char tmp[64];
    ac_phone_normalise(value, tmp, sizeof(tmp));
    snprintf(out, cap, "%s", tmp[0] == '+' ? tmp + 1 : tmp);
  } else {
    size_t i = 0;
    for (; value[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)value[i]);
    out[i] = '\0';
  }
}

static int list_has(json_object *list, const char *value, int phone) {
  char want[256], have[256];
  if (!json_object_is_type(list, json_type_array)) return 0; /* an answer's list of another shape */
  entry_key(value, phone, want, sizeof(want));
  for (size_t i = 0; list && i < json_object_array_length(list); i++) {
    const char *v = ac_json_str(json_object_array_get_idx(list, i), "value");
    if (!v) continue;
    entry_key(v, phone, have, sizeof(have));
    if (strcmp(want, have) == 0) return 1;
  }
  return 0;
}

/* The properties of function fn's parameters, from the manifest. */
static json_object *params_of(const char *fn) {
  json_object *params, *props = NULL;
  if (json_object_object_get_ex(ac_manifest_function(fn), "parameters", &params))
    json_object_object_get_ex(params, "properties", &props);
  return props;
}

/* The contact's text fields that args gives (the string parameters the manifest
 * lists for fn), copied into fields; a blank one is refused, saying `why`. */
static int take_fields(struct ac_ctx *c, const char *fn, json_object *args, json_object *fields,
                       const char *why) {
  json_object_object_foreach(params_of(fn), key, schema) {
    const char *type = ac_json_str(schema, "type"), *v = ac_json_str(args, key);
    if (!v || !type || strcmp(type, "string") != 0) continue;
    if (blank(v)) {
      ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "%s must not be blank: %s", key, why);
      ac_error_detail(&c->err, "parameter", json_object_new_string(key));
      return c->err.status;
    }
    json_object_object_add(fields, key, json_object_new_string(v));
  }
  return KKP_OK;
}

/* The contact object of an answer, or NULL when `contact` is missing or not an object. */
static json_object *contact_of(json_object *answer) {
  json_object *contact;
  if (!json_object_object_get_ex(answer, "contact", &contact) ||
      !json_object_is_type(contact, json_type_object))
    return NULL;
  return contact;
}

/* ---- create_contact --------------------------------------------------- */

static int same_name(json_object *a, json_object *b, const char *key) {
  const char *x = ac_json_str(a, key), *y = ac_json_str(b, key);
  return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* After an ambiguous failure: did Aircall create the contact anyway? Looks for
 * one with the same names and numbers created since the POST began. */
static int find_created(struct ac_ctx *c, json_object *args, time_t started, json_object **found) {
  json_object *phones, *emails = NULL;
  struct ac_buf path = {0};
  struct ac_response r = {0};
  char e164[64];
  *found = NULL;
  json_object_object_get_ex(args, "phone_numbers", &phones);
  json_object_object_get_ex(args, "emails", &emails);
  ac_phone_normalise(ac_json_str(json_object_array_get_idx(phones, 0), "value"), e164, sizeof(e164));
  ac_buf_puts(&path, "/v1/contacts/search");
  ac_buf_query(&path, "phone_number", e164);
  ac_buf_query_int(&path, "per_page", AC_MAX_PER_PAGE);
  ac_buf_query(&path, "order", "desc");
  int rc = path.oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory")
                    : ac_http(c, "GET", path.s, NULL, AC_SAFE, &r);
  ac_buf_free(&path);
  if (rc) return rc;
  json_object *contacts;
  if (json_object_object_get_ex(r.json, "contacts", &contacts) &&
      json_object_is_type(contacts, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(contacts) && !*found; i++) {
      json_object *k = json_object_array_get_idx(contacts, i), *have_phones, *have_emails = NULL;
      if (ac_json_int(k, "created_at", 0) < (long long)started - AC_RECONCILE_SLACK_S) continue;
      if (!same_name(k, args, "first_name") || !same_name(k, args, "last_name")) continue;
      json_object_object_get_ex(k, "phone_numbers", &have_phones);
      json_object_object_get_ex(k, "emails", &have_emails);
      int all = 1;
      for (size_t j = 0; all && j < json_object_array_length(phones); j++)
        all = list_has(have_phones, ac_json_str(json_object_array_get_idx(phones, j), "value"), 1);
      for (size_t j = 0; all && emails && j < json_object_array_length(emails); j++)
        all = list_has(have_emails, ac_json_str(json_object_array_get_idx(emails, j), "value"), 0);
      if (all) *found = json_object_get(k);
    }
  }
  ac_response_free(&r);
  return KKP_OK;
}

/* The grace window after a write whose answer was lost: look again after 250 ms,
 * then twice as long each time, until reconcile_window_ms (from `start`) or the
 * call's deadline. 1 after the pause when another look fits; 0 when not. */
static int look_again(struct ac_ctx *c, long long start, long long *pause, const char *what) {
  long long left = start + c->acct->cfg.reconcile_window_ms - ac_now_ms();
  if (left <= 0) return 0;
  long long ms = *pause < left ? *pause : left;
  *pause *= 2;
  struct ac_error saved; /* the error being reconciled, set aside while this sleeps */
  ac_error_init(&saved);
  ac_error_move(&saved, &c->err);
  int rc = ac_call_sleep(c, ms, what);
  if (rc) ac_log(c->acct, KKP_LOG_WARN, "%s: stopped looking: %s", what, c->err.message);
  ac_error_move(&c->err, &saved);
  return rc == KKP_OK;
}

/* A lost create: searches for the contact over the grace window. On a find the
 * result is the contact with "reconciled": true; else the first error, saying
 * the contact may or may not exist and what to check. Never sends it again. */
static int reconcile_create(struct ac_ctx *c, json_object *args, time_t started, struct ac_result *out) {
  struct ac_error first;
  json_object *phones = NULL, *found = NULL;
  long long t0 = ac_now_ms(), pause = 250;
  int looks = 0;
  json_object_object_get_ex(args, "phone_numbers", &phones);
  ac_error_init(&first);
  ac_error_move(&first, &c->err);
  ac_log(c->acct, KKP_LOG_WARN, "create_contact: the answer was lost (%s); looking for the contact",
         first.message);
  do {
    looks++;
    int frc = find_created(c, args, started, &found);
    if (frc) ac_log(c->acct, KKP_LOG_WARN, "create_contact: search %d failed: %s", looks, c->err.message);
    ac_error_clear(&c->err);
    if (found) {
      ac_error_clear(&first);
      out->obj = json_object_new_object();
      json_object_object_add(out->obj, "contact", found);
      json_object_object_add(out->obj, "reconciled", json_object_new_boolean(1));
      return KKP_OK;
    }
  } while (look_again(c, t0, &pause, "create_contact: looking for the contact"));
  ac_error_move(&c->err, &first);
  ac_error_append(&c->err,
                  ". The contact may or may not exist now (not found in %d search%s over %lld ms): check "
                  "with list_contacts {\"q\": \"%s\"} before creating it again",
                  looks, looks == 1 ? "" : "es", ac_now_ms() - t0,
                  ac_json_str(json_object_array_get_idx(phones, 0), "value"));
  c->err.retryable = 0; /* a blind retry is exactly what could duplicate it */
  ac_error_detail(&c->err, "may_exist", json_object_new_boolean(1));
  return c->err.status;
}

/* What create_contact needs before anything is sent: a name, a phone number,
 * and well-formed entries. */
static int check_create_args(struct ac_ctx *c, json_object *phones, json_object *emails, json_object *args) {
  int rc;
  if (!ac_json_str(args, "first_name") && !ac_json_str(args, "last_name"))
    return ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "create_contact needs a first_name or a last_name");
  if (!phones || json_object_array_length(phones) == 0) {
    ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
            "Aircall requires at least one phone number for a contact%s: add phone_numbers: "
            "[{\"label\": \"Work\", \"value\": \"+33612345678\"}]",
            emails && json_object_array_length(emails) ? " (an email alone is not enough)" : "");
    ac_error_detail(&c->err, "parameter", json_object_new_string("phone_numbers"));
    return c->err.status;
  }
  if ((rc = check_entries(c, phones, "phone_numbers", 1)) || (rc = check_entries(c, emails, "emails", 0)))
    return rc;
  return KKP_OK;
}

/* Adds key: [{label, value}, ...] as sent (list may be NULL: an empty list). */
static void add_entries(json_object *body, const char *key, json_object *list, int phone) {
  json_object *sent = json_object_new_array();
  for (size_t i = 0; list && i < json_object_array_length(list); i++)
    json_object_array_add(sent, entry_body(json_object_array_get_idx(list, i), phone));
  json_object_object_add(body, key, sent);
}

/* The contact of a 2xx answer to the POST, or NULL: then Aircall said it made the
 * contact but its answer is unusable, which is the error (the caller looks for it). */
static json_object *created_contact(struct ac_ctx *c, const struct ac_response *r) {
  json_object *contact = contact_of(r->json);
  if (contact) return contact;
  ac_fail(&c->err, KKP_ERR_UPSTREAM,
          "Aircall's answer to POST /v1/contacts has no \"contact\" object (HTTP %ld)", r->http_status);
  c->err.http_status = r->http_status;
  return NULL;
}

int ac_create_contact(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  json_object *phones = NULL, *emails = NULL, *body = json_object_new_object(), *contact = NULL;
  struct ac_response r = {0};
  int rc;
  json_object_object_get_ex(args, "phone_numbers", &phones);
  json_object_object_get_ex(args, "emails", &emails);
  if ((rc = take_fields(c, "create_contact", args, body, "leave it out or give it a value")) ||
      (rc = check_create_args(c, phones, emails, args)))
    goto out;
  add_entries(body, "phone_numbers", phones, 1);
  add_entries(body, "emails", emails, 0);
  time_t started = time(NULL);
  /* Never re-sent blindly: Aircall has no idempotency key, so a second POST after
   * a lost answer makes a duplicate contact. The transport re-sends it only when
   * it provably never reached Aircall (no connection, or a 429, which Aircall
   * answers before processing); anything that may have been delivered is looked
   * for instead. */
  rc = ac_http(c, "POST", "/v1/contacts", ac_json_text(body), AC_UNSAFE, &r);
  int uncertain = ac_write_uncertain(&r, rc);
  if (rc == KKP_OK && !(contact = created_contact(c, &r))) {
    rc = c->err.status;
    uncertain = 1; /* Aircall said 201, so it made the contact: look for it rather than fail or re-send */
  }
  if (uncertain) rc = reconcile_create(c, args, started, out);
  else if (rc == KKP_OK) {
    out->obj = json_object_new_object();
    json_object_object_add(out->obj, "contact", json_object_get(contact));
  }
out:
  ac_response_free(&r);
  json_object_put(body);
  return rc;
}

/* ---- update_contact --------------------------------------------------- */

struct step {
  const char *method; /* POST (add), PUT (relabel), DELETE (remove) */
  char path[128];
  json_object *body; /* owned; NULL for DELETE */
  char what[160];    /* for "applied" */
  const char *value; /* the entry's value (borrowed), to check after a lost answer */
  int phone;
};

/* Plans one list's replacement: adds, relabels and removals (docs/SPEC.md §3). */
static int plan_entries(long long id, json_object *current, json_object *desired, int phone,
                        struct step *steps, size_t *n, size_t cap) {
  const char *sub = phone ? "phone_details" : "email_details", *kind = phone ? "phone" : "email";
  size_t cur_n = current ? json_object_array_length(current) : 0;
  for (size_t i = 0; i < json_object_array_length(desired); i++) {
    json_object *want = json_object_array_get_idx(desired, i);
    const char *value = ac_json_str(want, "value"), *label = ac_json_str(want, "label");
    json_object *match = NULL;
    char k1[256], k2[256];
    entry_key(value, phone, k1, sizeof(k1));
    for (size_t j = 0; j < cur_n && !match; j++) {
      json_object *have = json_object_array_get_idx(current, j);
      const char *hv = ac_json_str(have, "value");
      if (!hv) continue;
      entry_key(hv, phone, k2, sizeof(k2));
      if (strcmp(k1, k2) == 0) match = have;
    }
    if (*n >= cap) return -1;
    struct step *s = &steps[*n];
    memset(s, 0, sizeof(*s));
    s->phone = phone;
    s->value = value;
    if (!match) {
      s->method = "POST";
      snprintf(s->path, sizeof(s->path), "/v1/contacts/%lld/%s", id, sub);
      s->body = entry_body(want, phone);
      snprintf(s->what, sizeof(s->what), "added %s %.60s", kind, value);
      (*n)++;
    } else if (!ac_json_str(match, "label") || strcmp(ac_json_str(match, "label"), label) != 0) {
      s->method = "PUT";
      snprintf(s->path, sizeof(s->path), "/v1/contacts/%lld/%s/%lld", id, sub, ac_json_int(match, "id", 0));
      s->body = json_object_new_object();
      json_object_object_add(s->body, "label", json_object_new_string(label));
      json_object_object_add(s->body, "value", json_object_new_string(ac_json_str(match, "value")));
      snprintf(s->what, sizeof(s->what), "relabelled %s %.60s as %.40s", kind, value, label);
      (*n)++;
    }
  }
  for (size_t j = 0; j < cur_n; j++) {
    json_object *have = json_object_array_get_idx(current, j);
    const char *hv = ac_json_str(have, "value");
    if (!hv || list_has(desired, hv, phone)) continue;
    if (*n >= cap) return -1;
    struct step *s = &steps[*n];
    memset(s, 0, sizeof(*s));
    s->method = "DELETE";
    s->phone = phone;
    s->value = hv;
    snprintf(s->path, sizeof(s->path), "/v1/contacts/%lld/%s/%lld", id, sub, ac_json_int(have, "id", 0));
    snprintf(s->what, sizeof(s->what), "removed %s %.60s", kind, hv);
    (*n)++;
  }
  return 0;
}

/* The contact of an answer to GET /v1/contacts/{id}, as update_contact reads it:
 * an object whose phone_numbers and emails are lists of objects with a string
 * value and label and an integer id. */
static int current_contact(struct ac_error *e, json_object *answer, json_object **contact) {
  static const char what[] = "GET /v1/contacts/{id}";
  static const char *const lists[] = {"phone_numbers", "emails"}, *const texts[] = {"value", "label"};
  int rc = ac_json_member_object(e, what, answer, "", "contact", AC_JSON_REQUIRED, contact);
  for (size_t l = 0; l < 2 && rc == KKP_OK; l++) {
    json_object *list, *entry;
    char at[48];
    const char *ignored;
    long long id;
    snprintf(at, sizeof(at), "contact.%s", lists[l]);
    rc = ac_json_member_array(e, what, *contact, "contact", lists[l], AC_JSON_OPTIONAL, &list);
    for (size_t i = 0; rc == KKP_OK && list && i < json_object_array_length(list); i++) {
      char item[80];
      snprintf(item, sizeof(item), "%s[%zu]", at, i);
      rc = ac_json_item(e, what, list, at, i, json_type_object, &entry);
      for (size_t t = 0; t < 2 && rc == KKP_OK; t++)
        rc = ac_json_member_string(e, what, entry, item, texts[t], AC_JSON_OPTIONAL, &ignored);
      if (rc == KKP_OK) rc = ac_json_member_int(e, what, entry, item, "id", AC_JSON_OPTIONAL, &id);
    }
  }
  return rc;
}

static int step_rank(const struct step *s) {
  return s->method[0] == 'P' && s->method[1] == 'O' ? 0 : s->method[0] == 'P' ? 1 : 2;
}

static int by_rank(const void *a, const void *b) {
  return step_rank(a) - step_rank(b);
}

static int contact_not_found(struct ac_ctx *c, long long id) {
  long http = c->err.http_status;
  ac_error_clear(&c->err);
  ac_fail(&c->err, KKP_ERR_NOT_FOUND,
          "contact %lld does not exist (or is not shared): list_contacts shows the ids", id);
  c->err.http_status = http;
  return c->err.status;
}

/* Has a lost POST added the entry after all? Reads the contact back: 1 yes, 0 no
 * or unknown. c->err is left as it was. */
static int entry_present(struct ac_ctx *c, long long id, const struct step *s) {
  char path[64];
  struct ac_response r = {0};
  json_object *list;
  snprintf(path, sizeof(path), "/v1/contacts/%lld", id);
  struct ac_error saved; /* the POST's error, set aside while the contact is read */
  ac_error_init(&saved);
  ac_error_move(&saved, &c->err);
  int rc = ac_http(c, "GET", path, NULL, AC_SAFE, &r);
  ac_error_move(&c->err, &saved);
  if (rc) return 0;
  int present = json_object_object_get_ex(contact_of(r.json), s->phone ? "phone_numbers" : "emails", &list) &&
                list_has(list, s->value, s->phone);
  ac_response_free(&r);
  return present;
}

/* A lost sub-resource POST: looks for the entry over the grace window (never
 * re-sent: a second POST adds a second copy). KKP_OK when it landed; else the
 * POST's error, saying the entry may or may not be there. */
static int reconcile_entry(struct ac_ctx *c, long long id, const struct step *s) {
  long long t0 = ac_now_ms(), pause = 250;
  int looks = 0;
  do {
    looks++;
    if (entry_present(c, id, s)) {
      ac_error_clear(&c->err);
      return KKP_OK;
    }
  } while (look_again(c, t0, &pause, "update_contact: looking for the added entry"));
  ac_error_append(&c->err,
                  ". The %s %.60s may or may not have been added (not found in %d look%s): read contact "
                  "%lld before trying again",
                  s->phone ? "phone" : "email", s->value, looks, looks == 1 ? "" : "s", id);
  c->err.retryable = 0;
  return c->err.status;
}

/* One update_contact: what it was asked, what it plans and what it did. */
struct update {
  long long id;
  char path[64];                /* /v1/contacts/{id} */
  json_object *phones, *emails; /* the lists asked for (borrowed from the arguments), or NULL */
  json_object *fields;          /* the text fields to set (owned) */
  json_object *current;         /* the contact as read before the plan (owned): steps borrow from it */
  json_object *applied;         /* what was done so far, for an error half-way (owned) */
  struct step steps[128];
  size_t n_steps;
};

/* The fields and lists to change: refused before anything is sent when there is
 * nothing to change or an entry is malformed. */
static int check_update_args(struct ac_ctx *c, struct update *u, json_object *args) {
  int rc = take_fields(c, "update_contact", args, u->fields,
                       "Aircall cannot clear a field, so give a new value or leave it out");
  if (rc) return rc;
  if (json_object_object_length(u->fields) == 0 && !u->phones && !u->emails) {
    struct ac_buf list = {0};
    json_object_object_foreach(params_of("update_contact"), key, schema) {
      (void)schema;
      if (strcmp(key, "contact_id") != 0) ac_buf_printf(&list, "%s%s", list.len ? ", " : "", key);
    }
    rc = ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
                 "update_contact has nothing to change: pass at least one of %s", list.s ? list.s : "");
    ac_buf_free(&list);
    return rc;
  }
  if ((rc = check_entries(c, u->phones, "phone_numbers", 1)) ||
      (rc = check_entries(c, u->emails, "emails", 0)))
    return rc;
  return KKP_OK;
}

/* Sets the text fields, when any were given. */
static int set_fields(struct ac_ctx *c, struct update *u) {
  struct ac_response r = {0};
  if (json_object_object_length(u->fields) == 0) return KKP_OK;
  /* POST, not PUT: Aircall's one update that is not a PUT. Idempotent, so safe to retry. */
  int rc = ac_http(c, "POST", u->path, ac_json_text(u->fields), AC_SAFE, &r);
  ac_response_free(&r);
  if (rc == KKP_ERR_NOT_FOUND) return contact_not_found(c, u->id);
  if (rc) return rc;
  struct ac_buf what = {0};
  ac_buf_puts(&what, "set");
  json_object_object_foreach(u->fields, key, val) {
    (void)val;
    ac_buf_printf(&what, " %s", key);
  }
  json_object_array_add(u->applied, json_object_new_string(what.s ? what.s : "set"));
  ac_buf_free(&what);
  return KKP_OK;
}

/* Reads the contact and plans the steps that turn its lists into the asked ones,
 * adds first and removals last: a failure half-way never leaves fewer entries. */
static int plan_update(struct ac_ctx *c, struct update *u) {
  struct ac_response r = {0};
  json_object *contact, *cur_phones = NULL, *cur_emails = NULL;
  int rc = ac_http(c, "GET", u->path, NULL, AC_SAFE, &r);
  if (rc == KKP_ERR_NOT_FOUND) rc = contact_not_found(c, u->id);
  if (rc == KKP_OK && (rc = current_contact(&c->err, r.json, &contact)) == KKP_OK)
    u->current = json_object_get(contact);
  ac_response_free(&r);
  if (rc) return rc;
  json_object_object_get_ex(u->current, "phone_numbers", &cur_phones);
  json_object_object_get_ex(u->current, "emails", &cur_emails);
  if ((u->phones && plan_entries(u->id, cur_phones, u->phones, 1, u->steps, &u->n_steps, 128)) ||
      (u->emails && plan_entries(u->id, cur_emails, u->emails, 0, u->steps, &u->n_steps, 128)))
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "too many changes planned for one contact");
  qsort(u->steps, u->n_steps, sizeof(u->steps[0]), by_rank);
  return KKP_OK;
}

/* Sends step i. An add is a POST that makes a new entry each time: never re-sent
 * blindly, looked for when its answer is lost. */
static int apply_step(struct ac_ctx *c, struct update *u, const struct step *s) {
  struct ac_response r = {0};
  int add = step_rank(s) == 0;
  int rc =
      ac_http(c, s->method, s->path, s->body ? ac_json_text(s->body) : NULL, add ? AC_UNSAFE : AC_SAFE, &r);
  int uncertain = add && ac_write_uncertain(&r, rc);
  ac_response_free(&r);
  if (uncertain) rc = reconcile_entry(c, u->id, s);
  if (rc == KKP_ERR_NOT_FOUND && s->method[0] == 'D') {
    ac_error_clear(&c->err);
    rc = KKP_OK; /* already gone: a retried DELETE or a concurrent change */
  }
  return rc;
}

/* Applies the planned steps in order; on a failure, details.not_applied lists the rest. */
static int apply_steps(struct ac_ctx *c, struct update *u) {
  for (size_t i = 0; i < u->n_steps; i++) {
    int rc = apply_step(c, u, &u->steps[i]);
    if (rc) {
      json_object *pending = json_object_new_array();
      for (size_t j = i; j < u->n_steps; j++)
        json_object_array_add(pending, json_object_new_string(u->steps[j].what));
      ac_error_detail(&c->err, "not_applied", pending);
      return rc;
    }
    json_object_array_add(u->applied, json_object_new_string(u->steps[i].what));
  }
  return KKP_OK;
}

/* The contact as it is after the update: the result. */
static int read_back(struct ac_ctx *c, struct update *u, struct ac_result *out) {
  struct ac_response r = {0};
  json_object *contact;
  int rc = ac_http(c, "GET", u->path, NULL, AC_SAFE, &r);
  if (rc == KKP_ERR_NOT_FOUND) rc = contact_not_found(c, u->id);
  if (rc == KKP_OK && (rc = ac_json_member_object(&c->err, "GET /v1/contacts/{id}", r.json, "", "contact",
                                                  AC_JSON_REQUIRED, &contact)) == KKP_OK) {
    out->obj = json_object_new_object();
    json_object_object_add(out->obj, "contact", json_object_get(contact));
  }
  ac_response_free(&r);
  return rc;
}

int ac_update_contact(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  struct update *u = calloc(1, sizeof(*u));
  if (!u) return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  u->id = ac_json_int(args, "contact_id", 0);
  snprintf(u->path, sizeof(u->path), "/v1/contacts/%lld", u->id);
  json_object_object_get_ex(args, "phone_numbers", &u->phones);
  json_object_object_get_ex(args, "emails", &u->emails);
  u->fields = json_object_new_object();
  u->applied = json_object_new_array();
  int rc = check_update_args(c, u, args);
  if (rc == KKP_OK) rc = set_fields(c, u);
  if (rc == KKP_OK && (u->phones || u->emails) && (rc = plan_update(c, u)) == KKP_OK) rc = apply_steps(c, u);
  if (rc == KKP_OK) rc = read_back(c, u, out);
  size_t done = json_object_array_length(u->applied);
  if (rc && done > 0) {
    ac_error_append(&c->err, " (already applied: %zu change%s, see details.applied)", done,
                    done == 1 ? "" : "s");
    ac_error_detail(&c->err, "applied", json_object_get(u->applied));
  }
  for (size_t i = 0; i < u->n_steps; i++) json_object_put(u->steps[i].body);
  json_object_put(u->current);
  json_object_put(u->fields);
  json_object_put(u->applied);
  free(u);
  return rc;
}
