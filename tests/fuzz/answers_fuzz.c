/*
 * answers_fuzz.c - libFuzzer target: whatever Aircall (or anything pretending to be
 * it) answers, every function's handler ends in a result or a clean error, never a
 * crash, a leak or undefined behaviour. The whole plugin runs (kkp_plugin_entry,
 * account_init on a scratch keystore, invoke) over a fake transport: ac_http and
 * ac_http_text below replace the real ones (fuzz.mk makes those weak), so no
 * request leaves the process.
 *
 * Input: byte 0 picks the function, byte 1 one of its argument sets; the rest is
 * the answers, separated by NUL bytes: request i gets answer i (the last one
 * repeats). An empty answer is a network failure after sending (ambiguous);
 * one starting with \x01 is a 404, \x02 a 500 (ambiguous), \x03 a 429; anything
 * else is a 200 with that body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"
#include "tests/fuzz/fuzz_util.h"

/* The most requests one invocation may make here before the fake refuses: the
 * real bounds (pages, name scans) are far below it. */
#define MAX_REQUESTS 512

static const unsigned char *answers;
static size_t answers_len, requests;

/* Answer number i: [*start, *start + *len). */
static void answer_at(size_t i, const unsigned char **start, size_t *len) {
  const unsigned char *p = answers, *end = answers + answers_len;
  for (;;) {
    const unsigned char *nul = memchr(p, 0, (size_t)(end - p));
    if (i == 0 || !nul) {
      *start = p;
      *len = (size_t)((nul ? nul : end) - p);
      return;
    }
    p = nul + 1;
    i--;
  }
}

/* A failed exchange, with what the real transport would say of its delivery
 * (so the write paths' reconciliation is reached). */
static int fake_failure(struct ac_ctx *c, struct ac_response *r, const char *method, const char *path,
                        int status, long http, enum ac_delivery delivery) {
  ac_fail(&c->err, status, "fake transport: %s %s failed (HTTP %ld)", method, path, http);
  c->err.http_status = http;
  r->http_status = http;
  r->delivery = delivery;
  return status;
}

static int fake_exchange(struct ac_ctx *c, const char *method, const char *path, struct ac_response *r,
                         int parse) {
  const unsigned char *b;
  size_t len;
  memset(r, 0, sizeof *r);
  ac_error_clear(&c->err);
  ac_error_init(&c->err);
  if (!path || path[0] != '/') abort(); /* a handler built no path */
  if (requests >= MAX_REQUESTS) return fake_failure(c, r, method, path, KKP_ERR_NETWORK, 0, AC_NOT_SENT);
  answer_at(requests++, &b, &len);
  if (len == 0) return fake_failure(c, r, method, path, KKP_ERR_NETWORK, 0, AC_MAYBE_DELIVERED);
  if (b[0] == 1) return fake_failure(c, r, method, path, KKP_ERR_NOT_FOUND, 404, AC_DELIVERED);
  if (b[0] == 2) return fake_failure(c, r, method, path, KKP_ERR_UPSTREAM, 500, AC_MAYBE_DELIVERED);
  if (b[0] == 3) return fake_failure(c, r, method, path, KKP_ERR_RATE_LIMITED, 429, AC_NOT_SENT);
  r->http_status = 200;
  r->delivery = AC_DELIVERED;
  if (!parse) {
    r->text = fuzz_str(b, len);
    r->text_len = len;
    return KKP_OK;
  }
  json_object *j = ac_json_parse((const char *)b, len);
  if (!json_object_is_type(j, json_type_object)) {
    json_object_put(j);
    return fake_failure(c, r, method, path, KKP_ERR_UPSTREAM, 200, AC_MAYBE_DELIVERED);
  }
  r->json = j;
  return KKP_OK;
}

int ac_http(struct ac_ctx *c, const char *method, const char *path, const char *body, enum ac_safety safety,
            struct ac_response *r) {
  (void)body, (void)safety;
  return fake_exchange(c, method, path, r, 1);
}

int ac_http_text(struct ac_ctx *c, const char *method, const char *path, const char *body,
                 enum ac_safety safety, struct ac_response *r) {
  (void)body, (void)safety;
  return fake_exchange(c, method, path, r, 0);
}

