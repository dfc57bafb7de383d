/*
 * lists_test.c - the lists spliced as text (pages.c and the item readers of
 * calls.c, users.c, numbers.c) mean exactly what the json-c tree made of them:
 * each page is read both ways and the results compared as JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/ac.h"
#include "tests/lib/cmocka_tap.h"

/* The items of page `text` read by `item`, put out as a JSON array (as an
 * all-pages read does), and the whole page with its edits applied in place. */
static json_object *spliced(const char *text, const char *key, ac_item_fn item, json_object **whole) {
  struct ac_page pg = {.text = text, .len = strlen(text), .key = key, .item = item};
  struct ac_buf out = {0};
  if (ac_page_scan(&pg) != 0) fail_msg("scan refused %s", text);
  if (pg.wrong[0]) fail_msg("scan says %s of %s", pg.wrong, text);
  ac_buf_puts(&out, "[");
  for (size_t i = 0; i < pg.n_items; i++) {
    if (i) ac_buf_puts(&out, ",");
    ac_page_render(&pg, pg.items[i].start, pg.items[i].end, &out);
  }
  ac_buf_puts(&out, "]");
  json_object *items = json_tokener_parse(out.s);
  if (!items) fail_msg("spliced items are not JSON: %s", out.s);
  size_t len;
  char *copy = strdup(text), *applied = ac_page_apply(&pg, copy, &len);
  assert_non_null(applied);
  *whole = json_tokener_parse(applied);
  if (!*whole) fail_msg("applied page is not JSON: %s", applied);
  free(applied);
  ac_buf_free(&out);
  ac_page_free(&pg);
  return items;
}

/* Compares the text path with the tree path (`tree` changes one item). */
static void agree(const char *text, const char *key, ac_item_fn item, void (*tree)(json_object *)) {
  json_object *whole, *items = spliced(text, key, item, &whole), *want = json_tokener_parse(text), *list;
  assert_non_null(want);
  json_object_object_get_ex(want, key, &list);
  for (size_t i = 0; i < json_object_array_length(list); i++) tree(json_object_array_get_idx(list, i));
  if (!json_object_equal(items, list))
    fail_msg("items differ for %s:\n spliced %s\n tree    %s", text, json_object_to_json_string(items),
             json_object_to_json_string(list));
  if (!json_object_equal(whole, want))
    fail_msg("page differs for %s:\n spliced %s\n tree    %s", text, json_object_to_json_string(whole),
             json_object_to_json_string(want));
  json_object_put(items);
  json_object_put(whole);
  json_object_put(want);
}

/* list_numbers' additions, on a tree. */
static void number_forms(json_object *n) {
  json_object *ignored;
  const char *digits = ac_json_str(n, "digits");
  char e164[64];
  ac_phone_normalise(digits ? digits : "", e164, sizeof(e164));
  if (!json_object_object_get_ex(n, "number", &ignored))
    json_object_object_add(n, "number", json_object_new_string(digits ? digits : ""));
  if (!json_object_object_get_ex(n, "e164", &ignored))
    json_object_object_add(n, "e164", json_object_new_string(e164));
}

static void calls_agree(void **state) {
  (void)state;
  agree("{\"calls\":[{\"direction\":\"inbound\",\"raw_digits\":\"+1 "
        "800\",\"number\":{\"id\":1,\"digits\":\"+33 "
        "\\u0031\"}},{},{\"direction\":\"outbound\",\"number\":null,\"from\":null},"
        " { \"direction\" : \"outbound\" , \"raw_digits\" : \"x\", \"number\" : { \"digits\" : \"\" } } ],"
        "\"meta\":{\"count\":4}}",
        "calls", ac_call_item, ac_call_add_parties);
  agree("{\"meta\":null,\"calls\":[]}", "calls", ac_call_item, ac_call_add_parties);
  agree("{\"calls\":[{\"to\":\"kept\",\"direction\":\"inbound\",\"raw_digits\":\"a\\\"b\"}]}", "calls",
        ac_call_item, ac_call_add_parties);
}

