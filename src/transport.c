/*
 * transport.c - every HTTP exchange with Aircall: connection reuse per account,
 * TLS always verified, no redirects, retries with jittered back-off for safe
 * requests, 429 waits on X-AircallApi-Reset, and status → error mapping (docs/SPEC.md §4).
 */
#include <curl/curl.h>
#include <sodium.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "src/ac.h"
#include "keystore/ks.h"

#define AC_MAX_BODY (64u << 20) /* an Aircall page is a few hundred KiB at most */
/* All answers of one call together (every page of an all-pages read or a name
 * scan): an endless or bloated pager ends in a clear error, not in OOM. */
#define AC_MAX_CALL_BYTES (64u << 20)
/* The longest sleep between two polls of the host's cancelled(). */
#define AC_SLICE_MS 100

_Static_assert(sizeof(((struct ac_exchange *)0)->why) >= CURL_ERROR_SIZE, "libcurl's error buffer");

long long ac_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* UNIX milliseconds: X-AircallApi-Reset names a moment on the wall clock. */
static long long wall_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void sleep_ms(long long ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ---- the call's budget: deadline, cancellation, progress ------------------- */

void ac_call_start(struct ac_ctx *c) {
  long long d = c->acct ? c->acct->cfg.deadline_ms : 0;
  if (c->call.deadline_ms > 0 && (d <= 0 || c->call.deadline_ms < d)) d = c->call.deadline_ms;
  c->deadline_ms = d;
  c->end_ms = ac_now_ms() + d;
  c->bytes_read = 0;
}

long long ac_remaining_ms(const struct ac_ctx *c) {
  long long left = c->end_ms - ac_now_ms();
  return left > 0 ? left : 0;
}

static int cancelled(const struct ac_ctx *c) {
  return c->call.cancelled && c->call.cancelled(c->call.ctx);
}

static int deadline_error(struct ac_ctx *c, const char *what) {
  ac_error_clear(&c->err);
  ac_fail(&c->err, KKP_ERR_NETWORK,
          "the call's deadline of %lld ms ran out before %s could finish: raise deadline_ms in the "
          "account's config, or the host's time budget (such as kkp-host lua --timeout-s)",
          c->deadline_ms, what);
  c->err.retryable = 1;
  ac_error_detail(&c->err, "deadline_ms", json_object_new_int64(c->deadline_ms));
  ac_error_detail(&c->err, "cut_short", json_object_new_string(what));
  return c->err.status;
}

int ac_call_check(struct ac_ctx *c, const char *what) {
  if (cancelled(c)) {
    ac_error_clear(&c->err);
    return ac_fail(&c->err, KKP_ERR_CANCELLED, "cancelled by the host before %s", what);
  }
  return ac_remaining_ms(c) > 0 ? KKP_OK : deadline_error(c, what);
}

int ac_call_sleep(struct ac_ctx *c, long long ms, const char *what) {
  if (ms >= ac_remaining_ms(c)) return deadline_error(c, what);
  for (long long end = ac_now_ms() + ms, left; (left = end - ac_now_ms()) > 0;) {
    int rc = ac_call_check(c, what);
    if (rc) return rc;
    sleep_ms(left < AC_SLICE_MS ? left : AC_SLICE_MS);
  }
  return ac_call_check(c, what);
}

void ac_progress(struct ac_ctx *c, uint64_t done, uint64_t total, const char *fmt, ...) {
  if (!c->call.progress) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ac_redact(c->acct, msg);
  c->call.progress(c->call.ctx, done, total, msg);
}

/* ---- one answer -------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *user) {
  struct ac_exchange *x = user;
  size_t len = size * n;
  /* The call's count is shared by the pages read at once (fanout.c): added atomically,
   * and the sum after the add decides, so together they never pass the bound either. */
  if (x->body.len + len > AC_MAX_BODY) x->too_big = 1;
  else if (__atomic_add_fetch(x->call_bytes, len, __ATOMIC_RELAXED) > AC_MAX_CALL_BYTES) x->too_big = 2;
  if (x->too_big) return 0; /* aborts the transfer */
  ac_buf_append(&x->body, data, len);
  return x->body.oom ? 0 : len;
}

