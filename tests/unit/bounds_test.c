/*
 * bounds_test.c - arguments outside the ranges the plugin can honour are
 * refused before anything is sent: integers json-c would clamp, the record cap
 * at pages where page * per_page overflows, and the JSON depth limit that the
 * plugin's parser and scanner share with the host (KKP_JSON_MAX_DEPTH).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"

static int validate(const char *fn, const char *args_text, char *message, size_t cap) {
  json_object *params, *args = json_tokener_parse(args_text);
  struct ac_error e;
  ac_error_init(&e);
  assert_non_null(args);
  assert_true(json_object_object_get_ex(ac_manifest_function(fn), "parameters", &params));
  int rc = ac_validate_object(fn, params, args, &e);
  snprintf(message, cap, "%s", e.message);
  ac_error_clear(&e);
  json_object_put(args);
  return rc;
}

static void integers_json_c_would_clamp_are_refused(void **state) {
  (void)state;
  static const struct {
    const char *fn, *args, *message;
  } rows[] = {
      {"list_calls", "{\"page\":99999999999999999999}", "page is out of range"},
      {"list_calls", "{\"page\":18446744073709551615}", "(got 18446744073709551615)"},
      {"list_calls", "{\"page\":9223372036854775807}", "page is out of range"},
      {"list_calls", "{\"page\":4611686018427387904}", "page is out of range"},
      {"get_call", "{\"call_id\":99999999999999999999}", "call_id is out of range"},
      {"update_contact", "{\"contact_id\":9007199254740992,\"first_name\":\"A\"}",
       "contact_id is out of range"},
      {"list_calls", "{\"user_id\":-99999999999999999999}", "user_id is out of range"},
      {"list_calls", "{\"tags\":[99999999999999999999]}", "tags[0] is out of range"},
      {"list_calls", "{\"number_id\":1e300}", "number_id must be an integer"},
      {"list_calls", "{\"per_page\":1e300}", "per_page must be an integer"},
  };
  char m[1024];
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    int rc = validate(rows[i].fn, rows[i].args, m, sizeof(m));
    if (rc != KKP_ERR_INVALID_ARGUMENT || !strstr(m, rows[i].message))
      fail_msg("%s %s: got %d \"%s\", want \"%s\"", rows[i].fn, rows[i].args, rc, m, rows[i].message);
  }
  /* The largest exact integer still passes. */
  assert_int_equal(validate("get_call", "{\"call_id\":9007199254740991}", m, sizeof(m)), KKP_OK);
}

static void the_record_cap_never_overflows(void **state) {
  (void)state;
  struct ac_ctx c = {0};
  static const long long pages[] = {1LL << 62, (1LL << 62) + 1, 9223372036854775807LL, 1LL << 53, 201};
  for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
    ac_error_init(&c.err);
    assert_int_equal(ac_page_within_cap(&c, pages[i], 50, "narrow it"), KKP_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(c.err.message, "starts past record 10,000"));
    ac_error_clear(&c.err);
  }
  ac_error_init(&c.err);
  assert_int_equal(ac_page_within_cap(&c, 200, 50, "x"), KKP_OK);
  assert_int_equal(ac_page_within_cap(&c, 10000, 1, "x"), KKP_OK);
  assert_int_equal(ac_page_within_cap(&c, 10001, 1, "x"), KKP_ERR_INVALID_ARGUMENT);
  ac_error_clear(&c.err);
  assert_int_equal(ac_page_within_cap(&c, 1, 9223372036854775807LL, "x"), KKP_OK);
  ac_error_clear(&c.err);
  assert_int_equal(ac_page_within_cap(&c, 2, 9223372036854775807LL, "x"), KKP_ERR_INVALID_ARGUMENT);
  ac_error_clear(&c.err);
  assert_int_equal(ac_page_within_cap(&c, 0, 50, "x"), KKP_ERR_INVALID_ARGUMENT);
  ac_error_clear(&c.err);
}

/* An object `depth` levels deep as json-c counts (plugin.h): {"a":{"a":...{}}},
 * or with a scalar as the deepest level: {"a":{"a":...1}}. */
static char *nested(int depth, int scalar) {
  char *s = malloc((size_t)depth * 6 + 2), *p = s;
  int objects = scalar ? depth - 1 : depth;
  for (int i = 0; i < objects; i++) p += sprintf(p, "%s", i + 1 < objects || scalar ? "{\"a\":" : "{");
  if (scalar) *p++ = '1';
  for (int i = 0; i < objects; i++) *p++ = '}';
  *p = '\0';
  return s;
}

static void one_json_depth_limit(void **state) {
  (void)state;
  for (int n = 0; n < 4; n++) {
    int depth = KKP_JSON_MAX_DEPTH + n % 2, scalar = n / 2;
    char *text = nested(depth, scalar);
    json_object *j = ac_json_parse(text, strlen(text));
    /* get_call's scanner: {"call": ...} as deep. */
    char *inner = nested(depth - 1, scalar), *call = malloc(strlen(inner) + 16);
    sprintf(call, "{\"call\":%s}", inner);
    free(inner);
    char *spliced = ac_call_splice_parties(call, strlen(call));
    if ((depth <= KKP_JSON_MAX_DEPTH) != (j != NULL) || (depth <= KKP_JSON_MAX_DEPTH) != (spliced != NULL))
      fail_msg("%d levels%s: json-c %s, the scanner %s", depth, scalar ? " (a scalar deepest)" : "",
               j ? "accepts" : "refuses", spliced ? "accepts" : "refuses");
    json_object_put(j);
    free(spliced);
    free(call);
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(integers_json_c_would_clamp_are_refused),
      cmocka_unit_test(the_record_cap_never_overflows),
      cmocka_unit_test(one_json_depth_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
