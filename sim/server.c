/* server.c - the HTTP side of aircall-sim on libmicrohttpd: reads each request (raw URI and
 * body), resolves the credential to a company, applies a queued fault, the edge checks and the
 * rate limit, routes, logs, and sends the answer (or a broken one, when a fault says so). */
#include "sim/sim.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SIM_BODY_MAX (1024 * 1024)
#define SIM_WINDOW_S 60
#define SIM_POOL (64 * 1024)

/* One request in flight; created by the URI logger, freed when MHD completes the request. */
struct conn_req {
  char *uri; /* raw, as sent: path?query */
  char *body;
  size_t len, cap;
  bool started;
  bool too_large;
};

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)cls, (void)c;
  struct conn_req *r = calloc(1, sizeof *r);
  if (r) r->uri = strdup(uri ? uri : "/");
  return r;
}

static void request_done(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)c, (void)toe;
  struct conn_req *r = *req_cls;
  if (!r) return;
  free(r->uri);
  free(r->body);
  free(r);
  *req_cls = NULL;
}

/* "id:secret" from a Basic Authorization header, decoded by libmicrohttpd (which wants the scheme
 * spelled "Basic" and padded base64, as every client sends it); NULL when absent or malformed. */
static char *basic_pair(struct MHD_Connection *c) {
  char *pass = NULL, *user = MHD_basic_auth_get_username_password(c, &pass), *pair = NULL;
  if (user && pass && asprintf(&pair, "%s:%s", user, pass) < 0) pair = NULL;
  MHD_free(user);
  MHD_free(pass);
  return pair;
}

/* The company behind an Authorization value (basic: its decoded "id:secret", NULL when the value
 * does not decode). Returns 401 (none), 403 (bad) or 0. */
static int resolve(const struct sim *s, const char *auth, const char *basic, struct sim_company **co,
                   enum sim_cred_kind *kind) {
  *co = NULL, *kind = SIM_CRED_NONE;
  if (!auth) return 401;
  while (*auth == ' ') auth++;
  if (!*auth) return 401;
  const char *secret = NULL;
  enum sim_cred_kind k = SIM_CRED_NONE;
  if (strncasecmp(auth, "Bearer ", 7) == 0) {
    k = SIM_CRED_BEARER, secret = auth + 7;
    while (*secret == ' ') secret++;
  } else if (strncasecmp(auth, "Basic ", 6) == 0 && basic) {
    k = SIM_CRED_BASIC, secret = basic;
  } else {
    return 403;
  }
  for (size_t i = 0; i < s->ncreds; i++)
    if (s->creds[i].kind == k && strcmp(s->creds[i].secret, secret) == 0) {
      *co = &s->companies[s->creds[i].company];
      *kind = k;
      return 0;
    }
  return 403;
}

/* Per-company fixed window; true when the request may go on. */
static bool rate_admit(struct sim *s, struct sim_company *co, struct sim_resp *rs) {
  int64_t now = (int64_t)time(NULL);
  char b[32], msg[200];
  if (s->cfg.rate_limit <= 0) return true;
  if (co->window_start == 0 || now >= co->window_start + SIM_WINDOW_S) {
    co->window_start = now;
    co->window_count = 0;
  }
  if (co->window_count < s->cfg.rate_limit) {
    co->window_count++;
    return true;
  }
  /* PICK: the 429 body is UNCERTAIN in docs/aircall-api.md; this is its "likely" shape. */
  snprintf(msg, sizeof msg,
           "Rate limit of %ld requests per minute reached for this company; retry after the time "
           "in X-AircallApi-Reset",
           s->cfg.rate_limit);
  sim_resp_error(rs, 429, msg);
  snprintf(b, sizeof b, "%ld", s->cfg.rate_limit);
  sim_resp_header(rs, "X-AircallApi-Limit", b);
  sim_resp_header(rs, "X-AircallApi-Remaining", "0");
  snprintf(b, sizeof b, "%lld", (long long)(co->window_start + SIM_WINDOW_S));
  sim_resp_header(rs, "X-AircallApi-Reset", b);
  return false;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {}
}

/* Per TCP connection: whether it has answered yet (its handshakes are still to be paid). */
struct conn_state {
  bool answered;
};

static void conn_notify(void *cls, struct MHD_Connection *c, void **ctx,
                        enum MHD_ConnectionNotificationCode toe) {
  (void)cls, (void)c;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) *ctx = calloc(1, sizeof(struct conn_state));
  else {
    free(*ctx);
    *ctx = NULL;
  }
}

