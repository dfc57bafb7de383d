/*
 * hostile_test.c - every function of the real aircall.so (dlopen'ed) against a
 * hostile upstream (hostile_server.c) that answers with malformed shapes: items
 * that are not objects, meta that is not an object, wrong types for ids and
 * links, non-object top levels, huge numbers, deep nesting, and answers that
 * echo the request's Authorization header. Each must end in a clear error that
 * names the field, never an abort, and no output may hold the credential.
 * Started by tests/hostile/run.sh (sets KKP_KEYSTORE and BUILD). Speaks TAP.
 */
#include <dlfcn.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "tests/hostile/hostile_server.h"

/* Provisioned by run.sh; "a2V5LWlkOmtleS01ZWNyZXQ" is the Basic pair's base64 ("key-id:key-5ecret"). */
static const char *const secrets[] = {"tok-hostile-5ecret", "key-5ecret", "a2V5LWlkOmtleS01ZWNyZXQ"};

#define DEEP "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
#define HUGE "99999999999999999999999"
#define LIST_CALLS "list_calls", "{}", "/v1/calls"
#define BY_NUMBER "list_calls", "{\"number_id\":7}", "/v1/calls/search"

/* expect NULL: an echo case, where any error will do but the credential must not show.
 * expect "": an answer that may succeed, echoing the credential in JSON escapes
 * (%AUTH_U%): the credential must not show in the result once its JSON is read. */
