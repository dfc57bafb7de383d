/*
 * hostile_server.h - a hostile "Aircall" on 127.0.0.1: every answer it gives is
 * taken from a table of malformed shapes, chosen by the first segment of the
 * request's path (the plugin's base_url ends with /case/N), so one server serves
 * every case and each account talks to one case only.
 */
#ifndef HOSTILE_SERVER_H
#define HOSTILE_SERVER_H

/* One malformed answer: requests whose path (after /case/N) starts with
 * `route` get `status` and `body`, where every "%AUTH%" is replaced by the
 * request's own Authorization header (an upstream that echoes it). Other paths
 * of the case get a well-formed answer, so the request under test is reached. */
struct hostile_case {
  const char *account;         /* keystore account: "default" (Bearer) or "basic" */
  const char *function, *args; /* what the test invokes */
  const char *route;
  int status;
  const char *body;
  const char *expect; /* a text the error message must contain (the field named) */
};

/* Serves cases[0..n) on 127.0.0.1 (an ephemeral port); returns the port, 0 on failure. */
unsigned hostile_start(const struct hostile_case *cases, unsigned n);
void hostile_stop(void);

#endif
