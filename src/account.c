/*
 * account.c - one Aircall account: its config (validated against the manifest's
 * config schema), its credential from the keystore, and what it caches.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "keystore/ks.h"
#include "src/ac.h"
#include "src/account.h"

int ac_account_is_basic(const struct kkp_account *a) {
  return a->cred && a->cred->kind == KS_KIND_BASIC;
}

void ac_account_limited(struct kkp_account *a, long long until_ms) {
  pthread_mutex_lock(&a->lock);
  if (until_ms > a->limited_until_ms) a->limited_until_ms = until_ms;
  pthread_mutex_unlock(&a->lock);
}

int ac_account_is_limited(struct kkp_account *a) {
  pthread_mutex_lock(&a->lock);
  long long until = a->limited_until_ms;
  pthread_mutex_unlock(&a->lock);
  return ac_now_ms() < until;
}

void ac_log(const struct kkp_account *a, int level, const char *fmt, ...) {
  if (!a || !a->log) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ac_redact(a, msg);
  a->log(a->log_ctx, level, msg);
}

/* A text cut to fit a buffer may end in the first part of the secret: masks an
 * end of s that is a prefix of secret (4 characters or more). */
static void redact_cut_tail(char *s, const char *secret, size_t n) {
  size_t len = strlen(s);
  for (size_t k = (n - 1 < len ? n - 1 : len); k >= 4; k--)
    if (memcmp(s + len - k, secret, k) == 0) {
      memset(s + len - k, '*', k);
      return;
    }
}

void ac_redact(const struct kkp_account *a, char *s) {
  if (!a || !s) return;
  for (size_t i = 0; i < sizeof(a->redact) / sizeof(a->redact[0]) && a->redact[i]; i++) {
    size_t n = strlen(a->redact[i]);
    if (n == 0) continue;
    for (char *at = strstr(s, a->redact[i]); at; at = strstr(at + n, a->redact[i])) memset(at, '*', n);
    redact_cut_tail(s, a->redact[i], n);
  }
}

/* Keeps the forms the credential could be echoed back in, longest first (so the
 * base64 of "id:secret" is found before the secret inside it would spoil it). */
static int add_redaction(struct kkp_account *a, const char *text, size_t n) {
  size_t k = 0;
  if (n == 0) return 0;
  while (k < sizeof(a->redact) / sizeof(a->redact[0]) && a->redact[k]) k++;
  if (k == sizeof(a->redact) / sizeof(a->redact[0]) || !(a->redact[k] = sodium_malloc(n + 1))) return -1;
  memcpy(a->redact[k], text, n);
  a->redact[k][n] = '\0';
  return 0;
}

/* The schema default of a config key (the manifest is the one place for them). */
static long long config_default(const char *key) {
  json_object *props, *p;
  if (json_object_object_get_ex(ac_manifest_config(), "properties", &props) &&
      json_object_object_get_ex(props, key, &p))
    return ac_json_int(p, "default", 0);
  return 0;
}

static long long config_int(json_object *cfg, const char *key) {
  return ac_json_int(cfg, key, config_default(key));
}

/* http:// is accepted only for a loopback host (the simulator, a local proxy). */
static int is_loopback(const char *host, size_t len) {
  if (len == 9 && strncasecmp(host, "localhost", 9) == 0) return 1;
  if (len == 5 && strncmp(host, "[::1]", 5) == 0) return 1;
  if (len >= 4 && strncmp(host, "127.", 4) == 0) {
    for (size_t i = 4; i < len; i++)
      if (!isdigit((unsigned char)host[i]) && host[i] != '.') return 0;
    return 1;
  }
  return 0;
}

/* The URL's host when it parses as a plain URL (no credentials, query or
 * fragment); NULL otherwise. curl_url parses it as libcurl will use it. Free with curl_free. */
