/*
 * tls_test.c - aircall.so talks only to a server that proves it is the host of base_url:
 * real TLS against openssl s_server on 127.0.0.1, started by tests/integration/tls_test.sh
 * with three certificates (TLS_SELF_URL: self-signed; TLS_GOOD_URL: for 127.0.0.1, signed by
 * the test CA TLS_CA_FILE; TLS_OTHER_URL: for another name, signed by that CA).
 *
 * The plugin has no setting for a CA file, so to test the host-name check this program
 * defines curl_easy_perform (exported, so the dlopen'ed plugin calls it), adds
 * CURLOPT_CAINFO = the test CA to the plugin's own handle when asked to, and forwards to
 * libcurl's. Every option the plugin set is left as it was: the verification itself is the
 * plugin's.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <cmocka.h>

#include "plugin.h"
#include "tests/lib/cmocka_tap.h"
#include "tests/lib/plugin_open.h"

/* The build hides symbols by default; this one must be seen by the plugin. */
#define INTERPOSED __attribute__((visibility("default")))

static const struct kkp_plugin *P;
static const char *ca_file; /* non-NULL: the plugin's handles also trust this CA */
static int performs;

INTERPOSED CURLcode curl_easy_perform(CURL *h) {
  static CURLcode (*real)(CURL *);
  if (!real) real = (CURLcode(*)(CURL *))dlsym(RTLD_NEXT, "curl_easy_perform");
  if (!real) return CURLE_FAILED_INIT;
  if (ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
  performs++;
  return real(h);
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) fail_msg("%s is not set: run through tests/integration/tls_test.sh", name);
  return v;
}

/* get_call on an account whose base_url is the server under test; returns the error
 * object's JSON (caller frees) and its status in *status. */
static json_object *get_call_at(const char *url, int *status) {
  char cfg[512], *err = NULL, *out = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"max_retries\":0}", url);
  if (P->account_init(NULL, "default", cfg, &a, &err)) fail_msg("account_init: %s", err);
  performs = 0;
  *status = P->invoke(a, "get_call", "{\"call_id\":1}", &out);
  P->account_free(a);
  assert_int_equal(performs, 1); /* one request, no retry: max_retries is 0 */
  json_object *j = json_tokener_parse(out), *e = NULL;
  if (!json_object_object_get_ex(j, "error", &e)) fail_msg("get_call at %s succeeded: %s", url, out);
  P->free_string(out);
  json_object_get(e);
  json_object_put(j);
  return e;
}

static const char *member(json_object *o, const char *key) {
  json_object *v;
  return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void expect_refused(const char *url, const char *needle) {
  int st;
  json_object *e = get_call_at(url, &st);
  const char *m = member(e, "message");
  if (st != KKP_ERR_NETWORK || !strstr(m, needle) || !strstr(m, "TLS certificate was refused"))
    fail_msg("get_call at %s: want network_error naming \"%s\", got %s: %s", url, needle, member(e, "code"),
             m);
  json_object_put(e);
}

static void self_signed_certificate_is_refused(void **state) {
  (void)state;
  ca_file = NULL;
  expect_refused(env("TLS_SELF_URL"), "signed certificate");
}

/* The control for the next test: with the test CA trusted, the handshake with a
 * certificate for 127.0.0.1 succeeds (s_server's HTML status page then fails as JSON). */
static void certificate_from_a_trusted_ca_is_accepted(void **state) {
  (void)state;
  int st;
  ca_file = env("TLS_CA_FILE");
  json_object *e = get_call_at(env("TLS_GOOD_URL"), &st);
  ca_file = NULL;
  if (st != KKP_ERR_UPSTREAM || strcmp(member(e, "http_status"), "200") != 0)
    fail_msg("want the TLS handshake to succeed and the HTML answer to be upstream_error with HTTP 200, "
             "got %s: %s",
             member(e, "code"), member(e, "message"));
  json_object_put(e);
}

static void certificate_for_another_name_is_refused(void **state) {
  (void)state;
  ca_file = env("TLS_CA_FILE");
  expect_refused(env("TLS_OTHER_URL"), "subject name");
  ca_file = NULL;
}

int main(void) {
  /* This program's own use of libcurl keeps it linked, so RTLD_NEXT finds it. */
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    printf("not ok 1 - libcurl initialises\n");
    return 1;
  }
  void *lib;
  if (!(P = test_plugin_open(&lib))) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(self_signed_certificate_is_refused),
      cmocka_unit_test(certificate_from_a_trusted_ca_is_accepted),
      cmocka_unit_test(certificate_for_another_name_is_refused),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  dlclose(lib);
  curl_global_cleanup();
  return failed;
}
