/*
 * reset_fuzz.c - libFuzzer target for the X-AircallApi-Reset parser: any header
 * value gives a wait within [0, AC_RESET_MAX_MS] or "unknown", never more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  long long now = 1796040000000LL;
  if (size >= 8) { /* the first bytes choose the clock, the rest is the value */
    uint64_t v;
    memcpy(&v, data, 8);
    now = (long long)(v % 4102444800000ULL); /* 1970 .. 2100 */
    data += 8;
    size -= 8;
  }
  struct ac_reset r = ac_reset_parse((const char *)data, size, now);
  if (!r.known && r.wait_ms != -1) abort();
  if (r.known && (r.wait_ms < 0 || r.wait_ms > AC_RESET_MAX_MS)) abort();
  if (r.clamped && r.wait_ms != AC_RESET_MAX_MS) abort();
  return 0;
}