static char *plain_url_host(const char *url) {
  CURLU *u = curl_url();
  char *host = NULL, *part = NULL;
  static const CURLUPart refused[] = {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY,
                                      CURLUPART_FRAGMENT};
  int plain = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
  for (size_t i = 0; plain && i < sizeof(refused) / sizeof(refused[0]); i++) {
    if (curl_url_get(u, refused[i], &part, 0) == CURLUE_OK) plain = 0; /* present: refused */
    curl_free(part);
    part = NULL;
  }
  curl_url_cleanup(u);
  if (!plain) {
    curl_free(host);
    return NULL;
  }
  return host;
}

int ac_check_base_url(const char *url, struct ac_error *e) {
  /* The scheme is compared as written (lowercase): the transport keeps a plain-http
   * base_url away from proxies by this same prefix. */
  int https = strncmp(url, "https://", 8) == 0;
  if (!https && strncmp(url, "http://", 7) != 0)
    return ac_fail(e, KKP_ERR_CONFIG, "base_url must start with https:// (got \"%.80s\")", url);
  char *host = plain_url_host(url);
  /* An empty user, query or fragment ("https://@host/?#") parses as none, yet no
   * plain URL holds those characters. */
  if (!host || strpbrk(url, "@?#")) {
    curl_free(host);
    return ac_fail(e, KKP_ERR_CONFIG,
                   "base_url must be a plain URL such as https://api.aircall.io, without "
                   "credentials, query or fragment (got \"%.80s\")",
                   url);
  }
  int loopback = is_loopback(host, strlen(host));
  curl_free(host);
  if (!https && !loopback)
    return ac_fail(e, KKP_ERR_CONFIG,
                   "base_url must use https:// so the token travels encrypted; http:// is allowed "
                   "only for a loopback host such as 127.0.0.1 (got \"%.80s\")",
                   url);
  return KKP_OK;
}

/* ca_file is checked here, at account_init, so a wrong path is a config error naming the file
 * rather than a TLS failure on the first call. */
static int check_ca_file(const char *path, struct ac_error *e) {
  struct stat st;
  FILE *f = fopen(path, "r");
  int err = f ? 0 : errno;
  if (f && (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))) err = EISDIR;
  if (f) fclose(f);
  if (!err) return KKP_OK;
  return ac_fail(e, KKP_ERR_CONFIG,
                 "ca_file \"%.200s\" cannot be read (%s): give the path of a readable PEM file of CA "
                 "certificates, or leave ca_file out to trust the system's",
                 path, err == EISDIR ? "not a regular file" : strerror(err));
}

static int read_config(json_object *cfg, struct ac_config *c, struct ac_error *e) {
  int rc = ac_validate_object("config", ac_manifest_config(), cfg, e);
  if (rc) {
    e->status = KKP_ERR_CONFIG;
    return rc == KKP_ERR_INVALID_ARGUMENT ? KKP_ERR_CONFIG : rc;
  }
  json_object *props, *p;
  const char *url = ac_json_str(cfg, "base_url");
  if (!url && json_object_object_get_ex(ac_manifest_config(), "properties", &props) &&
      json_object_object_get_ex(props, "base_url", &p))
    url = ac_json_str(p, "default");
  if (!url || (rc = ac_check_base_url(url, e))) return rc ? rc : ac_fail(e, KKP_ERR_CONFIG, "no base_url");
  c->base_url = strdup(url);
  if (c->base_url) {
    size_t n = strlen(c->base_url);
    while (n > 0 && c->base_url[n - 1] == '/') c->base_url[--n] = '\0';
  }
  const char *ks = ac_json_str(cfg, "keystore");
  c->keystore = ks ? strdup(ks) : NULL;
  if (!c->base_url || (ks && !c->keystore)) return ac_fail(e, KKP_ERR_INTERNAL, "out of memory");
  const char *ca = ac_json_str(cfg, "ca_file");
  if (ca && (rc = check_ca_file(ca, e))) return rc;
  if (ca && !(c->ca_file = strdup(ca))) return ac_fail(e, KKP_ERR_INTERNAL, "out of memory");
  c->connect_timeout_ms = config_int(cfg, "connect_timeout_ms");
  c->timeout_ms = config_int(cfg, "timeout_ms");
  c->max_retries = (int)config_int(cfg, "max_retries");
  c->max_rate_wait_ms = config_int(cfg, "max_rate_wait_ms");
  c->name_scan_pages = (int)config_int(cfg, "name_scan_pages");
  c->concurrent_pages = (int)config_int(cfg, "concurrent_pages");
  c->cache_ttl_s = (int)config_int(cfg, "cache_ttl_s");
  c->retry_base_ms = config_int(cfg, "retry_base_ms");
  c->deadline_ms = config_int(cfg, "deadline_ms");
  c->reconcile_window_ms = config_int(cfg, "reconcile_window_ms");
  const char *proxy = ac_json_str(cfg, "proxy");
  if (proxy && (strpbrk(proxy, " \t\r\n") || !strstr(proxy, "://")))
    return ac_fail(e, KKP_ERR_CONFIG, "proxy must be a URL such as http://proxy.example:3128 (got \"%.80s\")",
                   proxy);
  if (proxy && !(c->proxy = strdup(proxy))) return ac_fail(e, KKP_ERR_INTERNAL, "out of memory");
  return KKP_OK;
}

