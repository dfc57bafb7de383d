/*
 * json_test.c - the strict parser every JSON text from the host or Aircall
 * goes through, and the typed getters over it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"

static void accepts_exactly_one_value(void **state) {
  (void)state;
  static const char *const good[] = {"{}", " {\"a\": [1, 2.5, \"x\", null, true]} \n", "[]", "\"s\""};
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    json_object *j = ac_json_parse(good[i], strlen(good[i]));
    if (!j) fail_msg("refused %s", good[i]);
    json_object_put(j);
  }
}

static void refuses_what_json_does_not_allow(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", "{", "{\"a\":1,}", "{} x", "{}{}", "[1,]", "{\"a\" 1}", "nul", "{\"a\":01}",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_object *j = ac_json_parse(bad[i], strlen(bad[i]));
    if (j) fail_msg("accepted \"%s\" as %s", bad[i], json_object_to_json_string(j));
  }
  /* json-c reads NaN and single quotes even when strict; validation refuses NaN
   * wherever a number is expected (validate_test). */
  /* A NUL inside the text is not white space. */
  assert_null(ac_json_parse("{}\0 ", 4));
}

static void typed_getters(void **state) {
  (void)state;
  const char *text = "{\"s\":\"x\",\"i\":7,\"d\":7.0,\"n\":null,\"b\":true}";
  json_object *o = ac_json_parse(text, strlen(text));
  assert_non_null(o);
  assert_string_equal(ac_json_str(o, "s"), "x");
  assert_null(ac_json_str(o, "i"));
  assert_null(ac_json_str(o, "n"));
  assert_int_equal(ac_json_int(o, "i", -1), 7);
  assert_int_equal(ac_json_int(o, "d", -1), 7); /* a Lua float such as 7.0 */
  assert_int_equal(ac_json_int(o, "b", -1), -1);
  assert_int_equal(ac_json_int(o, "missing", -1), -1);
  assert_int_equal(ac_json_int(NULL, "i", -2), -2);
  json_object_put(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(accepts_exactly_one_value),
                                     cmocka_unit_test(refuses_what_json_does_not_allow),
                                     cmocka_unit_test(typed_getters)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
