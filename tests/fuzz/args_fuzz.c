/*
 * args_fuzz.c - libFuzzer target: any bytes as a function's arguments must give
 * either a valid result of validation or a clean invalid_argument, never a crash.
 * The first byte picks the function.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const fns[] = {"list_calls",     "get_call",   "list_contacts", "create_contact",
                                    "update_contact", "list_users", "list_numbers",  "get_current_user"};
  if (size < 1) return 0;
  const char *fn = fns[data[0] % 8];
  json_tokener *tok = json_tokener_new();
  json_object *args = json_tokener_parse_ex(tok, (const char *)data + 1, (int)(size - 1));
  json_tokener_free(tok);
  json_object *params;
  json_object_object_get_ex(ac_manifest_function(fn), "parameters", &params);
  struct ac_error e;
  ac_error_init(&e);
  int rc = ac_validate_object(fn, params, args, &e);
  if (rc != KKP_OK && (rc != KKP_ERR_INVALID_ARGUMENT || e.message[0] == '\0')) abort();
  char *json = ac_error_json(&e);
  free(json);
  ac_error_clear(&e);
  json_object_put(args);
  return 0;
}
