/*
 * error_test.c - the error JSON of docs/SPEC.md §1: code, message, optional members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"
#include "src/account.h"

static void full_error_object(void **state) {
  (void)state;
  struct ac_error e;
  ac_error_init(&e);
  ac_fail(&e, KKP_ERR_RATE_LIMITED, "slow down (%d)", 3);
  e.http_status = 429;
  e.retry_after_s = 12;
  e.retryable = 1;
  ac_error_detail(&e, "parameter", json_object_new_string("per_page"));
  char *s = ac_error_json(&e);
  assert_string_equal(
      s, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down (3)\",\"retryable\":true,"
         "\"http_status\":429,\"retry_after_s\":12,\"details\":{\"parameter\":\"per_page\"}}}");
  free(s);
  ac_error_clear(&e);
}

static void optional_members_are_omitted(void **state) {
  (void)state;
  struct ac_error e;
  ac_error_init(&e);
  ac_fail(&e, KKP_ERR_INVALID_ARGUMENT, "bad");
  char *s = ac_error_json(&e);
  assert_string_equal(s,
                      "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"bad\",\"retryable\":false}}");
  free(s);
  assert_string_equal(ac_status_code(KKP_ERR_CONFIG), "config_error");
  assert_string_equal(ac_status_code(KKP_ERR_UPSTREAM), "upstream_error");
  assert_string_equal(ac_status_code(42), "internal_error");
}

static void base_url_must_be_https_or_loopback(void **state) {
  (void)state;
  static const struct {
    const char *url;
    int ok;
  } rows[] = {
      {"https://api.aircall.io", 1},
      {"http://127.0.0.1:8080", 1},
      {"http://localhost:1", 1},
      {"http://[::1]:9", 1},
      {"http://api.aircall.io", 0},
      {"http://127.0.0.1.evil.example", 0},
      {"ftp://x", 0},
      {"https://user:pw@api.aircall.io", 0},
      {"https://api.aircall.io/?x=1", 0},
      {"http://localhost.evil.example", 0},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct ac_error e;
    ac_error_init(&e);
    int rc = ac_check_base_url(rows[i].url, &e);
    if ((rc == KKP_OK) != rows[i].ok) fail_msg("%s: got %d (%s)", rows[i].url, rc, e.message);
    if (!rows[i].ok) assert_int_equal(rc, KKP_ERR_CONFIG);
    ac_error_clear(&e);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(full_error_object),
                                     cmocka_unit_test(optional_members_are_omitted),
                                     cmocka_unit_test(base_url_must_be_https_or_loopback)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
