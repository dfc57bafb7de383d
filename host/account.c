/*
 * account.c - what the host lends a plugin (log and get_secret callbacks, the config
 * JSON built from flags and the environment), opening and calling accounts, and the
 * permission gate in front of write functions.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "keystore/secret_input.h"

int host_exit_for_status(int status) {
  if (status == KKP_OK) return HOST_EXIT_OK;
  if (status < 0 || status > KKP_ERR_CANCELLED) status = KKP_ERR_INTERNAL; /* unknown: internal */
  return 2 + status;
}

char *host_error_json(const char *code, const char *message) {
  json_object *root = json_object_new_object(), *e = json_object_new_object();
  char *s = NULL;
  if (root && e) {
    json_object_object_add(e, "code", json_object_new_string(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object_object_add(root, "error", e);
    e = NULL;
    s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  }
  json_object_put(e);
  json_object_put(root);
  return s;
}

/* ---- the callbacks ---- */

static const struct host_opts *cb_opts;

static void cb_log(void *ctx, int level, const char *message) {
  static const char *const names[] = {"error", "warn", "info", "debug"};
  (void)ctx;
  if (!cb_opts || !cb_opts->verbose || !message) return;
  fprintf(stderr, "[%s] %s\n", level >= 0 && level <= 3 ? names[level] : "log", message);
}

/* The keystore passphrase, once per process: however many accounts a script opens,
 * the terminal asks once and a file is read once. Kept in the keystore's secret
 * memory (guarded, wiped when freed) for the life of the process. */
static char *cached_passphrase;

/* Where the passphrase comes from, first found: --passphrase-file,
 * $KKP_KEYSTORE_PASSPHRASE_FILE, $KKP_KEYSTORE_PASSPHRASE, the terminal. */
static char *passphrase_fetch(void) {
  const char *file = ks_passphrase_file(cb_opts ? cb_opts->passphrase_file : NULL);
  const char *env = getenv("KKP_KEYSTORE_PASSPHRASE");
  char *secret = NULL;
  struct ks_error err;
  if (file) {
    /* The keystore's own reader: read(2) into secret memory, no stdio copy. */
    if (ks_passphrase_read_file(file, &secret, &err) != KS_OK) fprintf(stderr, "kkp-host: %s\n", err.message);
    return secret;
  }
  if (env) return ks_secret_dup(env);
  if (!isatty(STDIN_FILENO)) return NULL;
  /* The keystore's own reader: echo off, and back on whatever signal arrives. */
  if (ks_secret_read_max("Keystore passphrase: ", "passphrase", KS_PASSPHRASE_MAX, 0, &secret, &err) !=
      KS_OK) {
    fprintf(stderr, "kkp-host: %s\n", err.message);
    return NULL;
  }
  return secret;
}

/* The keystore's unwrapping key, derived from the passphrase once per process
 * (ks_unlock: Argon2id) and given to every account as KKP_SECRET_KEYSTORE_KEY, so a
 * script opening many accounts pays for the derivation once. Tried once; NULL when
 * the keystore is not wrapped or the passphrase is missing (the plugin then asks
 * for the passphrase itself). */
static char *cached_unlock;
static int unlock_tried;

static char *unlock_fetch(void) {
  char dir[4096], *text = NULL;
  struct ks_error err;
  struct ks_unlock_key *key = NULL;
  int wrapped = 0, verbose = cb_opts && cb_opts->verbose;
  if (cb_opts && cb_opts->keystore) snprintf(dir, sizeof dir, "%s", cb_opts->keystore);
  else if (ks_dir_default(dir, sizeof dir, &err) != KS_OK) return NULL;
  if (ks_hostkey_wrapped(dir, &wrapped, &err) != KS_OK || !wrapped) return NULL;
  if (!cached_passphrase && !(cached_passphrase = passphrase_fetch())) return NULL;
  if (verbose)
    fprintf(stderr, "[host] keystore: deriving the unlock key from the passphrase (Argon2id), once\n");
  if ((key = ks_secret_alloc(sizeof *key)) && (text = ks_secret_alloc(KS_UNLOCK_TEXT_LEN)) &&
      ks_unlock(dir, cached_passphrase, key, &err) == KS_OK) {
    ks_unlock_to_text(key, text);
  } else {
    if (verbose)
      fprintf(stderr, "[host] keystore: no unlock key: %s\n", key && text ? err.message : "out of memory");
    ks_secret_free(text);
    text = NULL;
  }
  ks_secret_free(key);
  return text;
}

static int cb_get_secret(void *ctx, const char *name, char *buf, size_t cap) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  const char *value = NULL;
  size_t len;
  (void)ctx;
  if (!name || !buf || cap == 0) return -1;
  pthread_mutex_lock(&lock); /* one prompt and one derivation, whichever thread asks */
  if (strcmp(name, KKP_SECRET_KEYSTORE_PASSPHRASE) == 0) {
    if (!cached_passphrase) cached_passphrase = passphrase_fetch();
    value = cached_passphrase;
  } else if (strcmp(name, KKP_SECRET_KEYSTORE_KEY) == 0) {
    if (!unlock_tried) cached_unlock = unlock_fetch();
    unlock_tried = 1;
    value = cached_unlock;
  }
  len = value ? strlen(value) : 0;
  if (value && len + 1 <= cap) memcpy(buf, value, len + 1);
  pthread_mutex_unlock(&lock);
  return value && len + 1 <= cap ? (int)len : -1;
}

const struct kkp_host *host_callbacks(const struct host_opts *o) {
  static struct kkp_host h = {KKP_ABI_MAJOR, KKP_ABI_MINOR, sizeof(struct kkp_host),
                              NULL,          cb_log,        cb_get_secret};
  cb_opts = o;
  return &h;
}

/* ---- accounts ---- */

/* The account really opened for name: "default" means the only account when the
 * keystore has no "default" record and exactly one other; else name itself (the
 * plugin's error lists the accounts when it is missing). */
void host_account_resolve(const struct host_opts *o, const char *plugin, const char *name, char *out,
                          size_t cap) {
  char dir[4096], **names = NULL;
  size_t n = 0;
  struct ks_error kerr;
  int has_default = 0;
  snprintf(out, cap, "%s", name);
  if (strcmp(name, "default") != 0) return;
  if (o->keystore) snprintf(dir, sizeof dir, "%s", o->keystore);
  else if (ks_dir_default(dir, sizeof dir, &kerr) != KS_OK) return;
  if (ks_account_list(dir, plugin, &names, &n, &kerr) != KS_OK) return;
  for (size_t i = 0; i < n; i++) has_default |= strcmp(names[i], "default") == 0;
  if (!has_default && n == 1 && strlen(names[0]) < cap) {
    snprintf(out, cap, "%s", names[0]);
    if (o->verbose)
      fprintf(stderr, "[host] %s: account \"%s\" is the only one: using it as default\n", plugin, out);
  }
  ks_names_free(names, n);
}

/* A plugin string as a malloc'd copy, the original handed back to the plugin. */
static char *take_string(struct host_plugin *p, char *s) {
  char *copy;
  if (!s) return NULL;
  copy = strdup(s);
  p->api.free_string(s);
  return copy;
}

int host_account_open(const struct host_opts *o, struct host_plugin *p, const char *name,
                      struct host_account **out, char **error_json) {
  struct host_account *a = calloc(1, sizeof *a);
  char *cfg = NULL, *perr = NULL, real[128];
  struct host_error cerr;
  int st;
  host_account_resolve(o, p->manifest->name, name, real, sizeof real);
  *out = NULL;
  *error_json = NULL;
  if (host_config_build(o, p->manifest, &cfg, &cerr)) {
    /* a bad config file, variable or --config: the plugin never sees it */
    *error_json = host_error_json("config_error", cerr.message);
    st = KKP_ERR_CONFIG;
    goto out;
  }
  if (!a || !cfg || !(a->name = strdup(name))) {
    *error_json = host_error_json("internal_error", "out of memory opening an account");
    st = KKP_ERR_INTERNAL;
    goto out;
  }
  if (o->verbose)
    fprintf(stderr, "[host] %s.%s: account_init with config %s\n", p->manifest->name, name, cfg);
  st = p->api.account_init(host_callbacks(o), real, cfg, &a->acct, &perr);
  if (st != KKP_OK) {
    *error_json = take_string(p, perr);
    if (!*error_json)
      *error_json = host_error_json(kkp_status_name(st), "account_init failed without an error object");
    if (a->acct) p->api.account_free(a->acct);
    a->acct = NULL;
    goto out;
  }
  if (perr) p->api.free_string(perr);
  host_plugin_retain(p);
  a->plugin = p;
  *out = a;
  a = NULL;
out:
  free(cfg);
  if (a) {
    free(a->name);
    free(a);
  }
  return st;
}

void host_account_close(struct host_account *a) {
  if (!a) return;
  a->plugin->api.account_free(a->acct);
  host_plugin_release(a->plugin);
  free(a->name);
  free(a);
}

int host_account_invoke(struct host_account *a, const char *fn, const char *args_json, char **result_json) {
  return host_account_invoke_within(a, fn, args_json, 0, result_json);
}

int host_account_invoke_within(struct host_account *a, const char *fn, const char *args_json,
                               long long deadline_ms, char **result_json) {
  char *r = NULL;
  const struct kkp_plugin *api = &a->plugin->api;
  int st;
  /* A 1.1 plugin gets the budget as the call's deadline, so a wait inside it
   * (a rate limit, a slow page) ends when the host's time does. */
  if (deadline_ms > 0 && api->struct_size >= KKP_PLUGIN_SIZE_1_1 && api->invoke_call) {
    struct kkp_call call = {.struct_size = sizeof call, .deadline_ms = deadline_ms};
    st = api->invoke_call(a->acct, fn, args_json, &call, &r);
  } else {
    st = api->invoke(a->acct, fn, args_json, &r);
  }
  *result_json = take_string(a->plugin, r);
  if (!*result_json)
    *result_json =
        st == KKP_OK ? strdup("{}") : host_error_json(kkp_status_name(st), "the plugin gave no error object");
  return st;
}

/* ---- write permission ---- */

int host_write_permitted(const struct host_opts *o, const char *plugin, const char *fn,
                         struct host_error *err) {
  char answer[16];
  FILE *tty;
  if (o->write == HOST_WRITE_ALLOW) return 1;
  if (o->write == HOST_WRITE_DENY) {
    host_error_set(
        err, "%s is a write function and writes are denied by --write=deny: pass --write=allow to allow it",
        fn);
    return 0;
  }
  if (!isatty(STDIN_FILENO) || !(tty = fopen("/dev/tty", "r+"))) {
    host_error_set(
        err,
        "%s is a write function and writes are denied by default when not run from a terminal: pass "
        "--write=allow to allow it",
        fn);
    return 0;
  }
  fprintf(tty, "%s.%s changes data in %s. Allow? [y/N] ", plugin, fn, plugin);
  fflush(tty);
  answer[0] = '\0';
  if (!fgets(answer, sizeof answer, tty)) answer[0] = '\0';
  fclose(tty);
  if (answer[0] == 'y' || answer[0] == 'Y') return 1;
  host_error_set(
      err, "%s is a write function and it was not allowed at the prompt: answer y, or pass --write=allow",
      fn);
  return 0;
}
