/* sim.h - the types every file of aircall-sim shares: the per-company data set, one parsed
 * request, one answer, and the simulator's state. The behaviour it imitates is described in
 * docs/aircall-api.md; the picks made where that document is UNCERTAIN are listed in sim/README.md. */
#ifndef SIM_H
#define SIM_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Calls start in a fixed window so the data never depends on "now":
 * 2025-10-01T00:00:00Z .. 2026-04-01T00:00:00Z (about six months of history). */
#define SIM_CALLS_FROM 1759276800LL
#define SIM_CALLS_TO 1774992000LL
/* Contacts were created before the calls: 2025-01-01T00:00:00Z .. 2025-10-01T00:00:00Z. */
#define SIM_CONTACTS_FROM 1735689600LL
#define SIM_CONTACTS_TO 1759276800LL

#define SIM_MAX_PER_PAGE 50
#define SIM_RECORD_CAP 10000
#define SIM_MAX_DETAILS 20 /* phone numbers, and emails, per contact */
#define SIM_NTAGS 6

enum sim_cred_kind { SIM_CRED_NONE, SIM_CRED_BEARER, SIM_CRED_BASIC };

struct sim_tag {
  int64_t id;
  const char *name;
  const char *color;
  const char *description;
};

struct sim_user {
  int64_t id;
  char name[64];
  char email[96];
  int64_t created_at;   /* rendered as ISO-8601 */
  uint8_t availability; /* index into available|custom|unavailable */
  uint8_t language;
  uint8_t time_zone;
  int16_t wrap_up_time;
  int32_t number_idx; /* the user's default number */
  int32_t extension;
};

struct sim_number {
  int64_t id;
  char name[48];
  char digits[32]; /* display format, e.g. "+33 1 76 11 11 11" */
  char country[3];
  const char *time_zone;
  int64_t created_at;
  uint8_t availability; /* open|closed|custom */
  bool is_ivr;
  bool live_recording;
  int32_t priority;
};

enum sim_direction { SIM_INBOUND, SIM_OUTBOUND };

/* A call is immutable once generated; the strings it shows are derived when rendered. */
struct sim_call {
  int64_t id;
  int64_t started_at;
  int32_t answered_after; /* seconds from start, -1 when never answered */
  int32_t duration;       /* ringing included */
  int32_t user_idx;       /* -1: no user */
  int32_t transferred_by; /* user index or -1 */
  int32_t transferred_to; /* user index or -1 */
  int32_t number_idx;
  uint8_t direction;
  uint8_t missed_reason; /* 0: none, else 1 + index into the reason list */
  uint8_t ntags;
  uint8_t tags[3]; /* indices into the company's tags */
  uint8_t flags;
  char raw_digits[28];
};
#define SIM_CALL_RECORDING 1u
#define SIM_CALL_VOICEMAIL 2u
#define SIM_CALL_ARCHIVED 4u
#define SIM_CALL_ASSIGNED 8u
#define SIM_CALL_TEAM 16u
#define SIM_CALL_COMMENT 32u

struct sim_detail {
  int64_t id;
  char *label; /* owned */
  char *value; /* owned */
};

struct sim_contact {
  int64_t id;
  char *first_name; /* owned, NULL renders null */
  char *last_name;
  char *company_name;
  char *information;
  int64_t created_at;
  int64_t updated_at;
  struct sim_detail phones[SIM_MAX_DETAILS];
  size_t nphones;
  struct sim_detail emails[SIM_MAX_DETAILS];
  size_t nemails;
  bool deleted;
};

struct sim_company {
  char *name; /* owned */
  int64_t id;
  struct sim_user *users;
  size_t nusers;
  struct sim_number *numbers;
  size_t nnumbers;
  struct sim_tag tags[SIM_NTAGS];
  struct sim_call *calls; /* sorted by started_at, ids ascending */
  size_t ncalls;
  struct sim_contact *contacts; /* sorted by id; deleted ones stay, flagged */
  size_t ncontacts;
  size_t contacts_cap;
  int64_t next_contact_id;
  int64_t next_detail_id;
  /* rate limit: a fixed 60-second window opened by the first request */
  int64_t window_start;
  int64_t window_count;
};

struct sim_cred {
  enum sim_cred_kind kind;
  char *secret; /* bearer token, or "id:secret" for basic; owned */
  size_t company;
};

struct sim_config {
  int port;
  uint64_t seed;
  long calls, contacts, users, numbers;
  long rate_limit;                    /* requests per 60 s per company, 0 = off */
  long latency_ms, latency_jitter_ms; /* added to every API answer: a network's round trip */
  char *tls_cert, *tls_key;           /* PEM text: serve HTTPS when set */
};

/* One query parameter, decoded (percent escapes and '+'), plus its raw text for links. */
struct sim_param {
  char *key;
  char *val;
  const char *raw;
  size_t raw_len;
};

struct sim_req {
  const char *method;
  const char *path;
  const char *query; /* raw query string, "" when none */
  struct sim_param *params;
  size_t nparams;
  const char *body; /* NUL-terminated, NULL when the request had none */
  size_t body_len;
  struct sim_company *co;
  enum sim_cred_kind cred;
};

struct sim_header {
  char *name;
  char *value;
};

struct sim_resp {
  int status;
  char *body;        /* owned; NULL for no body */
  json_object *json; /* owned: a body still to be serialized (sim_resp_finish), out of the lock */
  const char *content_type;
  struct sim_header headers[8];
  size_t nheaders;
};

struct sim_fault; /* controls.c */
struct sim_log_entry;