static const struct hostile_case cases[] = {
    /* list_calls */
    {"default", LIST_CALLS, 200, "{\"calls\":[\"x\"],\"meta\":{}}", "calls[0] as a string, not an object"},
    {"default", LIST_CALLS, 200, "{\"calls\":[null]}", "calls[0] as null"},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"id\":1},7]}", "calls[1] as an integer"},
    {"default", LIST_CALLS, 200, "{\"calls\":{}}", "calls as an object, not an array"},
    {"default", LIST_CALLS, 200, "{\"meta\":{}}", "no \"calls\""},
    {"default", LIST_CALLS, 200, "{\"calls\":[],\"meta\":[]}", "meta as an array, not an object"},
    {"default", LIST_CALLS, 200, "[{\"calls\":[]}]", "not the expected JSON object"},
    {"default", LIST_CALLS, 200, "\"calls\"", "not the expected JSON object"},
    {"default", LIST_CALLS, 200, "{\"calls\":[" DEEP "]}", "not the expected JSON object"},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"direction\":5}]}", "calls[0].direction as an integer"},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"direction\":\"inbound\",\"number\":\"x\"}]}",
     "calls[0].number as a string"},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"raw_digits\":[]}]}", "calls[0].raw_digits as an array"},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"number\":{\"digits\":{}}}]}",
     "calls[0].number.digits as an object"},
    {"default", BY_NUMBER, 200, "{\"calls\":[],\"meta\":[]}", "meta as an array, not an object"},
    {"default", BY_NUMBER, 200, "{\"calls\":[],\"meta\":\"x\"}", "meta as a string"},
    {"default", BY_NUMBER, 200, "{\"calls\":[\"x\"],\"meta\":{}}", "calls[0] as a string"},
    {"default", BY_NUMBER, 200, "{\"calls\":[{\"number\":{\"id\":" HUGE "}}],\"meta\":{}}",
     "calls[0].number.id as an integer out of range"},
    {"default", BY_NUMBER, 200, "{\"calls\":[{\"number\":{\"id\":\"7\"}}],\"meta\":{}}",
     "calls[0].number.id as a string"},
    {"default", "list_calls", "{\"number_id\":7}", "/v1/numbers/", 200, "{\"number\":\"x\"}",
     "number as a string, not an object"},
    {"default", "list_calls", "{\"number_id\":7}", "/v1/numbers/", 200, "{\"number\":{\"digits\":5}}",
     "number.digits as an integer"},
    {"default", "list_calls", "{\"number_id\":7}", "/v1/numbers/", 200, "[]", "not the expected JSON object"},
    {"default", "list_calls", "{\"tags\":[\"vip\"]}", "/v1/tags", 200, "{\"tags\":[1]}",
     "tags[0] as an integer"},
    {"default", "list_calls", "{\"tags\":[\"vip\"]}", "/v1/tags", 200,
     "{\"tags\":[{\"id\":\"7\",\"name\":\"vip\"}]}", "tags[0].id as a string"},
    {"default", "list_calls", "{\"tags\":[\"vip\"]}", "/v1/tags", 200, "{\"tags\":[{\"id\":7,\"name\":[]}]}",
     "tags[0].name as an array"},
    {"default", "list_calls", "{\"tags\":[\"vip\"]}", "/v1/tags", 200, "{\"tags\":\"vip\"}", "\"tags\""},
    /* get_call */
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":\"x\"}",
     "call as a string, not an object"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":[1]}", "call as an array"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{}", "no \"call\""},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":{\"direction\":1}}",
     "call.direction as an integer"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":{\"number\":[]}}",
     "call.number as an array"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":{\"raw_digits\":7}}",
     "call.raw_digits as an integer"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":{\"number\":{\"digits\":{}}}}",
     "call.number.digits as an object"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "[]", "not the expected"},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "{\"call\":" DEEP "}", "not the expected"},
    /* list_contacts: plain list, email and phone search, name scan */
    {"default", "list_contacts", "{}", "/v1/contacts", 200, "{\"contacts\":[],\"meta\":[]}",
     "meta as an array, not an object"},
    {"default", "list_contacts", "{}", "/v1/contacts", 200, "{\"contacts\":[1]}",
     "contacts[0] as an integer"},
    {"default", "list_contacts", "{}", "/v1/contacts", 200, "{\"contacts\":{}}", "contacts as an object"},
    {"default", "list_contacts", "{\"q\":\"ann@x.example\"}", "/v1/contacts/search", 200,
     "{\"contacts\":[],\"meta\":[]}", "meta as an array, not an object"},
    {"default", "list_contacts", "{\"q\":\"+33 1 00 00 00 07\"}", "/v1/contacts/search", 200,
     "{\"contacts\":[null],\"meta\":{}}", "contacts[0] as null"},
    {"default", "list_contacts", "{\"q\":\"Ann\"}", "/v1/contacts", 200, "{\"contacts\":[\"x\"],\"meta\":{}}",
     "contacts[0] as a string"},
    {"default", "list_contacts", "{\"q\":\"Ann\"}", "/v1/contacts", 200,
     "{\"contacts\":[{\"first_name\":5}],\"meta\":{}}", "contacts[0].first_name as an integer"},
    {"default", "list_contacts", "{\"q\":\"Ann\"}", "/v1/contacts", 200,
     "{\"contacts\":[],\"meta\":{\"next_page_link\":5}}", "meta.next_page_link as an integer"},
    {"default", "list_contacts", "{\"q\":\"Ann\"}", "/v1/contacts", 200, "{\"contacts\":[],\"meta\":[]}",
     "meta as an array"},
    /* create_contact and update_contact */
    {"default", "create_contact",
     "{\"first_name\":\"Ann\",\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33100000007\"}]}",
     "/v1/contacts", 200, "{\"contact\":\"x\"}", "contact"},
    {"default", "create_contact",
     "{\"first_name\":\"Ann\",\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33100000007\"}]}",
     "/v1/contacts", 200, "[]", "not the expected JSON object"},
    {"default", "update_contact", "{\"contact_id\":5,\"first_name\":\"Bo\"}", "/v1/contacts/5", 200,
     "{\"contact\":\"x\"}", "contact"},
    {"default", "update_contact",
     "{\"contact_id\":5,\"phone_numbers\":[{\"label\":\"Work\",\"value\":\"+33100000007\"}]}",
     "/v1/contacts/5", 200, "{\"contact\":{\"phone_numbers\":\"x\"}}", "contact.phone_numbers as a string"},
    {"default", "update_contact",
     "{\"contact_id\":5,\"emails\":[{\"label\":\"Work\",\"value\":\"a@b.example\"}]}", "/v1/contacts/5", 200,
     "{\"contact\":{\"emails\":[1]}}", "contact.emails[0] as an integer"},
    /* list_users, list_numbers, get_current_user */
    {"default", "list_users", "{}", "/v2/users", 200, "{\"users\":[null]}", "users[0] as null"},
    {"default", "list_users", "{}", "/v2/users", 200, "{\"users\":[{\"name\":5}]}",
     "users[0].name as an integer"},
    {"default", "list_users", "{}", "/v2/users", 200, "{\"users\":[{\"name\":\"A B\",\"first_name\":1}]}",
     "users[0].first_name as an integer"},
    {"default", "list_users", "{}", "/v2/users", 200, "{\"users\":\"x\"}", "users"},
    {"default", "list_numbers", "{}", "/v1/numbers", 200, "{\"numbers\":[1,\"x\",null]}",
     "numbers[0] as an integer, not an object"},
    {"default", "list_numbers", "{}", "/v1/numbers", 200, "{\"numbers\":[{\"digits\":\"1\"},\"x\"]}",
     "numbers[1] as a string, not an object"},
    {"default", "list_numbers", "{}", "/v1/numbers", 200, "{\"numbers\":[{\"digits\":5}]}",
     "numbers[0].digits as an integer"},
    {"default", "get_current_user", "{}", "/v1/integrations/me", 200, "{\"integration\":\"x\"}",
     "integration as a string, not an object"},
    {"default", "get_current_user", "{}", "/v1/integrations/me", 200, "{\"integration\":{\"user\":[]}}",
     "integration.user as an array"},
    {"default", "get_current_user", "{}", "/v1/integrations/me", 200,
     "{\"integration\":{\"user\":{\"name\":5}}}", "integration.user.name as an integer"},
    {"default", "get_current_user", "{}", "/v1/integrations/me", 200, "{\"integration\":{}}",
     "no \"integration.user\""},
    /* Echoes of the Authorization header, in every place an answer's text can surface. */
    {"default", LIST_CALLS, 401, "{\"error\":\"bad token %AUTH%\"}", NULL},
    {"default", LIST_CALLS, 400, "{\"message\":\"%AUTH%\",\"errors\":[\"%AUTH%\"]}", NULL},
    {"default", LIST_CALLS, 503, "{\"troubleshoot\":\"%AUTH%\"}", NULL},
    {"default", LIST_CALLS, 200, "%AUTH%", NULL},
    {"default", LIST_CALLS, 200, "{\"calls\":\"%AUTH%\"}", NULL},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200, "%AUTH%", NULL},
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 404, "{\"error\":\"%AUTH%\"}", NULL},
    {"default", "list_numbers", "{}", "/v1/numbers", 422, "{\"errors\":{\"auth\":\"%AUTH%\"}}", NULL},
    {"basic", "list_users", "{}", "/v2/users", 403, "{\"error\":\"%AUTH%\"}", NULL},
    {"basic", "list_contacts", "{}", "/v1/contacts", 200, "%AUTH%", NULL},
    /* ... and with every character escaped, in answers that are otherwise good. */
    {"default", "get_call", "{\"call_id\":1}", "/v1/calls/1", 200,
     "{\"call\":{\"id\":1,\"note\":\"%AUTH_U%\"}}", ""},
    {"default", LIST_CALLS, 200, "{\"calls\":[{\"id\":1,\"note\":\"%AUTH_U%\"}],\"meta\":{}}", ""},
    {"default", "list_users", "{}", "/v2/users", 200, "{\"users\":[{\"name\":\"%AUTH_U%\"}],\"meta\":{}}",
     ""},
    {"basic", "list_numbers", "{}", "/v1/numbers", 200,
     "{\"numbers\":[{\"digits\":\"1\",\"n\":\"%AUTH_U%\"}]}", ""},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const struct kkp_plugin *P;