void *ac_curl_take(struct kkp_account *a) {
  CURL *h = NULL;
  pthread_mutex_lock(&a->lock);
  if (a->n_idle > 0) h = a->idle[--a->n_idle];
  pthread_mutex_unlock(&a->lock);
  if (h) return h;
  h = curl_easy_init();
  if (!h) return NULL;
  /* The handle's own tokener: kept with it, freed with it (handle_free). */
  curl_easy_setopt(h, CURLOPT_PRIVATE, json_tokener_new_ex(KKP_JSON_MAX_DEPTH));
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
  /* A plain-http base_url (loopback only) never goes through a proxy: the
   * credential would cross to it in clear text (http_proxy, ALL_PROXY). An https
   * request may: the proxy sees a CONNECT tunnel, TLS stays end to end. */
  if (strncmp(a->cfg.base_url, "http://", 7) == 0) curl_easy_setopt(h, CURLOPT_PROXY, "");
  else if (a->cfg.proxy) curl_easy_setopt(h, CURLOPT_PROXY, a->cfg.proxy);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  /* User-Agent and the credential are in the account's header lists. */
  return h;
}

json_tokener *ac_curl_tokener(void *curl) {
  char *tok = NULL;
  if (curl) curl_easy_getinfo(curl, CURLINFO_PRIVATE, &tok);
  return (json_tokener *)tok;
}

static void handle_free(CURL *h) {
  json_tokener *tok = ac_curl_tokener(h);
  if (tok) json_tokener_free(tok);
  curl_easy_cleanup(h);
}

void ac_curl_give(struct kkp_account *a, void *curl) {
  if (!curl) return;
  pthread_mutex_lock(&a->lock);
  if (a->n_idle < AC_IDLE_HANDLES) {
    a->idle[a->n_idle++] = curl;
    curl = NULL;
  }
  pthread_mutex_unlock(&a->lock);
  if (curl) handle_free(curl);
}

void ac_curl_free_all(struct kkp_account *a) {
  for (int i = 0; i < a->n_idle; i++) handle_free(a->idle[i]);
  a->n_idle = 0;
}

void ac_response_free(struct ac_response *r) {
  json_object_put(r->json);
  free(r->text);
  memset(r, 0, sizeof(*r));
}

/* Back-off before retry number `attempt` (0-based): base * 2^attempt, with
 * "equal jitter" so that clients hit by the same failure spread out. */
static long long backoff_ms(const struct kkp_account *a, int attempt) {
  long long d = a->cfg.retry_base_ms << (attempt < 16 ? attempt : 16);
  long long spread = d / 2 + 1;
  return d / 2 + (long long)randombytes_uniform(spread < UINT32_MAX ? (uint32_t)spread : UINT32_MAX);
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

/* Maps a non-2xx answer to the error object (docs/SPEC.md §4). */
static int fail_status(struct ac_ctx *c, const char *method, const char *path, long status, json_object *body,
                       int attempts) {
  struct ac_buf text = {0};
  struct ac_error *e = &c->err;
  const char *acct = c->acct->name;
  aircall_text(body, &text);
  ac_redact(c->acct, text.s); /* before the message may cut an echoed credential in two */
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

/* A curl failure that proves the request never reached Aircall's application:
 * no connection was made (DNS, refused, the TLS handshake), so nothing was sent. */
static int never_sent(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
         rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR;
}

int ac_write_uncertain(const struct ac_response *r, int rc) {
  return rc != KKP_OK &&
         (r->delivery == AC_MAYBE_DELIVERED || (r->http_status >= 200 && r->http_status < 300));
}

/* Points the handle at the request: URL, headers, method, body. */
static int prepare(struct ac_ctx *c, const struct ac_request *q, const char *body) {
  struct kkp_account *a = c->acct;
  CURL *h = c->curl;
  struct ac_buf url = {0};
  ac_buf_puts(&url, a->cfg.base_url);
  ac_buf_puts(&url, q->path);
  if (url.oom) return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory building a request");
  curl_easy_setopt(h, CURLOPT_URL, url.s);
  ac_buf_free(&url);
  /* libcurl silently re-sends a request whose reused connection died before any
   * answer byte. For a request that is not idempotent that can make a second
   * contact, so it gets a connection of its own that libcurl will not re-send on. */
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, q->safety == AC_UNSAFE ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, body ? a->headers_json_body : a->headers);
  if (strcmp(q->method, "GET") == 0) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(q->method, "POST") == 0 ? NULL : q->method);
  }
  return KKP_OK;
}

