/*
 * hostile_server.c - the hostile upstream of hostile_server.h, on libmicrohttpd
 * (one thread per connection, as aircall-sim).
 */
#include "tests/hostile/hostile_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Daemon *daemon_;
static const struct hostile_case *cases_;
static unsigned n_cases;

/* Well-formed answers for the requests a case does not make hostile (look-ups
 * before the request under test). */
static const char *benign(const char *path) {
  if (strncmp(path, "/v1/tags", 8) == 0) return "{\"tags\":[{\"id\":7,\"name\":\"vip\"}],\"meta\":{}}";
  if (strncmp(path, "/v1/numbers/", 12) == 0)
    return "{\"number\":{\"id\":7,\"digits\":\"+33 1 00 00 00 07\"}}";
  if (strncmp(path, "/v1/contacts/", 13) == 0)
    return "{\"contact\":{\"id\":5,\"first_name\":\"Ann\",\"phone_numbers\":[],\"emails\":[]}}";
  return "{}";
}

/* body with each %AUTH% replaced by auth, and each %AUTH_U% by auth written as
 * JSON \u escapes, one a character (malloc'd). */
static char *echo(const char *body, const char *auth) {
  size_t n = 0, alen = strlen(auth);
  for (const char *p = strstr(body, "%AUTH"); p; p = strstr(p + 5, "%AUTH")) n++;
  char *out = malloc(strlen(body) + n * alen * 6 + 1), *o = out;
  if (!out) return NULL;
  for (const char *p = body; *p;) {
    if (strncmp(p, "%AUTH%", 6) == 0) {
      memcpy(o, auth, alen);
      o += alen;
      p += 6;
    } else if (strncmp(p, "%AUTH_U%", 8) == 0) {
      for (size_t i = 0; i < alen; i++) o += sprintf(o, "\\u%04x", (unsigned char)auth[i]);
      p += 8;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

static enum MHD_Result answer(struct MHD_Connection *con, int status, char *body) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result rc = MHD_queue_response(con, (unsigned)status, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                               const char *version, const char *data, size_t *data_size, void **state) {
  (void)cls, (void)method, (void)version, (void)data;
  static int started;
  if (!*state) { /* the headers: wait for the body */
    *state = &started;
    return MHD_YES;
  }
  if (*data_size) { /* the body is not looked at */
    *data_size = 0;
    return MHD_YES;
  }
  unsigned idx;
  int used = 0;
  if (sscanf(url, "/case/%u%n", &idx, &used) != 1 || idx >= n_cases)
    return answer(con, 404, strdup("{\"error\":\"no such case\"}"));
  const char *path = url + used, *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
  const struct hostile_case *c = &cases_[idx];
  if (strncmp(path, c->route, strlen(c->route)) == 0)
    return answer(con, c->status, echo(c->body, auth ? auth : ""));
  return answer(con, 200, strdup(benign(path)));
}

unsigned hostile_start(const struct hostile_case *cases, unsigned n) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cases_ = cases;
  n_cases = n;
  daemon_ = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
                             0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
  if (!daemon_) return 0;
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

void hostile_stop(void) {
  if (daemon_) MHD_stop_daemon(daemon_);
  daemon_ = NULL;
}
