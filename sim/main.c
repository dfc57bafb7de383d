/* main.c - aircall-sim's command line: parses the options and credentials, builds each
 * company's data set, starts the server on 127.0.0.1, prints "listening on URL" and runs until
 * SIGTERM or SIGINT. */
#include "sim/sim.h"

#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIM_VERSION
#define SIM_VERSION "0.0.0"
#endif

static const char USAGE[] =
    "usage: aircall-sim [--port N] [--seed N] [--calls N] [--contacts N] [--users N]\n"
    "                   [--numbers N] [--rate-limit N] [--bearer TOKEN=COMPANY]...\n"
    "                   [--basic ID:SECRET=COMPANY]... [--latency-ms N[:JITTER]]\n"
    "                   [--tls-cert FILE --tls-key FILE]\n"
    "A local imitation of the Aircall REST API on 127.0.0.1, for tests and benchmarks.\n"
    "  --port N         port to listen on; 0 (default) picks a free one\n"
    "  --seed N         data seed (default 1): same seed, same data\n"
    "  --calls N        calls per company (default 500, at least 8)\n"
    "  --contacts N     contacts per company (default 200, at least 4)\n"
    "  --users N        users per company (default 60, at least 4)\n"
    "  --numbers N      numbers per company (default 6, at least 1)\n"
    "  --rate-limit N   requests per 60 s per company (default 120, 0 = off)\n"
    "  --bearer T=C     accept 'Authorization: Bearer T' for company C (repeatable)\n"
    "  --basic I:S=C    accept HTTP Basic with id I and secret S for company C (repeatable)\n"
    "  --latency-ms N[:J] every API answer waits N ms plus 0..J more (a network's round trip);\n"
    "                   the wait is reported in the answer's X-Sim-Latency-Ms header\n"
    "  --tls-cert FILE  serve HTTPS with this PEM certificate (needs --tls-key, the PEM key)\n"
    "Without any credential option: --bearer sim-token=acme --basic sim-id:sim-secret=acme.\n"
    "Controls (no auth): POST /__sim/faults, GET /__sim/requests, POST /__sim/reset,\n"
    "GET /__sim/health. See sim/README.md.\n"
    "  -h, --help       this help;  --version  the version\n";

static int num_arg(const char *opt, const char *v, long min, long max, long *out) {
  char *end;
  errno = 0;
  long n = v ? strtol(v, &end, 10) : 0;
  if (!v || errno || *end || !*v || n < min || n > max) {
    fprintf(stderr, "aircall-sim: %s needs an integer between %ld and %ld (got %s)\n", opt, min, max,
            v ? v : "nothing");
    return -1;
  }
  *out = n;
  return 0;
}

static size_t company_index(struct sim *s, const char *name) {
  for (size_t i = 0; i < s->ncompanies; i++)
    if (strcmp(s->companies[i].name, name) == 0) return i;
  struct sim_company *nc = realloc(s->companies, (s->ncompanies + 1) * sizeof *nc);
  if (!nc) return SIZE_MAX;
  s->companies = nc;
  memset(&nc[s->ncompanies], 0, sizeof *nc);
  nc[s->ncompanies].name = strdup(name);
  if (!nc[s->ncompanies].name) return SIZE_MAX;
  return s->ncompanies++;
}

/* "SECRET=COMPANY": the company is after the last '='. */
static int add_cred(struct sim *s, enum sim_cred_kind kind, const char *arg) {
  const char *eq = arg ? strrchr(arg, '=') : NULL;
  const char *opt = kind == SIM_CRED_BEARER ? "--bearer TOKEN=COMPANY" : "--basic ID:SECRET=COMPANY";
  if (!eq || eq == arg || !eq[1] ||
      (kind == SIM_CRED_BASIC && (!memchr(arg, ':', (size_t)(eq - arg)) || arg[0] == ':'))) {
    fprintf(stderr, "aircall-sim: %s expected (got %s)\n", opt, arg ? arg : "nothing");
    return -1;
  }
  struct sim_cred *nc = realloc(s->creds, (s->ncreds + 1) * sizeof *nc);
  if (!nc) return -1;
  s->creds = nc;
  nc[s->ncreds].kind = kind;
  nc[s->ncreds].secret = strndup(arg, (size_t)(eq - arg));
  nc[s->ncreds].company = company_index(s, eq + 1);
  if (!nc[s->ncreds].secret || nc[s->ncreds].company == SIZE_MAX) return -1;
  s->ncreds++;
  return 0;
}

/* "N" or "N:JITTER", each 0..600000 ms. */
static int latency_arg(struct sim *s, const char *v) {
  char *end;
  errno = 0;
  long n = v ? strtol(v, &end, 10) : -1, j = 0;
  if (v && !errno && end != v && *end == ':') {
    const char *js = end + 1;
    j = strtol(js, &end, 10);
    if (end == js) j = -1;
  }
  if (!v || errno || *end || n < 0 || n > 600000 || j < 0 || j > 600000) {
    fprintf(stderr, "aircall-sim: --latency-ms needs N or N:JITTER, milliseconds from 0 to 600000 (got %s)\n",
            v ? v : "nothing");
    return -1;
  }
  s->cfg.latency_ms = n, s->cfg.latency_jitter_ms = j;
  return 0;
}

/* The whole file, NUL-terminated (libmicrohttpd takes PEM text, not paths). */
static int pem_arg(const char *opt, const char *path, char **out) {
  FILE *f = path ? fopen(path, "r") : NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  if (!f) {
    fprintf(stderr, "aircall-sim: %s needs a readable PEM file (%s: %s)\n", opt, path ? path : "nothing",
            path ? strerror(errno) : "missing");
    return -1;
  }
  do {
    if (len + 4097 > cap) {
      char *nb = realloc(buf, cap = (len + 4097) * 2);
      if (!nb) break;
      buf = nb;
    }
    n = fread(buf + len, 1, 4096, f);
    len += n;
  } while (n > 0);
  fclose(f);
  if (!buf || len + 1 > cap) {
    free(buf);
    return -1;
  }
  buf[len] = '\0';
  free(*out);
  *out = buf;
  return 0;
}

