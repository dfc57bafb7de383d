/*
 * plugin_test.c - aircall.so, dlopen'ed for real, against aircall-sim over real
 * HTTP: what each function returns and what went over the wire (the
 * simulator's request log). Started by tests/integration/run.sh, which sets
 * SIM_URL, SIM_LIMITED_URL, KKP_KEYSTORE and BUILD.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <dlfcn.h>
#include <json-c/json.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "plugin.h"
#include "tests/lib/cmocka_tap.h"
#include "tests/lib/plugin_open.h"

/* The secrets provisioned by run.sh: no output may ever contain them. */
static const char *const secrets[] = {"tok-acme-5ecret", "tok-globex-5ecret", "key-5ecret", "wrong-5ecret",
                                      "pass-5ecret"};

static const struct kkp_plugin *P;
static void *lib;
static const char *sim_url, *limited_url;
static struct text {
  char *s;
  size_t len;
} seen; /* every string the plugin returned, for the secret check */

/* ---- talking to the simulator directly ---------------------------------- */

static size_t collect(char *d, size_t sz, size_t n, void *u) {
  struct text *t = u;
  t->s = realloc(t->s, t->len + sz * n + 1);
  memcpy(t->s + t->len, d, sz * n);
  t->len += sz * n;
  t->s[t->len] = '\0';
  return sz * n;
}

static json_object *sim_on(const char *base, const char *method, const char *path, const char *body) {
  CURL *h = curl_easy_init();
  struct text t = {0};
  char url[512];
  struct curl_slist *hd = curl_slist_append(NULL, "Authorization: Bearer tok-acme-5ecret");
  hd = curl_slist_append(hd, "Content-Type: application/json");
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  assert_int_equal(curl_easy_perform(h), CURLE_OK);
  curl_slist_free_all(hd);
  curl_easy_cleanup(h);
  json_object *j = t.s ? json_tokener_parse(t.s) : NULL;
  free(t.s);
  return j;
}

static json_object *sim(const char *method, const char *path, const char *body) {
  return sim_on(sim_url, method, path, body);
}

static void fault(const char *json) {
  json_object_put(sim("POST", "/__sim/faults", json));
}

/* The request log since the last reset, without the test's own direct calls. */
static json_object *wire(void) {
  json_object *log = sim("GET", "/__sim/requests", NULL), *reqs;
  assert_true(json_object_object_get_ex(log, "requests", &reqs));
  json_object_get(reqs);
  json_object_put(log);
  return reqs;
}

static int count(json_object *reqs, const char *method, const char *path) {
  int n = 0;
  for (size_t i = 0; i < json_object_array_length(reqs); i++) {
    json_object *r = json_object_array_get_idx(reqs, i), *m, *p;
    json_object_object_get_ex(r, "method", &m);
    json_object_object_get_ex(r, "path", &p);
    if (strcmp(json_object_get_string(m), method) == 0 && strcmp(json_object_get_string(p), path) == 0) n++;
  }
  return n;
}

static const char *field(json_object *reqs, size_t i, const char *key) {
  json_object *v;
  if (i >= json_object_array_length(reqs)) return "";
  if (!json_object_object_get_ex(json_object_array_get_idx(reqs, i), key, &v) || !v) return "";
  return json_object_get_string(v);
}

static int reset(void **state) {
  (void)state;
  json_object_put(sim("POST", "/__sim/reset", NULL));
  return 0;
}

/* ---- calling the plugin ------------------------------------------------- */

static struct kkp_account *open_account(const char *name, const char *url, const char *extra) {
  char cfg[512];
  struct kkp_account *a = NULL;
  char *err = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"retry_base_ms\":5%s%s}", url, extra ? "," : "",
           extra ? extra : "");
  int rc = P->account_init(NULL, name, cfg, &a, &err);
  if (rc) fail_msg("account_init(%s): %s", name, err);
  return a;
}

static json_object *call(struct kkp_account *a, const char *fn, const char *args, int *status) {
  char *out = NULL;
  *status = P->invoke(a, fn, args, &out);
  assert_non_null(out);
  seen.s = realloc(seen.s, seen.len + strlen(out) + 2);
  memcpy(seen.s + seen.len, out, strlen(out) + 1);
  seen.len += strlen(out);
  json_object *j = json_tokener_parse(out);
  if (!j) fail_msg("%s returned invalid JSON: %s", fn, out);
  P->free_string(out);
  return j;
}

static json_object *ok(struct kkp_account *a, const char *fn, const char *args) {
  int st;
  json_object *j = call(a, fn, args, &st);
  if (st != KKP_OK) fail_msg("%s %s: %s", fn, args, json_object_to_json_string(j));
  return j;
}

/* Expects failure `status` whose message contains `needle`. */
static json_object *fails(struct kkp_account *a, const char *fn, const char *args, int status,
                          const char *needle) {
  int st;
  json_object *j = call(a, fn, args, &st), *e, *m;
  assert_true(json_object_object_get_ex(j, "error", &e));
  json_object_object_get_ex(e, "message", &m);
  if (st != status || !strstr(json_object_get_string(m), needle))
    fail_msg("%s %s: want status %d with \"%s\", got %d: %s", fn, args, status, needle, st,
             json_object_get_string(m));
  return j;
}

static json_object *get(json_object *o, const char *path) {
  char buf[256], *save = NULL;
  snprintf(buf, sizeof(buf), "%s", path);
  for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
    json_object *next = NULL;
    if (json_object_is_type(o, json_type_array)) next = json_object_array_get_idx(o, (size_t)atoi(k));
    else json_object_object_get_ex(o, k, &next);
    o = next;
  }
  return o;
}

static const char *str(json_object *o, const char *path) {
  json_object *v = get(o, path);
  return v ? json_object_get_string(v) : "(absent)";
}

static struct kkp_account *acme, *basic, *globex, *fast;

/* ---- calls ---------------------------------------------------------------- */

static void get_call_adds_from_and_to(void **state) {
  (void)state;
  json_object *r = ok(acme, "get_call", "{\"call_id\":12345}"), *direct = sim("GET", "/v1/calls/12345", NULL);
  assert_string_equal(str(r, "call.direction"), "inbound");
  assert_string_equal(str(r, "call.from"), str(direct, "call.raw_digits"));
  assert_string_equal(str(r, "call.to"), str(direct, "call.number.digits"));
  assert_string_equal(str(r, "call.duration"), str(direct, "call.duration"));
  assert_null(get(direct, "call.from")); /* Aircall has none: the plugin adds them */
  json_object *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 2);
  json_object_put(w);
  json_object_put(r);
  json_object_put(direct);
}

static void get_call_unknown_is_not_found(void **state) {
  (void)state;
  json_object *r =
      fails(acme, "get_call", "{\"call_id\":999999999}", KKP_ERR_NOT_FOUND, "call 999999999 does not exist");
  assert_int_equal(json_object_get_int(get(r, "error.http_status")), 404);
  json_object_put(r);
  /* 64-bit ids survive the round trip. */
  r = ok(acme, "list_calls", "{\"per_page\":50,\"order\":\"desc\"}");
  json_object *calls = get(r, "calls");
  long long big = 0;
  for (size_t i = 0; i < json_object_array_length(calls); i++) {
    long long id = json_object_get_int64(get(json_object_array_get_idx(calls, i), "id"));
    if (id > 4294967296LL) big = id;
  }
  json_object_put(r);
  /* The simulator's data must hold such an id, or this check would test nothing. */
  if (!big) fail_msg("no call id above 2^32 in the newest 50 calls: the simulator's data changed");
  char args[64];
  snprintf(args, sizeof(args), "{\"call_id\":%lld}", big);
  r = ok(acme, "get_call", args);
  assert_int_equal(json_object_get_int64(get(r, "call.id")), big);
  json_object_put(r);
}

static void list_calls_defaults_on_the_wire(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_calls", "{}"), *w = wire();
  assert_int_equal(json_object_array_length(get(r, "calls")), 20);
  assert_string_equal(field(w, 0, "path"), "/v1/calls");
  assert_string_equal(field(w, 0, "query"), "per_page=20&page=1&order=desc");
  assert_non_null(get(r, "meta.next_page_link"));
  for (size_t i = 0; i < 20; i++) {
    json_object *c = json_object_array_get_idx(get(r, "calls"), i);
    assert_non_null(get(c, "from"));
    assert_non_null(get(c, "to"));
  }
  json_object_put(w);
  json_object_put(r);
}

static void filters_go_to_search(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_calls",
                      "{\"per_page\":10,\"order\":\"desc\",\"direction\":\"inbound\",\"user_id\":1001}");
  json_object *w = wire(), *calls = get(r, "calls");
  assert_string_equal(field(w, 0, "path"), "/v1/calls/search");
  assert_string_equal(field(w, 0, "query"), "per_page=10&page=1&order=desc&direction=inbound&user_id=1001");
  assert_true(json_object_array_length(calls) > 0);
  for (size_t i = 0; i < json_object_array_length(calls); i++) {
    json_object *c = json_object_array_get_idx(calls, i);
    assert_string_equal(str(c, "direction"), "inbound");
    assert_int_equal(json_object_get_int(get(c, "user.id")), 1001);
    assert_string_equal(str(c, "from"), str(c, "raw_digits"));
  }
  json_object_put(w);
  json_object_put(r);
}

static void dates_are_sent_as_unix_seconds(void **state) {
  (void)state;
  json_object *r =
      ok(acme, "list_calls", "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-31T23:59:59+00:00\"}");
  json_object *w = wire();
  assert_string_equal(field(w, 0, "query"), "per_page=20&page=1&order=desc&from=1767225600&to=1769903999");
  for (size_t i = 0; i < json_object_array_length(get(r, "calls")); i++) {
    long long t = json_object_get_int64(get(json_object_array_get_idx(get(r, "calls"), i), "started_at"));
    assert_true(t >= 1767225600 && t <= 1769903999);
  }
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  /* An offset is subtracted: 01:00 at +01:00 is midnight UTC; midnight at -05:30 is 05:30 UTC. */
  json_object_put(ok(acme, "list_calls",
                     "{\"from\":\"2026-01-01T01:00:00+01:00\",\"to\":\"2026-01-01T00:00:00-05:30\"}"));
  w = wire();
  assert_string_equal(field(w, 0, "query"), "per_page=20&page=1&order=desc&from=1767225600&to=1767245400");
  json_object_put(w);
  reset(NULL);
  r = ok(acme, "list_calls", "{\"from\":1767225600,\"to\":\"2026-02-01\"}");
  w = wire();
  assert_string_equal(field(w, 0, "query"), "per_page=20&page=1&order=desc&from=1767225600&to=1769904000");
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  json_object_put(fails(acme, "list_calls", "{\"from\":\"2026-02-01\",\"to\":\"2026-01-01\"}",
                        KKP_ERR_INVALID_ARGUMENT,
                        "from (2026-02-01T00:00:00Z) is after to (2026-01-01T00:00:00Z)"));
  json_object_put(fails(acme, "list_calls", "{\"from\":\"last tuesday\"}", KKP_ERR_INVALID_ARGUMENT,
                        "from must be an ISO-8601"));
  w = wire();
  assert_int_equal(json_object_array_length(w), 0); /* refused before any request */
  json_object_put(w);
}

