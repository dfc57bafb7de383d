/*
 * transport.c - every HTTP exchange with Aircall: connection reuse per account,
 * TLS always verified, no redirects, retries with jittered back-off for safe
 * requests, 429 waits on X-AircallApi-Reset, and status → error mapping (SPEC §4).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "src/ac.h"
#include "keystore/ks.h"

#define AC_MAX_BODY (64u << 20) /* an Aircall page is a few hundred KiB at most */

struct exchange {
  struct ac_buf body;
  long long reset; /* X-AircallApi-Reset as sent, -1 when absent */
  int too_big;
};

static long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void sleep_ms(long long ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static size_t on_body(char *data, size_t size, size_t n, void *user) {
  struct exchange *x = user;
  size_t len = size * n;
  if (x->body.len + len > AC_MAX_BODY) {
    x->too_big = 1;
    return 0; /* aborts the transfer */
  }
  ac_buf_append(&x->body, data, len);
  return x->body.oom ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *user) {
  struct exchange *x = user;
  size_t len = size * n;
  static const char name[] = "x-aircallapi-reset:";
  if (len > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
    char value[32];
    size_t vlen = len - (sizeof(name) - 1);
    if (vlen >= sizeof(value)) vlen = sizeof(value) - 1;
    memcpy(value, data + sizeof(name) - 1, vlen);
    value[vlen] = '\0';
    char *end;
    long long v = strtoll(value, &end, 10);
    if (end != value && v > 0) x->reset = v;
  }
  return len;
}

void *ac_curl_take(struct kkp_account *a) {
  CURL *h = NULL;
  pthread_mutex_lock(&a->lock);
  if (a->n_idle > 0) h = a->idle[--a->n_idle];
  pthread_mutex_unlock(&a->lock);
  if (h) return h;
  h = curl_easy_init();
  if (!h) return NULL;
  /* Options that hold for every request of this account, set once. */
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (a->cfg.ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, a->cfg.ca_file);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, a->cfg.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, a->cfg.timeout_ms);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  /* User-Agent and the credential are in the account's header lists. */
  return h;
}

void ac_curl_give(struct kkp_account *a, void *curl) {
  if (!curl) return;
  pthread_mutex_lock(&a->lock);
  if (a->n_idle < AC_IDLE_HANDLES) {
    a->idle[a->n_idle++] = curl;
    curl = NULL;
  }
  pthread_mutex_unlock(&a->lock);
  if (curl) curl_easy_cleanup(curl);
}

void ac_curl_free_all(struct kkp_account *a) {
  for (int i = 0; i < a->n_idle; i++) curl_easy_cleanup(a->idle[i]);
  a->n_idle = 0;
}

void ac_response_free(struct ac_response *r) {
  json_object_put(r->json);
  free(r->text);
  memset(r, 0, sizeof(*r));
}

/* Back-off before retry number `attempt` (0-based): base * 2^attempt, with
 * "equal jitter" so that clients hit by the same failure spread out. */
static long long backoff_ms(struct kkp_account *a, int attempt) {
  long long d = a->cfg.retry_base_ms << (attempt < 16 ? attempt : 16);
  pthread_mutex_lock(&a->lock);
  a->rng = a->rng * 1103515245u + 12345u;
  unsigned r = a->rng >> 8;
  pthread_mutex_unlock(&a->lock);
  return d / 2 + (long long)(r % (unsigned)(d / 2 + 1));
}

/* Aircall's own words from an error body: error, troubleshoot, message, errors. */
static void aircall_text(json_object *body, struct ac_buf *out) {
  static const char *const keys[] = {"error", "troubleshoot", "message"};
  for (size_t i = 0; i < 3; i++) {
    const char *v = ac_json_str(body, keys[i]);
    if (v && *v && !(out->s && strstr(out->s, v))) ac_buf_printf(out, "%s%s", out->len ? ": " : "", v);
  }
  json_object *errors;
  if (body && json_object_object_get_ex(body, "errors", &errors) &&
      !json_object_is_type(errors, json_type_null)) {
    const char *t = json_object_is_type(errors, json_type_string)
                        ? json_object_get_string(errors)
                        : json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN);
    if (!(out->s && strstr(out->s, t))) ac_buf_printf(out, "%s%s", out->len ? ": " : "", t);
  }
}

