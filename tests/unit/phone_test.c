/*
 * phone_test.c - what counts as a phone number or an email, and the E.164 form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"

static void digits_are_counted_and_junk_refused(void **state) {
  (void)state;
  assert_int_equal(ac_phone_digits("+33 6 12 34 56 78"), 11);
  assert_int_equal(ac_phone_digits("+1 (800) 123-4567"), 11);
  assert_int_equal(ac_phone_digits("06.12.34.56.78"), 10);
  assert_int_equal(ac_phone_digits("John"), -1);
  assert_int_equal(ac_phone_digits("12+34"), -1);
  assert_int_equal(ac_phone_digits("anonymous"), -1);
  assert_int_equal(ac_phone_digits(""), 0);
}

static void normalised_to_e164(void **state) {
  (void)state;
  char out[32];
  ac_phone_normalise("+33 1 76 11 11 11", out, sizeof(out));
  assert_string_equal(out, "+33176111111");
  ac_phone_normalise("+1 800-123-4567", out, sizeof(out));
  assert_string_equal(out, "+18001234567");
  ac_phone_normalise("(06) 12.34", out, sizeof(out));
  assert_string_equal(out, "061234");
  ac_phone_normalise("+123456789", out, 5);
  assert_string_equal(out, "+123");
}

static void emails_need_one_at_with_text_around(void **state) {
  (void)state;
  assert_true(ac_email_valid("jane.smith@acme.example"));
  assert_true(ac_email_valid("a@b"));
  assert_false(ac_email_valid("@acme.example"));
  assert_false(ac_email_valid("jane@"));
  assert_false(ac_email_valid("jane"));
  assert_false(ac_email_valid("a@b@c"));
  assert_false(ac_email_valid("jane smith@acme.example"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(digits_are_counted_and_junk_refused),
      cmocka_unit_test(normalised_to_e164),
      cmocka_unit_test(emails_need_one_at_with_text_around),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
