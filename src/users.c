/*
 * users.c - list_users and get_current_user. Aircall users carry one `name`;
 * agents expect first_name/last_name. v1 users are being retired: v2 first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

/* Where name (white space trimmed: name[0..*len)) splits: the last word is the
 * last name ("Mary Ann Smith" -> "Mary Ann" + "Smith"), name[*last..*len); a
 * one-word name is a first name with an empty last name. *first: its length. */
static const char *split_name(const char *name, size_t *first, size_t *last, size_t *len) {
  while (*name == ' ') name++;
  *len = strlen(name);
  while (*len > 0 && name[*len - 1] == ' ') (*len)--;
  size_t split = *len;
  while (split > 0 && name[split - 1] != ' ') split--;
  *first = split, *last = split;
  while (*first > 0 && name[*first - 1] == ' ') (*first)--;
  if (*first == 0) *first = *last = *len; /* one word */
  return name;
}

void ac_user_add_names(json_object *user) {
  json_object *ignored;
  if (!json_object_is_type(user, json_type_object)) return; /* check_user refuses such an answer */
  const char *name = ac_json_str(user, "name");
  int has_first = json_object_object_get_ex(user, "first_name", &ignored) &&
                  !json_object_is_type(ignored, json_type_null);
  int has_last =
      json_object_object_get_ex(user, "last_name", &ignored) && !json_object_is_type(ignored, json_type_null);
  if (has_first && has_last) return;
  size_t first_len, last_start, len;
  name = split_name(name ? name : "", &first_len, &last_start, &len);
  if (!has_first)
    json_object_object_add(user, "first_name", json_object_new_string_len(name, (int)first_len));
  if (!has_last)
    json_object_object_add(user, "last_name",
                           json_object_new_string_len(name + last_start, (int)(len - last_start)));
}

/* A user as read and extended here: an object whose name, first_name and
 * last_name are strings when present. `at` names it ("users[3]"). */
static int check_user(struct ac_error *e, const char *what, json_object *user, const char *at) {
  static const char *const keys[] = {"name", "first_name", "last_name"};
  const char *ignored;
  int rc = ac_json_check(e, what, at, user, json_type_object);
  for (size_t i = 0; i < 3 && rc == KKP_OK; i++)
    rc = ac_json_member_string(e, what, user, at, keys[i], AC_JSON_OPTIONAL, &ignored);
  return rc;
}

enum { NAME, FIRST, LAST };

/* Puts one of first_name/last_name (name[0..n)) where the user has it as null,
 * or among the members to add when it has none. */
static void put_name(struct ac_page *pg, struct ac_span v, const char *key, const char *name, size_t n,
                     struct ac_buf *add) {
  if (v.start) { /* null: replaced in place, as json-c's add does */
    struct ac_buf s = {0};
    ac_buf_json_string(&s, name, n);
    if (s.s) ac_page_edit(pg, v.start, (size_t)(v.end - v.start), s.s, s.len);
    if (s.oom) pg->oom = 1;
    ac_buf_free(&s);
    return;
  }
  ac_buf_printf(add, "%s\"%s\":", add->len ? "," : "", key);
  ac_buf_json_string(add, name, n);
}

/* first_name/last_name split from name, for a user (tokens v) lacking them. */
static void add_names(struct ac_page *pg, struct ac_span user, const struct ac_span *v) {
  int has_first = v[FIRST].start && *v[FIRST].start != 'n', has_last = v[LAST].start && *v[LAST].start != 'n';
  if (has_first && has_last) return;
  char small[256], *name = small;
  size_t cap = v[NAME].start && *v[NAME].start == '"' ? (size_t)(v[NAME].end - v[NAME].start) : 1;
  if (cap > sizeof(small) && !(name = malloc(cap))) {
    pg->oom = 1;
    return;
  }
  name[0] = '\0';
  if (cap > 1) ac_json_unescape(v[NAME], name, cap);
  size_t first_len, last_start, len;
  const char *n = split_name(name, &first_len, &last_start, &len);
  struct ac_buf add = {0};
  if (!has_first) put_name(pg, v[FIRST], "first_name", n, first_len, &add);
  if (!has_last) put_name(pg, v[LAST], "last_name", n + last_start, len - last_start, &add);
  if (add.len) ac_page_add_members(pg, user, add.s, add.len);
  if (add.oom) pg->oom = 1;
  ac_buf_free(&add);
  if (name != small) free(name);
}

