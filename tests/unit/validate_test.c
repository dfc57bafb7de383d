/*
 * validate_test.c - argument validation driven by the manifest's schemas:
 * each rule (unknown function/parameter, type, range, enum, required, lengths,
 * nested items, dates) with the message an agent reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"

static const struct {
  const char *fn, *args;
  int status;
  const char *message;   /* a substring of the error message; NULL when valid */
  const char *parameter; /* details.parameter */
} rows[] = {
    {"list_calls", "{}", KKP_OK, NULL, NULL},
    {"list_calls", "{\"per_page\":10,\"order\":\"desc\",\"direction\":\"inbound\"}", KKP_OK, NULL, NULL},
    {"list_calls", "{\"per_page\":80}", KKP_ERR_INVALID_ARGUMENT,
     "per_page must be between 1 and 50 (got 80)", "per_page"},
    {"list_calls", "{\"per_page\":0}", KKP_ERR_INVALID_ARGUMENT, "per_page must be between 1 and 50 (got 0)",
     "per_page"},
    {"list_calls", "{\"page\":0}", KKP_ERR_INVALID_ARGUMENT, "page must be at least 1 (got 0)", "page"},
    {"list_calls", "{\"per_page\":\"10\"}", KKP_ERR_INVALID_ARGUMENT,
     "per_page must be an integer (got string \"10\")", "per_page"},
    {"list_calls", "{\"per_page\":10.5}", KKP_ERR_INVALID_ARGUMENT,
     "per_page must be an integer (got number 10.5)", "per_page"},
    {"list_calls", "{\"per_page\":10.0}", KKP_OK, NULL, NULL},
    {"list_calls", "{\"per_page\":NaN}", KKP_ERR_INVALID_ARGUMENT,
     "per_page must be an integer (got number nan)", "per_page"},
    {"list_calls", "{\"order\":\"up\"}", KKP_ERR_INVALID_ARGUMENT,
     "order must be one of \"asc\" or \"desc\" (got \"up\")", "order"},
    {"list_calls", "{\"direction\":\"sideways\"}", KKP_ERR_INVALID_ARGUMENT,
     "direction must be one of \"inbound\" or \"outbound\"", "direction"},
    {"list_calls", "{\"per_pag\":10}", KKP_ERR_INVALID_ARGUMENT,
     "unknown parameter \"per_pag\" for list_calls. Did you mean \"per_page\"?", "per_pag"},
    {"list_calls", "{\"zzzzzz\":1}", KKP_ERR_INVALID_ARGUMENT,
     "unknown parameter \"zzzzzz\" for list_calls. Accepted: per_page, page, order, from, to, direction, "
     "user_id, number_id, tags",
     "zzzzzz"},
    {"list_calls", "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":1767225600}", KKP_OK, NULL, NULL},
    {"list_calls", "{\"from\":\"yesterday\"}", KKP_ERR_INVALID_ARGUMENT, "from must be an ISO-8601 date-time",
     "from"},
    {"list_calls", "{\"to\":true}", KKP_ERR_INVALID_ARGUMENT,
     "to must be a string or an integer (got boolean true)", "to"},
    {"list_calls", "{\"tags\":\"vip\"}", KKP_ERR_INVALID_ARGUMENT, "tags must be an array", "tags"},
    {"list_calls", "{\"tags\":[\"vip\",12]}", KKP_OK, NULL, NULL},
    {"list_calls", "{\"tags\":[true]}", KKP_ERR_INVALID_ARGUMENT,
     "tags[0] must be an integer or a string (got boolean true)", "tags[0]"},
    {"list_calls", "{\"user_id\":-4}", KKP_ERR_INVALID_ARGUMENT, "user_id must be at least 1 (got -4)",
     "user_id"},
    {"get_call", "{}", KKP_ERR_INVALID_ARGUMENT, "call_id is required by get_call", "call_id"},
    {"get_call", "{\"call_id\":null}", KKP_ERR_INVALID_ARGUMENT, "call_id is required by get_call",
     "call_id"},
    {"get_call", "{\"call_id\":9007199254740991}", KKP_OK, NULL, NULL},
    {"get_call", "{\"call_id\":\"12345\"}", KKP_ERR_INVALID_ARGUMENT, "call_id must be an integer",
     "call_id"},
    {"list_contacts", "{\"q\":\"\"}", KKP_ERR_INVALID_ARGUMENT, "q must not be empty", "q"},
    {"list_users", "{\"page\":2}", KKP_ERR_INVALID_ARGUMENT, "list_users takes no parameters (got \"page\")",
     "page"},
    {"create_contact", "{\"phone_numbers\":[{\"label\":\"Work\"}]}", KKP_ERR_INVALID_ARGUMENT,
     "phone_numbers[0].value is required", "phone_numbers[0].value"},
    {"create_contact", "{\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33612345678\",\"kind\":1}]}",
     KKP_ERR_INVALID_ARGUMENT, "unknown parameter \"phone_numbers[0].kind\". Accepted: label, value",
     "phone_numbers[0].kind"},
    {"create_contact", "{\"emails\":[{\"label\":\"\",\"value\":\"a@b\"}]}", KKP_ERR_INVALID_ARGUMENT,
     "emails[0].label must not be empty", "emails[0].label"},
    {"update_contact", "{\"contact_id\":5678,\"phone_numbers\":[]}", KKP_ERR_INVALID_ARGUMENT,
     "phone_numbers must have at least 1 item (got 0)", "phone_numbers"},
    {"update_contact", "{\"contact_id\":5678,\"first_name\":\"\"}", KKP_ERR_INVALID_ARGUMENT,
     "first_name must not be empty", "first_name"},
};

