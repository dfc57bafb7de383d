/*
 * numbers.c - list_numbers. Aircall calls the digits `digits`; agents read
 * `number`, and E.164 is what other APIs and list_calls' filters take.
 */
#include <stdio.h>

#include "src/ac.h"

int ac_list_numbers(struct ac_ctx *c, json_object *args, json_object **result) {
  (void)args;
  json_object *numbers = NULL, *ignored;
  int rc = ac_http_all_pages(c, "/v1/numbers", "numbers", &numbers);
  if (rc) return rc;
  for (size_t i = 0; i < json_object_array_length(numbers); i++) {
    static const char what[] = "GET /v1/numbers";
    json_object *n;
    const char *digits;
    char e164[64], at[32];
    snprintf(at, sizeof(at), "numbers[%zu]", i + 1);
    if ((rc = ac_json_item(&c->err, what, numbers, "numbers", i, json_type_object, &n)) ||
        (rc = ac_json_member_string(&c->err, what, n, at, "digits", AC_JSON_OPTIONAL, &digits))) {
      json_object_put(numbers);
      return rc;
    }
    ac_phone_normalise(digits ? digits : "", e164, sizeof(e164));
    if (!json_object_object_get_ex(n, "number", &ignored))
      json_object_object_add(n, "number", json_object_new_string(digits ? digits : ""));
    if (!json_object_object_get_ex(n, "e164", &ignored))
      json_object_object_add(n, "e164", json_object_new_string(e164));
  }
  *result = json_object_new_object();
  json_object_object_add(*result, "numbers", numbers);
  return KKP_OK;
}