/* Argument sets that reach each handler's branches (filters, name and phone
 * look-ups, sub-resource writes). */
static const char *const list_calls_args[] = {
    "{}", "{\"direction\":\"inbound\",\"per_page\":5}", "{\"tags\":[\"Sales\",\"Lead\"]}",
    "{\"user_id\":1,\"number_id\":2,\"from\":\"2026-01-01\",\"to\":\"2026-02-01\"}",
    "{\"page\":3,\"order\":\"desc\"}"};
static const char *const get_call_args[] = {"{\"call_id\":1}", "{\"call_id\":9223372036854775807}"};
static const char *const list_contacts_args[] = {
    "{}", "{\"q\":\"Jane Doe\"}", "{\"q\":\"+33 6 12 34 56 78\"}", "{\"q\":\"jane@example.com\"}",
    "{\"q\":\"Acme\",\"per_page\":2}"};
static const char *const create_contact_args[] = {
    "{\"first_name\":\"Jane\",\"last_name\":\"Doe\"}",
    "{\"first_name\":\"Jane\",\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33612345678\"}]}",
    "{\"last_name\":\"Doe\",\"emails\":[{\"label\":\"Work\",\"value\":\"jane@example.com\"}],"
    "\"phone_numbers\":[{\"label\":\"M\",\"value\":\"+14155550100\"},{\"label\":\"H\",\"value\":\"+"
    "14155550101\"}]}"};
static const char *const update_contact_args[] = {
    "{\"contact_id\":7,\"first_name\":\"Janet\"}",
    "{\"contact_id\":7,\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33612345678\"}]}",
    "{\"contact_id\":7,\"emails\":[{\"label\":\"W\",\"value\":\"j@example.com\"}],\"information\":\"x\"}",
    "{\"contact_id\":7,\"phone_numbers\":[],\"emails\":[]}"};
static const char *const none_args[] = {"{}"};

static const struct {
  const char *name;
  const char *const *args;
  size_t n;
} fns[] = {
    {"list_calls", list_calls_args, sizeof list_calls_args / sizeof *list_calls_args},
    {"get_call", get_call_args, sizeof get_call_args / sizeof *get_call_args},
    {"list_contacts", list_contacts_args, sizeof list_contacts_args / sizeof *list_contacts_args},
    {"create_contact", create_contact_args, sizeof create_contact_args / sizeof *create_contact_args},
    {"update_contact", update_contact_args, sizeof update_contact_args / sizeof *update_contact_args},
    {"list_users", none_args, 1},
    {"list_numbers", none_args, 1},
    {"get_current_user", none_args, 1},
};

static const struct kkp_plugin *plugin;
static struct kkp_account *account;

static void close_account(void) {
  plugin->account_free(account);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  char cfg[512], *err = NULL;
  plugin = kkp_plugin_entry(KKP_ABI_MAJOR, KKP_ABI_MINOR);
  if (!plugin) abort();
  /* No cache: each input starts from the same state. The URL is never used. */
  snprintf(cfg, sizeof cfg,
           "{\"base_url\":\"http://127.0.0.1:9\",\"keystore\":\"%s\",\"cache_ttl_s\":0,"
           "\"name_scan_pages\":3,\"max_retries\":0,\"reconcile_window_ms\":0,\"max_rate_wait_ms\":0}",
           fuzz_keystore());
  if (plugin->account_init(NULL, FUZZ_ACCOUNT, cfg, &account, &err) != KKP_OK) {
    fprintf(stderr, "fuzz: account_init failed: %s\n", err ? err : "");
    abort();
  }
  atexit(close_account);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  size_t f = data[0] % (sizeof fns / sizeof *fns);
  const char *args = fns[f].args[data[1] % fns[f].n];
  char *result = NULL;
  answers = data + 2;
  answers_len = size - 2;
  requests = 0;
  int rc = plugin->invoke(account, fns[f].name, args, &result);
  if (rc < KKP_OK || rc > KKP_ERR_CANCELLED || !result) abort();
  if (rc != KKP_OK) fuzz_check_error_json(result, rc);
  else {
    json_object *o = json_tokener_parse(result);
    if (!json_object_is_type(o, json_type_object)) abort(); /* a result is one JSON object */
    json_object_put(o);
  }
  plugin->free_string(result);
  return 0;
}