/* One user of a page: an object whose name, first_name and last_name are
 * strings when present (as check_user), given first_name/last_name. */
int ac_user_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur) {
  static const char *const keys[] = {"name", "first_name", "last_name"};
  struct ac_span user, v[3];
  const struct ac_json_want want = {keys, 3, v, 3, NULL};
  size_t at = pg->base + i; /* 0-based, as JSON paths are */
  int rc = ac_page_item_object(pg, at, cur, &want, &user);
  if (rc) return rc;
  for (size_t k = 0; k < 3; k++)
    if (v[k].start && *v[k].start != 'n' && *v[k].start != '"') {
      ac_page_wrong(pg, "%s[%zu].%s as %s, not a string", pg->key, at, keys[k], ac_json_kind(v[k]));
      return 1;
    }
  add_names(pg, user, v);
  return 1;
}

int ac_list_users(struct ac_ctx *c, json_object *args, struct ac_result *res) {
  (void)args; /* the result is built as text */
  struct ac_buf out = {0};
  int rc = ac_pages_read(c, "/v2/users", "users", ac_user_item, NULL, &out);
  if (rc == KKP_ERR_NOT_FOUND) {
    /* A company without v2 yet: fall back to the deprecated v1 list. */
    ac_log(c->acct, KKP_LOG_INFO, "GET /v2/users answered %ld: falling back to /v1/users",
           c->err.http_status);
    ac_error_clear(&c->err);
    ac_buf_free(&out);
    rc = ac_pages_read(c, "/v1/users", "users", ac_user_item, NULL, &out);
  }
  if (rc) {
    ac_buf_free(&out);
    return rc;
  }
  return ac_result_text(c, &out, res);
}

int ac_get_current_user(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  (void)args;
  struct ac_response r = {0};
  json_object *integration, *user;
  if (ac_account_is_basic(c->acct))
    return ac_fail(&c->err, KKP_ERR_UNSUPPORTED,
                   "account \"%s\" uses an API key pair, which has no user identity in Aircall: "
                   "get_current_user needs an OAuth token (kkp-setup add aircall --account %s --force), "
                   "or use list_users",
                   c->acct->name, c->acct->name);
  /* There is no /v1/me nor /v1/users/me: a token's identity is the integration's installer. */
  int rc = ac_http(c, "GET", "/v1/integrations/me", NULL, AC_SAFE, &r);
  if (rc) return rc;
  static const char what[] = "GET /v1/integrations/me";
  if ((rc =
           ac_json_member_object(&c->err, what, r.json, "", "integration", AC_JSON_REQUIRED, &integration)) ||
      (rc = ac_json_member_object(&c->err, what, integration, "integration", "user", AC_JSON_REQUIRED,
                                  &user)) ||
      (rc = check_user(&c->err, what, user, "integration.user"))) {
    ac_response_free(&r);
    return rc;
  }
  ac_user_add_names(user);
  /* Tokens are company-wide: this is who installed the integration, said beside the name. */
  json_object_object_add(user, "role", json_object_new_string("integration_installer"));
  json_object *name;
  if (json_object_object_get_ex(integration, "name", &name))
    json_object_object_add(user, "integration", json_object_get(name));
  out->obj = json_object_new_object();
  json_object_object_add(out->obj, "user", json_object_get(user));
  ac_response_free(&r);
  return KKP_OK;
}