static void bad_arguments_send_nothing(void **state) {
  (void)state;
  json_object_put(fails(acme, "list_calls", "{\"per_page\":80}", KKP_ERR_INVALID_ARGUMENT,
                        "per_page must be between 1 and 50 (got 80)"));
  json_object_put(fails(acme, "list_calls", "{\"per_page\":50,\"page\":201}", KKP_ERR_INVALID_ARGUMENT,
                        "starts past record 10,000"));
  json_object_put(fails(acme, "lst_calls", "{}", KKP_ERR_INVALID_ARGUMENT, "Did you mean \"list_calls\""));
  json_object_put(fails(acme, "list_calls", "{\"per_page\":", KKP_ERR_INVALID_ARGUMENT, "not valid JSON"));
  json_object_put(fails(acme, "list_contacts", "{\"query\":\"x\"}", KKP_ERR_INVALID_ARGUMENT,
                        "unknown parameter \"query\""));
  json_object *w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
  /* The last page under the cap is sent. */
  json_object_put(ok(acme, "list_calls", "{\"per_page\":50,\"page\":200}"));
  w = wire();
  assert_string_equal(field(w, 0, "query"), "per_page=50&page=200&order=desc");
  json_object_put(w);
  /* Aircall-style function names resolve too. */
  json_object_put(ok(acme, "aircall_list_calls", "{\"per_page\":1}"));
}

/* Values the plugin used to clamp, ignore or send are refused before any request. */
static void out_of_range_arguments_send_nothing(void **state) {
  (void)state;
  static const struct {
    const char *fn, *args, *needle;
  } rows[] = {
      {"list_calls", "{\"page\":4611686018427387904}", "page is out of range"},
      {"list_calls", "{\"page\":4611686018427387904,\"per_page\":50}", "page is out of range"},
      {"list_contacts", "{\"page\":99999999999999999999}", "page is out of range"},
      {"list_calls", "{\"per_page\":18446744073709551616}", "per_page is out of range"},
      {"get_call", "{\"call_id\":99999999999999999999}", "call_id is out of range"},
      {"update_contact", "{\"contact_id\":9223372036854775807,\"first_name\":\"A\"}",
       "contact_id is out of range"},
      {"list_calls", "{\"user_id\":9007199254740992}", "user_id is out of range"},
      {"list_calls", "{\"number_id\":1e300}", "number_id must be an integer"},
      {"list_calls", "{\"tags\":[99999999999999999999]}", "tags[0] is out of range"},
      {"list_calls", "{\"tags\":[\"99999999999999999999\"]}", "out of range for a tag id"},
      {"list_calls", "{\"from\":-5}", "from must not be before 1970"},
      {"list_calls", "{\"to\":\"1970-01-01T00:00:00+01:00\"}", "to must not be before 1970"},
      {"list_calls", "{\"from\":-1,\"to\":-2}", "from must not be before 1970"},
      {"list_contacts", "{\"q\":\"   \"}", "q must not be blank"},
      {"list_contacts", "{\"q\":\" \\t\\n \"}", "q must not be blank"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
    json_object_put(fails(acme, rows[i].fn, rows[i].args, KKP_ERR_INVALID_ARGUMENT, rows[i].needle));
  json_object *w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
}

/* cache_ttl_s: a tag list older than the TTL is asked for again; 0 caches nothing and still works. */
static void tag_cache_honours_its_ttl(void **state) {
  (void)state;
  json_object *tags = sim("GET", "/v1/tags", NULL);
  char args[256];
  snprintf(args, sizeof(args), "{\"tags\":[\"%s\"],\"per_page\":1}", str(tags, "tags.0.name"));
  struct kkp_account *one = open_account("default", sim_url, "\"cache_ttl_s\":2"),
                     *none = open_account("default", sim_url, "\"cache_ttl_s\":0");
  reset(NULL);
  json_object_put(ok(one, "list_calls", args));
  json_object_put(ok(one, "list_calls", args)); /* within the 2 s: from the cache */
  json_object *w = wire();
  int before = count(w, "GET", "/v1/tags");
  json_object_put(w);
  struct timespec two = {2, 100000000};
  nanosleep(&two, NULL);
  json_object_put(ok(one, "list_calls", args));
  w = wire();
  /* Asked once for the first two calls, and once more after the TTL. */
  assert_int_equal(before, 1);
  assert_int_equal(count(w, "GET", "/v1/tags"), 2);
  json_object_put(w);
  reset(NULL);
  json_object_put(ok(none, "list_calls", args));
  json_object_put(ok(none, "list_calls", args));
  w = wire();
  assert_int_equal(count(w, "GET", "/v1/tags"), 2); /* no caching: asked every time */
  json_object_put(w);
  P->account_free(one);
  P->account_free(none);
  json_object_put(tags);
}

static void tags_by_name_become_repeated_ids(void **state) {
  (void)state;
  json_object *tags = sim("GET", "/v1/tags", NULL);
  const char *name0 = str(tags, "tags.0.name"), *name1 = str(tags, "tags.1.name");
  long long id0 = json_object_get_int64(get(tags, "tags.0.id")),
            id1 = json_object_get_int64(get(tags, "tags.1.id"));
  char args[256], want[256];
  reset(NULL);
  snprintf(args, sizeof(args), "{\"tags\":[\"%s\",%lld],\"per_page\":50}", name0, id1);
  json_object *r = ok(acme, "list_calls", args), *w = wire();
  snprintf(want, sizeof(want), "per_page=50&page=1&order=desc&tags[]=%lld&tags[]=%lld", id0, id1);
  assert_int_equal(count(w, "GET", "/v1/tags"), 1);
  assert_string_equal(field(w, 1, "path"), "/v1/calls/search");
  assert_string_equal(field(w, 1, "query"), want);
  /* Every call carries both tags (AND), never comma-joined. */
  json_object *calls = get(r, "calls");
  for (size_t i = 0; i < json_object_array_length(calls); i++) {
    json_object *ct = get(json_object_array_get_idx(calls, i), "tags");
    int has0 = 0, has1 = 0;
    for (size_t k = 0; k < json_object_array_length(ct); k++) {
      long long id = json_object_get_int64(get(json_object_array_get_idx(ct, k), "id"));
      has0 |= id == id0;
      has1 |= id == id1;
    }
    assert_true(has0 && has1);
  }
  json_object_put(w);
  json_object_put(r);
  /* The tag list is cached: a second call asks /v1/tags no more. */
  reset(NULL);
  snprintf(args, sizeof(args), "{\"tags\":[\"%s\"]}", name1);
  json_object_put(ok(acme, "list_calls", args));
  w = wire();
  assert_int_equal(count(w, "GET", "/v1/tags"), 0);
  json_object_put(w);
  json_object *e = fails(acme, "list_calls", "{\"tags\":[\"no such tag\"]}", KKP_ERR_INVALID_ARGUMENT,
                         "no tag named \"no such tag\"");
  assert_non_null(strstr(str(e, "error.message"), name0));
  json_object_put(e);
  json_object_put(tags);
}

static void number_id_searches_by_digits_and_keeps_that_number(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_calls", "{\"number_id\":2001,\"per_page\":50}"), *w = wire();
  assert_string_equal(field(w, 0, "path"), "/v1/numbers/2001");
  assert_string_equal(field(w, 1, "path"), "/v1/calls/search");
  assert_string_equal(field(w, 1, "query"), "per_page=50&page=1&order=desc&phone_number=%2B33176111111");
  json_object *calls = get(r, "calls");
  assert_true(json_object_array_length(calls) > 0);
  for (size_t i = 0; i < json_object_array_length(calls); i++)
    assert_int_equal(json_object_get_int(get(json_object_array_get_idx(calls, i), "number.id")), 2001);
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  json_object_put(ok(acme, "list_calls", "{\"number_id\":2001}"));
  w = wire();
  assert_int_equal(count(w, "GET", "/v1/numbers/2001"), 0); /* cached */
  json_object_put(w);
  json_object_put(fails(acme, "list_calls", "{\"number_id\":99999}", KKP_ERR_INVALID_ARGUMENT,
                        "number_id 99999 is not a number"));
}

/* ---- contacts ------------------------------------------------------------ */

static void name_search_scans_pages_without_q_on_the_wire(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_contacts", "{\"q\":\"John\",\"per_page\":10}"), *w = wire();
  json_object *contacts = get(r, "contacts");
  assert_true(json_object_array_length(contacts) >= 3);
  for (size_t i = 0; i < json_object_array_length(contacts); i++) {
    json_object *c = json_object_array_get_idx(contacts, i);
    char all[512];
    snprintf(all, sizeof(all), "%s %s %s", str(c, "first_name"), str(c, "last_name"), str(c, "company_name"));
    assert_non_null(strcasestr(all, "john"));
  }
  for (size_t i = 0; i < json_object_array_length(w); i++) {
    assert_string_equal(field(w, i, "path"), "/v1/contacts");
    assert_null(strstr(field(w, i, "query"), "q="));
    assert_non_null(strstr(field(w, i, "query"), "per_page=50"));
  }
  assert_string_equal(str(r, "meta.search"), "name");
  assert_true(json_object_get_int(get(r, "meta.scanned")) > 0);
  assert_true(json_object_get_boolean(get(r, "meta.complete")));
  json_object_put(w);
  json_object_put(r);
}

static void name_search_budget_is_honest(void **state) {
  (void)state;
  struct kkp_account *tight = open_account("default", sim_url, "\"name_scan_pages\":1");
  json_object *r = ok(tight, "list_contacts", "{\"q\":\"Zebediah-nobody\"}"), *w = wire();
  assert_int_equal(json_object_array_length(w), 1);
  assert_int_equal(json_object_array_length(get(r, "contacts")), 0);
  assert_false(json_object_get_boolean(get(r, "meta.complete")));
  assert_int_equal(json_object_get_int(get(r, "meta.scanned")), 50);
  json_object_put(w);
  json_object_put(r);
  P->account_free(tight);
}

static void email_and_phone_use_search(void **state) {
  (void)state;
  json_object *c = sim("GET", "/v1/contacts/5678", NULL);
  char args[256];
  const char *email = str(c, "contact.emails.0.value");
  reset(NULL);
  snprintf(args, sizeof(args), "{\"q\":\"%s\"}", email);
  json_object *r = ok(acme, "list_contacts", args), *w = wire();
  assert_string_equal(field(w, 0, "path"), "/v1/contacts/search");
  assert_non_null(strstr(field(w, 0, "query"), "email="));
  assert_int_equal(json_object_get_int(get(r, "contacts.0.id")), 5678);
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  snprintf(args, sizeof(args), "{\"q\":\"%s\"}", str(c, "contact.phone_numbers.0.value"));
  r = ok(acme, "list_contacts", args);
  w = wire();
  assert_string_equal(field(w, 0, "path"), "/v1/contacts/search");
  assert_non_null(strstr(field(w, 0, "query"), "phone_number="));
  assert_int_equal(json_object_get_int(get(r, "contacts.0.id")), 5678);
  json_object_put(w);
  json_object_put(r);
  json_object_put(c);
}

static const char *jane = "{\"first_name\":\"Jane\",\"last_name\":\"Smith\",\"company_name\":\"Acme Corp\","
                          "\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33 6 12 34 56 78\"}],"
                          "\"emails\":[{\"label\":\"Work\",\"value\":\"jane.smith@acme.example\"}]}";

static int contacts_with_phone(const char *e164) {
  char path[128];
  snprintf(path, sizeof(path), "/v1/contacts/search?phone_number=%%2B%s", e164 + 1);
  json_object *r = sim("GET", path, NULL);
  int n = (int)json_object_array_length(get(r, "contacts"));
  json_object_put(r);
  return n;
}

static void create_contact_posts_e164(void **state) {
  (void)state;
  json_object *r = ok(acme, "create_contact", jane), *w = wire();
  assert_true(json_object_get_int64(get(r, "contact.id")) > 0);
  assert_string_equal(field(w, 0, "method"), "POST");
  assert_string_equal(field(w, 0, "path"), "/v1/contacts");
  assert_non_null(strstr(field(w, 0, "body"), "\"value\":\"+33612345678\""));
  assert_null(get(r, "reconciled"));
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  json_object_put(
      fails(acme, "create_contact",
            "{\"first_name\":\"Jo\",\"emails\":[{\"label\":\"Work\",\"value\":\"jo@x.example\"}]}",
            KKP_ERR_INVALID_ARGUMENT, "an email alone is not enough"));
  json_object_put(fails(acme, "create_contact",
                        "{\"first_name\":\"Jo\",\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"12\"}]}",
                        KKP_ERR_INVALID_ARGUMENT, "phone_numbers[0].value \"12\" is not a phone number"));
  json_object_put(fails(acme, "create_contact",
                        "{\"phone_numbers\":[{\"label\":\"W\",\"value\":\"+33612345678\"}]}",
                        KKP_ERR_INVALID_ARGUMENT, "needs a first_name or a last_name"));
  json_object_put(fails(acme, "create_contact",
                        "{\"first_name\":\"Jo\",\"phone_numbers\":[{\"label\":\"W\",\"value\":\"+"
                        "33612345678\"}],\"emails\":[{\"label\":\"W\",\"value\":\"jo.example\"}]}",
                        KKP_ERR_INVALID_ARGUMENT, "is not an email address"));
  w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
}

static void create_after_lost_answer_is_reconciled_not_duplicated(void **state) {
  (void)state;
  /* Aircall commits, then the answer is a 503: searching finds the contact. */
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"status_after\",\"status\":503}");
  json_object *r = ok(acme, "create_contact", jane), *w = wire();
  if (!json_object_get_boolean(get(r, "reconciled")))
    fail_msg("not reconciled: %s\nwire: %s", json_object_to_json_string(r), json_object_to_json_string(w));
  assert_string_equal(str(r, "contact.first_name"), "Jane");
  assert_int_equal(count(w, "POST", "/v1/contacts"), 1);
  assert_int_equal(contacts_with_phone("+33612345678"), 1);
  json_object_put(w);
  json_object_put(r);
  /* The connection drops after the commit: the same. */
  reset(NULL);
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"reset_after\"}");
  r = ok(acme, "create_contact", jane);
  w = wire();
  assert_true(json_object_get_boolean(get(r, "reconciled")));
  assert_int_equal(count(w, "POST", "/v1/contacts"), 1); /* libcurl did not re-send it either */
  assert_int_equal(contacts_with_phone("+33612345678"), 1);
  json_object_put(w);
  json_object_put(r);
  /* Dropped with no answer: to the client that is the same as dropped after the
   * commit, so it is looked for, never sent again, and the answer says so. */
  reset(NULL);
  struct kkp_account *brief = open_account("default", sim_url, "\"reconcile_window_ms\":600");
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"reset\"}");
  r = fails(brief, "create_contact", jane, KKP_ERR_NETWORK, "may or may not exist");
  w = wire();
  assert_int_equal(count(w, "POST", "/v1/contacts"), 1);
  assert_true(count(w, "GET", "/v1/contacts/search") >= 2); /* looked more than once */
  assert_false(json_object_get_boolean(get(r, "error.retryable")));
  assert_int_equal(contacts_with_phone("+33612345678"), 0);
  json_object_put(w);
  json_object_put(r);
  P->account_free(brief);
  /* Created, but the 201's body is garbage: found, not made twice. */
  reset(NULL);
  fault("{\"method\":\"POST\",\"path\":\"/v1/"
        "contacts\",\"kind\":\"status_after\",\"status\":201,\"body\":\"<html>oops\"}");
  r = ok(acme, "create_contact", jane);
  assert_true(json_object_get_boolean(get(r, "reconciled")));
  assert_int_equal(contacts_with_phone("+33612345678"), 1);
  json_object_put(r);
  /* A plain 422 is not ambiguous: no search, no retry. */
  reset(NULL);
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"status_before\",\"status\":422,"
        "\"body\":\"{\\\"error\\\":\\\"Unprocessable "
        "Entity\\\",\\\"errors\\\":{\\\"phone_numbers\\\":[\\\"is invalid\\\"]}}\"}");
  json_object_put(fails(acme, "create_contact", jane, KKP_ERR_INVALID_ARGUMENT, "Unprocessable Entity"));
  w = wire();
  assert_int_equal(json_object_array_length(w), 1);
  json_object_put(w);
}

