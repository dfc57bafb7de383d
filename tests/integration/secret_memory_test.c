/*
 * secret_memory_test.c - the credential's life in aircall.so's memory, seen from inside:
 * its prebuilt Authorization header lines are wiped before they are freed, and every
 * sodium_malloc'd block (where the keystore puts the credential) is freed again by
 * account_free. Started by tests/integration/secret_memory_test.sh (SIM_URL, KKP_KEYSTORE,
 * BUILD).
 *
 * How it sees: this program defines curl_slist_append, curl_slist_free_all, sodium_malloc
 * and sodium_free itself and exports them (-rdynamic). The dynamic linker searches the
 * executable first, so the dlopen'ed plugin (and the keystore inside it) calls these; each
 * records what it saw and forwards to the real function of libcurl or libsodium. Valgrind
 * cannot do this job: sodium_malloc maps its own guarded pages, which memcheck does not
 * track as heap blocks.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <cmocka.h>

#include "plugin.h"
#include "tests/lib/cmocka_tap.h"
#include "tests/lib/interpose.h"
#include "tests/lib/plugin_open.h"

static const struct kkp_plugin *P;
static const char *sim_url;

/* ---- the plugin's Authorization header lines ------------------------------ */

/* Each "Authorization: ..." line handed to curl_slist_append: the copy libcurl made
 * (the list node's data) and its length, to look at when its list is freed. */
#define MAX_LINES 16
static struct auth_line {
  const char *data;
  size_t len;
  int freed, wiped;
} lines[MAX_LINES];
static int n_lines;

INTERPOSED struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s) {
  static struct curl_slist *(*real)(struct curl_slist *, const char *);
  if (!real) real = (struct curl_slist * (*)(struct curl_slist *, const char *)) real_fn("curl_slist_append");
  struct curl_slist *out = real(list, s);
  if (out && s && strncasecmp(s, "Authorization:", 14) == 0 && n_lines < MAX_LINES) {
    struct curl_slist *last = out;
    while (last->next) last = last->next;
    lines[n_lines++] = (struct auth_line){last->data, strlen(last->data), 0, 0};
  }
  return out;
}

static int all_zero(const char *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (p[i]) return 0;
  return 1;
}

/* The check is made here, on the plugin's own lists, and not in free(): libcurl keeps
 * its own unwiped copy of the header in its request buffer while sending (a known,
 * documented limit the plugin cannot reach), and a scan of every freed block would find
 * that copy and say nothing about the plugin. What the plugin can wipe is the line it
 * built, and that line must be all zero bytes, over its whole former length, by the
 * time its list is freed. */
INTERPOSED void curl_slist_free_all(struct curl_slist *list) {
  static void (*real)(struct curl_slist *);
  if (!real) real = (void (*)(struct curl_slist *))real_fn("curl_slist_free_all");
  for (struct curl_slist *l = list; l; l = l->next)
    for (int i = 0; i < n_lines; i++)
      if (lines[i].data == l->data && !lines[i].freed) {
        lines[i].freed = 1;
        lines[i].wiped = all_zero(l->data, lines[i].len);
      }
  real(list);
}

/* ---- sodium_malloc'd blocks ------------------------------------------------ */

#define MAX_BLOCKS 256
static void *live[MAX_BLOCKS];
static int n_live, n_untracked;

INTERPOSED void *sodium_malloc(size_t size) {
  static void *(*real)(size_t);
  if (!real) real = (void *(*)(size_t))real_fn("sodium_malloc");
  void *p = real(size);
  if (p && n_live < MAX_BLOCKS) live[n_live++] = p;
  else if (p) n_untracked++;
  return p;
}

INTERPOSED void sodium_free(void *p) {
  static void (*real)(void *);
  if (!real) real = (void (*)(void *))real_fn("sodium_free");
  for (int i = 0; p && i < n_live; i++)
    if (live[i] == p) {
      live[i] = live[--n_live];
      break;
    }
  real(p);
}

/* ---- the plugin ------------------------------------------------------------ */

static struct kkp_account *open_account(const char *name) {
  char cfg[512], *err = NULL;
  struct kkp_account *a = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\",\"max_retries\":0}", sim_url);
  if (P->account_init(NULL, name, cfg, &a, &err)) {
    cm_print_error("account_init(%s): %s\n", name, err ? err : "(no error JSON)");
    P->free_string(err);
    fail();
  }
  return a;
}

