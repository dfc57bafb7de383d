/*
 * iso8601_test.c - the date forms agents write, as the UNIX seconds Aircall takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"

static void accepted_forms(void **state) {
  (void)state;
  static const struct {
    const char *text;
    long long want;
  } rows[] = {
      {"2026-01-01T00:00:00Z", 1767225600},
      {"2026-01-31T23:59:59Z", 1769903999},
      {"2026-01-01", 1767225600},
      {"2026-01-01T01:00:00+01:00", 1767225600},
      {"2025-12-31T19:00:00-05:00", 1767225600},
      {"2026-01-01T00:00:00.999Z", 1767225600},
      {"2026-01-01T00:00Z", 1767225600},
      {"2026-01-01T05:30:00+0530", 1767225600},
      {"2026-01-01 00:00:00Z", 1767225600},
      {"2026-01-01T00:00:00", 1767225600},
      {"2024-02-29T12:00:00Z", 1709208000},
      {"2000-02-29", 951782400}, /* divisible by 400: a leap year */
      {"1970-01-01T00:00:00Z", 0},
      {"2016-12-31T23:59:60Z", 1483228799},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    long long got = -1;
    if (ac_iso8601_parse(rows[i].text, &got) != 0 || got != rows[i].want)
      fail_msg("%s: got %lld, want %lld", rows[i].text, got, rows[i].want);
  }
}

static void refused_forms(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "yesterday",
      "2026-13-01",
      "2026-02-30",
      "2025-02-29",
      "2100-02-29", /* a century is a leap year only when divisible by 400 */
      "2026-01-01T24:00:00Z",
      "2026-01-01T10:61:00Z",
      "2026-1-1",
      "01/02/2026",
      "2026-01-01T00:00:00Q",
      "2026-01-01T00:00:00.Z",
      "2026-01-01T00:00:00+25:00",
      "1969-12-31",
      "2026-01-01Tnoon",
      "2026-01-01T00:00:00Z trailing",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    long long got;
    if (ac_iso8601_parse(bad[i], &got) == 0) fail_msg("accepted \"%s\" as %lld", bad[i], got);
  }
  long long got;
  assert_int_equal(ac_iso8601_parse(NULL, &got), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(accepted_forms), cmocka_unit_test(refused_forms)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