/* Sends one attempt within what is left of the call's budget. Returns curl's
 * code; *cut is set when the budget, not timeout_ms, bounded the attempt. */
static CURLcode perform(struct ac_ctx *c, struct ac_exchange *x, int *cut) {
  struct kkp_account *a = c->acct;
  CURL *h = c->curl;
  long long left = ac_remaining_ms(c);
  long timeout = a->cfg.timeout_ms < left ? a->cfg.timeout_ms : (long)left;
  long connect = a->cfg.connect_timeout_ms < timeout ? a->cfg.connect_timeout_ms : timeout;
  *cut = left <= a->cfg.timeout_ms;
  if (a->log) x->t0 = ac_now_ms(); /* the clock is read only for a log line */
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout > 0 ? timeout : 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect > 0 ? connect : 1L);
  ac_buf_free(&x->body);
  x->too_big = 0;
  /* One allocation for a typical answer (a call is about 3 KiB) instead of a doubling series. */
  x->body.s = malloc(x->body.cap = 16384);
  if (!x->body.s) x->body.cap = 0;
  else x->body.s[0] = '\0';
  curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
  x->why[0] = '\0';
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->why);
  return curl_easy_perform(h);
}

/* Waits before the next attempt (back-off): KKP_OK, or why the call stops. */
static int pause_before_retry(struct ac_ctx *c, const struct ac_request *q, const char *why) {
  char what[256];
  snprintf(what, sizeof(what), "retrying %s after %s", q->what, why);
  return ac_call_sleep(c, backoff_ms(c->acct, q->attempt), what);
}

/* Maps a transfer that failed before any answer; why is libcurl's error buffer (what
 * exactly failed, e.g. "SSL certificate problem: self-signed certificate"), maybe empty. */
static int fail_network(struct ac_ctx *c, const struct ac_request *q, CURLcode cc, const char *why) {
  int attempts = q->attempt + 1;
  c->err.retryable = 1;
  c->err.http_status = 0;
  return ac_fail(&c->err, KKP_ERR_NETWORK, "could not complete %s at %s: %s%s%s%s (after %d attempt%s)%s",
                 q->what, c->acct->cfg.base_url, curl_easy_strerror(cc), why[0] ? " (" : "", why,
                 why[0] ? ")" : "", attempts, attempts > 1 ? "s" : "",
                 cc == CURLE_PEER_FAILED_VERIFICATION
                     ? ". The server's TLS certificate was refused: check base_url (Aircall's is "
                       "https://api.aircall.io) and whether a proxy intercepts TLS"
                     : "");
}

/* A curl failure: retried when safe or surely not sent; else network_error
 * (or the deadline's error when the budget cut the attempt short). Returns -1
 * to go on with the next attempt. */
static int on_curl_failure(struct ac_ctx *c, const struct ac_request *q, struct ac_exchange *x, CURLcode cc,
                           int cut, struct ac_response *r) {
  enum ac_delivery d = never_sent(cc) ? AC_NOT_SENT : AC_MAYBE_DELIVERED;
  if (d > r->delivery) r->delivery = d;
  if (x->too_big) {
    r->delivery = AC_DELIVERED;
    if (x->too_big == 2)
      return ac_fail(&c->err, KKP_ERR_UPSTREAM,
                     "Aircall's answers to this call passed %u MiB in all (at %s): ask for fewer records "
                     "(filters, per_page) or fewer pages",
                     AC_MAX_CALL_BYTES >> 20, q->what);
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s exceeded %u MiB", q->what,
                   AC_MAX_BODY >> 20);
  }
  if (cc == CURLE_OPERATION_TIMEDOUT && cut) {
    deadline_error(c, q->what);
    if (d == AC_MAYBE_DELIVERED)
      ac_error_append(&c->err, " (the request was sent and may have been processed)");
    return c->err.status;
  }
  if (q->attempt < c->acct->cfg.max_retries && (q->safety == AC_SAFE || d == AC_NOT_SENT)) {
    int rc = pause_before_retry(c, q, curl_easy_strerror(cc));
    return rc ? rc : -1;
  }
  return fail_network(c, q, cc, x->why);
}

