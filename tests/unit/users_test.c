/*
 * users_test.c - first_name/last_name split from Aircall's single `name`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "src/ac.h"

static void split(const char *user_json, const char *first, const char *last) {
  json_object *u = json_tokener_parse(user_json);
  ac_user_add_names(u);
  assert_string_equal(ac_json_str(u, "first_name"), first);
  assert_string_equal(ac_json_str(u, "last_name"), last);
  json_object_put(u);
}

static void last_word_is_the_last_name(void **state) {
  (void)state;
  split("{\"name\":\"Jane Smith\"}", "Jane", "Smith");
  split("{\"name\":\"Mary Ann Smith\"}", "Mary Ann", "Smith");
  split("{\"name\":\"  Jane   Smith  \"}", "Jane", "Smith");
  split("{\"name\":\"Madonna\"}", "Madonna", "");
  split("{\"name\":\"\"}", "", "");
  split("{\"name\":null}", "", "");
}

static void aircall_names_are_kept(void **state) {
  (void)state;
  split("{\"name\":\"Jane Smith\",\"first_name\":\"J.\",\"last_name\":\"S.\"}", "J.", "S.");
  split("{\"name\":\"Jane Smith\",\"first_name\":\"Janet\"}", "Janet", "Smith");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(last_word_is_the_last_name),
                                     cmocka_unit_test(aircall_names_are_kept)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