/* --latency-ms N[:JITTER]: each API answer waits N ms plus 0..JITTER, as one round trip of a
 * network would; the first answer on a new connection also waits N per handshake round trip
 * (TCP, and TLS 1.3 with --tls-cert), which a kept connection saves. The wait happens in the
 * connection's own thread and without the lock, so a slow answer never holds up another, and
 * is reported in X-Sim-Latency-Ms so a test can see it without timing anything. */
static void latency(const struct sim *s, struct MHD_Connection *c, struct sim_resp *rs) {
  static _Thread_local unsigned seed;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  struct conn_state *cs = ci ? ci->socket_context : NULL;
  long ms = s->cfg.latency_ms;
  char b[32];
  if (ms <= 0 && s->cfg.latency_jitter_ms <= 0) return;
  if (!seed) seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
  if (s->cfg.latency_jitter_ms > 0) ms += (long)(rand_r(&seed) % (unsigned)(s->cfg.latency_jitter_ms + 1));
  if (cs && !cs->answered) ms += s->cfg.latency_ms * (s->cfg.tls_cert ? 2 : 1);
  if (cs) cs->answered = true;
  sleep_ms(ms);
  snprintf(b, sizeof b, "%ld", ms);
  sim_resp_header(rs, "X-Sim-Latency-Ms", b);
}

struct trunc_body {
  char *data;
  size_t send; /* bytes actually sent before the connection is cut */
};

static ssize_t trunc_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  struct trunc_body *t = cls;
  if (pos >= t->send) return MHD_CONTENT_READER_END_WITH_ERROR;
  size_t n = t->send - (size_t)pos;
  if (n > max) n = max;
  memcpy(buf, t->data + pos, n);
  return (ssize_t)n;
}

static void trunc_free(void *cls) {
  struct trunc_body *t = cls;
  free(t->data);
  free(t);
}

