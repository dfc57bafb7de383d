/*
 * calls_test.c - from/to derived from a call's direction, raw_digits and number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"

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
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"+1 800-123-4567\",\"number\":{\"digits\":\"+33 1 76 "
          "11 11 11\"}}",
          "+1 800-123-4567", "+33 1 76 11 11 11");
  parties("{\"direction\":\"outbound\",\"raw_digits\":\"+1 800-123-4567\",\"number\":{\"digits\":\"+33 1 76 "
          "11 11 11\"}}",
          "+33 1 76 11 11 11", "+1 800-123-4567");
}

static void missing_sides_become_unknown(void **state) {
  (void)state;
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"anonymous\",\"number\":null}", "anonymous", "unknown");
  parties("{\"direction\":\"outbound\",\"raw_digits\":\"\",\"number\":{\"digits\":\"+33 1\"}}", "+33 1",
          "unknown");
  parties("{\"raw_digits\":\"+1 800\"}", "unknown", "unknown");
}

static void aircall_fields_are_never_replaced(void **state) {
  (void)state;
  parties("{\"direction\":\"inbound\",\"raw_digits\":\"+1\",\"from\":\"kept\",\"to\":\"kept too\"}", "kept",
          "kept too");
}

/* The spliced text and the json-c path must agree on every shape of call. */
static void splicing_agrees_with_the_tree(void **state) {
  (void)state;
  static const char *const calls[] = {
      "{\"direction\":\"inbound\",\"raw_digits\":\"+1 800-123-4567\",\"number\":{\"digits\":\"+33 1 76 11 11 "
      "11\"}}",
      "{\"direction\":\"outbound\",\"raw_digits\":\"+1 800\",\"number\":{\"id\":1,\"digits\":\"+33 "
      "\\u0031\"}}",
      "{\"direction\":\"inbound\",\"raw_digits\":\"anonymous\",\"number\":null}",
      "{\"direction\":\"outbound\",\"raw_digits\":\"\",\"number\":{\"digits\":\"+33 1\"}}",
      "{\"raw_digits\":\"+1 800\"}",
      "{}",
      "{\"direction\":\"outbound\",\"number\":{\"digits\":\"first\"},\"number\":{\"digits\":\"last wins\"}}",
      " { \"direction\" : \"inbound\" , \"raw_digits\" : \"+1\" , \"from\" : \"kept\" } ",
      "{\"direction\":\"inbound\",\"to\":\"kept\",\"nested\":{\"from\":1,\"a\":[1,2,{\"b\":null}]},\"raw_"
      "digits\":\"x\"}",
  };
  for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
    char text[512];
    snprintf(text, sizeof(text), "{\"call\":%s,\"extra\":[true,false,-1.5e3]}", calls[i]);
    char *spliced = ac_call_splice_parties(text, strlen(text));
    assert_non_null(spliced);
    json_object *a = json_tokener_parse(spliced), *b = json_tokener_parse(text), *call;
    if (!a) fail_msg("splice made invalid JSON: %s", spliced);
    json_object_object_get_ex(b, "call", &call);
    ac_call_add_parties(call);
    if (!json_object_equal(a, b))
      fail_msg("case %zu differs:\n spliced %s\n tree    %s", i, spliced, json_object_to_json_string(b));
    json_object_put(a);
    json_object_put(b);
    free(spliced);
  }
}

static void splicing_refuses_what_is_not_a_call_answer(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "[]",
      "{\"call\":null}",
      "{\"calls\":[{}]}",
      "{\"call\":{}",
      "{\"call\":{}} x",
      "{\"call\":{\"a\":01}}",
      "{\"call\":{\"a\":\"\\x\"}}",
      "{\"call\":{\"a\":tru}}",
      "{\"call\":{\"a\":[1,]}}",
      "{\"call\":{\"a\":\"unterminated}}",
      "{\"call\":{\"a\" 1}}",
      "{'call':{}}",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char *s = ac_call_splice_parties(bad[i], strlen(bad[i]));
    if (s) fail_msg("accepted \"%s\" as %s", bad[i], s);
  }
  /* Nesting deeper than json-c accepts is refused too. */
  char deep[200] = "{\"call\":{\"a\":";
  for (int i = 0; i < 40; i++) strcat(deep, "[");
  for (int i = 0; i < 40; i++) strcat(deep, "]");
  strcat(deep, "}}");
  assert_null(ac_call_splice_parties(deep, strlen(deep)));
  assert_null(json_tokener_parse(deep)); /* json-c refuses it as well */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(direction_decides_the_sides), cmocka_unit_test(missing_sides_become_unknown),
      cmocka_unit_test(aircall_fields_are_never_replaced), cmocka_unit_test(splicing_agrees_with_the_tree),
      cmocka_unit_test(splicing_refuses_what_is_not_a_call_answer)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
