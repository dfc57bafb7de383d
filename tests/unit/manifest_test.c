/*
 * manifest_test.c - the manifest is the one description of the functions:
 * describe() returns its bytes, every function has a handler, and each
 * parameter matches the agent reference (seeds/aircall-agent-doc.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = malloc((size_t)n + 1);
  assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

static void describe_returns_the_manifest_bytes(void **state) {
  (void)state;
  char *file = read_file("manifest/aircall.json");
  const struct kkp_plugin *p = kkp_plugin_entry(KKP_ABI_MAJOR, KKP_ABI_MINOR);
  assert_string_equal(p->describe(), file);
  json_object *m = json_tokener_parse(file);
  assert_string_equal(ac_json_str(m, "version"), p->version);
  assert_string_equal(ac_json_str(m, "name"), p->name);
  assert_string_equal(ac_json_str(m, "abi"), "1.0");
  json_object_put(m);
  free(file);
}

static void eight_functions_six_read_two_write_all_implemented(void **state) {
  (void)state;
  json_object *fns, *auth, *also;
  assert_true(json_object_object_get_ex(ac_manifest(), "functions", &fns));
  assert_int_equal(json_object_array_length(fns), 8);
  int reads = 0, writes = 0;
  for (size_t i = 0; i < 8; i++) {
    json_object *f = json_object_array_get_idx(fns, i);
    const char *name = ac_json_str(f, "name"), *op = ac_json_str(f, "operation");
    char full[64];
    snprintf(full, sizeof(full), "aircall_%s", name);
    assert_string_equal(ac_json_str(f, "full_name"), full);
    assert_non_null(ac_handler_find(name));
    assert_ptr_equal(ac_manifest_function(full), f);
    assert_non_null(ac_json_str(f, "description"));
    assert_non_null(ac_json_str(f, "example"));
    if (strcmp(op, "read") == 0) reads++;
    else if (strcmp(op, "write") == 0) writes++;
  }
  assert_int_equal(reads, 6);
  assert_int_equal(writes, 2);
  assert_true(json_object_object_get_ex(ac_manifest(), "auth", &auth));
  assert_string_equal(ac_json_str(auth, "strategy"), "oauth2_manual_token");
  assert_true(json_object_object_get_ex(auth, "also", &also));
  assert_string_equal(json_object_get_string(json_object_array_get_idx(also, 0)), "basic");
  assert_null(ac_handler_find("delete_everything"));
}

/* Parameters of the agent reference, in its order: name, type, required. */
static const struct {
  const char *fn, *params;
} reference[] = {
    {"list_calls", "per_page:integer page:integer order:string from:string to:string direction:string "
                   "user_id:integer number_id:integer tags:array"},
    {"get_call", "call_id:integer!"},
    {"list_contacts", "per_page:integer page:integer order:string q:string"},
    {"create_contact", "first_name:string last_name:string company_name:string information:string "
                       "phone_numbers:array emails:array"},
    {"update_contact", "contact_id:integer! first_name:string last_name:string company_name:string "
                       "information:string phone_numbers:array emails:array"},
    {"list_users", ""},
    {"list_numbers", ""},
    {"get_current_user", ""},
};

static int has_type(json_object *schema, const char *type) {
  json_object *t;
  if (!json_object_object_get_ex(schema, "type", &t)) return 0;
  if (!json_object_is_type(t, json_type_array)) return strcmp(json_object_get_string(t), type) == 0;
  for (size_t i = 0; i < json_object_array_length(t); i++)
    if (strcmp(json_object_get_string(json_object_array_get_idx(t, i)), type) == 0) return 1;
  return 0;
}

