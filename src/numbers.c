/*
 * numbers.c - list_numbers. Aircall calls the digits `digits`; agents read
 * `number`, and E.164 is what other APIs and list_calls' filters take.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

enum { DIGITS, NUMBER, E164 };

/* "number" (the digits as Aircall wrote them) and "e164", for a number lacking them. */
static void add_forms(struct ac_page *pg, struct ac_span num, const struct ac_span *v) {
  struct ac_buf add = {0};
  int is_string = v[DIGITS].start && *v[DIGITS].start == '"';
  if (!v[NUMBER].start) {
    ac_buf_puts(&add, "\"number\":");
    if (is_string) ac_buf_append(&add, v[DIGITS].start, (size_t)(v[DIGITS].end - v[DIGITS].start));
    else ac_buf_puts(&add, "\"\"");
  }
  if (!v[E164].start) {
    char small[256], *digits = small, e164[64];
    size_t cap = is_string ? (size_t)(v[DIGITS].end - v[DIGITS].start) : 1;
    if (cap > sizeof(small) && !(digits = malloc(cap))) {
      pg->oom = 1;
      ac_buf_free(&add);
      return;
    }
    digits[0] = '\0';
    if (is_string) ac_json_unescape(v[DIGITS], digits, cap);
    ac_phone_normalise(digits, e164, sizeof(e164));
    ac_buf_puts(&add, add.len ? ",\"e164\":" : "\"e164\":");
    ac_buf_json_string(&add, e164, strlen(e164));
    if (digits != small) free(digits);
  }
  if (add.len) ac_page_add_members(pg, num, add.s, add.len);
  if (add.oom) pg->oom = 1;
  ac_buf_free(&add);
}

/* One number of a page: an object whose digits are a string when present. */
int ac_number_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur) {
  static const char *const keys[] = {"digits", "number", "e164"};
  struct ac_span num, v[3];
  const struct ac_json_want want = {keys, 3, v, 3, NULL};
  size_t at = pg->base + i; /* 0-based, as JSON paths are */
  int rc = ac_page_item_object(pg, at, cur, &want, &num);
  if (rc) return rc;
  if (v[DIGITS].start && *v[DIGITS].start != 'n' && *v[DIGITS].start != '"') {
    ac_page_wrong(pg, "%s[%zu].digits as %s, not a string", pg->key, at, ac_json_kind(v[DIGITS]));
    return 1;
  }
  add_forms(pg, num, v);
  return 1;
}

int ac_list_numbers(struct ac_ctx *c, json_object *args, struct ac_result *res) {
  (void)args; /* the result is built as text */
  struct ac_buf out = {0};
  int rc = ac_pages_read(c, "/v1/numbers", "numbers", ac_number_item, NULL, &out);
  if (rc) {
    ac_buf_free(&out);
    return rc;
  }
  return ac_result_text(c, &out, res);
}