/* Closing with SO_LINGER 0 makes the kernel send a RST: the client sees a reset connection. */
static enum MHD_Result drop(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (ci) {
    struct linger lg = {1, 0};
    setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  return MHD_NO;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct sim_resp *rs, bool truncate) {
  struct MHD_Response *r;
  size_t len = rs->body ? strlen(rs->body) : 0;
  enum MHD_Result ret;
  if (truncate) {
    struct trunc_body *t = malloc(sizeof *t);
    if (!t) return MHD_NO;
    t->data = rs->body;
    t->send = len / 2;
    rs->body = NULL;
    r = MHD_create_response_from_callback(len, 4096, trunc_reader, t, trunc_free);
    if (!r) {
      trunc_free(t);
      return MHD_NO;
    }
  } else {
    r = MHD_create_response_from_buffer(len, rs->body ? rs->body : (char *)"",
                                        rs->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    rs->body = NULL; /* MHD frees it */
  }
  if (rs->content_type && rs->status != 204)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
  for (size_t i = 0; i < rs->nheaders; i++)
    MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
  ret = MHD_queue_response(c, (unsigned)rs->status, r);
  MHD_destroy_response(r);
  return ret;
}

static void apply_hit_body(struct sim_resp *rs, const struct sim_fault_hit *hit, const char *fallback,
                           const char *type) {
  sim_resp_text(rs, hit->status, hit->body ? hit->body : fallback, type);
  for (size_t i = 0; i < hit->nheaders; i++) {
    if (strcasecmp(hit->headers[i].name, "Content-Type") == 0) rs->content_type = NULL;
    sim_resp_header(rs, hit->headers[i].name, hit->headers[i].value);
  }
}

static const char HTML_PAGE[] = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                                "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/* Log slots are taken when a request arrives, so the log is in arrival order even when a
 * delayed request finishes after later ones; the status is filled in when it is answered. */
static size_t log_open(struct sim *s, const struct sim_req *rq, uint64_t *gen) {
  *gen = s->log_gen;
  s->in_flight++;
  return sim_log_add(s, rq, 0);
}

static void log_close(struct sim *s, size_t slot, uint64_t gen, int status) {
  s->in_flight--;
  if (slot != SIZE_MAX && gen == s->log_gen && slot < s->nlog) sim_log_set_status(s, slot, status);
}

#define JSON_TYPE "application/json; charset=utf-8"

/* The faults that answer instead of the API (the request is not processed); true when one did. */
static bool fault_instead(const struct sim_fault_hit *hit, struct sim_resp *rs, bool *reset) {
  switch (hit->kind) {
  case SIM_FAULT_STATUS_BEFORE:
    apply_hit_body(rs, hit, NULL, JSON_TYPE);
    if (!hit->body) sim_resp_error(rs, hit->status, "Injected fault (status_before)");
    return true;
  case SIM_FAULT_RESET: *reset = true; return true;
  case SIM_FAULT_INVALID_JSON:
    apply_hit_body(rs, hit, "{\"calls\": [{\"id\": 1, \"direction\": \"inbound\",, <<not json", JSON_TYPE);
    return true;
  case SIM_FAULT_HTML: apply_hit_body(rs, hit, HTML_PAGE, "text/html"); return true;
  default: return false; /* the others process the request first */
  }
}

/* The faults that spoil the API's answer once it is made. */
static void fault_after(const struct sim_fault_hit *hit, struct sim_resp *rs, bool *truncate, bool *reset) {
  switch (hit->kind) {
  case SIM_FAULT_STATUS_AFTER:
    sim_resp_clear(rs);
    apply_hit_body(rs, hit, NULL, JSON_TYPE);
    if (!hit->body) sim_resp_error(rs, hit->status, "Injected fault (status_after)");
    break;
  case SIM_FAULT_RESET_AFTER: *reset = true; break;
  case SIM_FAULT_TRUNCATE:
    *truncate = true;
    if (hit->body) apply_hit_body(rs, hit, NULL, JSON_TYPE);
    rs->status = hit->status;
    if (!rs->body || strlen(rs->body) < 2)
      sim_resp_text(rs, hit->status, "{\"message\":\"this body is cut in the middle\"}", JSON_TYPE);
    break;
  default: break;
  }
}

/* The API's own answer: the edge's 401/403, the rate limit, or the endpoint's. */
static void api_answer(struct sim *s, const struct sim_req *rq, int edge, struct sim_resp *rs) {
  pthread_mutex_lock(&s->lock);
  if (edge == 401) sim_resp_message(rs, 401, "Unauthorized");
  else if (edge == 403) sim_resp_message(rs, 403, "Forbidden");
  else if (rate_admit(s, rq->co, rs)) sim_route(s, rq, rs);
  pthread_mutex_unlock(&s->lock);
  sim_resp_finish(rs);
}

static enum MHD_Result api(struct sim *s, struct MHD_Connection *c, struct sim_req *rq, struct conn_req *cr) {
  struct sim_resp rs = {0};
  struct sim_fault_hit hit = {0}; /* kind SIM_FAULT_NONE when no fault is queued */
  enum MHD_Result ret;
  char *basic = basic_pair(c);
  int edge = resolve(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), basic,
                     &rq->co, &rq->cred);
  bool truncate = false, reset = false;
  uint64_t gen;
  size_t slot;
  free(basic);

  pthread_mutex_lock(&s->lock);
  slot = log_open(s, rq, &gen);
  sim_fault_take(s, rq->method, rq->path, &hit);
  pthread_mutex_unlock(&s->lock);

  if (hit.delay_ms > 0) sleep_ms(hit.delay_ms);
  if (cr->too_large) {
    sim_resp_error(&rs, 413, "The request body is larger than 1 MiB");
  } else if (!fault_instead(&hit, &rs, &reset)) {
    api_answer(s, rq, edge, &rs);
    fault_after(&hit, &rs, &truncate, &reset);
  }
  sim_resp_finish(&rs);
  latency(s, c, &rs);
  pthread_mutex_lock(&s->lock);
  log_close(s, slot, gen, reset ? 0 : rs.status);
  pthread_mutex_unlock(&s->lock);
  ret = reset ? drop(c) : send_resp(c, &rs, truncate);
  sim_resp_clear(&rs);
  sim_fault_hit_clear(&hit);
  return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **req_cls) {
  struct sim *s = cls;
  struct conn_req *cr = *req_cls;
  struct sim_req rq = {0};
  struct sim_resp rs = {0};
  enum MHD_Result ret;
  char *path = NULL;
  (void)url, (void)version;
  if (!cr) return MHD_NO;
  if (!cr->started) {
    cr->started = true;
    return MHD_YES;
  }
  if (*upload_size) {
    if (cr->len + *upload_size > SIM_BODY_MAX) {
      cr->too_large = true;
    } else if (!cr->too_large) {
      if (cr->len + *upload_size + 1 > cr->cap) {
        size_t cap = (cr->len + *upload_size + 1) * 2;
        char *nb = realloc(cr->body, cap);
        if (!nb) return MHD_NO;
        cr->body = nb, cr->cap = cap;
      }
      memcpy(cr->body + cr->len, upload, *upload_size);
      cr->len += *upload_size;
      cr->body[cr->len] = '\0';
    }
    *upload_size = 0;
    return MHD_YES;
  }
  /* The whole request is here. */
  const char *q = strchr(cr->uri, '?');
  path = q ? strndup(cr->uri, (size_t)(q - cr->uri)) : strdup(cr->uri);
  if (!path) return MHD_NO;
  rq.method = method;
  rq.path = path;
  rq.query = q ? q + 1 : "";
  rq.body = cr->body;
  rq.body_len = cr->len;
  if (rq.body && strlen(rq.body) != rq.body_len) rq.body_len = strlen(rq.body); /* NUL inside */
  if (sim_params_parse(rq.query, &rq.params, &rq.nparams)) {
    free(path);
    return MHD_NO;
  }
  if (strncmp(path, "/__sim/", 7) == 0) {
    pthread_mutex_lock(&s->lock);
    sim_controls(s, &rq, &rs);
    pthread_mutex_unlock(&s->lock);
    sim_resp_finish(&rs);
    ret = send_resp(c, &rs, false);
    sim_resp_clear(&rs);
  } else {
    ret = api(s, c, &rq, cr);
  }
  sim_params_free(rq.params, rq.nparams);
  free(path);
  return ret;
}

/* Binds 127.0.0.1:port here rather than inside libmicrohttpd, so base_url (which every answer's
 * links read) is written before the first connection can be accepted, even with a fixed port. */
static int listen_socket(int port, unsigned *bound, char **err) {
  struct sockaddr_in addr;
  socklen_t alen = sizeof addr;
  char b[200];
  int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
    snprintf(b, sizeof b, "cannot listen on 127.0.0.1:%d: %s (port in use? try --port 0)", port,
             strerror(errno));
    *err = strdup(b);
    if (fd >= 0) close(fd);
    return -1;
  }
  *bound = ntohs(addr.sin_port);
  return fd;
}