/* Every option takes a value; the ids index opts[] below. */
enum {
  O_PORT,
  O_CALLS,
  O_CONTACTS,
  O_USERS,
  O_NUMBERS,
  O_RATE,
  O_SEED,
  O_LATENCY,
  O_CERT,
  O_KEY,
  O_BEARER,
  O_BASIC
};
static const struct option opts[] = {{"port", required_argument, NULL, O_PORT},
                                     {"calls", required_argument, NULL, O_CALLS},
                                     {"contacts", required_argument, NULL, O_CONTACTS},
                                     {"users", required_argument, NULL, O_USERS},
                                     {"numbers", required_argument, NULL, O_NUMBERS},
                                     {"rate-limit", required_argument, NULL, O_RATE},
                                     {"seed", required_argument, NULL, O_SEED},
                                     {"latency-ms", required_argument, NULL, O_LATENCY},
                                     {"tls-cert", required_argument, NULL, O_CERT},
                                     {"tls-key", required_argument, NULL, O_KEY},
                                     {"bearer", required_argument, NULL, O_BEARER},
                                     {"basic", required_argument, NULL, O_BASIC},
                                     {"help", no_argument, NULL, 'h'},
                                     {"version", no_argument, NULL, 'v'},
                                     {NULL, 0, NULL, 0}};

/* One option's value (v NULL when it was missing): 0, or -1 after saying why. */
static int take_option(struct sim *s, int id, const char *v, long *port, long *seed) {
  static const long range[][2] = {{0, 65535}, {8, 5000000},   {4, 1000000},   {4, 100000},
                                  {1, 10000}, {0, 100000000}, {0, 2147483647}};
  long *const dst[] = {
      port, &s->cfg.calls, &s->cfg.contacts, &s->cfg.users, &s->cfg.numbers, &s->cfg.rate_limit, seed};
  char opt[32];
  snprintf(opt, sizeof opt, "--%s", opts[id].name);
  if (id <= O_SEED) return num_arg(opt, v, range[id][0], range[id][1], dst[id]);
  if (id == O_LATENCY) return latency_arg(s, v);
  if (id == O_CERT || id == O_KEY) return pem_arg(opt, v, id == O_CERT ? &s->cfg.tls_cert : &s->cfg.tls_key);
  return add_cred(s, id == O_BEARER ? SIM_CRED_BEARER : SIM_CRED_BASIC, v);
}

/* 1 when --help or --version was answered, -1 on a usage error, 0 to run. */
static int parse_args(struct sim *s, int argc, char **argv) {
  long port = 0, seed = 1;
  int id;
  opterr = 0; /* the messages are ours */
  for (int at = 1; (id = getopt_long(argc, argv, ":h", opts, NULL)) != -1; at = optind) {
    if (id == 'h' || id == 'v') {
      if (id == 'h') fputs(USAGE, stdout);
      else printf("aircall-sim %s\n", SIM_VERSION);
      return 1;
    }
    if (id == ':' && optopt >= O_PORT && optopt <= O_BASIC) { /* a value is missing */
      take_option(s, optopt, NULL, &port, &seed);
      return -1;
    }
    if (id == '?' || id == ':') {
      fprintf(stderr, "aircall-sim: unknown option %s (see --help)\n", argv[at]); /* the word read */
      return -1;
    }
    if (take_option(s, id, optarg, &port, &seed)) return -1;
  }
  if (optind < argc) {
    fprintf(stderr, "aircall-sim: unknown option %s (see --help)\n", argv[optind]);
    return -1;
  }
  if (!s->cfg.tls_cert != !s->cfg.tls_key) {
    fprintf(stderr, "aircall-sim: --tls-cert and --tls-key go together (HTTPS needs both)\n");
    return -1;
  }
  s->cfg.port = (int)port;
  s->cfg.seed = (uint64_t)seed;
  if (s->ncreds == 0 && (add_cred(s, SIM_CRED_BEARER, "sim-token=acme") ||
                         add_cred(s, SIM_CRED_BASIC, "sim-id:sim-secret=acme")))
    return -1;
  return 0;
}

int main(int argc, char **argv) {
  struct sim s;
  struct MHD_Daemon *d = NULL;
  char *err = NULL;
  sigset_t set;
  int sig, rc = 1;
  memset(&s, 0, sizeof s);
  s.cfg.calls = 500, s.cfg.contacts = 200, s.cfg.users = 60, s.cfg.numbers = 6;
  s.cfg.rate_limit = 120;
  pthread_mutex_init(&s.lock, NULL);
  int pr = parse_args(&s, argc, argv);
  if (pr) {
    rc = pr > 0 ? 0 : 2;
    goto out;
  }
  if (sim_reset_data(&s, &err)) goto out;
  /* Block the stop signals in every thread; main waits for them with sigwait. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  d = sim_server_start(&s, &err);
  if (!d) goto out;
  printf("listening on %s\n", s.base_url);
  fflush(stdout);
  while (sigwait(&set, &sig) != 0) {}
  rc = 0;
out:
  if (err) fprintf(stderr, "aircall-sim: %s\n", err);
  free(err);
  if (d) MHD_stop_daemon(d);
  sim_state_free(&s);
  free(s.cfg.tls_cert);
  free(s.cfg.tls_key);
  pthread_mutex_destroy(&s.lock);
  return rc;
}
