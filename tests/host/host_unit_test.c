/*
 * host_unit_test.c - the host's pure parts: the file-trust rule (including the
 * other-owner case a shell test cannot set up without root), edit distance, the
 * config JSON, exit statuses and the generated reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/host.h"

static struct stat file_mode(mode_t mode, uid_t uid) {
  struct stat st;
  memset(&st, 0, sizeof st);
  st.st_mode = S_IFREG | mode;
  st.st_uid = uid;
  return st;
}

static void trusted_own_file(void **state) {
  struct host_error err;
  struct stat st = file_mode(0755, 1000);
  (void)state;
  assert_int_equal(host_file_trusted("/p/x.so", &st, 1000, &err), 0);
  st = file_mode(0755, 0); /* installed by root */
  assert_int_equal(host_file_trusted("/p/x.so", &st, 1000, &err), 0);
}

static void refuses_other_owner(void **state) {
  struct host_error err;
  struct stat st = file_mode(0755, 1001);
  (void)state;
  assert_int_equal(host_file_trusted("/p/x.so", &st, 1000, &err), -1);
  assert_non_null(strstr(err.message, "owned by user 1001, not by you (1000) or root"));
  assert_non_null(strstr(err.message, "chown"));
}

static void refuses_writable(void **state) {
  struct host_error err;
  struct stat st = file_mode(0775, 1000);
  (void)state;
  assert_int_equal(host_file_trusted("/p/x.so", &st, 1000, &err), -1);
  assert_non_null(strstr(err.message, "group-writable (mode 775)"));
  assert_non_null(strstr(err.message, "chmod go-w /p/x.so"));
  st = file_mode(0757, 1000);
  assert_int_equal(host_file_trusted("/p/x.so", &st, 1000, &err), -1);
  assert_non_null(strstr(err.message, "world-writable"));
}

static void levenshtein(void **state) {
  (void)state;
  assert_int_equal(kkp_edit_distance("lst_calls", "list_calls"), 1);
  assert_int_equal(kkp_edit_distance("", "abc"), 3);
  assert_int_equal(kkp_edit_distance("kitten", "sitting"), 3);
  assert_int_equal(kkp_edit_distance("same", "same"), 0);
}

/* The one did-you-mean rule (common/suggest.c) for plugin, host and kkp-setup: two
 * edits or a third of the word, or a name the word begins. */
static void suggest_rule(void **state) {
  static const char *const names[] = {"list_calls", "timeout_ms", "get_call", "name_scan_pages"};
  (void)state;
  assert_string_equal(kkp_suggest_among("lst_calls", names, 4), "list_calls");
  assert_string_equal(kkp_suggest_among("timeout", names, 4), "timeout_ms");
  assert_string_equal(kkp_suggest_among("name_scan_pgs", names, 4), "name_scan_pages");
  assert_null(kkp_suggest_among("abc", names, 4));
  assert_null(kkp_suggest_among("get_cl", (const char *const[]){"list_users"}, 1));
  /* three edits in a six-letter word: no longer close (it was under the host's old rule) */
  assert_null(kkp_suggest_among("gtcal", (const char *const[]){"get_call"}, 1));
  assert_null(kkp_suggest_among("ti", names, 4)); /* a prefix needs three letters */
}

/* The one plugin-name rule (plugin.h), for the loader, the keystore and kkp-setup. */
static void plugin_name_rule(void **state) {
  char long_name[70];
  (void)state;
  assert_true(kkp_plugin_name_valid("aircall"));
  assert_true(kkp_plugin_name_valid("my-plugin_2"));
  memset(long_name, 'a', 64);
  long_name[64] = '\0';
  assert_true(kkp_plugin_name_valid(long_name));
  long_name[64] = 'a';
  long_name[65] = '\0';
  assert_false(kkp_plugin_name_valid(long_name));
  assert_false(kkp_plugin_name_valid(""));
  assert_false(kkp_plugin_name_valid(NULL));
  assert_false(kkp_plugin_name_valid("air.call")); /* PLUGIN.ACCOUNT splits at the first dot */
  assert_false(kkp_plugin_name_valid("../x"));
  assert_false(kkp_plugin_name_valid("a b"));
}

static void coerce(void **state) {
  static const char *const cases[][2] = {
      {"true", "true"},       {"false", "false"}, {"null", "null"}, {"-3", "-3"},     {"2.5", "2.5"},
      {"1.2.3", "\"1.2.3\""}, {"12a", "\"12a\""}, {"[1]", "[ 1 ]"}, {"[1", "\"[1\""}, {"", "\"\""}};
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_object *v = host_cli_coerce(cases[i][0]);
    assert_string_equal(v ? json_object_to_json_string(v) : "null", cases[i][1]);
    json_object_put(v);
  }
}

static void exit_statuses(void **state) {
  (void)state;
  assert_int_equal(host_exit_for_status(KKP_OK), 0);
  assert_int_equal(host_exit_for_status(KKP_ERR_INVALID_ARGUMENT), 3);
  assert_int_equal(host_exit_for_status(KKP_ERR_INTERNAL), 11);
  assert_int_equal(host_exit_for_status(77), 11); /* unknown status: internal */
  assert_string_equal(kkp_status_name(KKP_ERR_NOT_FOUND), "not_found");
  assert_string_equal(kkp_status_name(-4), "internal_error");
}

