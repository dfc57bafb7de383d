/*
 * fanout_fault_test.c - pages read at once (src/fanout.c) when the resources they need
 * run out in the host's process: no new libcurl handle, no new thread, or only a few.
 * Each time the answer must be the one read one page at a time, with the same requests,
 * and the account must go on working (a handle given back must not still report to a
 * read that is over). Started by tests/integration/fanout_fault_test.sh (SIM_URL with
 * many pages, KKP_KEYSTORE, BUILD).
 *
 * How it fails them: this program defines curl_easy_init and pthread_create itself and
 * exports them (-rdynamic); the dynamic linker searches the executable first, so the
 * dlopen'ed plugin calls these, which fail when told to and otherwise forward to the real
 * ones. Under ThreadSanitizer pthread_create is the sanitizer's own (it must see every
 * thread start), so that build fails handles only.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugin.h"
#include "tests/lib/cmocka_tap.h"
#include "tests/lib/interpose.h"
#include "tests/lib/plugin_open.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

static const struct kkp_plugin *P;
static const char *sim_url;

/* How many more handles / threads may be made; -1: no limit. Set by the tests. */
static int handles_left = -1, threads_left = -1;
static int handles_refused, threads_refused;

/* 1 when the caller is the plugin: libcurl makes handles of its own too (one per
 * connection cache, on a handle's first transfer), and those are not what is tested. */
static int from_plugin(void *caller) {
  Dl_info info;
  return dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "aircall.so");
}

INTERPOSED CURL *curl_easy_init(void) {
  static CURL *(*real)(void);
  if (!real) real = (CURL * (*)(void)) real_fn("curl_easy_init");
  if (from_plugin(__builtin_return_address(0))) {
    if (handles_left == 0) return handles_refused++, NULL;
    if (handles_left > 0) handles_left--;
  }
  return real();
}

#ifndef UNDER_TSAN
INTERPOSED int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
  static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  if (!real)
    real = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))real_fn("pthread_create");
  if (from_plugin(__builtin_return_address(0))) {
    if (threads_left == 0) return threads_refused++, 11; /* EAGAIN: what a process out of threads gets */
    if (threads_left > 0) threads_left--;
  }
  return real(t, attr, fn, arg);
}
#endif

static struct kkp_account *open_account(void) {
  char cfg[512], *err = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"retry_base_ms\":5}", sim_url);
  if (P->account_init(NULL, "default", cfg, &a, &err)) fail_msg("account_init: %s", err ? err : "?");
  return a;
}

/* The function's result text (it must succeed). */
static char *result(struct kkp_account *a, const char *fn, const char *args) {
  char *out = NULL;
  int rc = P->invoke(a, fn, args, &out);
  if (rc != KKP_OK) fail_msg("%s %s: %d %s", fn, args, rc, out ? out : "(null)");
  char *copy = strdup(out);
  P->free_string(out);
  return copy;
}

/* What each read answers with every resource at hand, one page at a time. */
static char *want_users, *want_scan;
static const char SCAN[] = "{\"q\":\"Zebediah-nobody\"}";

static void expected(void) {
  char cfg[512], *err = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"concurrent_pages\":1}", sim_url);
  if (P->account_init(NULL, "default", cfg, &a, &err)) fail_msg("account_init: %s", err ? err : "?");
  want_users = result(a, "list_users", "{}");
  want_scan = result(a, "list_contacts", SCAN);
  P->account_free(a);
}

/* Both reads, with the limits in force, answer as one page at a time; then, with the
 * limits lifted, the account (and the handles it was given back) still works. */
static void reads_answer_the_same(struct kkp_account *a) {
  char *users = result(a, "list_users", "{}"), *scan = result(a, "list_contacts", SCAN);
  assert_string_equal(users, want_users);
  assert_string_equal(scan, want_scan);
  free(users), free(scan);
  handles_left = threads_left = -1;
  for (int i = 0; i < 3; i++) {
    users = result(a, "list_users", "{}");
    assert_string_equal(users, want_users);
    free(users);
    free(result(a, "get_call", "{\"call_id\":12345}"));
  }
}

static int no_limits(void **state) {
  (void)state;
  handles_left = threads_left = -1;
  handles_refused = threads_refused = 0;
  return 0;
}

static void no_new_handle(void **state) {
  (void)state;
  struct kkp_account *a = open_account();
  free(result(a, "get_call", "{\"call_id\":12345}")); /* the call's own handle, kept */
  handles_left = 0;
  reads_answer_the_same(a);
  assert_true(handles_refused > 0);
  P->account_free(a);
}

static void two_new_handles_only(void **state) {
  (void)state;
  struct kkp_account *a = open_account();
  free(result(a, "get_call", "{\"call_id\":12345}"));
  handles_left = 2;
  reads_answer_the_same(a);
  assert_true(handles_refused > 0);
  P->account_free(a);
}

#ifndef UNDER_TSAN
static void no_new_thread(void **state) {
  (void)state;
  struct kkp_account *a = open_account();
  threads_left = 0;
  reads_answer_the_same(a);
  assert_true(threads_refused > 0);
  P->account_free(a);
}

static void three_new_threads_only(void **state) {
  (void)state;
  struct kkp_account *a = open_account();
  threads_left = 3;
  reads_answer_the_same(a);
  assert_true(threads_refused > 0);
  P->account_free(a);
}
#endif

int main(void) {
  sim_url = getenv("SIM_URL");
  if (!sim_url || !getenv("KKP_KEYSTORE")) {
    printf("not ok 1 - run through tests/integration/fanout_fault_test.sh (needs SIM_URL, KKP_KEYSTORE)\n");
    return 1;
  }
  /* This program's own use of libcurl keeps it linked, so RTLD_NEXT finds it. */
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    printf("not ok 1 - libcurl initialises\n");
    return 1;
  }
  void *lib;
  if (!(P = test_plugin_open(&lib))) return 1;
  expected();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(no_new_handle, no_limits),
      cmocka_unit_test_setup(two_new_handles_only, no_limits),
#ifndef UNDER_TSAN
      cmocka_unit_test_setup(no_new_thread, no_limits),
      cmocka_unit_test_setup(three_new_threads_only, no_limits),
#endif
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  free(want_users), free(want_scan);
  dlclose(lib);
  curl_global_cleanup();
  return failed;
}