/* A 2xx answer: handed over as text or parsed into an object. */
static int on_success(struct ac_ctx *c, const struct ac_request *q, struct ac_exchange *x,
                      struct ac_response *r) {
  r->delivery = AC_DELIVERED;
  if (x->body.len == 0) return KKP_OK; /* 204: no content */
  r->text = x->body.s;
  r->text_len = x->body.len;
  memset(&x->body, 0, sizeof(x->body));
  return q->parse ? ac_response_parse(c, q->what, r) : KKP_OK;
}

int ac_response_parse(struct ac_ctx *c, const char *what, struct ac_response *r) {
  if (!r->text) return KKP_OK; /* 204: no content */
  json_object *j = ac_json_parse_with(ac_curl_tokener(c->curl), r->text, r->text_len);
  if (!json_object_is_type(j, json_type_object)) {
    json_object_put(j);
    j = NULL;
    ac_fail(&c->err, KKP_ERR_UPSTREAM,
            "Aircall answered %s with HTTP %ld but the body is not the expected JSON object (starts with "
            "\"%.40s\")",
            what, r->http_status, r->text);
    c->err.http_status = r->http_status;
  }
  free(r->text);
  r->text = NULL, r->text_len = 0;
  r->json = j;
  return j ? KKP_OK : c->err.status;
}

/* X-AircallApi-Reset's value in the last answer, cut to cap bytes (one that long
 * is no time: it parses as absurd); 0 when absent. */
