/*
 * fault_matrix.c - every function of aircall.so (dlopen'ed for real) against every
 * kind of fault aircall-sim can inject, one cell at a time on fresh data. Prints
 * the table (function x fault -> status) as TAP comments and checks per cell:
 *   - the call returns a defined status; an error is the error JSON of plugin.h
 *     (code matching the status, a non-empty message);
 *   - the account's token appears in no output;
 *   - a write never happens twice: afterwards at most one contact has the new
 *     phone number (create), contact 5678 holds it at most once (update); and a
 *     write that answered ok did happen;
 *   - a read ends in the class the fault calls for: retried to ok after a fault
 *     that is worth retrying (5xx, 429, reset, timeout, truncated body), not_found
 *     after 404 (ok from v1 where a v2 list falls back), unauthorized after 401, upstream_error after a 200
 * that is not JSON. Started by fault_matrix.sh (SIM_URL, KKP_KEYSTORE, BUILD set).
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin.h"

#define TOKEN "tok-acme-5ecret"
/* The client gives up after TIMEOUT_MS; a delayed request is answered after DELAY_MS. */
#define TIMEOUT_MS 400
#define DELAY_MS 1200
#define STR_(x) #x
#define STR(x) STR_(x)

static const struct kkp_plugin *P;
static const char *sim_url;
static int test_no, failures;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%sok %d - ", ok ? "" : "not ", ++test_no);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  if (!ok) failures++;
}

/* ---- the simulator, directly ---------------------------------------------- */

struct text {
  char *s;
  size_t len;
};

static size_t collect(char *d, size_t sz, size_t n, void *u) {
  struct text *t = u;
  char *ns = realloc(t->s, t->len + sz * n + 1);
  if (!ns) return 0;
  t->s = ns;
  memcpy(t->s + t->len, d, sz * n);
  t->len += sz * n;
  t->s[t->len] = '\0';
  return sz * n;
}

/* METHOD path on the simulator as the account's company; the parsed answer or NULL. */
static json_object *sim(const char *method, const char *path, const char *body) {
  CURL *h = curl_easy_init();
  struct text t = {0};
  char url[512];
  struct curl_slist *hd = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
  hd = curl_slist_append(hd, "Content-Type: application/json");
  snprintf(url, sizeof url, "%s%s", sim_url, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(hd);
  curl_easy_cleanup(h);
  json_object *j = rc == CURLE_OK && t.s ? json_tokener_parse(t.s) : NULL;
  free(t.s);
  return j;
}

/* Waits until no request the simulator logged is still being processed (a delayed
 * one commits after the client gave up), so that what a cell wrote is all there.
 * A dropped connection is logged with status 0 too: `dropped` of them are expected. */
static void settle(int dropped) {
  for (int i = 0; i < 200; i++) {
    json_object *log = sim("GET", "/__sim/requests", NULL), *reqs;
    int open = 0;
    if (log && json_object_object_get_ex(log, "requests", &reqs))
      for (size_t k = 0; k < json_object_array_length(reqs); k++) {
        json_object *st;
        json_object_object_get_ex(json_object_array_get_idx(reqs, k), "status", &st);
        open += json_object_get_int(st) == 0;
      }
    json_object_put(log);
    if (open <= dropped) return;
    nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
  }
}

/* Digits of s (phone numbers are compared by digits: the simulator reformats them). */
static void digits(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; s && *s && n + 1 < cap; s++)
    if (*s >= '0' && *s <= '9') out[n++] = *s;
  out[n] = '\0';
}

static int phones_match(json_object *contact, const char *want) {
  json_object *phones;
  int n = 0;
  if (!json_object_object_get_ex(contact, "phone_numbers", &phones)) return 0;
  for (size_t i = 0; i < json_object_array_length(phones); i++) {
    json_object *v;
    char d[64];
    json_object_object_get_ex(json_object_array_get_idx(phones, i), "value", &v);
    digits(json_object_get_string(v), d, sizeof d);
    n += strcmp(d, want) == 0;
  }
  return n;
}

/* How many times phone (digits) is on file: across contacts (create), or on contact 5678 (update). */
static int phone_count(const char *phone, int on_5678) {
  char path[128];
  json_object *j, *list;
  int n = 0;
  if (on_5678) {
    j = sim("GET", "/v1/contacts/5678", NULL);
    if (j && json_object_object_get_ex(j, "contact", &list)) n = phones_match(list, phone);
  } else {
    snprintf(path, sizeof path, "/v1/contacts/search?per_page=50&phone_number=%s", phone);
    j = sim("GET", path, NULL);
    if (j && json_object_object_get_ex(j, "contacts", &list))
      for (size_t i = 0; i < json_object_array_length(list); i++)
        n += phones_match(json_object_array_get_idx(list, i), phone) > 0;
  }
  json_object_put(j);
  return n;
}

