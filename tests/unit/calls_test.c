/*
 * calls_test.c - from/to derived from a call's direction, raw_digits and number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "src/ac.h"

static void parties(const char *call_json, const char *from, const char *to) {
  json_object *c = json_tokener_parse(call_json);
  assert_non_null(c);
  ac_call_add_parties(c);
  assert_string_equal(ac_json_str(c, "from"), from);
  assert_string_equal(ac_json_str(c, "to"), to);
  json_object_put(c);
}

static void direction_decides_the_sides(void **state) {
  (void)state;
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"+1 800-123-4567\",\"number\":{\"digits\":\"+33 1 76 11 11 11\"}}",
          "+1 800-123-4567", "+33 1 76 11 11 11");
  parties("{\"direction\":\"outbound\",\"raw_digits\":\"+1 800-123-4567\",\"number\":{\"digits\":\"+33 1 76 11 11 11\"}}",
          "+33 1 76 11 11 11", "+1 800-123-4567");
}

static void missing_sides_become_unknown(void **state) {
  (void)state;
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"anonymous\",\"number\":null}", "anonymous", "unknown");
  parties("{\"direction\":\"outbound\",\"raw_digits\":\"\",\"number\":{\"digits\":\"+33 1\"}}", "+33 1", "unknown");
  parties("{\"raw_digits\":\"+1 800\"}", "unknown", "unknown");
}

static void aircall_fields_are_never_replaced(void **state) {
  (void)state;
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"+1\",\"from\":\"kept\",\"to\":\"kept too\"}", "kept", "kept too");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(direction_decides_the_sides),
                                     cmocka_unit_test(missing_sides_become_unknown),
                                     cmocka_unit_test(aircall_fields_are_never_replaced)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