static int n_test;

static void tap(int ok, const char *fmt, const char *a, const char *b, const char *c) {
  printf("%s %d - ", ok ? "ok" : "not ok", ++n_test);
  printf(fmt, a, b, c);
  printf("\n");
  fflush(stdout);
}

static const char *leaked_plain(const char *text) {
  for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
    if (strstr(text, secrets[i])) return secrets[i];
  return NULL;
}

/* A credential in text as it is, or in its strings once they are read as JSON. */
static const char *leaked(const char *text) {
  const char *found = leaked_plain(text);
  json_object *j = found ? NULL : json_tokener_parse(text);
  if (j) found = leaked_plain(json_object_to_json_string_ext(j, JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(j);
  return found;
}

/* Runs case i; 1 when it behaved. Prints the answer of a misbehaving case. */
static int run_case(unsigned port, size_t i, int *leaks) {
  const struct hostile_case *c = &cases[i];
  char cfg[256], *err = NULL, *out = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg),
           "{\"base_url\":\"http://127.0.0.1:%u/case/%zu\",\"max_retries\":0,\"retry_base_ms\":1,"
           "\"name_scan_pages\":2}",
           port, i);
  if (P->account_init(NULL, c->account, cfg, &a, &err) != KKP_OK) {
    printf("# account_init: %s\n", err ? err : "(no error)");
    P->free_string(err);
    return 0;
  }
  int rc = P->invoke(a, c->function, c->args, &out);
  P->account_free(a);
  json_object *j = out ? json_tokener_parse(out) : NULL, *e = NULL, *m = NULL;
  json_object_object_get_ex(j, "error", &e);
  json_object_object_get_ex(e, "message", &m);
  const char *msg = m ? json_object_get_string(m) : "";
  int good = rc != KKP_OK && e && (!c->expect || strstr(msg, c->expect));
  if (c->expect && rc != KKP_ERR_UPSTREAM) good = 0;
  if (c->expect && !*c->expect) good = rc == KKP_OK; /* it may succeed; the leak check below decides */
  if (out && leaked(out)) {
    (*leaks)++;
    good = c->expect ? 0 : good;
    printf("# case %zu returned the credential: %s\n", i, out);
  }
  if (!good) printf("# case %zu (status %d): %s\n", i, rc, out ? out : "(no output)");
  json_object_put(j);
  P->free_string(out);
  return good;
}