/* ---- the matrix ---------------------------------------------------------- */

enum expect { E_RETRIED, E_NOT_FOUND, E_UNAUTHORIZED, E_UPSTREAM };

static const struct fault {
  const char *label;
  const char *json; /* the fault, without method and path */
  enum expect read;
  int drops; /* the connection is dropped: logged with status 0 */
} faults[] = {
    {"500-before", "\"kind\":\"status_before\",\"status\":500", E_RETRIED, 0},
    {"503-before", "\"kind\":\"status_before\",\"status\":503", E_RETRIED, 0},
    {"502-after", "\"kind\":\"status_after\",\"status\":502", E_RETRIED, 0},
    {"404", "\"kind\":\"status_before\",\"status\":404", E_NOT_FOUND, 0},
    {"401", "\"kind\":\"status_before\",\"status\":401", E_UNAUTHORIZED, 0},
    {"429-reset", NULL /* built with a reset time */, E_RETRIED, 0},
    {"429", "\"kind\":\"status_before\",\"status\":429", E_RETRIED, 0},
    {"delay", "\"kind\":\"delay\",\"delay_ms\":" STR(DELAY_MS), E_RETRIED, 0},
    {"reset", "\"kind\":\"reset\"", E_RETRIED, 1},
    {"reset-after", "\"kind\":\"reset_after\"", E_RETRIED, 1},
    {"truncate", "\"kind\":\"truncate\"", E_RETRIED, 0},
    {"bad-json", "\"kind\":\"invalid_json\"", E_UPSTREAM, 0},
    {"html-502", "\"kind\":\"html\"", E_RETRIED, 0},
    {"html-200", "\"kind\":\"html\",\"status\":200", E_UPSTREAM, 0},
};
#define N_FAULTS (sizeof faults / sizeof *faults)

static const struct fn {
  const char *name;
  const char *method, *path; /* the request the fault hits */
  int write;                 /* 1: create (phone across contacts), 2: update (phone on 5678) */
  int v1_fallback;           /* a 404 here is a company without this API version: ok from v1 */
} fns[] = {
    {"list_calls", "GET", "/v1/calls", 0, 0},
    {"get_call", "GET", "/v1/calls/12345", 0, 0},
    {"list_contacts", "GET", "/v1/contacts", 0, 0},
    {"create_contact", "POST", "/v1/contacts", 1, 0},
    {"update_contact", "POST", "/v1/contacts/5678/phone_details", 2, 0},
    {"list_users", "GET", "/v2/users", 0, 1},
    {"list_numbers", "GET", "/v1/numbers", 0, 0},
    {"get_current_user", "GET", "/v1/integrations/me", 0, 0},
};
#define N_FNS (sizeof fns / sizeof *fns)

static const char *expected_code(enum expect e) {
  switch (e) {
  case E_NOT_FOUND: return "not_found";
  case E_UNAUTHORIZED: return "unauthorized";
  case E_UPSTREAM: return "upstream_error";
  default: return "ok";
  }
}

static void queue_fault(const struct fn *f, const struct fault *k) {
  char json[512];
  if (k->json)
    snprintf(json, sizeof json, "{\"method\":\"%s\",\"path\":\"%s\",%s}", f->method, f->path, k->json);
  else
    snprintf(json, sizeof json,
             "{\"method\":\"%s\",\"path\":\"%s\",\"kind\":\"status_before\",\"status\":429,"
             "\"headers\":{\"X-AircallApi-Reset\":\"%lld\"}}",
             f->method, f->path, (long long)time(NULL) + 1);
  json_object *r = sim("POST", "/__sim/faults", json), *q;
  if (!r || !json_object_object_get_ex(r, "queued", &q) || json_object_get_int(q) != 1) {
    fprintf(stderr, "fault_matrix: the simulator refused fault %s\n", json);
    exit(1);
  }
  json_object_put(r);
}

/* The error object's code when text is plugin.h's error JSON with a message, else NULL. */
static const char *error_code(json_object *j) {
  json_object *e, *code, *msg;
  if (!json_object_object_get_ex(j, "error", &e) || !json_object_object_get_ex(e, "code", &code) ||
      !json_object_object_get_ex(e, "message", &msg) || json_object_get_string_len(msg) == 0)
    return NULL;
  return json_object_get_string(code);
}