static void update_contact_posts_scalars(void **state) {
  (void)state;
  json_object *r = ok(acme, "update_contact",
                      "{\"contact_id\":5678,\"company_name\":\"New Corp\",\"information\":\"VIP client - "
                      "priority support\"}");
  json_object *w = wire();
  assert_string_equal(field(w, 0, "method"), "POST");
  assert_string_equal(field(w, 0, "path"), "/v1/contacts/5678");
  assert_int_equal(count(w, "PUT", "/v1/contacts/5678"), 0);
  assert_string_equal(str(r, "contact.company_name"), "New Corp");
  assert_string_equal(str(r, "contact.information"), "VIP client - priority support");
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  json_object_put(fails(acme, "update_contact", "{\"contact_id\":5678,\"last_name\":\"   \"}",
                        KKP_ERR_INVALID_ARGUMENT, "Aircall cannot clear a field"));
  json_object_put(
      fails(acme, "update_contact", "{\"contact_id\":5678}", KKP_ERR_INVALID_ARGUMENT, "nothing to change"));
  w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
  json_object_put(fails(acme, "update_contact", "{\"contact_id\":987654321,\"first_name\":\"X\"}",
                        KKP_ERR_NOT_FOUND, "contact 987654321 does not exist"));
}

static void update_contact_replaces_lists_adds_first(void **state) {
  (void)state;
  json_object *before = sim("GET", "/v1/contacts/5678", NULL);
  const char *keep = str(before, "contact.phone_numbers.0.value");
  char args[512];
  snprintf(args, sizeof(args),
           "{\"contact_id\":5678,\"phone_numbers\":[{\"label\":\"Relabelled\",\"value\":\"%s\"},"
           "{\"label\":\"Mobile\",\"value\":\"+33 6 99 88 77 "
           "66\"}],\"emails\":[{\"label\":\"Work\",\"value\":\"new@acme.example\"}]}",
           keep);
  reset(NULL);
  json_object *r = ok(acme, "update_contact", args), *w = wire();
  json_object *phones = get(r, "contact.phone_numbers");
  assert_int_equal(json_object_array_length(phones), 2);
  assert_int_equal(json_object_array_length(get(r, "contact.emails")), 1);
  assert_string_equal(str(r, "contact.emails.0.value"), "new@acme.example");
  /* Every add comes before every delete. */
  size_t last_add = 0, first_delete = (size_t)-1;
  for (size_t i = 0; i < json_object_array_length(w); i++) {
    const char *m = field(w, i, "method");
    if (strcmp(m, "POST") == 0 && strstr(field(w, i, "path"), "_details")) last_add = i;
    if (strcmp(m, "DELETE") == 0 && i < first_delete) first_delete = i;
  }
  assert_true(last_add > 0);
  assert_true(first_delete == (size_t)-1 || last_add < first_delete);
  json_object_put(w);
  json_object_put(r);
  json_object_put(before);
}