/* The keystore passphrase: the host's get_secret first, then the environment. buf
 * holds one byte more than the longest passphrase, so that one too long reaches the
 * keystore, which refuses it by name, instead of being cut or silently dropped. */
static int passphrase(const struct kkp_host *host, char *buf, size_t cap) {
  if (host && host->abi_major == KKP_ABI_MAJOR && host->struct_size >= KKP_HOST_SIZE_1_0 &&
      host->get_secret && host->get_secret(host->ctx, KKP_SECRET_KEYSTORE_PASSPHRASE, buf, cap) >= 0)
    return 1;
  const char *env = getenv(KKP_ENV_KEYSTORE_PASSPHRASE);
  if (env && *env) {
    size_t n = strlen(env) < cap - 1 ? strlen(env) : cap - 1;
    memcpy(buf, env, n);
    buf[n] = 0;
    return 1;
  }
  return 0;
}

/* Opens the credential with the unwrapping key the host derived once for every
 * account (KKP_SECRET_KEYSTORE_KEY). KS_ERR_STALE_KEY when the host has none or it
 * was made for another host.key: the caller then asks for the passphrase. A key made
 * for this host.key that does not open it is KS_ERR_PASSPHRASE, final: it came from
 * the same passphrase the caller would ask for, so deriving again (Argon2id, most of
 * a second per account) would only fail the same way. */
static ks_status open_unlocked(struct kkp_account *a, const struct kkp_host *host, const char *dir,
                               struct ks_error *kerr) {
  char text[KS_UNLOCK_TEXT_LEN + 1];
  struct ks_unlock_key *key = ks_secret_alloc(sizeof *key);
  ks_status ks = KS_ERR_STALE_KEY;
  if (key && host && host->abi_major == KKP_ABI_MAJOR && host->struct_size >= KKP_HOST_SIZE_1_0 &&
      host->get_secret && host->get_secret(host->ctx, KKP_SECRET_KEYSTORE_KEY, text, sizeof(text)) >= 0 &&
      ks_unlock_from_text(text, key))
    ks = ks_credential_open_unlocked(dir, AC_PLUGIN_NAME, a->name, key, &a->cred, kerr);
  if (ks == KS_OK)
    ac_log(a, KKP_LOG_DEBUG, "keystore: opened with the host's unlock key (no key derivation)");
  ks_secret_wipe(text, sizeof(text));
  ks_secret_free(key);
  return ks;
}

