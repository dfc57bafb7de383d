/*
 * formats_fuzz.c - libFuzzer target for the pure parsers agents feed directly:
 * ISO-8601 dates, phone numbers, emails, user names, call parties.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  long long t;
  if (ac_iso8601_parse(s, &t) == 0 && t < 0) abort(); /* dates before 1970 are refused */
  char out[64];
  int digits = ac_phone_digits(s);
  ac_phone_normalise(s, out, sizeof(out));
  if (digits >= 0 && digits < 60 && strlen(out) > (size_t)digits + 1) abort();
  (void)ac_email_valid(s);
  json_object *u = json_object_new_object();
  json_object_object_add(u, "name", json_object_new_string(s));
  ac_user_add_names(u);
  json_object_object_add(u, "direction", json_object_new_string(size % 2 ? "inbound" : "outbound"));
  json_object_object_add(u, "raw_digits", json_object_new_string(s));
  ac_call_add_parties(u);
  json_object_put(u);
  /* Whatever the scanner accepts and splices, json-c must read as the same call plus from/to. */
  char *spliced = ac_call_splice_parties(s, size);
  if (spliced) {
    json_object *a = json_tokener_parse(spliced), *b = json_tokener_parse(s), *call;
    if (!a || !b || !json_object_object_get_ex(b, "call", &call)) abort();
    ac_call_add_parties(call);
    if (!json_object_equal(a, b)) abort();
    json_object_put(a);
    json_object_put(b);
    free(spliced);
  }
  free(s);
  return 0;
}
