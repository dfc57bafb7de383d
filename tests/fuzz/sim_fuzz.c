/*
 * sim_fuzz.c - libFuzzer target for aircall-sim's request handling: the
 * Authorization header, the query string, routing to every endpoint (bodies of
 * creates and updates included), the control endpoints with the fault queue's
 * parser (POST /__sim/faults), taking a queued fault and the request log. The
 * simulator's own functions run on one small company, without the HTTP server
 * (server.c is included for its static header parser, not started).
 * Input: line 1 "METHOD PATH[?QUERY]", line 2 the Authorization value, the rest
 * the body (none when empty).
 */
#include "sim/server.c"

#include "tests/fuzz/fuzz_util.h"

static struct sim sim;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  char *err = NULL;
  sim.cfg = (struct sim_config){.seed = 1, .calls = 60, .contacts = 20, .users = 6, .numbers = 2};
  pthread_mutex_init(&sim.lock, NULL);
  snprintf(sim.base_url, sizeof sim.base_url, "http://127.0.0.1:1");
  sim.companies = calloc(1, sizeof *sim.companies);
  sim.creds = calloc(2, sizeof *sim.creds);
  if (!sim.companies || !sim.creds) abort();
  sim.companies[0].name = strdup("acme");
  sim.ncompanies = 1;
  sim.creds[0] = (struct sim_cred){SIM_CRED_BEARER, strdup("sim-token"), 0};
  sim.creds[1] = (struct sim_cred){SIM_CRED_BASIC, strdup("sim-id:sim-secret"), 0};
  sim.ncreds = 2;
  if (sim_reset_data(&sim, &err)) {
    fprintf(stderr, "fuzz: %s\n", err ? err : "no data");
    abort();
  }
  return 0;
}

/* The next line of *p (NUL-terminated in place), or "" at the end. */
static char *line(char **p) {
  char *start = *p, *nl = strchr(start, '\n');
  if (nl) *nl = '\0', *p = nl + 1;
  else *p = start + strlen(start);
  return start;
}

static void answer_checked(struct sim_resp *rs) {
  if (rs->status < 100 || rs->status > 599) abort(); /* every request gets an HTTP status */
  sim_resp_clear(rs);
}

/* Back to the seeded data with no fault and an empty log after every input: each input
 * starts from the same state, and what one allocates it also frees (libFuzzer runs the
 * leak checker, slowly, after any input whose allocations and frees differ). */
static void reset(void) {
  struct sim_resp rs = {0};
  struct sim_req rq = {.method = "POST", .path = "/__sim/reset", .query = ""};
  sim_controls(&sim, &rq, &rs);
  answer_checked(&rs);
}

static void handle(struct sim_req *rq, const char *auth) {
  struct sim_resp rs = {0};
  struct sim_fault_hit hit;
  if (strncmp(rq->path, "/__sim/", 7) == 0) {
    sim_controls(&sim, rq, &rs);
    answer_checked(&rs);
    return;
  }
  size_t slot = sim_log_add(&sim, rq, 0);
  if (sim_fault_take(&sim, rq->method, rq->path, &hit)) sim_fault_hit_clear(&hit);
  /* The text after "Basic " stands for what libmicrohttpd decoded from it. */
  const char *basic = auth && strncasecmp(auth, "Basic ", 6) == 0 ? auth + 6 : NULL;
  int edge = resolve(&sim, auth, basic, &rq->co, &rq->cred);
  if (edge) sim_resp_message(&rs, edge, edge == 401 ? "Unauthorized" : "Forbidden");
  else sim_route(&sim, rq, &rs);
  if (slot != SIZE_MAX) sim_log_set_status(&sim, slot, rs.status);
  answer_checked(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_str(data, size), *p = text, *first = line(&p), *auth = line(&p);
  char *sp = strchr(first, ' '), *q;
  struct sim_req rq = {0};
  if (!sp) goto out;
  *sp = '\0';
  rq.method = first;
  rq.path = sp + 1;
  q = strchr(sp + 1, '?');
  if (q) *q = '\0';
  rq.query = q ? q + 1 : "";
  rq.body = *p ? p : NULL;
  rq.body_len = strlen(p);
  if (sim_params_parse(rq.query, &rq.params, &rq.nparams)) goto out;
  handle(&rq, *auth ? auth : NULL);
  sim_params_free(rq.params, rq.nparams);
out:
  free(text);
  reset();
  return 0;
}