static void update_failure_half_way_loses_nothing(void **state) {
  (void)state;
  struct kkp_account *once = open_account("default", sim_url, "\"max_retries\":0");
  json_object *before = sim("GET", "/v1/contacts/5678", NULL);
  size_t had = json_object_array_length(get(before, "contact.phone_numbers"));
  reset(NULL);
  fault("{\"method\":\"DELETE\",\"path\":\"/v1/contacts/5678/"
        "phone_details\",\"kind\":\"status_before\",\"status\":500}");
  json_object *e =
      fails(once, "update_contact",
            "{\"contact_id\":5678,\"phone_numbers\":[{\"label\":\"Only\",\"value\":\"+44 20 7946 0000\"}]}",
            KKP_ERR_UPSTREAM, "already applied");
  assert_non_null(get(e, "error.details.applied"));
  assert_non_null(get(e, "error.details.not_applied"));
  json_object *after = sim("GET", "/v1/contacts/5678", NULL);
  assert_true(json_object_array_length(get(after, "contact.phone_numbers")) >= had);
  json_object_put(after);
  json_object_put(before);
  json_object_put(e);
  P->account_free(once);
}

/* ---- users, numbers, identity ------------------------------------------- */

static void list_users_reads_every_v2_page(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_users", "{}"), *w = wire(), *users = get(r, "users");
  json_object *direct = sim("GET", "/v2/users?per_page=1", NULL);
  assert_int_equal(json_object_array_length(users), json_object_get_int(get(direct, "meta.total")));
  assert_true(json_object_array_length(users) > 50);
  assert_int_equal(count(w, "GET", "/v2/users"), 2);
  assert_int_equal(count(w, "GET", "/v1/users"), 0);
  for (size_t i = 0; i < json_object_array_length(users); i++) {
    json_object *u = json_object_array_get_idx(users, i);
    char full[256];
    snprintf(full, sizeof(full), "%s%s%s", str(u, "first_name"), *str(u, "last_name") ? " " : "",
             str(u, "last_name"));
    assert_string_equal(full, str(u, "name"));
  }
  json_object_put(direct);
  json_object_put(w);
  json_object_put(r);
  /* v2 gone for a company: /v1/users serves. */
  reset(NULL);
  fault(
      "{\"path\":\"/v2/users\",\"kind\":\"status_before\",\"status\":404,\"body\":\"{\\\"message\\\":\\\"Not "
      "Found\\\"}\"}");
  r = ok(acme, "list_users", "{}");
  w = wire();
  assert_int_equal(count(w, "GET", "/v1/users"), 2);
  assert_true(json_object_array_length(get(r, "users")) > 50);
  assert_non_null(get(r, "users.0.last_name"));
  json_object_put(w);
  json_object_put(r);
}

static void list_numbers_adds_number_and_e164(void **state) {
  (void)state;
  json_object *r = ok(acme, "list_numbers", "{}"), *n = get(r, "numbers");
  assert_true(json_object_array_length(n) >= 1);
  for (size_t i = 0; i < json_object_array_length(n); i++) {
    json_object *x = json_object_array_get_idx(n, i);
    assert_string_equal(str(x, "number"), str(x, "digits"));
    assert_int_equal(str(x, "e164")[0], '+');
    assert_null(strpbrk(str(x, "e164"), " -"));
  }
  json_object_put(r);
}

static void current_user_comes_from_the_integration(void **state) {
  (void)state;
  json_object *r = ok(acme, "get_current_user", "{}"), *w = wire();
  assert_string_equal(field(w, 0, "path"), "/v1/integrations/me");
  assert_int_equal(count(w, "GET", "/v1/users/me"), 0);
  assert_string_equal(str(r, "user.role"), "integration_installer");
  assert_non_null(get(r, "user.first_name"));
  assert_non_null(get(r, "user.email"));
  assert_non_null(get(r, "user.integration"));
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  json_object_put(fails(basic, "get_current_user", "{}", KKP_ERR_UNSUPPORTED, "API key pair"));
  w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
  /* Basic credentials work everywhere else. */
  json_object_put(ok(basic, "get_call", "{\"call_id\":12345}"));
}

/* ---- transport ------------------------------------------------------------ */

static void accounts_reach_their_own_company(void **state) {
  (void)state;
  json_object_put(ok(acme, "list_numbers", "{}"));
  json_object_put(ok(globex, "list_numbers", "{}"));
  json_object *w = wire();
  assert_string_equal(field(w, 0, "company"), "acme");
  assert_string_equal(field(w, 1, "company"), "globex");
  json_object_put(w);
}

static void bad_token_is_unauthorized_and_named(void **state) {
  (void)state;
  struct kkp_account *wrong = open_account("wrong", sim_url, NULL);
  json_object *e = fails(wrong, "get_call", "{\"call_id\":12345}", KKP_ERR_UNAUTHORIZED, "account \"wrong\"");
  assert_int_equal(json_object_get_int(get(e, "error.http_status")), 403);
  assert_false(json_object_get_boolean(get(e, "error.retryable")));
  json_object_put(e);
  P->account_free(wrong);
}

static void safe_requests_retry_5xx_and_broken_bodies(void **state) {
  (void)state;
  fault("[{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":503},"
        "{\"path\":\"/v1/calls/12345\",\"kind\":\"truncate\"},{\"path\":\"/v1/calls/"
        "12345\",\"kind\":\"html\"}]");
  json_object *r = ok(acme, "get_call", "{\"call_id\":12345}"), *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 4); /* 3 failures then the answer */
  assert_string_equal(str(r, "call.id"), "12345");
  json_object_put(w);
  json_object_put(r);
  reset(NULL);
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":502,\"count\":10}");
  json_object *e = fails(acme, "get_call", "{\"call_id\":12345}", KKP_ERR_UPSTREAM, "after 4 attempts");
  assert_true(json_object_get_boolean(get(e, "error.retryable")));
  assert_int_equal(json_object_get_int(get(e, "error.http_status")), 502);
  json_object_put(e);
  reset(NULL);
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"invalid_json\"}");
  json_object_put(fails(acme, "get_call", "{\"call_id\":12345}", KKP_ERR_UPSTREAM, "not the expected"));
  reset(NULL);
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":405,"
        "\"body\":\"{\\\"error\\\":\\\"Method Not Allowed\\\",\\\"troubleshoot\\\":\\\"The user is currently "
        "unavailable\\\"}\"}");
  json_object_put(
      fails(acme, "get_call", "{\"call_id\":12345}", KKP_ERR_UPSTREAM, "The user is currently unavailable"));
}

static void rate_limits_wait_for_the_reset(void **state) {
  (void)state;
  char f[512];
  /* Reset in UNIX seconds, one second ahead: waited for, then served. */
  snprintf(f, sizeof(f),
           "{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
           "\"headers\":{\"X-AircallApi-Reset\":\"%lld\"}}",
           (long long)time(NULL) + 1);
  fault(f);
  json_object_put(ok(acme, "get_call", "{\"call_id\":12345}"));
  /* Reset in milliseconds. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(f, sizeof(f),
           "{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
           "\"headers\":{\"X-AircallApi-Reset\":\"%lld\"}}",
           (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 300);
  fault(f);
  json_object_put(ok(acme, "get_call", "{\"call_id\":12345}"));
  json_object *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 4);
  json_object_put(w);
}

static void rate_limit_beyond_the_wait_budget_fails_fast(void **state) {
  (void)state;
  /* The limited simulator allows 3 requests a minute for its company. */
  struct kkp_account *lim = open_account("default", limited_url, "\"max_rate_wait_ms\":1000");
  for (int i = 0; i < 3; i++) json_object_put(ok(lim, "get_call", "{\"call_id\":12345}"));
  json_object *log = sim_on(limited_url, "GET", "/__sim/requests", NULL);
  int before = count(get(log, "requests"), "GET", "/v1/calls/12345");
  json_object_put(log);
  json_object *e = fails(lim, "get_call", "{\"call_id\":12345}", KKP_ERR_RATE_LIMITED, "rate limit");
  /* The reset is a minute away, past max_rate_wait_ms: no wait, no second try. */
  log = sim_on(limited_url, "GET", "/__sim/requests", NULL);
  assert_int_equal(count(get(log, "requests"), "GET", "/v1/calls/12345"), before + 1);
  json_object_put(log);
  assert_true(json_object_get_int(get(e, "error.retry_after_s")) > 1);
  assert_non_null(strstr(str(e, "error.message"), "the window resets in"));
  assert_true(json_object_get_boolean(get(e, "error.retryable")));
  assert_int_equal(json_object_get_int(get(e, "error.http_status")), 429);
  json_object_put(e);
  P->account_free(lim);
}

static void network_failures_are_network_errors(void **state) {
  (void)state;
  /* Nothing listens on port 9 of loopback here. */
  struct kkp_account *dead = open_account("default", "http://127.0.0.1:9", "\"max_retries\":1");
  json_object *e = fails(dead, "get_call", "{\"call_id\":12345}", KKP_ERR_NETWORK, "after 2 attempts");
  assert_true(json_object_get_boolean(get(e, "error.retryable")));
  json_object_put(e);
  P->account_free(dead);
  struct kkp_account *impatient = open_account("default", sim_url, "\"timeout_ms\":200,\"max_retries\":0");
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"delay\",\"delay_ms\":1500}");
  json_object_put(fails(impatient, "get_call", "{\"call_id\":12345}", KKP_ERR_NETWORK, "imeout"));
  P->account_free(impatient);
}