int main(void) {
  char so[512];
  if (!getenv("KKP_KEYSTORE")) {
    fprintf(stderr, "run through tests/hostile/run.sh (needs KKP_KEYSTORE)\n");
    return 2;
  }
  snprintf(so, sizeof(so), "%s/aircall.so", getenv("BUILD") ? getenv("BUILD") : "build");
  void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  kkp_plugin_entry_fn entry = (kkp_plugin_entry_fn)dlsym(lib, KKP_PLUGIN_ENTRY_SYMBOL);
  P = entry ? entry(KKP_ABI_MAJOR, KKP_ABI_MINOR) : NULL;
  unsigned port = hostile_start(cases, N_CASES);
  if (!P || !port) {
    fprintf(stderr, "no plugin or no server\n");
    return 2;
  }
  int echo_leaks = 0, shape_leaks = 0;
  for (size_t i = 0; i < N_CASES; i++) {
    const struct hostile_case *c = &cases[i];
    int good = run_case(port, i, c->expect && *c->expect ? &shape_leaks : &echo_leaks);
    char what[160];
    snprintf(what, sizeof(what), "%s %s: HTTP %d %.60s", c->function, c->args, c->status, c->body);
    tap(good, "%s%s%s", what,
        !c->expect   ? " (echoes the credential)"
        : *c->expect ? " -> "
                     : " (echoes the credential in escapes)",
        c->expect ? c->expect : "");
  }
  tap(shape_leaks == 0, "no answer to a malformed shape holds the credential%s%s%s", "", "", "");
  tap(echo_leaks == 0,
      "echoed_token_is_never_returned: the credential echoed by Aircall is in no output%s%s%s", "", "", "");
  printf("1..%d\n", n_test);
  hostile_stop();
  dlclose(lib);
  return 0;
}
