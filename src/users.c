/*
 * users.c - list_users and get_current_user. Aircall users carry one `name`;
 * agents expect first_name/last_name. v1 users are being retired: v2 first.
 */
#include <stdio.h>
#include <string.h>

#include "src/ac.h"

void ac_user_add_names(json_object *user) {
  json_object *ignored;
  if (!json_object_is_type(user, json_type_object)) return; /* check_user refuses such an answer */
  const char *name = ac_json_str(user, "name");
  int has_first = json_object_object_get_ex(user, "first_name", &ignored) &&
                  !json_object_is_type(ignored, json_type_null);
  int has_last =
      json_object_object_get_ex(user, "last_name", &ignored) && !json_object_is_type(ignored, json_type_null);
  if (has_first && has_last) return;
  if (!name) name = "";
  while (*name == ' ') name++;
  size_t len = strlen(name);
  while (len > 0 && name[len - 1] == ' ') len--;
  /* The last word is the last name ("Mary Ann Smith" → "Mary Ann" + "Smith");
   * a one-word name is a first name with an empty last name. */
  size_t split = len;
  while (split > 0 && name[split - 1] != ' ') split--;
  size_t first_len = split, last_start = split;
  while (first_len > 0 && name[first_len - 1] == ' ') first_len--;
  if (first_len == 0) { /* one word */
    first_len = len;
    last_start = len;
  }
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

int ac_list_users(struct ac_ctx *c, json_object *args, json_object **result) {
  (void)args;
  json_object *users = NULL;
  const char *what = "GET /v2/users";
  int rc = ac_http_all_pages(c, "/v2/users", "users", &users);
  if (rc == KKP_ERR_NOT_FOUND) {
    /* A company without v2 yet: fall back to the deprecated v1 list. */
    ac_log(c->acct, KKP_LOG_INFO, "GET /v2/users answered %ld: falling back to /v1/users",
           c->err.http_status);
    ac_error_clear(&c->err);
    rc = ac_http_all_pages(c, "/v1/users", "users", &users);
    what = "GET /v1/users";
  }
  if (rc) return rc;
  for (size_t i = 0; i < json_object_array_length(users); i++) {
    char at[32];
    snprintf(at, sizeof(at), "users[%zu]", i + 1);
    if ((rc = check_user(&c->err, what, json_object_array_get_idx(users, i), at))) {
      json_object_put(users);
      return rc;
    }
    ac_user_add_names(json_object_array_get_idx(users, i));
  }
  *result = json_object_new_object();
  json_object_object_add(*result, "users", users);
  return KKP_OK;
}

int ac_get_current_user(struct ac_ctx *c, json_object *args, json_object **result) {
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
  *result = json_object_new_object();
  json_object_object_add(*result, "user", json_object_get(user));
  ac_response_free(&r);
  return KKP_OK;
}