/* One real exchange, so that the account's header lists have been used for a request. */
static void get_a_call(struct kkp_account *a) {
  char *out = NULL;
  int rc = P->invoke(a, "get_call", "{\"call_id\":12345}", &out);
  if (rc != KKP_OK) fail_msg("get_call: %d %s", rc, out ? out : "(null)");
  assert_non_null(strstr(out, "\"id\":12345"));
  P->free_string(out);
}

static void header_lines_wiped_before_free(const char *account) {
  n_lines = 0;
  struct kkp_account *a = open_account(account);
  /* One credential line in the plain list and one in the list for requests with a body:
   * if this count changes, the plugin builds its headers differently and this test must
   * follow, not pass on nothing. */
  assert_int_equal(n_lines, 2);
  get_a_call(a);
  get_a_call(a);
  P->account_free(a);
  for (int i = 0; i < n_lines; i++) {
    if (!lines[i].freed) fail_msg("account \"%s\": header list %d was never freed", account, i);
    if (!lines[i].wiped)
      fail_msg("account \"%s\": header line %d (%zu bytes) still held the credential when its list was "
               "freed: it must be wiped first",
               account, i, lines[i].len);
  }
}

static void bearer_header_lines_are_wiped_before_free(void **state) {
  (void)state;
  header_lines_wiped_before_free("default");
}

static void basic_header_lines_are_wiped_before_free(void **state) {
  (void)state;
  header_lines_wiped_before_free("basic");
}

/* init -> invoke -> free leaves no sodium_malloc'd block behind; min_held is how many the
 * account must hold while open (the credential itself), so the balance is not trivial. */
static void sodium_blocks_balance(const char *account, int min_held) {
  int before = n_live;
  struct kkp_account *a = open_account(account);
  int held = n_live - before;
  if (held < min_held)
    fail_msg("account \"%s\" holds %d sodium_malloc'd blocks while open, want at least %d (its credential)",
             account, held, min_held);
  get_a_call(a);
  P->account_free(a);
  if (n_live != before)
    fail_msg("account \"%s\": %d sodium_malloc'd block(s) still live after account_free: the credential "
             "is neither freed nor wiped",
             account, n_live - before);
  assert_int_equal(n_untracked, 0);
}

static void bearer_sodium_blocks_balance(void **state) {
  (void)state;
  sodium_blocks_balance("default", 2); /* the credential and its token */
}

static void basic_sodium_blocks_balance(void **state) {
  (void)state;
  sodium_blocks_balance("basic", 3); /* the credential, its api_id and api_token */
}

static void failed_init_leaves_no_sodium_block(void **state) {
  (void)state;
  int before = n_live;
  char cfg[512], *err = NULL;
  struct kkp_account *a = NULL;
  /* An account the keystore does not hold fails once the keystore has been opened: that
   * failure path must give back what it took as well. */
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\"}", sim_url);
  assert_int_equal(P->account_init(NULL, "nobody", cfg, &a, &err), KKP_ERR_CONFIG);
  assert_null(a);
  P->free_string(err);
  assert_int_equal(n_live, before);
}

int main(void) {
  sim_url = getenv("SIM_URL");
  if (!sim_url || !getenv("KKP_KEYSTORE")) {
    printf("not ok 1 - run through tests/integration/secret_memory_test.sh (needs SIM_URL, KKP_KEYSTORE)\n");
    return 1;
  }
  /* This program's own use of both libraries keeps them linked, so RTLD_NEXT finds them. */
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    printf("not ok 1 - libsodium and libcurl initialise\n");
    return 1;
  }
  void *lib;
  if (!(P = test_plugin_open(&lib))) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bearer_header_lines_are_wiped_before_free),
      cmocka_unit_test(basic_header_lines_are_wiped_before_free),
      cmocka_unit_test(bearer_sodium_blocks_balance),
      cmocka_unit_test(basic_sodium_blocks_balance),
      cmocka_unit_test(failed_init_leaves_no_sodium_block),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  dlclose(lib);
  curl_global_cleanup();
  return failed;
}