/* Maps a non-2xx answer to the error object (SPEC §4). */
static int fail_status(struct ac_ctx *c, const char *method, const char *path, long status, json_object *body,
                       int attempts) {
  struct ac_buf text = {0};
  struct ac_error *e = &c->err;
  const char *acct = c->acct->name;
  aircall_text(body, &text);
  const char *t = text.s ? text.s : "no details";
  int rc;
  switch (status) {
  case 400:
  case 422:
    rc = ac_fail(e, KKP_ERR_INVALID_ARGUMENT, "Aircall rejected %s %s (HTTP %ld): %s", method, path, status,
                 t);
    break;
  case 401:
  case 403:
    rc = ac_fail(e, KKP_ERR_UNAUTHORIZED,
                 "Aircall refused the credentials of account \"%s\" (HTTP %ld: %s). The token may be "
                 "revoked or the integration uninstalled: provision a new one with "
                 "`kkp-setup add aircall --account %s --force`",
                 acct, status, t, acct);
    break;
  case 404:
  case 410:
    rc = ac_fail(e, KKP_ERR_NOT_FOUND, "Aircall has no such resource: %s %s answered HTTP %ld (%s)", method,
                 path, status, t);
    break;
  case 429:
    rc = ac_fail(e, KKP_ERR_RATE_LIMITED,
                 "Aircall's rate limit for this company is exhausted (HTTP 429 after %d attempt%s); "
                 "wait and try again, or make fewer calls",
                 attempts, attempts == 1 ? "" : "s");
    e->retryable = 1;
    break;
  default:
    if (status >= 500) {
      rc = ac_fail(e, KKP_ERR_UPSTREAM, "Aircall failed on %s %s: HTTP %ld after %d attempt%s (%s)", method,
                   path, status, attempts, attempts == 1 ? "" : "s", t);
      e->retryable = 1;
    } else {
      rc = ac_fail(e, KKP_ERR_UPSTREAM, "Aircall answered %s %s with HTTP %ld: %s", method, path, status, t);
    }
  }
  e->http_status = status;
  if (body) ac_error_detail(e, "aircall", json_object_get(body));
  ac_buf_free(&text);
  return rc;
}

/* A curl failure that proves the request never reached Aircall's application. */
static int never_sent(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
         rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR;
}

/* Maps a transfer that failed before any answer; why is libcurl's error buffer (what
 * exactly failed, e.g. "SSL certificate problem: self-signed certificate"), maybe empty. */
static int fail_network(struct ac_ctx *c, const char *method, const char *path, CURLcode cc, const char *why,
                        int attempts) {
  c->err.retryable = 1;
  /* Only a request that surely never arrived is unambiguous. */
  c->err.http_status = 0;
  int rc =
      ac_fail(&c->err, KKP_ERR_NETWORK, "could not complete %s %s at %s: %s%s%s%s (after %d attempt%s)%s",
              method, path, c->acct->cfg.base_url, curl_easy_strerror(cc), why[0] ? " (" : "", why,
              why[0] ? ")" : "", attempts, attempts > 1 ? "s" : "",
              cc == CURLE_PEER_FAILED_VERIFICATION
                  ? ". The server's TLS certificate was refused: check base_url (Aircall's is "
                    "https://api.aircall.io) and whether a proxy intercepts TLS"
                  : "");
  ac_error_detail(&c->err, "ambiguous", json_object_new_boolean(!never_sent(cc)));
  return rc;
}