/* The daemon's options: TLS ones only with --tls-cert. The per-connection pool is 64 KiB, down
 * from 256: bodies are read in pieces into conn_req, so the pool holds only the request line
 * and headers, and libmicrohttpd's default of 32 KiB is too small for a query of 500 repeated
 * tags[] (each parameter takes a slot in the pool), which the real API answers. */
static void server_options(const struct sim *s, int fd, struct MHD_OptionItem *o) {
  size_t n = 0;
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, (intptr_t)fd, NULL};
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logger, (void *)s};
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_done, (void *)s};
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)conn_notify, (void *)s};
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL};
  o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, SIM_POOL, NULL};
  if (s->cfg.tls_cert) {
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cfg.tls_cert};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->cfg.tls_key};
  }
  o[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}

struct MHD_Daemon *sim_server_start(struct sim *s, char **err) {
  unsigned port, flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                         MHD_USE_ERROR_LOG;
  struct MHD_OptionItem opts[10];
  if (s->cfg.tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    *err = strdup("this libmicrohttpd was built without TLS: --tls-cert cannot be served");
    return NULL;
  }
  int fd = listen_socket(s->cfg.port, &port, err);
  if (fd < 0) return NULL;
  snprintf(s->base_url, sizeof s->base_url, "%s://127.0.0.1:%u", s->cfg.tls_cert ? "https" : "http", port);
  if (s->cfg.tls_cert) flags |= MHD_USE_TLS;
  server_options(s, fd, opts);
  /* libmicrohttpd owns fd from here: MHD_stop_daemon closes it. */
  struct MHD_Daemon *d =
      MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!d) {
    /* Not closed here: whether a failed start already closed it is not documented, and the
     * process exits on this path anyway. */
    *err = strdup(s->cfg.tls_cert ? "libmicrohttpd could not start its TLS daemon: are --tls-cert and "
                                    "--tls-key a matching PEM certificate and key?"
                                  : "libmicrohttpd could not start its daemon on the listening socket");
    return NULL;
  }
  return d;
}