static void config_errors_at_init(void **state) {
  (void)state;
  static const struct {
    const char *account, *cfg, *needle;
  } rows[] = {
      {"default", "{\"base_url\":\"http://api.aircall.io\"}", "must use https://"},
      {"default", "{\"base_url\":\"https://api.aircall.io\",\"timeout\":5}", "Did you mean \\\"timeout_ms"},
      {"default", "{not json", "not valid JSON"},
      {"nobody", NULL, "kkp-setup add aircall --account nobody"},
      {"../etc", NULL, "is not valid"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct kkp_account *a = (struct kkp_account *)1;
    char *err = NULL;
    int rc = P->account_init(NULL, rows[i].account, rows[i].cfg, &a, &err);
    assert_int_equal(rc, KKP_ERR_CONFIG);
    assert_null(a);
    if (!strstr(err, rows[i].needle)) fail_msg("row %zu: %s", i, err);
    assert_non_null(strstr(err, "\"code\":\"config_error\""));
    P->free_string(err);
  }
}

static int host_secret(void *ctx, const char *name, char *buf, size_t cap) {
  const char *pass = ctx;
  if (strcmp(name, "keystore_passphrase") != 0 || strlen(pass) >= cap) return -1;
  strcpy(buf, pass);
  return (int)strlen(pass);
}

static void wrapped_keystore_needs_the_passphrase(void **state) {
  (void)state;
  char cfg[512], *err = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"keystore\":\"%s\"}", sim_url,
           getenv("WRAPPED_KEYSTORE"));
  /* No passphrase anywhere: a config error that says where it comes from. */
  unsetenv("KKP_KEYSTORE_PASSPHRASE");
  assert_int_equal(P->account_init(NULL, "default", cfg, &a, &err), KKP_ERR_CONFIG);
  assert_non_null(strstr(err, "passphrase"));
  P->free_string(err);
  /* From the host's get_secret callback. */
  struct kkp_host host = {KKP_ABI_MAJOR,         KKP_ABI_MINOR, sizeof(struct kkp_host),
                          (void *)"pass-5ecret", NULL,          host_secret};
  assert_int_equal(P->account_init(&host, "default", cfg, &a, &err), KKP_OK);
  json_object_put(ok(a, "get_call", "{\"call_id\":12345}"));
  P->account_free(a);
  /* A wrong one is refused. */
  host.ctx = (void *)"not-it";
  assert_int_equal(P->account_init(&host, "default", cfg, &a, &err), KKP_ERR_CONFIG);
  assert_null(a);
  assert_null(strstr(err, "not-it"));
  P->free_string(err);
  /* From the environment. */
  setenv("KKP_KEYSTORE_PASSPHRASE", "pass-5ecret", 1);
  assert_int_equal(P->account_init(NULL, "default", cfg, &a, &err), KKP_OK);
  P->account_free(a);
  unsetenv("KKP_KEYSTORE_PASSPHRASE");
}

struct worker {
  struct kkp_account *a;
  int failures;
};

static void *hammer(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 25; i++) {
    char *out = NULL;
    int rc = P->invoke(w->a, i % 2 ? "get_call" : "list_calls",
                       i % 2 ? "{\"call_id\":12345}" : "{\"per_page\":5}", &out);
    if (rc != KKP_OK || !strstr(out, "\"from\"")) w->failures++;
    P->free_string(out);
  }
  return NULL;
}

static void invoke_is_thread_safe(void **state) {
  (void)state;
  pthread_t t[6];
  struct worker w[6];
  for (int i = 0; i < 6; i++) {
    w[i] = (struct worker){i % 3 == 2 ? globex : acme, 0};
    pthread_create(&t[i], NULL, hammer, &w[i]);
  }
  for (int i = 0; i < 6; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].failures, 0);
  }
}

/* One invocation of the mixed load, and what it must answer. The defaults
 * come from the manifest (shared by every thread); the enum error's details
 * list the manifest's accepted values; the tag name goes through the account's
 * tag cache; the rest are plain successes and plain errors. */
static const struct {
  const char *fn, *args;
  int status;
  const char *needle; /* in the result or the error */
} mixed[] = {
    {"list_calls", "{}", KKP_OK, "\"from\""},
    {"list_contacts", "{}", KKP_OK, "\"contacts\""},
    {"list_calls", "{\"order\":\"sideways\"}", KKP_ERR_INVALID_ARGUMENT, "\"accepted\":[\"asc\",\"desc\"]"},
    {"get_call", "{\"call_id\":12345}", KKP_OK, "\"to\""},
    {"list_contacts", "{\"per_page\":0}", KKP_ERR_INVALID_ARGUMENT, "per_page"},
    {"list_calls", "{\"direction\":\"inbound\",\"per_page\":2}", KKP_OK, "\"calls\""},
    {"list_contacts", "{\"order\":\"up\"}", KKP_ERR_INVALID_ARGUMENT, "\"accepted\""},
    {"get_call", "{\"call_id\":1}", KKP_ERR_NOT_FOUND, "does not exist"},
    {"list_numbers", "{}", KKP_OK, "\"e164\""},
    {"no_such_fn", "{}", KKP_ERR_INVALID_ARGUMENT, "unknown function"},
    {"list_calls", "{\"tags\":[\"no such tag\"]}", KKP_ERR_INVALID_ARGUMENT, "no tag named"},
    {"list_users", "{}", KKP_OK, "\"first_name\""},
};
#define N_MIXED (sizeof(mixed) / sizeof(mixed[0]))

struct mixer {
  struct kkp_account *acct[3];
  int n_acct, seed, failures;
  char first[256]; /* the first unexpected answer */
};

static void *mix(void *arg) {
  struct mixer *m = arg;
  for (int i = 0; i < 60; i++) {
    size_t k = (size_t)(m->seed * 7 + i) % N_MIXED;
    char *out = NULL;
    int rc = P->invoke(m->acct[i % m->n_acct], mixed[k].fn, mixed[k].args, &out);
    if (rc != mixed[k].status || !out || !strstr(out, mixed[k].needle)) {
      if (!m->failures++)
        snprintf(m->first, sizeof(m->first), "%s %s -> %d %.150s", mixed[k].fn, mixed[k].args, rc,
                 out ? out : "(null)");
    }
    P->free_string(out);
    /* Between two requests, a burst of calls that never reach the network: the
     * threads meet on the manifest's shared defaults and enums far more often. */
    for (int b = 0; b < 40; b++) {
      int defaults = (b + m->seed) % 2;
      rc = P->invoke(
          m->acct[b % m->n_acct], "list_calls",
          defaults ? "{\"from\":\"2026-02-01\",\"to\":\"2026-01-01\"}" : "{\"order\":\"sideways\"}", &out);
      if (rc != KKP_ERR_INVALID_ARGUMENT ||
          !strstr(out, defaults ? "swap them" : "\"accepted\":[\"asc\",\"desc\"]")) {
        if (!m->failures++)
          snprintf(m->first, sizeof(m->first), "burst -> %d %.150s", rc, out ? out : "(null)");
      }
      P->free_string(out);
    }
  }
  return NULL;
}

static void run_mixers(struct kkp_account *const *accts, int n_acct) {
  pthread_t t[8];
  struct mixer m[8];
  for (int i = 0; i < 8; i++) {
    m[i] = (struct mixer){.n_acct = n_acct, .seed = i};
    for (int a = 0; a < n_acct; a++) m[i].acct[a] = accts[(a + i) % n_acct];
    assert_int_equal(pthread_create(&t[i], NULL, mix, &m[i]), 0);
  }
  int failures = 0;
  for (int i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    if (m[i].failures) print_message("# thread %d: %d unexpected, first: %s\n", i, m[i].failures, m[i].first);
    failures += m[i].failures;
  }
  assert_int_equal(failures, 0);
}

/* 8 threads x 60 mixed invocations (defaults, errors, successes), on one
 * account, then spread over three (two companies, both credential kinds). */
static void eight_threads_mixed_functions(void **state) {
  (void)state;
  run_mixers((struct kkp_account *const[]){acme}, 1);
  run_mixers((struct kkp_account *const[]){acme, globex, basic}, 3);
}

static void no_secret_in_any_output(void **state) {
  (void)state;
  assert_true(seen.len > 10000);
  for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
    if (strstr(seen.s, secrets[i])) fail_msg("a result or error contains a provisioned secret");
  json_object *log = sim("GET", "/__sim/requests", NULL);
  const char *text = json_object_to_json_string(log);
  for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) assert_null(strstr(text, secrets[i]));
  json_object_put(log);
}

/* The accounts every test uses, opened as a test of its own: a failure here is reported
 * as a named "not ok" line, where a fail_msg in main would only end the program. */
static void accounts_open(void **state) {
  (void)state;
  acme = open_account("default", sim_url, NULL);
  basic = open_account("basic", sim_url, NULL);
  globex = open_account("globex", sim_url, NULL);
}

/* ---- writes happen once; every call bounded (issue 9 §2-§5, issue 14) -------- */

/* The POST is processed after the client gave up (timeout_ms): the contact is
 * found by looking again over the grace window, never made twice. */
static void create_processed_after_timeout_is_found_not_resent(void **state) {
  (void)state;
  struct kkp_account *impatient = open_account("default", sim_url, "\"timeout_ms\":300,\"max_retries\":0");
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"delay\",\"delay_ms\":1200}");
  json_object *r = ok(impatient, "create_contact", jane);
  json_object *w = wire();
  if (!json_object_get_boolean(get(r, "reconciled")))
    fail_msg("not reconciled: %s\nwire: %s", json_object_to_json_string(r), json_object_to_json_string(w));
  assert_int_equal(count(w, "POST", "/v1/contacts"), 1);
  assert_true(count(w, "GET", "/v1/contacts/search") >= 2);
  assert_int_equal(contacts_with_phone("+33612345678"), 1);
  json_object_put(w);
  json_object_put(r);
  P->account_free(impatient);
}

/* A 201 whose contact is not an object: the write happened, so it is looked for
 * (found), never a success built from a broken answer nor a second POST. */
static void create_answer_without_contact_object_is_reconciled(void **state) {
  (void)state;
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"status_after\",\"status\":201,"
        "\"body\":\"{\\\"contact\\\":[1,2]}\"}");
  json_object *r = ok(acme, "create_contact", jane), *w = wire();
  assert_true(json_object_get_boolean(get(r, "reconciled")));
  assert_string_equal(str(r, "contact.first_name"), "Jane");
  assert_int_equal(count(w, "POST", "/v1/contacts"), 1);
  json_object_put(w);
  json_object_put(r);
  /* Not found within the window: upstream_error naming the field, and "may exist". */
  reset(NULL);
  struct kkp_account *brief = open_account("default", sim_url, "\"reconcile_window_ms\":300");
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"status_before\",\"status\":201,"
        "\"body\":\"{\\\"contact\\\":\\\"x\\\"}\"}");
  json_object *e = fails(brief, "create_contact", jane, KKP_ERR_UPSTREAM, "no \"contact\" object");
  assert_non_null(strstr(str(e, "error.message"), "may or may not exist"));
  json_object_put(e);
  P->account_free(brief);
}

