/*
 * redact_test.c - the account's credential is overwritten wherever it is echoed,
 * including a copy cut short at the end of a message that had to be truncated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"

static void every_copy_and_every_form(void **state) {
  (void)state;
  struct kkp_account a;
  memset(&a, 0, sizeof a);
  char b64[] = "a2V5LWlkOmtleS01ZWNyZXQ=", pair[] = "key-id:key-5ecret", secret[] = "key-5ecret";
  a.redact[0] = b64;
  a.redact[1] = pair;
  a.redact[2] = secret;
  char s[] = "Basic a2V5LWlkOmtleS01ZWNyZXQ= then key-id:key-5ecret and key-5ecret, key-5ecret.";
  ac_redact(&a, s);
  assert_string_equal(s, "Basic ************************ then ***************** and **********, **********.");
}

static void a_copy_cut_at_the_end(void **state) {
  (void)state;
  struct kkp_account a;
  memset(&a, 0, sizeof a);
  char token[] = "tok-acme-5ecret";
  a.redact[0] = token;
  char s[] = "upstream said: Bearer tok-acm";
  ac_redact(&a, s);
  assert_string_equal(s, "upstream said: Bearer *******");
  char t[] = "ends in tok"; /* three characters: too short to be told from ordinary text */
  ac_redact(&a, t);
  assert_string_equal(t, "ends in tok");
  ac_redact(NULL, t);
  ac_redact(&a, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_copy_and_every_form),
      cmocka_unit_test(a_copy_cut_at_the_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