static void users_agree(void **state) {
  (void)state;
  agree("{\"users\":[{\"name\":\"Mary Ann Smith\"},{\"name\":\"  Cher  \"},{\"name\":\"\"},{},"
        "{\"name\":null},{\"name\":\"A B\",\"first_name\":null},{\"name\":\"A B\",\"last_name\":null},"
        "{\"name\":\"A B\",\"first_name\":\"x\",\"last_name\":\"y\"},{\"name\":\"A B\",\"first_name\":\"x\"},"
        "{\"name\":\"Jos\\u00e9 \\ud83d\\ude00 M\\u00fcller\"},{\"name\":\"Tab\\tbed \\\"Q\\\" Name\"},"
        "{\"first_name\":null,\"last_name\":null,\"name\":\"Z Y\"}],\"meta\":{}}",
        "users", ac_user_item, ac_user_add_names);
}

static void numbers_agree(void **state) {
  (void)state;
  agree(
      "{\"numbers\":[{\"digits\":\"+33 1 76 11 11 11\"},{\"digits\":null},{},{\"digits\":\"+1 \\u0038\"},"
      "{\"digits\":\"12\",\"number\":\"kept\",\"e164\":null},{\"id\":1, \"digits\" : \"(555) 010-0000\" }]}",
      "numbers", ac_number_item, number_forms);
}

/* Escaped strings written plainly still mean the same, and hold no escape a
 * redaction could miss. */
static void plain_escapes_keep_the_meaning(void **state) {
  (void)state;
  const char *text = "{\"a\\u0041\":\"x\\/y\\u0020z\\n\",\"b\":[\"\\ud83d\\ude00\",\"\\udc00\",1.5e3,null],"
                     "\"c\":\"plain\",\"d\":\"\\u0000\"}";
  char *plain = ac_json_plain_escapes(text, strlen(text));
  assert_non_null(plain);
  json_object *a = json_tokener_parse(plain), *b = json_tokener_parse(text);
  if (!a || !json_object_equal(a, b)) fail_msg("%s\n is not\n %s", plain, text);
  assert_null(strstr(plain, "\\/"));
  assert_null(strstr(plain, "\\u0041"));
  json_object_put(a);
  json_object_put(b);
  free(plain);
}

static struct ac_span tok(const char *s) {
  return (struct ac_span){s, s + strlen(s)};
}

/* meta.total and meta.per_page of a first page: how many pages an all-pages read
 * or a name scan may read at once. Anything but a plain count is unknown (0 pages:
 * the pages are then followed one at a time by next_page_link). */
static void pages_from_the_first_page(void **state) {
  (void)state;
  assert_int_equal(ac_span_count(tok("0")), 0);
  assert_int_equal(ac_span_count(tok("1000")), 1000);
  assert_int_equal(ac_span_count(tok("999999999999")), 999999999999LL);
  static const char *const unknown[] = {"",     "-1",   "1.5",           "1e3", "\"20\"",
                                        "null", "true", "1000000000000", " 1"};
  for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++)
    assert_int_equal(ac_span_count(tok(unknown[i])), -1);
  assert_int_equal(ac_span_count((struct ac_span){NULL, NULL}), -1);
  assert_int_equal(ac_pages_after(1000, 50, 50), 20);
  assert_int_equal(ac_pages_after(1001, 50, 50), 21);
  assert_int_equal(ac_pages_after(60, 20, 50), 3);  /* v2 pages by 20 */
  assert_int_equal(ac_pages_after(60, -1, 50), 2);  /* per_page unknown: as asked */
  assert_int_equal(ac_pages_after(60, 500, 50), 2); /* never more a page than asked for */
  assert_int_equal(ac_pages_after(0, 50, 50), 0);
  assert_int_equal(ac_pages_after(-1, 50, 50), 0);       /* total unknown */
  assert_int_equal(ac_pages_after(250000, 50, 50), 200); /* no page past the 10,000th record */
  assert_int_equal(ac_pages_after(999999999999LL, 20, 50), 500);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(calls_agree),
      cmocka_unit_test(users_agree),
      cmocka_unit_test(numbers_agree),
      cmocka_unit_test(plain_escapes_keep_the_meaning),
      cmocka_unit_test(pages_from_the_first_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
