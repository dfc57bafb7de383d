/*
 * ratelimit_test.c - X-AircallApi-Reset as Aircall and gateways send it: a small
 * delta in seconds, a UNIX moment in seconds or milliseconds, and broken values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"

/* 2026-11-30T12:00:00Z in UNIX milliseconds: the clock of every row. */
#define NOW_MS 1796040000000LL

static struct ac_reset parse(const char *s) {
  return ac_reset_parse(s, s ? strlen(s) : 0, NOW_MS);
}

static void deltas_are_seconds_from_now(void **state) {
  (void)state;
  static const struct {
    const char *text;
    long long want_ms;
  } rows[] = {
      {"12", 12000}, {"0", 0}, {"1", 1000}, {" 60\r\n", 60000}, {"3600", 3600000}, {"007", 7000},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct ac_reset r = parse(rows[i].text);
    if (!r.known || r.clamped || r.wait_ms != rows[i].want_ms)
      fail_msg("\"%s\": known %d clamped %d wait %lld, want %lld", rows[i].text, r.known, r.clamped,
               r.wait_ms, rows[i].want_ms);
  }
}

static void moments_in_seconds_and_milliseconds(void **state) {
  (void)state;
  char s[32];
  snprintf(s, sizeof(s), "%lld", NOW_MS / 1000 + 42); /* UNIX seconds, 42 s ahead */
  assert_int_equal(parse(s).wait_ms, 42000);
  snprintf(s, sizeof(s), "%lld", NOW_MS + 1500); /* UNIX milliseconds */
  assert_int_equal(parse(s).wait_ms, 1500);
  snprintf(s, sizeof(s), "%lld", NOW_MS / 1000 - 5); /* already past: no wait, not absurd */
  struct ac_reset r = parse(s);
  assert_int_equal(r.wait_ms, 0);
  assert_false(r.clamped);
  snprintf(s, sizeof(s), "%lld", NOW_MS - 1);
  assert_int_equal(parse(s).wait_ms, 0);
}

static void absurd_values_are_clamped_and_flagged(void **state) {
  (void)state;
  static const char *const rows[] = {
      "999999999",            /* a delta of 31 years */
      "99999999999",          /* UNIX seconds in the year 5138 */
      "99999999999999",       /* UNIX milliseconds past any window */
      "99999999999999999999", /* past long long */
      "123456789012345678901234567890123456789012345",
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct ac_reset r = parse(rows[i]);
    if (!r.known || !r.clamped || r.wait_ms != AC_RESET_MAX_MS)
      fail_msg("\"%s\": known %d clamped %d wait %lld", rows[i], r.known, r.clamped, r.wait_ms);
  }
}

static void not_a_number_is_unknown(void **state) {
  (void)state;
  static const char *const rows[] = {"", "  ", "-5", "+5", "12s", "1.5", "0x10", "abc", "1 2", NULL};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct ac_reset r = parse(rows[i]);
    if (r.known || r.wait_ms != -1)
      fail_msg("\"%s\": known %d wait %lld", rows[i] ? rows[i] : "(null)", r.known, r.wait_ms);
  }
  /* Not NUL-terminated: only len bytes are read. */
  assert_int_equal(ac_reset_parse("12345", 2, NOW_MS).wait_ms, 12000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(deltas_are_seconds_from_now),
      cmocka_unit_test(moments_in_seconds_and_milliseconds),
      cmocka_unit_test(absurd_values_are_clamped_and_flagged),
      cmocka_unit_test(not_a_number_is_unknown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