static int exchange(struct ac_ctx *c, const char *method, const char *path, const char *body,
                    enum ac_safety safety, struct ac_response *r, int parse) {
  struct kkp_account *a = c->acct;
  CURL *h = c->curl;
  struct ac_buf url = {0};
  struct exchange x = {0};
  char why[CURL_ERROR_SIZE]; /* libcurl's own words on a failure */
  int rc = KKP_OK;

  memset(r, 0, sizeof(*r));
  ac_error_clear(&c->err);
  c->err.status = KKP_OK;
  ac_buf_puts(&url, a->cfg.base_url);
  ac_buf_puts(&url, path);
  if (url.oom) {
    rc = ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory building a request");
    goto out;
  }
  curl_easy_setopt(h, CURLOPT_URL, url.s);
  why[0] = '\0';
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
  /* libcurl silently re-sends a request whose reused connection died before any
   * answer byte. For a request that is not idempotent that can make a second
   * contact, so it gets a connection of its own that libcurl will not re-send on. */
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, safety == AC_UNSAFE ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, body ? a->headers_json_body : a->headers);
  if (strcmp(method, "GET") == 0) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
  }

  for (int attempt = 0;; attempt++) {
    ac_buf_free(&x.body);
    memset(&x, 0, sizeof(x));
    x.reset = -1;
    /* One allocation for a typical answer (a call is about 3 KiB) instead of a doubling series. */
    x.body.s = malloc(x.body.cap = 16384);
    if (!x.body.s) x.body.cap = 0;
    else x.body.s[0] = '\0';
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    long long t0 = a->log ? now_ms() : 0;
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (a->log)
      ac_log(a, KKP_LOG_DEBUG, "%s %s -> %ld%s%s in %lld ms (attempt %d)", method, path, status,
             cc ? " " : "", cc ? curl_easy_strerror(cc) : "", now_ms() - t0, attempt + 1);
    int can_retry = attempt < a->cfg.max_retries;

    if (cc != CURLE_OK) {
      if (x.too_big) {
        rc = ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s %s exceeded %u MiB", method, path,
                     AC_MAX_BODY >> 20);
        goto out;
      }
      if (can_retry && (safety == AC_SAFE || never_sent(cc))) {
        ac_buf_free(&x.body);
        sleep_ms(backoff_ms(a, attempt));
        continue;
      }
      rc = fail_network(c, method, path, cc, why, attempt + 1);
      goto out;
    }
    r->http_status = status;

    if (status >= 200 && status < 300) {
      if (x.body.len == 0) goto out; /* 204: no content */
      if (!parse) {
        r->text = x.body.s;
        r->text_len = x.body.len;
        memset(&x.body, 0, sizeof(x.body));
        goto out;
      }
      json_object *j = ac_json_parse(x.body.s, x.body.len);
      if (!json_object_is_type(j, json_type_object)) {
        json_object_put(j);
        rc = ac_fail(&c->err, KKP_ERR_UPSTREAM,
                     "Aircall answered %s %s with HTTP %ld but the body is not the expected JSON "
                     "object (starts with \"%.40s\")",
                     method, path, status, x.body.s);
        c->err.http_status = status;
        /* Aircall did act on it: a caller of an unsafe request must look before resending. */
        ac_error_detail(&c->err, "ambiguous", json_object_new_boolean(1));
        goto out;
      }
      r->json = j;
      goto out;
    }

    json_object *err_body = x.body.len ? ac_json_parse(x.body.s, x.body.len) : NULL;
    if (err_body && !json_object_is_type(err_body, json_type_object)) {
      json_object_put(err_body);
      err_body = NULL;
    }
    if (status == 429) {
      /* Not processed by Aircall: safe to retry whatever the method. */
      long long wait = -1;
      if (x.reset > 0) {
        /* Seconds, or milliseconds from some gateways (aircall-api.md). */
        long long reset_ms = x.reset < 1000000000000LL ? x.reset * 1000 : x.reset;
        wait = reset_ms - now_ms();
        if (wait < 0) wait = 0;
      }
      if (wait > a->cfg.max_rate_wait_ms || !can_retry) {
        rc = fail_status(c, method, path, status, err_body, attempt + 1);
        if (wait >= 0) {
          c->err.retry_after_s = (wait + 999) / 1000;
          size_t len = strlen(c->err.message);
          snprintf(c->err.message + len, sizeof(c->err.message) - len, " (the window resets in %ld s)",
                   c->err.retry_after_s);
        }
        json_object_put(err_body);
        goto out;
      }
      json_object_put(err_body);
      ac_buf_free(&x.body);
      /* Just past the reset (the window's edge is Aircall's clock, not ours), or back off
       * when no reset time came. */
      long long pause = wait >= 0 ? wait + 50 : backoff_ms(a, attempt);
      ac_log(a, KKP_LOG_INFO, "rate limited on %s %s: waiting %lld ms", method, path, pause);
      sleep_ms(pause);
      continue;
    }
    if (status >= 500 && can_retry && safety == AC_SAFE) {
      json_object_put(err_body);
      ac_buf_free(&x.body);
      sleep_ms(backoff_ms(a, attempt));
      continue;
    }
    rc = fail_status(c, method, path, status, err_body, attempt + 1);
    if (status >= 500) ac_error_detail(&c->err, "ambiguous", json_object_new_boolean(1));
    json_object_put(err_body);
    goto out;
  }
