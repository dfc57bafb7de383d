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
      {"https://api.aircall.io/a b", 0},
      {"https://api.aircall.io\t", 0},
      {"https://@api.aircall.io", 0},
      {"https://api.aircall.io/#", 0},
      {"https://api.aircall.io/?", 0},
      {"https://", 0},
      {"http://", 0},
      {"HTTP://127.0.0.1:8080", 0},
      {"http://127.0.0.1:8080/prefix", 1},
      {"http://[::1]", 1},
      {"http://[::2]:9", 0},
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

/* Appending never overflows the message, however long the text. */
static void append_stays_within_the_message(void **state) {
  (void)state;
  struct ac_error e;
  ac_error_init(&e);
  ac_fail(&e, KKP_ERR_NETWORK, "lost");
  ac_error_append(&e, " (after %d attempts)", 3);
  assert_string_equal(e.message, "lost (after 3 attempts)");
  for (int i = 0; i < 200; i++) ac_error_append(&e, "%s", "0123456789");
  assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
  ac_error_clear(&e);
}

/* Moving an error hands its details over once: the source is left empty, the
 * target's old details are released (ASan/valgrind would see a leak or a double put). */
static void move_hands_the_details_over(void **state) {
  (void)state;
  struct ac_error a, b;
  ac_error_init(&a);
  ac_error_init(&b);
  ac_fail(&a, KKP_ERR_UPSTREAM, "first");
  a.http_status = 502;
  ac_error_detail(&a, "aircall", json_object_new_string("boom"));
  ac_fail(&b, KKP_ERR_NETWORK, "second");
  ac_error_detail(&b, "cut_short", json_object_new_string("GET /v1/calls"));
  ac_error_move(&b, &a);
  assert_int_equal(a.status, KKP_OK);
  assert_null(a.details);
  assert_int_equal(a.retry_after_s, -1);
  assert_string_equal(a.message, "");
  assert_int_equal(b.status, KKP_ERR_UPSTREAM);
  assert_int_equal(b.http_status, 502);
  assert_string_equal(b.message, "first");
  char *s = ac_error_json(&b);
  assert_non_null(strstr(s, "\"details\":{\"aircall\":\"boom\"}"));
  free(s);
  ac_error_move(&b, &b); /* onto itself: unchanged */
  assert_string_equal(b.message, "first");
  ac_error_clear(&a);
  ac_error_clear(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(full_error_object), cmocka_unit_test(optional_members_are_omitted),
      cmocka_unit_test(base_url_must_be_https_or_loopback), cmocka_unit_test(append_stays_within_the_message),
      cmocka_unit_test(move_hands_the_details_over)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