static struct host_manifest *manifest_of(const char *name, const char *text) {
  struct host_manifest *m = calloc(1, sizeof *m);
  m->name = strdup(name);
  m->md_path = strdup("/nonexistent/notes.md");
  m->text = strdup(text);
  m->len = strlen(text);
  m->root = json_tokener_parse(text);
  return m;
}

static void config_only_schema_keys(void **state) {
  struct host_opts o = {.base_url = "http://127.0.0.1:9", .keystore = "/ks", .timeout_ms = 500};
  struct host_manifest *m = manifest_of(
      "demo", "{\"config\":{\"properties\":{\"base_url\":{},\"timeout_ms\":{}}},\"functions\":[]}");
  char *c;
  (void)state;
  c = host_config_json(&o, m);
  /* keystore is not in this plugin's config schema: not passed */
  assert_string_equal(c, "{\"base_url\":\"http://127.0.0.1:9\",\"timeout_ms\":500}");
  free(c);
  o.base_url = NULL;
  o.timeout_ms = -1;
  setenv("DEMO_BASE_URL", "http://127.0.0.1:7", 1);
  c = host_config_json(&o, m);
  assert_string_equal(c, "{\"base_url\":\"http://127.0.0.1:7\"}");
  free(c);
  unsetenv("DEMO_BASE_URL");
  host_manifest_free(m);
}

static void doc_from_manifest(void **state) {
  struct host_error err;
  struct host_manifest *m = manifest_of(
      "demo",
      "{\"title\":\"Demo\",\"functions\":[{\"name\":\"ping\",\"full_name\":\"demo_ping\",\"description\":"
      "\"Pings.\","
      "\"parameters\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":[\"string\",\"integer\"],"
      "\"description\":\"a|b\"}},\"required\":[\"n\"]},\"example\":\"app.integrations.demo.ping({n = 1})\"},"
      "{\"name\":\"none\",\"description\":\"No parameters.\",\"parameters\":{\"properties\":{}}}]}");
  char *d;
  (void)state;
  d = host_doc(m, NULL, &err);
  assert_non_null(d);
  assert_non_null(strstr(d, "# Demo — Lua API Reference\n\n## ping\n\nPings.\n\n### Parameters\n\n"));
  assert_non_null(strstr(d, "| `n` | string or integer | yes | a\\|b |\n"));
  assert_non_null(
      strstr(d, "### Example\n\n```lua\napp.integrations.demo.ping({n = 1})\n```\n\n---\n\n## none"));
  assert_non_null(strstr(d, "### Parameters\n\nNone.\n"));
  assert_non_null(strstr(d, "## Multi-Account Usage"));
  assert_non_null(strstr(d, "app.integrations.demo.sales.function_name({...})"));
  free(d);
  d = host_doc(m, "demo_ping", &err);
  assert_non_null(d);
  assert_null(strstr(d, "## none"));
  assert_null(strstr(d, "Multi-Account"));
  free(d);
  assert_null(host_doc(m, "pong", &err));
  assert_non_null(strstr(err.message, "demo has no function \"pong\""));
  host_manifest_free(m);
  /* a null among "required" or "type" members: read as no match, not a crash */
  m = manifest_of("demo", "{\"functions\":[{\"name\":\"f\",\"parameters\":{\"properties\":{\"n\":"
                          "{\"type\":[null,\"string\"]}},\"required\":[null,\"n\"]}}]}");
  d = host_doc(m, NULL, &err);
  assert_non_null(d);
  assert_non_null(strstr(d, "| `n` | "));
  assert_non_null(strstr(d, "| yes |"));
  free(d);
  host_manifest_free(m);
}

static void strict_json(void **state) {
  enum json_tokener_error e;
  json_object *o;
  (void)state;
  o = host_json_parse(" {\"a\": [1, 9223372036854775807]}\n", 33, &e);
  assert_non_null(o);
  assert_int_equal(e, json_tokener_success);
  json_object_put(o);
  assert_null(host_json_parse("{\"a\":1} x", 10, &e)); /* text after the value */
  assert_int_equal(e, json_tokener_error_parse_unexpected);
  assert_null(host_json_parse("[1,]", 4, &e)); /* strict: no trailing comma */
  assert_int_not_equal(e, json_tokener_success);
  assert_null(host_json_parse("1\0x", 3, &e)); /* a NUL does not end the text early */
  assert_int_not_equal(e, json_tokener_success);
  assert_null(host_json_parse("{\"a\":", 5, &e));
  assert_int_equal(e, json_tokener_error_parse_eof);
  assert_null(host_json_parse("null", 4, &e)); /* null is NULL, and no error */
  assert_int_equal(e, json_tokener_success);
  o = json_tokener_parse("[null, 1, \"x\"]");
  assert_true(host_json_array_has(o, "x"));
  assert_false(host_json_array_has(o, "null"));
  assert_false(host_json_array_has(NULL, "x"));
  json_object_put(o);
  o = host_json_parse("7", 1, &e); /* a bare number ends at the text's end */
  assert_int_equal(json_object_get_int(o), 7);
  json_object_put(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(trusted_own_file),
      cmocka_unit_test(refuses_other_owner),
      cmocka_unit_test(refuses_writable),
      cmocka_unit_test(levenshtein),
      cmocka_unit_test(exit_statuses),
      cmocka_unit_test(config_only_schema_keys),
      cmocka_unit_test(doc_from_manifest),
      cmocka_unit_test(strict_json),
      cmocka_unit_test(suggest_rule),
      cmocka_unit_test(plugin_name_rule),
      cmocka_unit_test(coerce),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
