/*
 * ac.h - internals of the Aircall plugin shared between its files: the error
 * object, the string builder, the account, one invocation's context, HTTP.
 */
#ifndef AC_H
#define AC_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "plugin.h"
#include "common/suggest.h"

#define AC_PLUGIN_NAME "aircall"
/* Aircall's own limits (docs/aircall-api.md): no page may start past the 10,000th
 * match of a query, and a page holds at most 50 records. */
#define AC_RECORD_CAP 10000LL
#define AC_MAX_PER_PAGE 50
/* Arguments and config larger than this are refused: no legitimate call comes near. */
#define AC_MAX_ARGS (1 << 20)

/* ---- errors (error.c) ------------------------------------------------- */

/* One error, filled by the first failure of an invocation. */
struct ac_error {
  int status;         /* enum kkp_status; KKP_OK when nothing failed */
  char message[1024]; /* names the problem and the fix; never a secret */
  long http_status;   /* 0 when no HTTP answer was involved */
  long retry_after_s; /* -1 when not applicable */
  int retryable;
  json_object *details; /* owned; NULL when none */
};

void ac_error_init(struct ac_error *e);
void ac_error_clear(struct ac_error *e);
/* Sets the error (printf-style message); returns status for `return ac_fail(...)`. */
int ac_fail(struct ac_error *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends printf-style text to the message (cut to fit; never overflows). */
void ac_error_append(struct ac_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves *from into *to (whatever *to held is cleared first) and leaves *from
 * empty: how a first error is set aside while a follow-up step runs, and put back. */
void ac_error_move(struct ac_error *to, struct ac_error *from);
/* Adds key=value (ownership of value taken) to the error's details. */
void ac_error_detail(struct ac_error *e, const char *key, json_object *value);
const char *ac_status_code(int status);
/* The error JSON of docs/SPEC.md §1, malloc'd (caller frees with free()). */
char *ac_error_json(const struct ac_error *e);

/* ---- strings (strbuf.c) ------------------------------------------------- */

/* A growable NUL-terminated string. Zero-initialise; free with ac_buf_free. */
struct ac_buf {
  char *s;
  size_t len, cap;
  int oom;
};
void ac_buf_append(struct ac_buf *b, const char *s, size_t n);
void ac_buf_puts(struct ac_buf *b, const char *s);
void ac_buf_printf(struct ac_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s percent-encoded for a URL query value. */
void ac_buf_urlencode(struct ac_buf *b, const char *s);
/* Appends "&key=value" (or "?key=value" for the first one), value encoded. */
void ac_buf_query(struct ac_buf *b, const char *key, const char *value);
void ac_buf_query_int(struct ac_buf *b, const char *key, long long value);
void ac_buf_free(struct ac_buf *b);

/* ---- the manifest (manifest.c) ----------------------------------------- */

extern const char ac_manifest_json[]; /* generated from manifest/aircall.json */
/* The parsed manifest, built once, read-only afterwards. NULL only if the
 * embedded manifest is broken (a build error). */
json_object *ac_manifest(void);
/* The function entry named name or full_name, or NULL. */
json_object *ac_manifest_function(const char *name);
/* The manifest's config schema. */
json_object *ac_manifest_config(void);
/* Frees the parsed manifest (at unload only). */
void ac_manifest_release(void);

/* ---- validation (validate.c) ------------------------------------------- */

/* Checks value against schema (an object schema with properties). `what` names
 * the thing for messages ("list_calls", "config"). */
int ac_validate_object(const char *what, json_object *schema, json_object *value, struct ac_error *e);

/* ---- formats (iso8601.c, phone.c, names.c) ----------------------------- */

/* Parses an ISO-8601 date-time ("2026-01-01T00:00:00Z", offsets, fractions)
 * or a bare date into UNIX seconds. Returns 0 on success, -1 if malformed. */
int ac_iso8601_parse(const char *s, long long *out);

/* Counts the digits of a phone-like string; -1 when it holds a character other
 * than digits and + ( ) - . space, or a '+' anywhere but first. */
int ac_phone_digits(const char *s);
/* Writes "+digits" (when s starts with '+') or "digits" into out. */
void ac_phone_normalise(const char *s, char *out, size_t cap);
/* 1 when s looks like an email: one '@' with text on both sides, no space. */
int ac_email_valid(const char *s);
/* Adds first_name/last_name split from name to user, when absent. */
void ac_user_add_names(json_object *user);

/* ---- the account (account.c) ------------------------------------------- */

struct ac_config {
  char *base_url; /* without trailing slash */
  char *keystore; /* NULL: the keystore's default folder */
  char *ca_file;  /* NULL: the system's CA bundle */
  long connect_timeout_ms;
  long timeout_ms;
  int max_retries;
  long max_rate_wait_ms;
  int name_scan_pages;
  int concurrent_pages; /* pages of one list read at once (fanout.c); 1: one after another */
  int cache_ttl_s;
  long retry_base_ms;
  long deadline_ms;         /* the whole call: connects, retries, waits, pages */
  long reconcile_window_ms; /* how long a lost write is looked for before "may or may not exist" */
  char *proxy;              /* explicit proxy for https requests; NULL: libcurl's environment */
};

struct ac_tag {
  long long id;
  char *name;
};

struct ac_number_digits {
  long long id;
  char *digits;
  long long at_ms; /* ac_now_ms() when cached */
};

#define AC_IDLE_HANDLES 12 /* a call reading pages at once (fanout.c) holds 9 */
#define AC_NUMBER_CACHE 32

struct kkp_account {
  char *name;
  struct ac_config cfg;
  struct ks_credential *cred;
  void (*log)(void *ctx, int level, const char *message);
  void *log_ctx;

  void *headers;           /* struct curl_slist: Accept (built once, read-only) */
  void *headers_json_body; /* the same plus Content-Type: application/json */
  /* The credential in every form it may be echoed back in (the token; for Basic the
   * secret, "id:secret" and its base64): sodium-allocated, NULL-terminated. */
  char *redact[4];

  pthread_mutex_t lock;        /* guards everything below */
  void *idle[AC_IDLE_HANDLES]; /* CURL easy handles kept for connection reuse */
  int n_idle;
  struct ac_tag *tags; /* the company's tags, cached */
  size_t n_tags;
  long long tags_at_ms; /* ac_now_ms() when loaded; 0: never */
  struct ac_number_digits numbers[AC_NUMBER_CACHE];
  long long limited_until_ms; /* ac_now_ms() before which Aircall's rate window is spent */
};

int ac_account_is_basic(const struct kkp_account *a);
/* Notes that Aircall's rate window is spent until until_ms (ac_now_ms() time),
 * and asks whether it is, for every call of the account (thread-safe). */
void ac_account_limited(struct kkp_account *a, long long until_ms);
int ac_account_is_limited(struct kkp_account *a);
/* Overwrites every copy of the account's credential in s with '*' (in place, so
 * it cannot fail): for everything the plugin returns or logs. */
void ac_redact(const struct kkp_account *a, char *s);
void ac_log(const struct kkp_account *a, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- one invocation ------------------------------------------------------ */

struct ac_ctx {
  struct kkp_account *acct;
  struct kkp_call call; /* the host's per-call options (ABI 1.1), zeroed past what it gave */
  void *curl;           /* the easy handle borrowed for this invocation */
  struct ac_error err;
  long long deadline_ms; /* the budget in force: min(config deadline_ms, the host's) */
  long long end_ms;      /* ac_now_ms() when the budget runs out */
  size_t bytes_read;     /* answer bytes of this call, bounded by AC_MAX_CALL_BYTES; atomic adds only */
};

/* Monotonic milliseconds. */
long long ac_now_ms(void);
/* Starts the call's clock: the budget is the config's deadline_ms, or the
 * host's kkp_call.deadline_ms when that is shorter (plugin.c calls it). */
void ac_call_start(struct ac_ctx *c);
/* Milliseconds left of the call's budget (0 when spent). */
long long ac_remaining_ms(const struct ac_ctx *c);
/* KKP_OK when the call may go on to `what` ("GET /v1/users page 3"); else the
 * cancelled or deadline error, saying what was cut short and how to allow more. */
int ac_call_check(struct ac_ctx *c, const char *what);
/* Sleeps ms in slices of at most 100 ms, polling the host's cancelled(); fails
 * (as ac_call_check) when cancelled or when the sleep would pass the deadline. */
int ac_call_sleep(struct ac_ctx *c, long long ms, const char *what);
/* Reports progress to the host's kkp_call.progress, when it gave one (message
 * printf-style, never a secret). total 0: unknown. */
void ac_progress(struct ac_ctx *c, uint64_t done, uint64_t total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies the host's per-call options into c (call may be NULL): only the
 * members its struct_size covers (plugin.c). */
void ac_call_options(struct ac_ctx *c, const struct kkp_call *call);

/* ---- HTTP (transport.c) --------------------------------------------------- */

/* Whether Aircall may have acted on a request: control flow for writes, which
 * are re-sent only when NOT_SENT and reconciled when MAYBE_DELIVERED. */
enum ac_delivery {
  AC_NOT_SENT,        /* provably not processed: no connection, or a 429 (refused before processing) */
  AC_MAYBE_DELIVERED, /* it may have been processed: timeout, reset after sending, 5xx */
  AC_DELIVERED        /* Aircall answered it, and the status says what it did */
};

struct ac_response {
  long http_status; /* 0 when no answer arrived */
  enum ac_delivery delivery;
  json_object *json; /* parsed body of a 2xx answer, or NULL (204) */
  char *text;        /* ac_http_text: the raw body of a 2xx answer (malloc'd), or NULL */
  size_t text_len;
};

enum ac_safety {
  AC_SAFE,  /* may be retried on network errors, 429 and 5xx (GET, idempotent writes) */
  AC_UNSAFE /* retried only when the server surely did not process it */
};

void ac_response_free(struct ac_response *r);
/* Sends one request to base_url + path (path begins with '/', query encoded).
 * body is JSON text or NULL. On a 2xx answer returns KKP_OK with r->json set
 * (an object) or NULL for an empty body. Otherwise fills c->err and returns its
 * status; r->http_status still tells which answer came (0 for none). */
int ac_http(struct ac_ctx *c, const char *method, const char *path, const char *body, enum ac_safety safety,
            struct ac_response *r);
/* As ac_http, but a 2xx body is handed over unparsed in r->text. */
int ac_http_text(struct ac_ctx *c, const char *method, const char *path, const char *body,
                 enum ac_safety safety, struct ac_response *r);
/* Parses a 2xx answer's text (ac_http_text) into r->json, as ac_http would have
 * (the text is freed either way); the upstream_error of ac_http when it is not a
 * JSON object. `what` names the request ("GET /v1/contacts?page=2"). */
int ac_response_parse(struct ac_ctx *c, const char *what, struct ac_response *r);

/* One request and what its attempts have learnt, in parts, for the pages read at
 * once (fanout.c): begin, then perform its first attempt (on any thread), then
 * settle it on the call's thread (which judges that attempt and makes the
 * retries and waits ac_http would), then end. */
struct ac_request {
  const char *method, *path;
  char what[160]; /* "GET /v1/users?page=3", for messages */
  enum ac_safety safety;
  int parse;
  int attempt;
};
struct ac_exchange {
  struct ac_ctx *c;
  size_t *call_bytes; /* the call's answer bytes, added to atomically */
  struct ac_buf body;
  int too_big;   /* 1: this answer passed AC_MAX_BODY; 2: the call passed AC_MAX_CALL_BYTES */
  char why[256]; /* libcurl's own words on a failure (CURL_ERROR_SIZE) */
  long long t0;  /* when the attempt began, for the log line */
};
/* Points c->curl at the request (q: method, path, safety, parse set); a failure is the call's error. */
int ac_exchange_begin(struct ac_ctx *c, struct ac_request *q, struct ac_exchange *x, const char *body,
                      struct ac_response *r);
/* One attempt, within the call's budget: libcurl's code (CURLcode); *cut when the
 * budget bounded it. Touches only c->curl, x and the call's byte count. */
int ac_exchange_perform(struct ac_ctx *c, struct ac_exchange *x, int *cut);
/* Judges the attempt that gave cc, and goes on as ac_http does: the request's status. */
int ac_exchange_settle(struct ac_ctx *c, struct ac_request *q, struct ac_exchange *x, int cc, int cut,
                       struct ac_response *r);
void ac_exchange_end(struct ac_ctx *c, struct ac_exchange *x);

/* ---- pages read at once (fanout.c) ---------------------------------------- */

/* Takes the answer to GET path (in order, on the call's thread): KKP_OK to go on,
 * AC_GET_STOP when no later answer is wanted, or an error status (the call's error set). */
#define AC_GET_STOP (-2)
typedef int (*ac_get_fn)(struct ac_ctx *c, const char *path, struct ac_response *r, void *ctx);
/* GETs paths[0..n) (safe requests) and hands each answer, settled as ac_http_text
 * would, to fn in order. Up to concurrent_pages are in flight at once, each on a
 * kept handle of the account, unless Aircall's rate window is spent; after any
 * first attempt that is not a plain 2xx the rest go one at a time. Nothing is
 * started after fn stops or fails, or past the call's deadline. */
int ac_http_get_each(struct ac_ctx *c, char *const *paths, size_t n, ac_get_fn fn, void *ctx);
/* The same for pages from..to of a list: path with per_page=50, page=N and, when not
 * NULL, order=. */
int ac_http_get_pages(struct ac_ctx *c, const char *path, const char *order, int from, int to, ac_get_fn fn,
                      void *ctx);

/* 1 when a failed write may have been applied anyway, so its caller must look
 * (reconcile) before saying anything: the request may have been delivered, or
 * Aircall said 2xx and the answer is unusable. */
int ac_write_uncertain(const struct ac_response *r, int rc);
/* Borrows/returns an easy handle of the account (thread-safe). */
void *ac_curl_take(struct kkp_account *a);
void ac_curl_give(struct kkp_account *a, void *curl);
void ac_curl_free_all(struct kkp_account *a);
/* The JSON tokener that travels with a handle of ac_curl_take (NULL if none could
 * be made): one per handle, so a call parses without making a tokener. */
json_tokener *ac_curl_tokener(void *curl);
/* KKP_OK when page of per_page starts within AC_RECORD_CAP; else the
 * invalid_argument that says so, ending with `hint` (what to do instead). */
int ac_page_within_cap(struct ac_ctx *c, long long page, long long per_page, const char *hint);
/* Fetches every page of a v1/v2 list (per_page 50) and returns the items of
 * `key` in one array (owned by caller), following next_page_link's presence. */
int ac_http_all_pages(struct ac_ctx *c, const char *path, const char *key, json_object **out);

/* ---- rate limits (ratelimit.c) ------------------------------------------- */

/* The longest wait X-AircallApi-Reset can ask for: Aircall's window is one
 * minute, so anything past an hour is a broken header, clamped to this. */
#define AC_RESET_MAX_MS 3600000LL

struct ac_reset {
  long long wait_ms; /* how long until the window reopens; -1 when unknown */
  int known;         /* the header held a number */
  int clamped;       /* the value was absurd: wait_ms is AC_RESET_MAX_MS (or 0) instead */
};
/* Reads the header's value (value[0..len), not NUL-terminated, may be NULL):
 * a small number is a delta in seconds ("12"), a larger one a UNIX time in
 * seconds or milliseconds; a moment in the past is 0. now_ms is UNIX ms. */
struct ac_reset ac_reset_parse(const char *value, size_t len, long long now_ms);

/* ---- scanning JSON text without a tree (json_scan.c) ---------------------- */

struct ac_span {
  const char *start, *end; /* one JSON value's bytes, [start, end) */
};
/* The members wanted from an object: values[i] receives the span of keys[i]
 * (start NULL when absent); the object value of keys[descend] is read with
 * `inner` (descend = n or inner = NULL for none). */
struct ac_json_want {
  const char *const *keys;
  size_t n;
  struct ac_span *values;
  size_t descend;
  const struct ac_json_want *inner;
};
/* 0 when text is exactly one valid JSON object (white space around allowed),
 * read in one pass that fills `want`; -1 otherwise. text[len] must be '\0'. */
int ac_json_scan(const char *text, size_t len, const struct ac_json_want *want);

/* ---- helpers over json-c (json.c) ---------------------------------------- */

/* The member's value when it is a string / integer; NULL / fallback else. */
const char *ac_json_str(json_object *o, const char *key);
long long ac_json_int(json_object *o, const char *key, long long fallback);
/* o as compact JSON text (no escaped slashes), owned by o: valid until o changes or is put. */
const char *ac_json_text(json_object *o);
/* Parses exactly one JSON value from text[0..len) (white space around allowed),
 * strictly, nested at most KKP_JSON_MAX_DEPTH deep; NULL when it is not valid
 * JSON. Caller puts the result. */
json_object *ac_json_parse(const char *text, size_t len);
/* The same with a tokener kept for reuse (made with json_tokener_new_ex(KKP_JSON_MAX_DEPTH));
 * NULL: a fresh one. */
json_object *ac_json_parse_with(json_tokener *tok, const char *text, size_t len);

/* Typed reads of Aircall's answers: every value the plugin reads or changes in
 * an answer goes through these, so a wrong shape is an error, never a json-c
 * assertion (which aborts the host). `what` names the answer ("GET /v1/numbers"),
 * `at` the place of the value read from ("" for the answer itself, "numbers[3]";
 * indexes are 0-based, as JSON counts). Another type is
 * upstream_error naming the field: "Aircall's answer to GET /v1/numbers has
 * numbers[2] as a string, not an object". Integers are int64 (a larger one is
 * refused as out of range). The values returned are borrowed from their parent. */
enum ac_json_need {
  AC_JSON_REQUIRED, /* absent or null is an error */
  AC_JSON_OPTIONAL  /* absent or null: KKP_OK with *out NULL (or left as it was, for ints) */
};
/* KKP_OK when v has `type`; else the upstream_error naming `at`. */
int ac_json_check(struct ac_error *e, const char *what, const char *at, json_object *v, json_type type);
/* Member `key` of object o (at `at`) of `type`. */
int ac_json_member(struct ac_error *e, const char *what, json_object *o, const char *at, const char *key,
                   json_type type, enum ac_json_need need, json_object **out);
int ac_json_member_object(struct ac_error *e, const char *what, json_object *o, const char *at,
                          const char *key, enum ac_json_need need, json_object **out);
int ac_json_member_array(struct ac_error *e, const char *what, json_object *o, const char *at,
                         const char *key, enum ac_json_need need, json_object **out);
int ac_json_member_string(struct ac_error *e, const char *what, json_object *o, const char *at,
                          const char *key, enum ac_json_need need, const char **out);
int ac_json_member_int(struct ac_error *e, const char *what, json_object *o, const char *at, const char *key,
                       enum ac_json_need need, long long *out);
/* Item i (0-based) of list `list` (at `at`), of `type`; named at[i] in messages. */
int ac_json_item(struct ac_error *e, const char *what, json_object *list, const char *at, size_t i,
                 json_type type, json_object **out);

/* ---- the functions (calls.c, contacts.c, users.c, numbers.c) -------------- */

/* What a handler returns: one of the two is set on success. A handler that reads
 * the answer as a tree hands the object; one that splices Aircall's text (get_call)
 * hands the text as is, so it is not parsed and printed again. */
struct ac_result {
  json_object *obj; /* owned */
  char *text;       /* JSON text, malloc'd */
};
typedef int (*ac_handler)(struct ac_ctx *c, json_object *args, struct ac_result *out);

int ac_list_calls(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_get_call(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_list_contacts(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_create_contact(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_update_contact(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_list_users(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_list_numbers(struct ac_ctx *c, json_object *args, struct ac_result *out);
int ac_get_current_user(struct ac_ctx *c, json_object *args, struct ac_result *out);

/* The handler of manifest function `name` (short name), or NULL (plugin.c). */
ac_handler ac_handler_find(const char *name);

/* Adds "from" and "to" to a call object from its direction (calls.c). */
void ac_call_add_parties(json_object *call);
/* The same on JSON text: {"call": {...}} with from/to spliced into the call,
 * malloc'd; NULL when text is not such an object (calls.c). text[len] must be '\0'. */
char *ac_call_splice_parties(const char *text, size_t len);
/* The same; on failure names what is wrong in wrong[0..cap) ("call.number as a
 * list, not an object", or "not the expected ..." when text is no such JSON). */
char *ac_call_splice(const char *text, size_t len, char *wrong, size_t cap);

/* ---- reading JSON text with a cursor, without a tree (json_scan.c) -------- */

/* A position in a NUL-terminated JSON text (text[len] == '\0'), validated as it
 * is read. Every call returns -1 when the text is not valid JSON there. */
struct ac_json_cur {
  const char *p, *e;
  int depth;          /* containers open, at most KKP_JSON_MAX_DEPTH */
  int first;          /* no entry read yet in the innermost container */
  const char *closed; /* the bracket that closed the last container left */
};
int ac_json_begin(struct ac_json_cur *c, const char *text, size_t len);
/* Enters the object or array at the cursor. */
int ac_json_open(struct ac_json_cur *c);
/* 1: the next member's key (its bytes without quotes) is in *key and the cursor
 * at its value; 0: the object ended; -1: invalid. */
int ac_json_next_member(struct ac_json_cur *c, struct ac_span *key);
/* 1: the cursor is at the next item; 0: the array ended; -1: invalid. */
int ac_json_next_item(struct ac_json_cur *c);
/* Reads the value at the cursor into *v. */
int ac_json_value(struct ac_json_cur *c, struct ac_span *v);
/* Reads the object at the cursor into *v, noting the members `want` asks for. */
int ac_json_object(struct ac_json_cur *c, const struct ac_json_want *want, struct ac_span *v);
/* 0 when the whole text has been read. */
int ac_json_end(const struct ac_json_cur *c);
/* 1 when key (as ac_json_next_member gives it) is name, unescaped. */
int ac_json_key_is(struct ac_span key, const char *name);
/* "a string", "a list", ... : what the token v is, as json-c would read it. */
const char *ac_json_kind(struct ac_span v);
/* The string token s decoded (escapes resolved, UTF-8) into out[0..cap), cut to
 * fit, NUL-terminated; returns its length. */
size_t ac_json_unescape(struct ac_span s, char *out, size_t cap);
/* Appends s[0..n) as a JSON string token. */
void ac_buf_json_string(struct ac_buf *b, const char *s, size_t n);
/* The valid JSON text[0..len) with every escaped string written plainly (so a
 * credential echoed with escapes can be redacted), malloc'd; NULL on OOM. */
char *ac_json_plain_escapes(const char *text, size_t len);

/* ---- lists as text: pages scanned once, additions spliced (pages.c) ------- */

struct ac_page;
/* Reads item i (0-based in the page) at the cursor, notes its shape errors with
 * ac_page_wrong and its additions with ac_page_insert; 1 to keep it, 0 to drop
 * it, -1 when the text is not valid JSON. */
typedef int (*ac_item_fn)(struct ac_page *pg, size_t i, struct ac_json_cur *cur);

struct ac_edit {
  size_t at;     /* where in the page text (an offset) */
  size_t cut;    /* bytes replaced there */
  size_t off, n; /* the text put in their place: ins.s[off..off+n) */
};

struct ac_page {
  const char *text; /* the answer, NUL-terminated */
  size_t len;
  const char *key; /* the list's member: "calls" */
  size_t base;     /* items on the pages before this one (for item names) */
  ac_item_fn item;
  void *ctx;                            /* the item function's own */
  struct ac_span list, meta, next_link; /* list from '[' to past ']'; start NULL when absent */
  struct ac_span count, filtered_out;   /* meta's members of those names */
  struct ac_span total, per_page;
  struct ac_span *items; /* the items kept */
  size_t n_items, cap_items, n_read;
  struct ac_edit *edits;
  size_t n_edits, cap_edits, next_edit;
  int sorted;
  struct ac_buf ins;
  char wrong[192]; /* the first item of a wrong shape: "calls[1].direction as an integer, not a string" */
  int oom;
};
/* Reads the page: 0 when it is one valid JSON object, -1 otherwise. */
int ac_page_scan(struct ac_page *pg);
void ac_page_free(struct ac_page *pg);
/* Notes the item's shape error (the first one of the page is kept). */
void ac_page_wrong(struct ac_page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads item `at` (its place in the whole list) at the cursor as an object, noting
 * `want`'s members: 0; 1 when it is no object (noted with ac_page_wrong, the item
 * read past: what an item function returns then); -1 when the text is not JSON. */
int ac_page_item_object(struct ac_page *pg, size_t at, struct ac_json_cur *cur,
                        const struct ac_json_want *want, struct ac_span *obj);
/* Replaces text[at..at+cut) with s[0..n) when the page is put out. */
void ac_page_edit(struct ac_page *pg, const char *at, size_t cut, const char *s, size_t n);
/* Adds members[0..n) ("\"a\":1,\"b\":2") as the last members of the object obj. */
void ac_page_add_members(struct ac_page *pg, struct ac_span obj, const char *members, size_t n);
/* Appends text[from..to) with the page's edits applied (in increasing order of from). */
void ac_page_render(struct ac_page *pg, const char *from, const char *to, struct ac_buf *out);
/* The page's text (malloc'd: taken over) with every edit applied in place, grown
 * by realloc, its length in *len; NULL when an edit shrinks it or on OOM (text is
 * then left as it was, the caller's). */
char *ac_page_apply(struct ac_page *pg, char *text, size_t *len);
/* The error of a page that is not one JSON object (path: with the query). */
int ac_page_not_json(struct ac_ctx *c, const struct ac_page *pg, const char *path, long http_status);
/* Fails when the page (read by ac_page_scan) has no list, a meta that is no
 * object or an item of a wrong shape; KKP_OK otherwise. what: "GET /v1/calls". */
int ac_page_check(struct ac_ctx *c, const struct ac_page *pg, const char *what);
/* The count the JSON token v holds: a plain non-negative integer of at most 12
 * digits (no sign, fraction or exponent); -1 for anything else. */
long long ac_span_count(struct ac_span v);
/* How many pages a list has, from its first page's meta: total records (-1 when
 * unknown: 0 pages) in pages of per_page, which is taken as `asked` when it is
 * missing or larger; no page past Aircall's 10,000-record cap. */
long long ac_pages_after(long long total, long long per_page, long long asked);
/* Every page of a v1/v2 list (per_page 50), as ac_http_all_pages, put out as
 * {"key": [items...]} with each page's edits, into out. */
int ac_pages_read(struct ac_ctx *c, const char *path, const char *key, ac_item_fn item, void *ctx,
                  struct ac_buf *out);
/* The item readers of list_calls (ctx: its number_id filter, NULL for none),
 * list_users and list_numbers (calls.c, users.c, numbers.c). */
int ac_call_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur);
int ac_user_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur);
int ac_number_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur);
/* Moves a result built as text (out) into res->text, its escaped strings written
 * plainly; KKP_OK, or internal_error on OOM (out is freed either way). */
int ac_result_text(struct ac_ctx *c, struct ac_buf *out, struct ac_result *res);

#endif
