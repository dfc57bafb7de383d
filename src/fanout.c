/*
 * fanout.c - the pages of one list read at once. A name scan or an all-pages
 * read knows from its first page how many pages follow; reading them one after
 * another costs a round trip each, which on a real network is the whole cost.
 *
 * Each page's first attempt runs on a short-lived thread of its own, with a kept
 * handle of the account (so its kept connection), and does nothing but the
 * transfer. Everything else happens on the call's thread, in page order: judging
 * the attempt, the retries and rate-limit waits ac_http would make, the host's
 * callbacks (cancelled, progress, log) and the caller's reading of the page. So
 * the requests are the ones a sequential read makes, the answer is in order, and
 * no host callback ever runs on a thread the host did not make.
 *
 * Why threads and not a curl multi handle: a multi handle keeps connections of
 * its own, so it could not use the connections the account's handles keep.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/ac.h"

/* The longest the call's thread waits before it polls the host's cancelled() again. */
#define AC_POLL_MS 100

struct fanout;

/* One page in flight: its own context (the call's, with its own handle and error). */
struct slot {
  struct fanout *fan;
  struct ac_ctx sub;
  struct ac_request q;
  struct ac_exchange x;
  struct ac_response r;
  pthread_t thread;
  int cc, cut;
  int done; /* the attempt is over (guarded by fan->lock) */
};

struct fanout {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int abort; /* set (atomically) to end the transfers in flight: cancelled, failed, or stopped */
  size_t width;
  struct slot *slots; /* width of them: concurrent_pages (its bounds are the manifest's) */
};

/* libcurl asks this during a transfer; non-zero aborts it. */
static int on_xfer(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
  (void)dt, (void)dn, (void)ut, (void)un;
  return __atomic_load_n(&((struct fanout *)user)->abort, __ATOMIC_RELAXED);
}

/* The handle no longer reports to this read: it goes back to the account's pool. */
static void detach(void *curl) {
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, NULL);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, NULL);
}

static void *transfer(void *arg) {
  struct slot *s = arg;
  int cut = 0, cc = ac_exchange_perform(&s->sub, &s->x, &cut);
  pthread_mutex_lock(&s->fan->lock);
  s->cc = cc, s->cut = cut, s->done = 1;
  pthread_cond_broadcast(&s->fan->changed);
  pthread_mutex_unlock(&s->fan->lock);
  return NULL;
}

/* Starts the first attempt of paths[i] in its slot: 0, or -1 when it cannot be
 * (no handle, no thread), the call's error untouched: the page is then read on
 * the call's thread instead. */
static int start(struct fanout *f, struct ac_ctx *c, const char *path, struct slot *s) {
  memset(s, 0, sizeof(*s));
  s->fan = f;
  /* Member by member, not *c: the call's byte count may be changing under other
   * pages' transfers right now, and is only ever touched atomically. */
  s->sub =
      (struct ac_ctx){.acct = c->acct, .call = c->call, .deadline_ms = c->deadline_ms, .end_ms = c->end_ms};
  ac_error_init(&s->sub.err);
  if (!(s->sub.curl = ac_curl_take(c->acct))) return -1;
  s->q = (struct ac_request){.method = "GET", .path = path, .safety = AC_SAFE};
  if (ac_exchange_begin(&s->sub, &s->q, &s->x, NULL, &s->r)) goto fail;
  s->x.call_bytes = &c->bytes_read; /* one count for the whole call */
  curl_easy_setopt(s->sub.curl, CURLOPT_XFERINFOFUNCTION, on_xfer);
  curl_easy_setopt(s->sub.curl, CURLOPT_XFERINFODATA, f);
  curl_easy_setopt(s->sub.curl, CURLOPT_NOPROGRESS, 0L);
  /* The host's signal handlers are for the host's threads, never for this one. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&s->thread, NULL, transfer, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc == 0) return 0;
  detach(s->sub.curl);
fail:
  ac_exchange_end(&s->sub, &s->x);
  ac_error_clear(&s->sub.err);
  ac_curl_give(c->acct, s->sub.curl);
  return -1;
}

/* Waits until the slot's attempt is over, polling the host's cancelled() and the
 * deadline; when either ends the call, aborts every transfer and returns why. */
static int wait_done(struct fanout *f, struct ac_ctx *c, struct slot *s) {
  int rc = KKP_OK;
  pthread_mutex_lock(&f->lock);
  while (!s->done) {
    pthread_mutex_unlock(&f->lock);
    if (rc == KKP_OK && (rc = ac_call_check(c, s->q.what)) != KKP_OK)
      __atomic_store_n(&f->abort, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&f->lock);
    if (s->done) break;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += AC_POLL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&f->changed, &f->lock, &until);
  }
  pthread_mutex_unlock(&f->lock);
  pthread_join(s->thread, NULL);
  detach(s->sub.curl);
  return rc;
}

/* Releases what the slot holds but its answer. */
static void slot_end(struct ac_ctx *c, struct slot *s) {
  ac_exchange_end(&s->sub, &s->x);
  ac_error_clear(&s->sub.err);
  ac_curl_give(c->acct, s->sub.curl);
}