static int open_credential(struct kkp_account *a, const struct kkp_host *host, struct ac_error *e) {
  char dir[4096], pass[KS_PASSPHRASE_MAX + 2];
  struct ks_error kerr = {{0}};
  if (a->cfg.keystore) snprintf(dir, sizeof(dir), "%s", a->cfg.keystore);
  else if (ks_dir_default(dir, sizeof(dir), &kerr) != KS_OK)
    return ac_fail(e, KKP_ERR_CONFIG, "%s", kerr.message);
  int wrapped = 0;
  ks_hostkey_wrapped(dir, &wrapped, &kerr); /* ask for a passphrase only when one is needed */
  ks_status ks = wrapped ? open_unlocked(a, host, dir, &kerr) : KS_ERR_STALE_KEY;
  if (ks == KS_ERR_STALE_KEY) {
    int have = wrapped && passphrase(host, pass, sizeof(pass));
    if (have) ac_log(a, KKP_LOG_DEBUG, "keystore: deriving the key from the passphrase (Argon2id)");
    ks = ks_credential_open(dir, AC_PLUGIN_NAME, a->name, have ? pass : NULL, &a->cred, &kerr);
    ks_secret_wipe(pass, sizeof(pass));
  }
  if (ks == KS_OK) return KKP_OK;
  if (ks == KS_ERR_NOT_FOUND) {
    char **names = NULL;
    size_t n = 0;
    struct ac_buf list = {0};
    struct ks_error lerr = {{0}};
    if (ks_account_list(dir, AC_PLUGIN_NAME, &names, &n, &lerr) == KS_OK)
      for (size_t i = 0; i < n; i++) ac_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    /* The keystore's message names the fix; the accounts that do exist help spot a typo. */
    if (n > 0)
      ac_fail(e, KKP_ERR_CONFIG, "account \"%s\": %s. Accounts that exist: %s", a->name, kerr.message,
              list.s ? list.s : "");
    else ac_fail(e, KKP_ERR_CONFIG, "account \"%s\": %s", a->name, kerr.message);
    json_object *accounts = json_object_new_array();
    for (size_t i = 0; i < n; i++) json_object_array_add(accounts, json_object_new_string(names[i]));
    ac_error_detail(e, "accounts", accounts);
    ks_names_free(names, n);
    ac_buf_free(&list);
    return e->status;
  }
  return ac_fail(e, KKP_ERR_CONFIG, "cannot open the Aircall credential of account \"%s\": %s", a->name,
                 kerr.message);
}

/* Wipes every header line (one carries the credential) before freeing the list. */
static void free_headers(struct curl_slist *list) {
  for (struct curl_slist *l = list; l; l = l->next) sodium_memzero(l->data, strlen(l->data));
  curl_slist_free_all(list);
}

static struct curl_slist *append(struct curl_slist *list, const char *line, int *oom) {
  struct curl_slist *next = curl_slist_append(list, line);
  if (!next) *oom = 1;
  return next ? next : list;
}

/* The request headers, built once per account: Accept, User-Agent and the
 * credential. Sent as plain header lines, they cost libcurl no formatting per
 * request, and this copy of the secret is one the plugin can wipe. */
static int build_headers(struct kkp_account *a, struct ac_error *e) {
  const struct ks_credential *cred = a->cred;
  size_t cap =
      64 + (cred->token ? strlen(cred->token) : 0) +
      2 * ((cred->api_id ? strlen(cred->api_id) : 0) + (cred->api_token ? strlen(cred->api_token) : 0));
  char *auth = sodium_malloc(cap), *pair = sodium_malloc(cap);
  int oom = !auth || !pair;
  if (!oom && cred->kind == KS_KIND_BASIC) {
    /* HTTP Basic: base64 of "api_id:api_token". */
    size_t n = (size_t)snprintf(pair, cap, "%s:%s", cred->api_id, cred->api_token);
    memcpy(auth, "Authorization: Basic ", 21);
    sodium_bin2base64(auth + 21, cap - 21, (const unsigned char *)pair, n, sodium_base64_VARIANT_ORIGINAL);
    oom = add_redaction(a, auth + 21, strlen(auth + 21)) || add_redaction(a, pair, n) ||
          add_redaction(a, cred->api_token, strlen(cred->api_token));
  } else if (!oom) {
    snprintf(auth, cap, "Authorization: Bearer %s", cred->token);
    oom = add_redaction(a, cred->token, strlen(cred->token));
  }
  for (int body = 0; body < 2 && !oom; body++) {
    struct curl_slist *list = NULL;
    list = append(list, "Accept: application/json", &oom);
    list = append(list, "User-Agent: kkp-aircall/" AC_VERSION, &oom);
    list = append(list, auth, &oom);
    if (body) list = append(list, "Content-Type: application/json", &oom);
    if (body) a->headers_json_body = list;
    else a->headers = list;
  }
  if (auth) sodium_free(auth); /* sodium_free wipes */
  if (pair) sodium_free(pair);
  return oom ? ac_fail(e, KKP_ERR_INTERNAL, "out of memory") : KKP_OK;
}