/* 503 after the commit on POST .../phone_details: exactly one copy of the number. */
static void update_lost_phone_add_leaves_one_copy(void **state) {
  (void)state;
  json_object *before = sim("GET", "/v1/contacts/5678", NULL);
  char args[512];
  snprintf(args, sizeof(args),
           "{\"contact_id\":5678,\"phone_numbers\":[{\"label\":\"Old\",\"value\":\"%s\"},"
           "{\"label\":\"Mobile\",\"value\":\"+33 6 99 88 77 66\"}]}",
           str(before, "contact.phone_numbers.0.value"));
  json_object_put(before);
  reset(NULL);
  fault("{\"method\":\"POST\",\"path\":\"/v1/contacts/5678/phone_details\",\"kind\":\"status_after\","
        "\"status\":503}");
  json_object *r = ok(acme, "update_contact", args), *w = wire();
  assert_int_equal(count(w, "POST", "/v1/contacts/5678/phone_details"), 1);
  json_object *after = sim("GET", "/v1/contacts/5678", NULL), *phones = get(after, "contact.phone_numbers");
  int copies = 0;
  for (size_t i = 0; i < json_object_array_length(phones); i++) {
    const char *v = str(json_object_array_get_idx(phones, i), "value");
    char digits[32];
    size_t n = 0;
    for (; *v && n + 1 < sizeof(digits); v++)
      if (*v >= '0' && *v <= '9') digits[n++] = *v;
    digits[n] = '\0';
    if (strcmp(digits, "33699887766") == 0) copies++;
  }
  assert_int_equal(copies, 1);
  json_object_put(after);
  json_object_put(w);
  json_object_put(r);
}

/* The account's deadline_ms bounds a request that hangs, and says so. */
static void deadline_bounds_the_call_and_says_so(void **state) {
  (void)state;
  struct kkp_account *quick = open_account("default", sim_url, "\"deadline_ms\":700");
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"delay\",\"delay_ms\":3000}");
  json_object *e = fails(quick, "get_call", "{\"call_id\":12345}", KKP_ERR_NETWORK, "deadline of 700 ms");
  assert_non_null(strstr(str(e, "error.message"), "raise deadline_ms"));
  assert_string_equal(str(e, "error.details.cut_short"), "GET /v1/calls/12345");
  json_object_put(e);
  json_object *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 1); /* no retry past the deadline */
  json_object_put(w);
  P->account_free(quick);
}

struct call_probe {
  int cancel_after; /* cancelled() answers 1 from this poll on (-1: never) */
  int polls, progress;
  int late; /* progress reported after cancelled() answered 1 */
  uint64_t last_done;
};

static int probe_cancelled(void *ctx) {
  struct call_probe *p = ctx;
  return p->cancel_after >= 0 && p->polls++ >= p->cancel_after;
}

static void probe_progress(void *ctx, uint64_t done, uint64_t total, const char *message) {
  struct call_probe *p = ctx;
  (void)total;
  assert_non_null(message);
  p->progress++;
  p->late += p->cancel_after >= 0 && p->polls > p->cancel_after;
  p->last_done = done;
}

static json_object *call_with(struct kkp_account *a, const char *fn, const char *args, struct kkp_call *kc,
                              int *status) {
  char *out = NULL;
  *status = P->invoke_call(a, fn, args, kc, &out);
  assert_non_null(out);
  json_object *j = json_tokener_parse(out);
  P->free_string(out);
  return j;
}

/* ABI 1.1: the host's deadline (shorter than the account's), cancellation and progress. */
static void host_deadline_cancel_and_progress(void **state) {
  (void)state;
  assert_true(P->struct_size >= KKP_PLUGIN_SIZE_1_1);
  struct call_probe probe = {.cancel_after = -1};
  struct kkp_call kc = {sizeof kc, 500, &probe, probe_cancelled, probe_progress};
  int st;
  /* A 429 whose window reopens in 5 s is within max_rate_wait_ms but not the host's 500 ms. */
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
        "\"headers\":{\"X-AircallApi-Reset\":\"5\"}}");
  json_object *e = call_with(acme, "get_call", "{\"call_id\":12345}", &kc, &st);
  assert_int_equal(st, KKP_ERR_RATE_LIMITED);
  assert_non_null(strstr(str(e, "error.message"), "deadline of 500 ms"));
  json_object_put(e);
  json_object *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 1);
  json_object_put(w);
  /* Cancelled before anything is sent. */
  reset(NULL);
  probe.cancel_after = 0;
  kc.deadline_ms = 0;
  e = call_with(acme, "get_call", "{\"call_id\":12345}", &kc, &st);
  assert_int_equal(st, KKP_ERR_CANCELLED);
  assert_string_equal(str(e, "error.code"), "cancelled");
  json_object_put(e);
  w = wire();
  assert_int_equal(json_object_array_length(w), 0);
  json_object_put(w);
  /* Progress per page of an all-pages read (60 users: three pages of 20). */
  probe.cancel_after = -1;
  probe.progress = 0;
  json_object *r = call_with(acme, "list_users", "{}", &kc, &st);
  assert_int_equal(st, KKP_OK);
  w = wire();
  assert_true(probe.progress >= (int)json_object_array_length(w));
  assert_true(probe.last_done > 0);
  json_object_put(w);
  json_object_put(r);
  /* And per page of a name scan. */
  reset(NULL);
  probe.progress = 0;
  r = call_with(acme, "list_contacts", "{\"q\":\"John\"}", &kc, &st);
  assert_int_equal(st, KKP_OK);
  w = wire();
  assert_int_equal(probe.progress, count(w, "GET", "/v1/contacts"));
  assert_true(probe.progress >= 1);
  json_object_put(w);
  json_object_put(r);
}

/* A pager that never ends (every page says another follows) stops with a clear
 * error, bounded in requests and memory, instead of answering or growing forever. */
static void endless_pager_ends_in_an_error(void **state) {
  (void)state;
  fault("{\"method\":\"GET\",\"path\":\"/v1/"
        "numbers\",\"kind\":\"status_before\",\"status\":200,\"count\":100000,"
        "\"body\":\"{\\\"numbers\\\":[{\\\"id\\\":1,\\\"digits\\\":\\\"+33 1 76 11 11 11\\\"}],"
        "\\\"meta\\\":{\\\"next_page_link\\\":\\\"more\\\"}}\"}");
  json_object_put(fails(acme, "list_numbers", "{}", KKP_ERR_UPSTREAM, "kept paging"));
  json_object *w = wire();
  int pages = count(w, "GET", "/v1/numbers");
  assert_true(pages > 1 && pages <= 500);
  json_object_put(w);
  /* The same for the company's tags, which a tag name is looked up in (their own pager). */
  reset(NULL);
  fault("{\"method\":\"GET\",\"path\":\"/v1/"
        "tags\",\"kind\":\"status_before\",\"status\":200,\"count\":100000,"
        "\"body\":\"{\\\"tags\\\":[{\\\"id\\\":1,\\\"name\\\":\\\"x\\\"}],"
        "\\\"meta\\\":{\\\"next_page_link\\\":\\\"more\\\"}}\"}");
  struct kkp_account *fresh = open_account("default", sim_url, NULL); /* no tags cached yet */
  json_object_put(fails(fresh, "list_calls", "{\"tags\":[\"nosuch\"]}", KKP_ERR_UPSTREAM, "kept paging"));
  w = wire();
  pages = count(w, "GET", "/v1/tags");
  assert_true(pages > 1 && pages <= 500);
  json_object_put(w);
  P->account_free(fresh);
}

static int64_t at_ms(json_object *reqs, size_t i) {
  return json_object_get_int64(get(json_object_array_get_idx(reqs, i), "at_ms"));
}

/* X-AircallApi-Reset "1" is a delta of one second: the simulator's log shows the
 * retry arriving at least that long after the 429 (its clock, not the test's). A
 * UNIX-seconds reset: the retry arrives after that moment. */
static void retry_after_429_comes_after_the_reset(void **state) {
  (void)state;
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
        "\"headers\":{\"X-AircallApi-Reset\":\"1\"}}");
  json_object_put(ok(acme, "get_call", "{\"call_id\":12345}"));
  json_object *w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 2);
  assert_int_equal(json_object_get_int(get(w, "0.status")), 429);
  if (at_ms(w, 1) - at_ms(w, 0) < 1000)
    fail_msg("retried %lld ms after the 429, before the 1 s reset", (long long)(at_ms(w, 1) - at_ms(w, 0)));
  json_object_put(w);
  reset(NULL);
  /* A moment: two seconds after the current second of the simulator's clock. */
  json_object_put(sim("GET", "/__sim/health", NULL));
  json_object *log = sim("GET", "/__sim/requests", NULL);
  int64_t moment_s = json_object_get_int64(get(log, "requests.0.at_ms")) / 1000 + 2;
  json_object_put(log);
  reset(NULL);
  char f[256];
  snprintf(f, sizeof(f),
           "{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
           "\"headers\":{\"X-AircallApi-Reset\":\"%lld\"}}",
           (long long)moment_s);
  fault(f);
  json_object_put(ok(acme, "get_call", "{\"call_id\":12345}"));
  w = wire();
  assert_int_equal(count(w, "GET", "/v1/calls/12345"), 2);
  assert_true(at_ms(w, 1) >= moment_s * 1000);
  json_object_put(w);
  /* An absurd reset (far beyond any window) is clamped and said to be. */
  reset(NULL);
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":429,"
        "\"headers\":{\"X-AircallApi-Reset\":\"99999999999999999999\"}}");
  json_object_put(
      fails(acme, "get_call", "{\"call_id\":12345}", KKP_ERR_RATE_LIMITED, "not a plausible time"));
}

/* An upstream that echoes the Authorization header in an error body: the
 * credential (bearer, Basic's pair and its base64) appears in no output or log. */
static struct text logged;
static void collect_log(void *ctx, int level, const char *message) {
  (void)ctx;
  (void)level;
  collect((char *)message, 1, strlen(message), &logged);
  collect("\n", 1, 1, &logged);
}