static void parameters_match_the_agent_reference(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(reference) / sizeof(reference[0]); i++) {
    json_object *f = ac_manifest_function(reference[i].fn), *params, *props, *req, *extra;
    assert_non_null(f);
    assert_true(json_object_object_get_ex(f, "parameters", &params));
    assert_true(json_object_object_get_ex(params, "properties", &props));
    assert_true(json_object_object_get_ex(params, "required", &req));
    assert_true(json_object_object_get_ex(params, "additionalProperties", &extra));
    assert_false(json_object_get_boolean(extra));
    char list[512], *save = NULL;
    snprintf(list, sizeof(list), "%s", reference[i].params);
    size_t n = 0, n_required = 0;
    for (char *tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save), n++) {
      char *colon = strchr(tok, ':');
      *colon = '\0';
      char *type = colon + 1;
      size_t tl = strlen(type);
      int required = type[tl - 1] == '!';
      if (required) type[tl - 1] = '\0';
      json_object *p;
      assert_true(json_object_object_get_ex(props, tok, &p));
      assert_true(has_type(p, type));
      int found = 0;
      for (size_t k = 0; k < json_object_array_length(req); k++)
        found |= strcmp(json_object_get_string(json_object_array_get_idx(req, k)), tok) == 0;
      assert_int_equal(found, required);
      n_required += (size_t)required;
    }
    assert_int_equal(json_object_object_length(props), n);
    assert_int_equal(json_object_array_length(req), n_required);
  }
}

static json_object *param(const char *fn, const char *name) {
  json_object *params, *props, *p;
  assert_true(json_object_object_get_ex(ac_manifest_function(fn), "parameters", &params));
  assert_true(json_object_object_get_ex(params, "properties", &props));
  assert_true(json_object_object_get_ex(props, name, &p));
  return p;
}

static void defaults_maxima_and_enums_match_the_reference(void **state) {
  (void)state;
  static const char *const listing[] = {"list_calls", "list_contacts"};
  for (size_t i = 0; i < 2; i++) {
    json_object *per_page = param(listing[i], "per_page"), *order = param(listing[i], "order"), *en;
    assert_int_equal(ac_json_int(per_page, "default", 0), 20);
    assert_int_equal(ac_json_int(per_page, "maximum", 0), 50);
    assert_int_equal(ac_json_int(per_page, "minimum", 0), 1);
    assert_int_equal(ac_json_int(param(listing[i], "page"), "default", 0), 1);
    assert_string_equal(ac_json_str(order, "default"), "desc");
    assert_true(json_object_object_get_ex(order, "enum", &en));
    assert_string_equal(json_object_to_json_string_ext(en, JSON_C_TO_STRING_PLAIN), "[\"asc\",\"desc\"]");
  }
  json_object *en;
  assert_true(json_object_object_get_ex(param("list_calls", "direction"), "enum", &en));
  assert_string_equal(json_object_to_json_string_ext(en, JSON_C_TO_STRING_PLAIN),
                      "[\"inbound\",\"outbound\"]");
  /* from/to: integer seconds, an ISO-8601 date-time or a bare date, as strict validators read it */
  static const char *const dates[] = {"from", "to"};
  for (size_t i = 0; i < 2; i++) {
    json_object *any;
    assert_true(json_object_object_get_ex(param("list_calls", dates[i]), "anyOf", &any));
    assert_string_equal(json_object_to_json_string_ext(any, JSON_C_TO_STRING_PLAIN),
                        "[{\"type\":\"integer\"},{\"type\":\"string\",\"format\":\"date-time\"},"
                        "{\"type\":\"string\",\"format\":\"date\"}]");
  }
}

/* Every function carries agent notes (MCP descriptions and the reference show them); a
 * schema says examples, never OpenAPI's example, which strict JSON Schema validators refuse. */
static void notes_and_no_example_keyword_in_schemas(void **state) {
  (void)state;
  json_object *fns;
  assert_true(json_object_object_get_ex(ac_manifest(), "functions", &fns));
  for (size_t i = 0; i < json_object_array_length(fns); i++) {
    json_object *f = json_object_array_get_idx(fns, i), *notes, *params;
    assert_true(json_object_object_get_ex(f, "notes", &notes));
    assert_true(json_object_array_length(notes) > 0);
    assert_true(json_object_object_get_ex(f, "parameters", &params));
    assert_null(strstr(json_object_to_json_string(params), "\"example\""));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(describe_returns_the_manifest_bytes),
      cmocka_unit_test(eight_functions_six_read_two_write_all_implemented),
      cmocka_unit_test(parameters_match_the_agent_reference),
      cmocka_unit_test(defaults_maxima_and_enums_match_the_reference),
      cmocka_unit_test(notes_and_no_example_keyword_in_schemas),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