static size_t reset_header(struct ac_ctx *c, char *buf, size_t cap) {
  struct curl_header *h;
  if (curl_easy_header(c->curl, "X-AircallApi-Reset", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h->value)
    return 0;
  size_t n = strlen(h->value) < cap ? strlen(h->value) : cap;
  memcpy(buf, h->value, n);
  return n;
}

/* The rate_limited error of a 429 that is not waited for, saying why not. */
static int rate_limit_error(struct ac_ctx *c, const struct ac_request *q, json_object *body,
                            const struct ac_reset *reset, int over_budget, const char *raw, size_t raw_len) {
  const struct ac_config *cfg = &c->acct->cfg;
  int rc = fail_status(c, q->method, q->path, 429, body, q->attempt + 1);
  if (reset->wait_ms >= 0) {
    c->err.retry_after_s = (reset->wait_ms + 999) / 1000;
    ac_error_append(&c->err, " (the window resets in %ld s)", c->err.retry_after_s);
  }
  if (reset->wait_ms > cfg->max_rate_wait_ms)
    ac_error_append(&c->err,
                    "; that is longer than the plugin config `max_rate_wait_ms` (%ld ms) lets it wait",
                    cfg->max_rate_wait_ms);
  if (reset->clamped)
    ac_error_append(&c->err, " (X-AircallApi-Reset \"%.*s\" is not a plausible time: taken as %lld s)",
                    (int)raw_len, raw, AC_RESET_MAX_MS / 1000);
  if (over_budget && reset->wait_ms <= cfg->max_rate_wait_ms && q->attempt < cfg->max_retries)
    ac_error_append(
        &c->err,
        "; waiting would pass the call's deadline of %lld ms (deadline_ms, or the host's time budget)",
        c->deadline_ms);
  return rc;
}

/* Waits pause ms for the rate-limit window, reporting progress each second. */
static int wait_for_window(struct ac_ctx *c, const struct ac_request *q, long long pause) {
  char what[256];
  snprintf(what, sizeof(what), "waiting %lld ms for Aircall's rate limit before %s", pause, q->what);
  ac_log(c->acct, KKP_LOG_INFO, "rate limited on %s: waiting %lld ms", q->what, pause);
  for (long long waited = 0; waited < pause;) {
    long long step = pause - waited < 1000 ? pause - waited : 1000;
    ac_progress(c, (uint64_t)waited, (uint64_t)pause, "%s", what);
    int rc = ac_call_sleep(c, step, what);
    if (rc) return rc;
    waited += step;
  }
  return KKP_OK;
}

/* A 429: Aircall refused it before processing, so any request may wait for the
 * window (X-AircallApi-Reset) and go again, within max_rate_wait_ms, the retry
 * count and the call's budget. Returns -1 to go on with the next attempt. */
static int on_rate_limit(struct ac_ctx *c, const struct ac_request *q, json_object *body) {
  struct kkp_account *a = c->acct;
  char raw[48];
  size_t raw_len = reset_header(c, raw, sizeof(raw));
  struct ac_reset reset = ac_reset_parse(raw_len ? raw : NULL, raw_len, wall_ms());
  /* Just past the reset (the window's edge is Aircall's clock, not ours), or back off
   * when no reset time came. */
  long long pause = reset.wait_ms >= 0 ? reset.wait_ms + 50 : backoff_ms(a, q->attempt);
  ac_account_limited(a, ac_now_ms() + pause);
  int over_budget = pause >= ac_remaining_ms(c);
  if (reset.wait_ms > a->cfg.max_rate_wait_ms || q->attempt >= a->cfg.max_retries || over_budget)
    return rate_limit_error(c, q, body, &reset, over_budget, raw, raw_len);
  int rc = wait_for_window(c, q, pause);
  return rc ? rc : -1;
}

/* A non-2xx answer. Returns -1 to go on with the next attempt. */
static int on_status(struct ac_ctx *c, const struct ac_request *q, struct ac_exchange *x,
                     struct ac_response *r) {
  json_object *body =
      x->body.len ? ac_json_parse_with(ac_curl_tokener(c->curl), x->body.s, x->body.len) : NULL;
  if (body && !json_object_is_type(body, json_type_object)) {
    json_object_put(body);
    body = NULL;
  }
  int rc;
  long status = r->http_status;
  if (status == 429) {
    rc = on_rate_limit(c, q, body);
  } else if (status >= 500) {
    /* It may have been processed before failing: only safe requests go again. */
    r->delivery = AC_MAYBE_DELIVERED;
    if (q->safety == AC_SAFE && q->attempt < c->acct->cfg.max_retries) {
      char why[32];
      snprintf(why, sizeof(why), "HTTP %ld", status);
      rc = pause_before_retry(c, q, why);
      if (rc == KKP_OK) rc = -1;
    } else {
      rc = fail_status(c, q->method, q->path, status, body, q->attempt + 1);
    }
  } else {
    r->delivery = AC_DELIVERED;
    rc = fail_status(c, q->method, q->path, status, body, q->attempt + 1);
    if (status >= 300 && status < 400) {
      char *to = NULL;
      curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &to);
      ac_error_append(&c->err, " (a redirect%s%.200s, which the plugin never follows: check base_url)",
                      to ? " to " : "", to ? to : "");
    }
  }
  json_object_put(body);
  return rc;
}

/* Decides what one attempt's outcome means (each on_* maps a failure, or waits
 * before the next attempt). Returns the request's status, or -1 to go on. */
static int judge(struct ac_ctx *c, const struct ac_request *q, struct ac_exchange *x, CURLcode cc, int cut,
                 struct ac_response *r) {
  const struct kkp_account *a = c->acct;
  long status = 0;
  if (cc == CURLE_OK) curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
  if (a->log)
    ac_log(a, KKP_LOG_DEBUG, "%s -> %ld%s%s in %lld ms (attempt %d)", q->what, status, cc ? " " : "",
           cc ? curl_easy_strerror(cc) : "", ac_now_ms() - x->t0, q->attempt + 1);
  r->http_status = status;
  if (cc != CURLE_OK) return on_curl_failure(c, q, x, cc, cut, r);
  if (status >= 200 && status < 300) return on_success(c, q, x, r);
  return on_status(c, q, x, r);
}

int ac_exchange_begin(struct ac_ctx *c, struct ac_request *q, struct ac_exchange *x, const char *body,
                      struct ac_response *r) {
  memset(r, 0, sizeof(*r));
  r->delivery = AC_NOT_SENT;
  memset(x, 0, sizeof(*x));
  x->c = c;
  x->call_bytes = &c->bytes_read;
  ac_error_clear(&c->err);
  snprintf(q->what, sizeof(q->what), "%s %s", q->method, q->path);
  return prepare(c, q, body);
}