static void echoed_credential_is_redacted(void **state) {
  (void)state;
  struct kkp_host host = {KKP_ABI_MAJOR, KKP_ABI_MINOR, sizeof(struct kkp_host), NULL, collect_log, NULL};
  char cfg[256], *err = NULL;
  struct kkp_account *a = NULL, *b = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\"}", sim_url);
  assert_int_equal(P->account_init(&host, "default", cfg, &a, &err), KKP_OK);
  assert_int_equal(P->account_init(&host, "basic", cfg, &b, &err), KKP_OK);
  fault("[{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":400,\"body\":"
        "\"{\\\"error\\\":\\\"Bad header Authorization: Bearer tok-acme-5ecret\\\",\\\"troubleshoot\\\":"
        "\\\"sent tok-acme-5ecret\\\"}\"},"
        "{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":400,\"body\":"
        "\"{\\\"error\\\":\\\"Bad header Authorization: Basic "
        "a2V5LWlkOmtleS01ZWNyZXQ=\\\",\\\"troubleshoot\\\":"
        "\\\"decoded key-id:key-5ecret\\\"}\"},"
        "{\"method\":\"POST\",\"path\":\"/v1/contacts\",\"kind\":\"status_after\",\"status\":503,\"body\":"
        "\"{\\\"error\\\":\\\"upstream saw Bearer tok-acme-5ecret\\\"}\"}]");
  json_object *e1 = fails(a, "get_call", "{\"call_id\":12345}", KKP_ERR_INVALID_ARGUMENT, "Bad header");
  json_object *e2 = fails(b, "get_call", "{\"call_id\":12345}", KKP_ERR_INVALID_ARGUMENT, "Bad header");
  /* Committed, then a 503 echoing it: found again; the warning that logs the lost answer is redacted. */
  json_object *e3 = ok(a, "create_contact", jane);
  const char *out[] = {json_object_to_json_string(e1), json_object_to_json_string(e2),
                       json_object_to_json_string(e3), logged.s ? logged.s : ""};
  static const char *const forms[] = {"tok-acme-5ecret", "a2V5LWlkOmtleS01ZWNyZXQ=", "key-id:key-5ecret",
                                      "key-5ecret"};
  for (size_t i = 0; i < 4; i++)
    for (size_t k = 0; k < 4; k++)
      if (strstr(out[i], forms[k])) fail_msg("output %zu holds the credential form %zu: %s", i, k, out[i]);
  assert_non_null(strstr(logged.s, "upstream saw Bearer")); /* the log line is there, redacted */
  json_object_put(e1);
  json_object_put(e2);
  json_object_put(e3);
  P->account_free(a);
  P->account_free(b);
  free(logged.s);
  logged.s = NULL;
  logged.len = 0;
}

/* http_proxy and ALL_PROXY name a listener of ours: a plain-http (loopback)
 * base_url must not use it (the token would cross in clear); the call succeeds
 * and the listener sees no connection. The teardown restores the environment
 * even when a check fails, so no later test goes through the listener. */
static int proxy_fd = -1;

static int proxy_cleanup(void **state) {
  (void)state;
  unsetenv("http_proxy");
  unsetenv("ALL_PROXY");
  if (proxy_fd >= 0) close(proxy_fd);
  proxy_fd = -1;
  return 0;
}