static void each_rule_gives_its_message(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    json_object *params, *args = json_tokener_parse(rows[i].args), *p;
    struct ac_error e;
    ac_error_init(&e);
    assert_true(json_object_object_get_ex(ac_manifest_function(rows[i].fn), "parameters", &params));
    int rc = ac_validate_object(rows[i].fn, params, args, &e);
    if (rc != rows[i].status || (rows[i].message && !strstr(e.message, rows[i].message)))
      fail_msg("row %zu %s %s: got %d \"%s\"", i, rows[i].fn, rows[i].args, rc, e.message);
    if (rows[i].parameter) {
      if (!json_object_object_get_ex(e.details, "parameter", &p) ||
          strcmp(json_object_get_string(p), rows[i].parameter) != 0)
        fail_msg("row %zu: details.parameter is %s, want %s", i,
                 e.details ? json_object_to_json_string(e.details) : "absent", rows[i].parameter);
    }
    ac_error_clear(&e);
    json_object_put(args);
  }
}

static void non_object_arguments_are_refused(void **state) {
  (void)state;
  json_object *params, *args = json_tokener_parse("[1,2]");
  struct ac_error e;
  ac_error_init(&e);
  json_object_object_get_ex(ac_manifest_function("list_calls"), "parameters", &params);
  assert_int_equal(ac_validate_object("list_calls", params, args, &e), KKP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(e.message, "must be a JSON object"));
  ac_error_clear(&e);
  json_object_put(args);
}

static void suggestions_need_a_near_name(void **state) {
  (void)state;
  const char *names[] = {"list_calls", "get_call", "list_contacts"};
  assert_string_equal(kkp_suggest_among("lst_calls", names, 3), "list_calls");
  assert_string_equal(kkp_suggest_among("get_cal", names, 3), "get_call");
  assert_null(kkp_suggest_among("weather", names, 3));
  assert_int_equal(kkp_edit_distance("kitten", "sitting"), 3);
  assert_int_equal(kkp_edit_distance("", "abc"), 3);
}

static void config_is_checked_against_its_schema(void **state) {
  (void)state;
  json_object *cfg = json_tokener_parse("{\"timeout_ms\":0}");
  struct ac_error e;
  ac_error_init(&e);
  assert_int_equal(ac_validate_object("config", ac_manifest_config(), cfg, &e), KKP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(e.message, "timeout_ms must be between 1 and 3600000 (got 0)"));
  ac_error_clear(&e);
  json_object_put(cfg);
  cfg = json_tokener_parse("{\"base_ur\":\"https://x\"}");
  assert_int_equal(ac_validate_object("config", ac_manifest_config(), cfg, &e), KKP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(e.message, "Did you mean \"base_url\""));
  ac_error_clear(&e);
  json_object_put(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_rule_gives_its_message),
      cmocka_unit_test(non_object_arguments_are_refused),
      cmocka_unit_test(suggestions_need_a_near_name),
      cmocka_unit_test(config_is_checked_against_its_schema),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