struct sim {
  struct sim_config cfg;
  struct sim_company *companies;
  size_t ncompanies;
  struct sim_cred *creds;
  size_t ncreds;
  char base_url[48];    /* "http://127.0.0.1:PORT" (https:// with --tls-cert) */
  pthread_mutex_t lock; /* guards everything below and the company data */
  struct sim_fault *faults;
  size_t nfaults, faults_cap;
  struct sim_log_entry *log;
  size_t nlog, log_cap;
  size_t log_dropped;
  uint64_t log_gen; /* bumped when the log is cleared, so stale slots are not written */
  int in_flight;    /* API requests arrived and not yet answered (their latency included) */
};

/* dataset.c: deterministic data, derived from the seed and the company name. */
int sim_company_generate(struct sim_company *co, const struct sim_config *cfg, char **err);
void sim_company_free(struct sim_company *co);
struct sim_contact *sim_contact_find(struct sim_company *co, int64_t id);
void sim_contact_clear(struct sim_contact *c);
size_t sim_digits(const char *s, char *out, size_t cap);

/* render.c: JSON objects for each resource. Caller owns every returned object. */
json_object *sim_render_call(const struct sim *s, const struct sim_company *co, const struct sim_call *c,
                             bool with_contact);
json_object *sim_render_contact(const struct sim *s, const struct sim_contact *c);
json_object *sim_render_user_v1(const struct sim *s, const struct sim_company *co, const struct sim_user *u,
                                bool abridged);
json_object *sim_render_user_v2(const struct sim *s, const struct sim_company *co, const struct sim_user *u);
json_object *sim_render_number(const struct sim *s, const struct sim_company *co, const struct sim_number *n,
                               bool with_users);
json_object *sim_render_tag(const struct sim_tag *t);
void sim_iso8601(int64_t t, char out[32]);

/* answer.c: filling a sim_resp. */
void sim_resp_json(struct sim_resp *rs, int status, json_object *obj); /* takes obj */
void sim_resp_text(struct sim_resp *rs, int status, const char *body, const char *type);
void sim_resp_error(struct sim_resp *rs, int status, const char *troubleshoot);
void sim_resp_message(struct sim_resp *rs, int status, const char *message);
void sim_resp_header(struct sim_resp *rs, const char *name, const char *value);
void sim_resp_clear(struct sim_resp *rs);
/* Serializes a pending JSON body; called once the lock is released, so no other request waits
 * for the costly part of an answer. */
void sim_resp_finish(struct sim_resp *rs);
const char *sim_reason(int status);

/* listing.c: query parameters, pagination and the list envelope. */
const char *sim_param(const struct sim_req *rq, const char *key);
int sim_param_int(const struct sim_req *rq, const char *key, int64_t min, int64_t *out, bool *present,
                  struct sim_resp *rs);
struct sim_page {
  int64_t page, per_page;
};
int sim_page_parse(const struct sim_req *rq, struct sim_page *pg, struct sim_resp *rs);
int sim_range_parse(const struct sim_req *rq, int64_t *from, int64_t *to, bool *desc, struct sim_resp *rs);
void sim_list_answer(const struct sim *s, const struct sim_req *rq, const struct sim_page *pg,
                     const char *key, json_object *items, size_t total, struct sim_resp *rs);
int sim_params_parse(const char *query, struct sim_param **out, size_t *n);
void sim_params_free(struct sim_param *p, size_t n);

/* calls.c, contacts.c, directory.c: the endpoints. Called with s->lock held. */
void sim_calls_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, bool search);
void sim_calls_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id);
void sim_contacts_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, bool search);
void sim_contacts_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id);
void sim_contacts_create(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
void sim_contacts_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id);
void sim_contacts_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id);
void sim_details_add(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, bool phone);
void sim_details_update(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, int64_t did,
                        bool phone);
void sim_details_delete(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id, int64_t did,
                        bool phone);
void sim_users_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int version);
void sim_users_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int version,
                   const char *key);
void sim_numbers_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
void sim_numbers_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs, int64_t id);
void sim_tags_list(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
void sim_ping(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
void sim_company_get(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
void sim_integration_me(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);

/* routes.c: which endpoint answers a method and path; 404 {"message":"Not Found"} otherwise. */
void sim_route(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);

/* controls.c: /__sim endpoints, the fault queue and the request log. */
enum sim_fault_kind {
  SIM_FAULT_NONE,
  SIM_FAULT_STATUS_BEFORE,
  SIM_FAULT_STATUS_AFTER,
  SIM_FAULT_DELAY,
  SIM_FAULT_RESET,
  SIM_FAULT_RESET_AFTER,
  SIM_FAULT_TRUNCATE,
  SIM_FAULT_INVALID_JSON,
  SIM_FAULT_HTML,
};
/* A fault taken off the queue for one request; the strings are owned by it. */
struct sim_fault_hit {
  enum sim_fault_kind kind;
  int status;
  char *body;
  struct sim_header headers[8];
  size_t nheaders;
  long delay_ms;
};
void sim_controls(struct sim *s, const struct sim_req *rq, struct sim_resp *rs);
bool sim_fault_take(struct sim *s, const char *method, const char *path, struct sim_fault_hit *hit);
void sim_fault_hit_clear(struct sim_fault_hit *hit);
/* Appends an entry and returns its slot, SIZE_MAX when the log is full. */
size_t sim_log_add(struct sim *s, const struct sim_req *rq, int status);
void sim_log_set_status(struct sim *s, size_t slot, int status);
void sim_state_free(struct sim *s);
int sim_reset_data(struct sim *s, char **err);

/* server.c: the HTTP side. */
struct MHD_Daemon;
struct MHD_Daemon *sim_server_start(struct sim *s, char **err);

#endif