static void plain_http_never_uses_a_proxy(void **state) {
  (void)state;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  proxy_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  assert_true(proxy_fd >= 0);
  assert_int_equal(bind(proxy_fd, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(listen(proxy_fd, 8), 0);
  assert_int_equal(getsockname(proxy_fd, (struct sockaddr *)&sa, &len), 0);
  char proxy[64];
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", ntohs(sa.sin_port));
  setenv("http_proxy", proxy, 1);
  setenv("ALL_PROXY", proxy, 1);
  /* Short and single: through the listener (which never answers) it would time out. */
  struct kkp_account *a = open_account("default", sim_url, "\"timeout_ms\":3000,\"max_retries\":0");
  int st;
  json_object *r = call(a, "get_call", "{\"call_id\":12345}", &st);
  P->account_free(a);
  int conn = accept(proxy_fd, NULL, NULL);
  if (conn >= 0) close(conn);
  if (conn >= 0 || st != KKP_OK)
    fail_msg("the proxy listener got %s; the call answered %d: %s", conn >= 0 ? "a connection" : "nothing",
             st, json_object_to_json_string(r));
  assert_string_equal(str(r, "call.id"), "12345");
  json_object_put(r);
}

/* A redirect is never followed: a 302 to another call is upstream_error naming
 * the status, and nothing else is requested. */
static void redirect_is_an_upstream_error(void **state) {
  (void)state;
  fault("{\"path\":\"/v1/calls/12345\",\"kind\":\"status_before\",\"status\":302,\"body\":\"\","
        "\"headers\":{\"Location\":\"/v1/calls/12346\"}}");
  json_object *e = fails(acme, "get_call", "{\"call_id\":12345}", KKP_ERR_UPSTREAM, "HTTP 302");
  assert_int_equal(json_object_get_int(get(e, "error.http_status")), 302);
  json_object_put(e);
  json_object *w = wire();
  assert_int_equal(json_object_array_length(w), 1);
  json_object_put(w);
}

/* ---- pages read at once (fanout.c), against the simulator with many pages ---- */

static const char *pages_url;

static int pages_reset(void **state) {
  (void)state;
  json_object_put(sim_on(pages_url, "POST", "/__sim/reset", NULL));
  return 0;
}

static json_object *pages_wire(void) {
  json_object *log = sim_on(pages_url, "GET", "/__sim/requests", NULL), *reqs;
  assert_true(json_object_object_get_ex(log, "requests", &reqs));
  json_object_get(reqs);
  json_object_put(log);
  return reqs;
}

static void pages_fault(const char *json) {
  json_object_put(sim_on(pages_url, "POST", "/__sim/faults", json));
}

/* The most requests the simulator had in progress at once. */
static int most_in_flight(json_object *w) {
  int most = 0;
  for (size_t i = 0; i < json_object_array_length(w); i++) {
    int n = json_object_get_int(get(json_object_array_get_idx(w, i), "in_flight"));
    if (n > most) most = n;
  }
  return most;
}

/* The page request i of the log asked for (its page= parameter, not per_page=); 0 when none. */
static int page_of(json_object *w, size_t i) {
  const char *q = field(w, i, "query");
  for (const char *at = strstr(q, "page="); at; at = strstr(at + 1, "page="))
    if (at == q || at[-1] == '&') return atoi(at + 5);
  return 0;
}

/* How many requests asked for page `page`. */
static int asked_page(json_object *w, int page) {
  int n = 0;
  for (size_t i = 0; i < json_object_array_length(w); i++) n += page_of(w, i) == page;
  return n;
}

/* Each call of the three reads that follow pages, over the simulator with many
 * pages, read one page at a time (concurrent_pages 1) and at once (8): the same
 * answer, the same requests, and only the second has requests overlapping. A
 * delay on every page makes them overlap when they are sent at once. */
static void pages_at_once_answer_as_one_at_a_time(void **state) {
  static const char *const reads[][3] = {
      {"list_contacts", "{\"q\":\"Zebediah-nobody\"}", "/v1/contacts"}, /* 20 pages scanned */
      {"list_users", "{}", "/v2/users"},                                /* 8 pages */
      {"list_numbers", "{}", "/v1/numbers"},                            /* 3 pages */
  };
  (void)state;
  struct kkp_account *one = open_account("default", pages_url, "\"concurrent_pages\":1");
  struct kkp_account *many = open_account("default", pages_url, NULL);
  for (size_t k = 0; k < 3; k++) {
    char slow[160];
    snprintf(slow, sizeof(slow), "{\"path\":\"%s\",\"kind\":\"delay\",\"delay_ms\":150,\"count\":1000}",
             reads[k][2]);
    pages_reset(NULL);
    pages_fault(slow);
    json_object *a = ok(one, reads[k][0], reads[k][1]), *wa = pages_wire();
    pages_reset(NULL);
    pages_fault(slow);
    json_object *b = ok(many, reads[k][0], reads[k][1]), *wb = pages_wire();
    if (!json_object_equal(a, b)) fail_msg("%s: the answers differ when pages are read at once", reads[k][0]);
    int pages = (int)json_object_array_length(wa);
    assert_true(pages >= 3);
    assert_int_equal(json_object_array_length(wb), pages);
    for (int p = 1; p <= pages; p++) {
      assert_int_equal(asked_page(wa, p), 1);
      assert_int_equal(asked_page(wb, p), 1);
    }
    assert_int_equal(most_in_flight(wa), 1);
    assert_true(most_in_flight(wb) >= 2);
    assert_true(most_in_flight(wb) <= 8);
    json_object_put(a), json_object_put(b), json_object_put(wa), json_object_put(wb);
  }
  P->account_free(one);
  P->account_free(many);
}

/* A page read at once that fails its first attempt (a 5xx, a dropped connection,
 * a 429) is retried as a sequential read would, the answer is the same, and after a
 * 429 the rest of the pages go one at a time. The first request (page 1 of a
 * 20-page name scan, read alone) takes the harmless first fault, so the second
 * lands on a page read at once. */
static void pages_at_once_recover_as_one_at_a_time(void **state) {
  static const char *const faults[] = {
      "{\"kind\":\"status_before\",\"status\":503}",
      "{\"kind\":\"reset\"}",
      "{\"kind\":\"truncate\"}",
      "{\"kind\":\"status_before\",\"status\":429,\"headers\":{\"X-AircallApi-Reset\":\"1\"}}",
  };
  (void)state;
  struct kkp_account *many = open_account("default", pages_url, NULL);
  pages_reset(NULL);
  json_object *want = ok(many, "list_contacts", "{\"q\":\"Zebediah-nobody\"}"), *w = pages_wire();
  int pages = (int)json_object_array_length(w);
  json_object_put(w);
  for (size_t k = 0; k < sizeof(faults) / sizeof(*faults); k++) {
    char q[640];
    pages_reset(NULL);
    snprintf(q, sizeof(q),
             "[{\"path\":\"/v1/contacts\",\"kind\":\"delay\",\"delay_ms\":0},"
             "{\"path\":\"/v1/contacts\",\"delay_ms\":50,%s,"
             "{\"path\":\"/v1/contacts\",\"kind\":\"delay\",\"delay_ms\":60,\"count\":100}]",
             faults[k] + 1); /* and every page after takes a while, so pages sent at once overlap */
    pages_fault(q);
    json_object *got = ok(many, "list_contacts", "{\"q\":\"Zebediah-nobody\"}");
    w = pages_wire();
    if (!json_object_equal(want, got)) fail_msg("fault %s: the answer differs", faults[k]);
    assert_int_equal(json_object_array_length(w), pages + 1); /* the failed attempt, once more */
    size_t again = 0;                                         /* where that page was asked again */
    for (size_t i = 1; i < json_object_array_length(w) && !again; i++)
      for (size_t j = 0; j < i && !again; j++)
        if (page_of(w, i) == page_of(w, j)) again = i;
    assert_true(again > 1);
    for (int p = 1; p <= pages; p++) assert_int_equal(asked_page(w, p), p == page_of(w, again) ? 2 : 1);
    if (k == 3) /* after the 429, nothing more overlaps */
      for (size_t i = again + 1; i < json_object_array_length(w); i++)
        assert_int_equal(json_object_get_int(get(json_object_array_get_idx(w, i), "in_flight")), 1);
    json_object_put(got);
    json_object_put(w);
  }
  json_object_put(want);
  P->account_free(many);
}

/* A page read at once that is not JSON ends the call with the error that names
 * it; the host's deadline ends pages in flight and starts no more. */
static void pages_at_once_fail_cleanly(void **state) {
  (void)state;
  struct kkp_account *many = open_account("default", pages_url, NULL);
  pages_fault("[{\"path\":\"/v2/users\",\"kind\":\"delay\",\"delay_ms\":0},"
              "{\"path\":\"/v2/users\",\"kind\":\"invalid_json\"}]");
  json_object_put(fails(many, "list_users", "{}", KKP_ERR_UPSTREAM, "not the expected JSON object"));
  pages_reset(NULL);
  pages_fault("{\"path\":\"/v1/contacts\",\"kind\":\"delay\",\"delay_ms\":400,\"count\":1000}");
  struct call_probe probe = {.cancel_after = -1};
  struct kkp_call kc = {sizeof kc, 700, &probe, probe_cancelled, probe_progress};
  int st;
  json_object *e = call_with(many, "list_contacts", "{\"q\":\"Zebediah-nobody\"}", &kc, &st);
  assert_int_equal(st, KKP_ERR_NETWORK);
  assert_non_null(strstr(str(e, "error.message"), "deadline of 700 ms"));
  json_object_put(e);
  json_object *w = pages_wire();
  assert_true(json_object_array_length(w) <= 9); /* page 1, then at most 8 at once */
  json_object_put(w);
  /* Cancelled while pages are in flight. */
  pages_reset(NULL);
  pages_fault("{\"path\":\"/v1/contacts\",\"kind\":\"delay\",\"delay_ms\":300,\"count\":1000}");
  probe.cancel_after = 4;
  kc.deadline_ms = 0;
  e = call_with(many, "list_contacts", "{\"q\":\"Zebediah-nobody\"}", &kc, &st);
  assert_int_equal(st, KKP_ERR_CANCELLED);
  assert_int_equal(probe.late, 0); /* seen while pages were in flight, not after them */
  json_object_put(e);
  w = pages_wire();
  assert_true(json_object_array_length(w) <= 9);
  json_object_put(w);
  P->account_free(many);
}

/* A list that shrank while it was read: a page read at once says it is the last
 * (an empty page, no next_page_link). The answer ends there, in order: the pages
 * after it, read at the same time, are dropped, and nothing is read past them. */
static void pages_at_once_end_where_a_page_says_so(void **state) {
  (void)state;
  struct kkp_account *many = open_account("default", pages_url, NULL);
  json_object *all = ok(many, "list_users", "{}"), *users;
  size_t n_all = json_object_array_length(get(all, "users"));
  pages_reset(NULL);
  pages_fault("[{\"path\":\"/v2/users\",\"kind\":\"delay\",\"delay_ms\":0},"
              "{\"path\":\"/v2/users\",\"kind\":\"status_before\",\"status\":200,"
              "\"body\":\"{\\\"users\\\":[],\\\"meta\\\":{\\\"next_page_link\\\":null}}\"}]");
  json_object *cut = ok(many, "list_users", "{}"), *w = pages_wire();
  users = get(cut, "users");
  size_t n = json_object_array_length(users);
  assert_true(n >= 50 && n < n_all && n % 50 == 0); /* whole pages, up to the empty one */
  for (size_t i = 0; i < n; i++)
    assert_true(json_object_equal(json_object_array_get_idx(users, i),
                                  json_object_array_get_idx(get(all, "users"), i)));
  assert_true(json_object_array_length(w) <= 8); /* the pages the first one announced, no more */
  json_object_put(w);
  json_object_put(cut);
  json_object_put(all);
  P->account_free(many);
}

struct pager_worker {
  struct kkp_account *a;
  json_object *want;
  int failures;
};

static void *read_all_users(void *arg) {
  struct pager_worker *pw = arg;
  for (int i = 0; i < 5; i++) {
    char *out = NULL;
    int st = P->invoke(pw->a, "list_users", "{}", &out);
    json_object *got = out ? json_tokener_parse(out) : NULL;
    if (st != KKP_OK || !json_object_equal(got, pw->want)) pw->failures++;
    json_object_put(got);
    P->free_string(out);
  }
  return NULL;
}

/* Four threads of the host, each reading every page at once on one account:
 * under TSan this is where a race between the reads would show. */
static void pages_at_once_from_many_threads(void **state) {
  (void)state;
  struct kkp_account *many = open_account("default", pages_url, NULL);
  json_object *want = ok(many, "list_users", "{}");
  struct pager_worker w[4];
  pthread_t t[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (struct pager_worker){many, want, 0};
    assert_int_equal(pthread_create(&t[i], NULL, read_all_users, &w[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(w[i].failures, 0);
  }
  json_object_put(want);
  P->account_free(many);
}

int main(void) {
  sim_url = getenv("SIM_URL");
  limited_url = getenv("SIM_LIMITED_URL");
  pages_url = getenv("SIM_PAGES_URL");
  if (!sim_url || !limited_url || !pages_url || !getenv("KKP_KEYSTORE")) {
    printf("not ok 1 - run through tests/integration/run.sh (needs SIM_URL, SIM_LIMITED_URL, SIM_PAGES_URL, "
           "KKP_KEYSTORE)\n");
    return 2;
  }
  if (!(P = test_plugin_open(&lib))) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  fast = NULL;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(accounts_open),
      cmocka_unit_test_setup(get_call_adds_from_and_to, reset),
      cmocka_unit_test_setup(get_call_unknown_is_not_found, reset),
      cmocka_unit_test_setup(list_calls_defaults_on_the_wire, reset),
      cmocka_unit_test_setup(filters_go_to_search, reset),
      cmocka_unit_test_setup(dates_are_sent_as_unix_seconds, reset),
      cmocka_unit_test_setup(bad_arguments_send_nothing, reset),
      cmocka_unit_test_setup(tags_by_name_become_repeated_ids, reset),
      cmocka_unit_test_setup(out_of_range_arguments_send_nothing, reset),
      cmocka_unit_test_setup(tag_cache_honours_its_ttl, reset),
      cmocka_unit_test_setup(number_id_searches_by_digits_and_keeps_that_number, reset),
      cmocka_unit_test_setup(name_search_scans_pages_without_q_on_the_wire, reset),
      cmocka_unit_test_setup(name_search_budget_is_honest, reset),
      cmocka_unit_test_setup(email_and_phone_use_search, reset),
      cmocka_unit_test_setup(create_contact_posts_e164, reset),
      cmocka_unit_test_setup(create_after_lost_answer_is_reconciled_not_duplicated, reset),
      cmocka_unit_test_setup(update_contact_posts_scalars, reset),
      cmocka_unit_test_setup(update_contact_replaces_lists_adds_first, reset),
      cmocka_unit_test_setup(update_failure_half_way_loses_nothing, reset),
      cmocka_unit_test_setup(list_users_reads_every_v2_page, reset),
      cmocka_unit_test_setup(list_numbers_adds_number_and_e164, reset),
      cmocka_unit_test_setup(current_user_comes_from_the_integration, reset),
      cmocka_unit_test_setup(accounts_reach_their_own_company, reset),
      cmocka_unit_test_setup(bad_token_is_unauthorized_and_named, reset),
      cmocka_unit_test_setup(safe_requests_retry_5xx_and_broken_bodies, reset),
      cmocka_unit_test_setup(rate_limits_wait_for_the_reset, reset),
      cmocka_unit_test_setup(rate_limit_beyond_the_wait_budget_fails_fast, reset),
      cmocka_unit_test_setup(network_failures_are_network_errors, reset),
      cmocka_unit_test_setup(config_errors_at_init, reset),
      cmocka_unit_test_setup(wrapped_keystore_needs_the_passphrase, reset),
      cmocka_unit_test_setup(invoke_is_thread_safe, reset),
      cmocka_unit_test_setup(eight_threads_mixed_functions, reset),
      cmocka_unit_test_setup(create_processed_after_timeout_is_found_not_resent, reset),
      cmocka_unit_test_setup(create_answer_without_contact_object_is_reconciled, reset),
      cmocka_unit_test_setup(update_lost_phone_add_leaves_one_copy, reset),
      cmocka_unit_test_setup(deadline_bounds_the_call_and_says_so, reset),
      cmocka_unit_test_setup(host_deadline_cancel_and_progress, reset),
      cmocka_unit_test_setup(endless_pager_ends_in_an_error, reset),
      cmocka_unit_test_setup(retry_after_429_comes_after_the_reset, reset),
      cmocka_unit_test_setup(echoed_credential_is_redacted, reset),
      cmocka_unit_test_setup_teardown(plain_http_never_uses_a_proxy, reset, proxy_cleanup),
      cmocka_unit_test_setup(redirect_is_an_upstream_error, reset),
      cmocka_unit_test_setup(pages_at_once_answer_as_one_at_a_time, pages_reset),
      cmocka_unit_test_setup(pages_at_once_recover_as_one_at_a_time, pages_reset),
      cmocka_unit_test_setup(pages_at_once_fail_cleanly, pages_reset),
      cmocka_unit_test_setup(pages_at_once_end_where_a_page_says_so, pages_reset),
      cmocka_unit_test_setup(pages_at_once_from_many_threads, pages_reset),
      cmocka_unit_test(no_secret_in_any_output),
  };
  /* PLUGIN_TEST_FILTER=word runs accounts_open and the tests whose name holds word: to repeat one. */
  struct CMUnitTest chosen[sizeof(tests) / sizeof(tests[0])];
  size_t n_chosen = 0;
  const char *only = getenv("PLUGIN_TEST_FILTER");
  for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
    if (!only || tests[i].test_func == accounts_open || strstr(tests[i].name, only))
      chosen[n_chosen++] = tests[i];
  int failed = _cmocka_run_group_tests("tests", chosen, n_chosen, NULL, NULL);
  P->account_free(acme);
  P->account_free(basic);
  P->account_free(globex);
  free(seen.s);
  curl_global_cleanup();
  dlclose(lib);
  return failed;
}
