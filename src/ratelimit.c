/*
 * ratelimit.c - reading Aircall's X-AircallApi-Reset header: how long to wait
 * before the rate-limit window reopens. Pure (the clock is an argument), so it
 * is unit-tested and fuzzed on its own.
 */
#include <ctype.h>
#include <string.h>

#include "src/ac.h"

/* Below this a value cannot be a UNIX time of this era (it is 2001-09-09 in
 * seconds): it is a delta in seconds, as some gateways send ("12"). */
#define DELTA_BELOW 1000000000LL
/* From here on a value is UNIX milliseconds (1e11 s is the year 5138). */
#define MS_FROM 100000000000LL
/* Past this nothing is a time of any kind (1e14 ms is the year 5138 again). */
#define ABSURD_FROM 100000000000000LL

/* Digits only, white space around allowed; 0 when it holds anything else or
 * more digits than fit, with *v set as far as it was read. */
static int parse_digits(const char *s, size_t len, long long *v, int *overflow) {
  size_t i = 0, digits = 0;
  *v = 0;
  *overflow = 0;
  while (i < len && isspace((unsigned char)s[i])) i++;
  for (; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
    if (*v > (ABSURD_FROM * 10 - (s[i] - '0')) / 10) *overflow = 1;
    else *v = *v * 10 + (s[i] - '0');
  }
  while (i < len && isspace((unsigned char)s[i])) i++;
  return digits > 0 && i == len;
}

struct ac_reset ac_reset_parse(const char *value, size_t len, long long now_ms) {
  struct ac_reset r = {.wait_ms = -1, .known = 0, .clamped = 0};
  long long v;
  int overflow;
  if (!value || !parse_digits(value, len, &v, &overflow)) return r; /* absent or not a number */
  r.known = 1;
  if (overflow || v >= ABSURD_FROM) {
    r.wait_ms = AC_RESET_MAX_MS;
    r.clamped = 1;
    return r;
  }
  if (v < DELTA_BELOW) r.wait_ms = v * 1000;
  else r.wait_ms = (v < MS_FROM ? v * 1000 : v) - now_ms; /* a moment: in the past means now */
  if (r.wait_ms < 0) r.wait_ms = 0;
  if (r.wait_ms > AC_RESET_MAX_MS) {
    r.wait_ms = AC_RESET_MAX_MS;
    r.clamped = 1;
  }
  return r;
}
