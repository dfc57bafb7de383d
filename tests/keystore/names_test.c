/*
 * names_test.c - the keystore's pure parts: which plugin and account names are
 * accepted, where the default keystore lives, and the status and kind names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keystore/ks.h"

static void names_valid_and_invalid(void **state) {
  (void)state;
  const char *good[] = {"a",   "default", "sales-EU_2",
                        "x.y", ".hidden", "...",
                        "-",   "_",       "0123456789012345678901234567890123456789012345678901234567890123"};
  const char *bad[] = {"",     ".",   "..",
                       "a/b",  "a b", "ä",
                       "a\n",  "a:b", "../x",
                       "a\\b", "*",   "01234567890123456789012345678901234567890123456789012345678901234"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) assert_int_equal(ks_name_valid(good[i]), 1);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_int_equal(ks_name_valid(bad[i]), 0);
  assert_int_equal(ks_name_valid(NULL), 0);
}

static void dir_default_order(void **state) {
  (void)state;
  char buf[512];
  struct ks_error e;
  setenv("KKP_KEYSTORE", "/k/store", 1);
  setenv("KOSMO_HOME", "/kosmo", 1);
  setenv("HOME", "/home/u", 1);
  assert_int_equal(ks_dir_default(buf, sizeof buf, &e), KS_OK);
  assert_string_equal(buf, "/k/store");
  unsetenv("KKP_KEYSTORE");
  assert_int_equal(ks_dir_default(buf, sizeof buf, &e), KS_OK);
  assert_string_equal(buf, "/kosmo/keystore");
  setenv("KOSMO_HOME", "", 1); /* empty counts as unset */
  assert_int_equal(ks_dir_default(buf, sizeof buf, &e), KS_OK);
  assert_string_equal(buf, "/home/u/.kosmokrator/keystore");
  unsetenv("KOSMO_HOME");
  assert_int_equal(ks_dir_default(buf, sizeof buf, &e), KS_OK);
  assert_string_equal(buf, "/home/u/.kosmokrator/keystore");
}

static void dir_default_too_long(void **state) {
  (void)state;
  char small[8];
  struct ks_error e;
  setenv("KKP_KEYSTORE", "/a/rather/long/path", 1);
  assert_int_equal(ks_dir_default(small, sizeof small, &e), KS_ERR_INVALID);
  assert_non_null(strstr(e.message, "too long"));
  unsetenv("KKP_KEYSTORE");
}

static void status_and_kind_names(void **state) {
  (void)state;
  assert_string_equal(ks_status_name(KS_OK), "ok");
  assert_string_equal(ks_status_name(KS_ERR_CORRUPT), "corrupt");
  assert_string_equal(ks_status_name(KS_ERR_PASSPHRASE), "passphrase");
  assert_string_equal(ks_status_name(KS_ERR_STALE_KEY), "stale_key");
  assert_string_equal(ks_status_name((ks_status)99), "unknown");
  assert_string_equal(ks_kind_name(KS_KIND_BEARER), "bearer");
  assert_string_equal(ks_kind_name(KS_KIND_BASIC), "basic");
  assert_null(ks_kind_name((ks_kind)7));
  assert_int_equal(ks_kind_from_name("basic"), KS_KIND_BASIC);
  assert_int_equal(ks_kind_from_name("oauth"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_valid_and_invalid),
      cmocka_unit_test(dir_default_order),
      cmocka_unit_test(dir_default_too_long),
      cmocka_unit_test(status_and_kind_names),
  };
  return cmocka_run_group_tests_name("keystore names", tests, NULL, NULL);
}