out:
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL); /* the handle outlives `why` */
  ac_buf_free(&x.body);
  ac_buf_free(&url);
  return rc;
}

int ac_http(struct ac_ctx *c, const char *method, const char *path, const char *body, enum ac_safety safety,
            struct ac_response *r) {
  return exchange(c, method, path, body, safety, r, 1);
}

int ac_http_text(struct ac_ctx *c, const char *method, const char *path, const char *body,
                 enum ac_safety safety, struct ac_response *r) {
  return exchange(c, method, path, body, safety, r, 0);
}

int ac_http_ambiguous(const struct ac_ctx *c) {
  json_object *v;
  return c->err.details && json_object_object_get_ex(c->err.details, "ambiguous", &v) &&
         json_object_get_boolean(v);
}

int ac_page_within_cap(struct ac_ctx *c, long long page, long long per_page, const char *hint) {
  if (page < 1 || per_page < 1) {
    ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "%s must be at least 1 (got %lld)",
            page < 1 ? "page" : "per_page", page < 1 ? page : per_page);
    ac_error_detail(&c->err, "parameter", json_object_new_string(page < 1 ? "page" : "per_page"));
    return c->err.status;
  }
  /* (page - 1) * per_page < cap, divided rather than multiplied: a page near
   * 2^62 would overflow the product (undefined behaviour) and slip under the cap. */
  if (page - 1 < (AC_RECORD_CAP - 1) / per_page + 1) return KKP_OK;
  ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
          "page %lld with per_page %lld starts past record 10,000, the most Aircall returns for one "
          "query: %s",
          page, per_page, hint);
  ac_error_detail(&c->err, "parameter", json_object_new_string("page"));
  ac_error_detail(&c->err, "max_page", json_object_new_int64((AC_RECORD_CAP - 1) / per_page + 1));
  return c->err.status;
}

int ac_http_all_pages(struct ac_ctx *c, const char *path, const char *key, json_object **out) {
  json_object *all = json_object_new_array();
  int rc = KKP_OK;
  *out = NULL;
  if (!all) return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  /* Pages past the 10,000-record cap would answer 400. */
  for (int page = 1; page <= AC_RECORD_CAP / AC_MAX_PER_PAGE; page++) {
    struct ac_buf p = {0};
    struct ac_response r = {0};
    ac_buf_puts(&p, path);
    ac_buf_query_int(&p, "per_page", AC_MAX_PER_PAGE);
    ac_buf_query_int(&p, "page", page);
    rc = p.oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory")
               : ac_http(c, "GET", p.s, NULL, AC_SAFE, &r);
    ac_buf_free(&p);
    if (rc) break;
    json_object *items, *meta, *next = NULL;
    if (!json_object_object_get_ex(r.json, key, &items) || !json_object_is_type(items, json_type_array)) {
      rc = ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to GET %s has no \"%s\" list", path, key);
      ac_response_free(&r);
      break;
    }
    for (size_t i = 0; i < json_object_array_length(items); i++)
      json_object_array_add(all, json_object_get(json_object_array_get_idx(items, i)));
    int more = json_object_object_get_ex(r.json, "meta", &meta) &&
               json_object_object_get_ex(meta, "next_page_link", &next) &&
               json_object_is_type(next, json_type_string) && json_object_array_length(items) > 0;
    ac_response_free(&r);
    if (!more) break;
  }
  if (rc) {
    json_object_put(all);
    return rc;
  }
  *out = all;
  return KKP_OK;
}