/* Runs one cell; returns the status name for the table. */
static const char *cell(struct kkp_account *a, size_t fi, size_t ki) {
  const struct fn *f = &fns[fi];
  const struct fault *k = &faults[ki];
  char args[256], phone[32], *out = NULL;
  json_object_put(sim("POST", "/__sim/reset", NULL));
  snprintf(phone, sizeof phone, "336%02zu%02zu%04d", fi, ki, 4242);
  if (f->write == 1)
    snprintf(args, sizeof args,
             "{\"first_name\":\"Fault\",\"last_name\":\"Cell %zu-%zu\","
             "\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+%s\"}]}",
             fi, ki, phone);
  else if (f->write == 2)
    snprintf(args, sizeof args,
             "{\"contact_id\":5678,\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+%s\"}]}", phone);
  else snprintf(args, sizeof args, "%s", strcmp(f->name, "get_call") == 0 ? "{\"call_id\":12345}" : "{}");
  queue_fault(f, k);
  int st = P->invoke(a, f->name, args, &out);
  json_object *j = out ? json_tokener_parse(out) : NULL;
  const char *code = st == KKP_OK ? "ok" : error_code(j);
  check(out && j && st >= KKP_OK && st <= KKP_ERR_CANCELLED, "%s x %s: a defined status (%d) with JSON",
        f->name, k->label, st);
  check(st == KKP_OK || (code && strcmp(code, kkp_status_name(st)) == 0),
        "%s x %s: the error names its code and has a message: %.300s", f->name, k->label,
        out ? out : "(null)");
  check(!out || !strstr(out, TOKEN), "%s x %s: the token is not in the output", f->name, k->label);
  if (f->write) {
    settle(k->drops);
    int n = phone_count(phone, f->write == 2);
    check(n <= 1, "%s x %s: written at most once (found %d)", f->name, k->label, n);
    check(st != KKP_OK || n == 1, "%s x %s: ok means written (found %d)", f->name, k->label, n);
  } else {
    const char *want = k->read == E_NOT_FOUND && f->v1_fallback ? "ok" : expected_code(k->read);
    check(code && strcmp(code, want) == 0, "%s x %s: %s (got %s)", f->name, k->label, want,
          code ? code : "no code");
    settle(k->drops);
  }
  json_object_put(j);
  P->free_string(out);
  return kkp_status_name(st);
}

static void print_row(const char *first, const char *const *cells) {
  printf("# %-17s", first);
  for (size_t k = 0; k < N_FAULTS; k++) printf(" %-14s", cells[k]);
  printf("\n");
}

int main(void) {
  char so[512], cfg[512], *err = NULL;
  const char *build = getenv("BUILD");
  const char *cells[N_FAULTS], *table[N_FNS][N_FAULTS];
  struct kkp_account *a = NULL;
  sim_url = getenv("SIM_URL");
  if (!sim_url || !build) {
    fprintf(stderr, "fault_matrix: run through fault_matrix.sh (SIM_URL, BUILD)\n");
    return 1;
  }
  snprintf(so, sizeof so, "%s/aircall.so", build);
  void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  kkp_plugin_entry_fn entry = lib ? (kkp_plugin_entry_fn)dlsym(lib, KKP_PLUGIN_ENTRY_SYMBOL) : NULL;
  P = entry ? entry(KKP_ABI_MAJOR, KKP_ABI_MINOR) : NULL;
  if (!P) {
    fprintf(stderr, "fault_matrix: cannot load %s: %s\n", so, dlerror());
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  snprintf(cfg, sizeof cfg,
           "{\"base_url\":\"%s\",\"timeout_ms\":%d,\"connect_timeout_ms\":%d,\"max_retries\":2,"
           "\"retry_base_ms\":5,\"max_rate_wait_ms\":5000,\"cache_ttl_s\":0}",
           sim_url, TIMEOUT_MS, TIMEOUT_MS);
  if (P->account_init(NULL, "default", cfg, &a, &err) != KKP_OK) {
    fprintf(stderr, "fault_matrix: account_init: %s\n", err ? err : "");
    return 1;
  }
  for (size_t f = 0; f < N_FNS; f++)
    for (size_t k = 0; k < N_FAULTS; k++) table[f][k] = cell(a, f, k);
  printf("# fault matrix: status of each function when its request meets each fault\n");
  for (size_t k = 0; k < N_FAULTS; k++) cells[k] = faults[k].label;
  print_row("function", cells);
  for (size_t f = 0; f < N_FNS; f++) print_row(fns[f].name, table[f]);
  P->account_free(a);
  curl_global_cleanup();
  printf("1..%d\n", test_no);
  return failures ? 1 : 0;
}