int ac_exchange_perform(struct ac_ctx *c, struct ac_exchange *x, int *cut) {
  return (int)perform(c, x, cut);
}

int ac_exchange_settle(struct ac_ctx *c, struct ac_request *q, struct ac_exchange *x, int cc, int cut,
                       struct ac_response *r) {
  for (;;) {
    int rc = judge(c, q, x, (CURLcode)cc, cut, r);
    if (rc != -1) return rc;
    q->attempt++;
    if ((rc = ac_call_check(c, q->what))) return rc;
    cc = (int)perform(c, x, &cut);
  }
}

void ac_exchange_end(struct ac_ctx *c, struct ac_exchange *x) {
  curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL); /* the handle outlives x->why */
  ac_buf_free(&x->body);
}

static int exchange(struct ac_ctx *c, const char *method, const char *path, const char *body,
                    enum ac_safety safety, struct ac_response *r, int parse) {
  struct ac_request q = {.method = method, .path = path, .safety = safety, .parse = parse};
  struct ac_exchange x;
  int cut = 0, rc = ac_exchange_begin(c, &q, &x, body, r);
  if (rc == KKP_OK && (rc = ac_call_check(c, q.what)) == KKP_OK) {
    CURLcode cc = perform(c, &x, &cut);
    rc = ac_exchange_settle(c, &q, &x, (int)cc, cut, r);
  }
  ac_exchange_end(c, &x);
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

/* The most pages an all-pages read follows: 10,000 records in Aircall's
 * smallest pages (v2 lists page by 20). A pager still going past that, or past
 * 10,000 records, is broken or hostile: the read ends with an error. */
#define AC_MAX_PAGES (AC_RECORD_CAP / 20)

/* Appends the items of one page; 0 when it has no `key` list. */
static int take_items(json_object *page, const char *key, json_object *all) {
  json_object *items;
  if (!json_object_object_get_ex(page, key, &items) || !json_object_is_type(items, json_type_array)) return 0;
  for (size_t i = 0; i < json_object_array_length(items); i++)
    json_object_array_add(all, json_object_get(json_object_array_get_idx(items, i)));
  return 1;
}

/* 1 when a page says another follows (meta.next_page_link is a string). */
static int has_next(json_object *page) {
  json_object *meta, *next;
  return json_object_object_get_ex(page, "meta", &meta) && json_object_is_type(meta, json_type_object) &&
         json_object_object_get_ex(meta, "next_page_link", &next) &&
         json_object_is_type(next, json_type_string);
}

int ac_http_all_pages(struct ac_ctx *c, const char *path, const char *key, json_object **out) {
  json_object *all = json_object_new_array();
  int rc = KKP_OK, more = 1, page;
  *out = NULL;
  if (!all) return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  for (page = 1; more && page <= AC_MAX_PAGES && json_object_array_length(all) <= AC_RECORD_CAP; page++) {
    struct ac_buf p = {0};
    struct ac_response r = {0};
    size_t before = json_object_array_length(all);
    ac_progress(c, before, 0, "GET %s: reading page %d", path, page);
    ac_buf_puts(&p, path);
    ac_buf_query_int(&p, "per_page", AC_MAX_PER_PAGE);
    ac_buf_query_int(&p, "page", page);
    rc = p.oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory")
               : ac_http(c, "GET", p.s, NULL, AC_SAFE, &r);
    ac_buf_free(&p);
    if (rc) break;
    if (!take_items(r.json, key, all)) {
      rc = ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to GET %s has no \"%s\" list", path, key);
      ac_response_free(&r);
      break;
    }
    more = has_next(r.json) && json_object_array_length(all) > before;
    ac_response_free(&r);
  }
  if (rc == KKP_OK && (more || json_object_array_length(all) > AC_RECORD_CAP))
    rc = ac_fail(&c->err, KKP_ERR_UPSTREAM,
                 "Aircall kept paging GET %s past %zu records in %d pages, more than it ever holds for one "
                 "list: stopped reading (the answer looks broken; try again later)",
                 path, json_object_array_length(all), page - 1);
  if (rc) {
    json_object_put(all);
    return rc;
  }
  *out = all;
  return KKP_OK;
}