int ac_account_new(const struct kkp_host *host, const char *account, const char *config_json,
                   struct kkp_account **out, struct ac_error *e) {
  struct kkp_account *a = NULL;
  json_object *cfg = NULL;
  int rc;
  *out = NULL;
  if (!account || !ks_name_valid(account)) {
    rc = ac_fail(e, KKP_ERR_CONFIG,
                 "account name \"%.70s\" is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -, e.g. \"sales\"",
                 account ? account : "(null)");
    goto out;
  }
  if (config_json && strlen(config_json) > AC_MAX_ARGS) {
    rc = ac_fail(e, KKP_ERR_CONFIG, "the config is over %d bytes: pass only the keys you set", AC_MAX_ARGS);
    goto out;
  }
  if (config_json) {
    if (!(cfg = ac_json_parse(config_json, strlen(config_json)))) {
      rc = ac_fail(e, KKP_ERR_CONFIG,
                   "the config is not valid JSON: pass an object such as "
                   "{\"base_url\": \"https://api.aircall.io\"}");
      goto out;
    }
  } else {
    cfg = json_object_new_object();
  }
  a = calloc(1, sizeof(*a));
  if (a) pthread_mutex_init(&a->lock, NULL);
  if (!a || !(a->name = strdup(account))) {
    rc = ac_fail(e, KKP_ERR_INTERNAL, "out of memory");
    goto out;
  }
  if (host && host->abi_major == KKP_ABI_MAJOR && host->struct_size >= KKP_HOST_SIZE_1_0) {
    a->log = host->log;
    a->log_ctx = host->ctx;
  }
  if ((rc = read_config(cfg, &a->cfg, e))) goto out;
  if ((rc = open_credential(a, host, e))) goto out;
  if ((rc = build_headers(a, e))) goto out;
  ac_log(a, KKP_LOG_INFO, "account \"%s\" ready (%s credential, %s)", a->name,
         ac_account_is_basic(a) ? "basic" : "bearer", a->cfg.base_url);
  *out = a;
  a = NULL;
out:
  json_object_put(cfg);
  ac_account_free(a);
  return rc;
}

void ac_account_free(struct kkp_account *a) {
  if (!a) return;
  ac_curl_free_all(a);
  free_headers(a->headers);
  free_headers(a->headers_json_body);
  ks_credential_free(a->cred);
  for (size_t i = 0; i < sizeof(a->redact) / sizeof(a->redact[0]); i++)
    if (a->redact[i]) sodium_free(a->redact[i]); /* wipes */
  for (size_t i = 0; i < a->n_tags; i++) free(a->tags[i].name);
  free(a->tags);
  for (int i = 0; i < AC_NUMBER_CACHE; i++) free(a->numbers[i].digits);
  pthread_mutex_destroy(&a->lock);
  free(a->cfg.base_url);
  free(a->cfg.keystore);
  free(a->cfg.ca_file);
  free(a->cfg.proxy);
  free(a->name);
  free(a);
}