/* The slot's answer, settled on the call's thread as ac_http_text would (its
 * retries and waits included) into *r; *plain is 0 when its first attempt was not
 * a plain 2xx (a 429, a 5xx, a network failure), so the rest should go one at a time. */
static int finish(struct fanout *f, struct ac_ctx *c, struct slot *s, struct ac_response *r, int *plain) {
  int rc = wait_done(f, c, s);
  if (rc == KKP_OK) {
    long status = 0;
    if (s->cc == CURLE_OK) curl_easy_getinfo(s->sub.curl, CURLINFO_RESPONSE_CODE, &status);
    *plain = s->cc == CURLE_OK && status >= 200 && status < 300;
    rc = ac_exchange_settle(&s->sub, &s->q, &s->x, s->cc, s->cut, &s->r);
    if (rc) ac_error_move(&c->err, &s->sub.err);
  }
  *r = s->r;
  memset(&s->r, 0, sizeof(s->r));
  slot_end(c, s);
  return rc;
}

/* Ends the transfers still in flight (their answers unwanted) and waits for them. */
static void halt(struct fanout *f, struct ac_ctx *c, size_t from, size_t to) {
  __atomic_store_n(&f->abort, 1, __ATOMIC_RELAXED);
  for (size_t i = from; i < to; i++) {
    struct slot *s = &f->slots[i % f->width];
    pthread_join(s->thread, NULL);
    detach(s->sub.curl);
    ac_response_free(&s->r);
    slot_end(c, s);
  }
}

/* How many pages go at once: concurrent_pages, or fewer when fewer are asked for;
 * 1 (no slots) when one at a time, or when there is no memory for the slots. */
static size_t width_for(struct ac_ctx *c, size_t n, struct slot **slots) {
  size_t w = (size_t)c->acct->cfg.concurrent_pages;
  if (w > n) w = n;
  *slots = w < 2 ? NULL : calloc(w, sizeof(**slots));
  return *slots ? w : 1;
}

/* Starts pages until `width` are in flight; 1 when the rest must go one at a
 * time (Aircall's rate window is spent, or no handle or thread could be had).
 * Nothing starts once the call is cancelled or out of time: the page that meets
 * that is read on the call's thread, which says so in order. */
static int fill(struct fanout *f, struct ac_ctx *c, char *const *paths, size_t n, size_t settled,
                size_t *started) {
  for (; *started < n && *started - settled < f->width; ++*started) {
    if (ac_account_is_limited(c->acct)) return 1;
    if (ac_call_check(c, paths[*started])) {
      ac_error_clear(&c->err);
      return 1;
    }
    if (start(f, c, paths[*started], &f->slots[*started % f->width])) return 1;
  }
  return 0;
}

int ac_http_get_each(struct ac_ctx *c, char *const *paths, size_t n, ac_get_fn fn, void *ctx) {
  struct fanout f = {0};
  f.width = width_for(c, n, &f.slots);
  size_t started = 0, settled = 0;
  int rc = KKP_OK, one_by_one = f.width < 2;
  pthread_mutex_init(&f.lock, NULL);
  pthread_cond_init(&f.changed, NULL);
  while (rc == KKP_OK && settled < n) {
    if (!one_by_one) one_by_one = fill(&f, c, paths, n, settled, &started);
    struct ac_response r = {0};
    int plain = 1;
    if (settled < started) {
      rc = finish(&f, c, &f.slots[settled % f.width], &r, &plain);
    } else {
      rc = ac_http_text(c, "GET", paths[settled], NULL, AC_SAFE, &r);
      started++;
    }
    one_by_one |= !plain;
    if (rc == KKP_OK) rc = fn(c, paths[settled], &r, ctx);
    ac_response_free(&r);
    settled++;
  }
  halt(&f, c, settled, started);
  pthread_cond_destroy(&f.changed);
  pthread_mutex_destroy(&f.lock);
  free(f.slots);
  return rc == AC_GET_STOP ? KKP_OK : rc;
}

int ac_http_get_pages(struct ac_ctx *c, const char *path, const char *order, int from, int to, ac_get_fn fn,
                      void *ctx) {
  size_t n = to >= from ? (size_t)(to - from) + 1 : 0, made = 0;
  char **paths = calloc(n ? n : 1, sizeof(*paths));
  int rc = paths ? KKP_OK : ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  for (; rc == KKP_OK && made < n; made++) {
    struct ac_buf b = {0};
    ac_buf_puts(&b, path);
    ac_buf_query_int(&b, "per_page", AC_MAX_PER_PAGE);
    ac_buf_query_int(&b, "page", from + (int)made);
    if (order) ac_buf_query(&b, "order", order);
    if (b.oom) rc = ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
    paths[made] = b.s;
  }
  if (rc == KKP_OK) rc = ac_http_get_each(c, paths, n, fn, ctx);
  while (paths && made > 0) free(paths[--made]);
  free(paths);
  return rc;
}
