/*
 * calls.c - list_calls and get_call. Aircall's calls have no from/to, take UNIX
 * seconds, filter only on /calls/search, know no number_id and take tag ids:
 * this file bridges each of those gaps (docs/SPEC.md §3).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/ac.h"

void ac_call_add_parties(json_object *call) {
  if (!json_object_is_type(call, json_type_object)) return; /* check_call refuses such an answer */
  const char *dir = ac_json_str(call, "direction");
  const char *external = ac_json_str(call, "raw_digits"), *own = NULL, *from, *to;
  json_object *number, *ignored;
  if (json_object_object_get_ex(call, "number", &number)) own = ac_json_str(number, "digits");
  if (external && !*external) external = NULL;
  if (own && !*own) own = NULL;
  if (dir && strcmp(dir, "outbound") == 0) {
    from = own;
    to = external;
  } else if (dir && strcmp(dir, "inbound") == 0) {
    from = external;
    to = own;
  } else {
    from = to = NULL; /* no direction: which side is which is unknowable */
  }
  /* Added, never replacing a field Aircall may one day send itself. */
  if (!json_object_object_get_ex(call, "from", &ignored))
    json_object_object_add(call, "from", json_object_new_string(from ? from : "unknown"));
  if (!json_object_object_get_ex(call, "to", &ignored))
    json_object_object_add(call, "to", json_object_new_string(to ? to : "unknown"));
}

/* A JSON string token, or NULL when absent, not a string, or "". */
static const char *string_token(struct ac_span v, size_t *len) {
  if (!v.start || *v.start != '"' || v.end - v.start <= 2) return NULL;
  *len = (size_t)(v.end - v.start);
  return v.start;
}

/* Names the first token of a wrong type in *wrong ("call.direction as a list, not a
 * string"); 0 when every one has its type (or is absent or null). */
static int splice_shape(struct ac_span call, const struct ac_span *v, struct ac_span digits, char *wrong,
                        size_t cap) {
  static const struct {
    int index; /* into v, or -1 for number.digits */
    const char *name;
    char type;
  } fields[] = {
      {0, "direction", '"'}, {1, "raw_digits", '"'}, {2, "number", '{'}, {-1, "number.digits", '"'}};
  if (!call.start) return snprintf(wrong, cap, "no \"call\""), -1;
  if (*call.start != '{') return snprintf(wrong, cap, "call as %s, not an object", ac_json_kind(call)), -1;
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    struct ac_span t = fields[i].index < 0 ? digits : v[fields[i].index];
    if (!t.start || *t.start == 'n' || *t.start == fields[i].type) continue;
    snprintf(wrong, cap, "call.%s as %s, not %s", fields[i].name, ac_json_kind(t),
             fields[i].type == '"' ? "a string" : "an object");
    return -1;
  }
  return 0;
}

char *ac_call_splice_parties(const char *text, size_t len) {
  char wrong[96];
  return ac_call_splice(text, len, wrong, sizeof(wrong));
}

enum { DIRECTION, RAW_DIGITS, NUMBER, FROM, TO };
static const char *const call_keys[] = {"direction", "raw_digits", "number", "from", "to"};

/* The members from/to of a call (those it lacks), as JSON text into out: the
 * rules of ac_call_add_parties on tokens (v by the enum above; digits: the
 * number's). A valid JSON string token is copied as it is, escapes and all. */
static void parties_members(const struct ac_span *v, struct ac_span digits, struct ac_buf *out) {
  size_t dlen = 0, elen = 0, olen = 0, from_len = 0, to_len = 0;
  const char *dir = string_token(v[DIRECTION], &dlen), *external = string_token(v[RAW_DIGITS], &elen);
  const char *own = string_token(digits, &olen), *from = NULL, *to = NULL;
  if (dir && dlen == 10 && memcmp(dir, "\"outbound\"", 10) == 0) {
    from = own, from_len = olen, to = external, to_len = elen;
  } else if (dir && dlen == 9 && memcmp(dir, "\"inbound\"", 9) == 0) {
    from = external, from_len = elen, to = own, to_len = olen;
  }
  if (!v[FROM].start) {
    ac_buf_puts(out, "\"from\":");
    ac_buf_append(out, from ? from : "\"unknown\"", from ? from_len : 9);
  }
  if (!v[TO].start) {
    ac_buf_puts(out, v[FROM].start ? "\"to\":" : ",\"to\":");
    ac_buf_append(out, to ? to : "\"unknown\"", to ? to_len : 9);
  }
}

char *ac_call_splice(const char *text, size_t len, char *wrong, size_t cap) {
  static const char *const root_keys[] = {"call"}, *const number_keys[] = {"digits"};
  struct ac_span call, v[5], digits;
  const struct ac_json_want want_number = {number_keys, 1, &digits, 1, NULL};
  const struct ac_json_want want_call = {call_keys, 5, v, NUMBER, &want_number};
  const struct ac_json_want want_root = {root_keys, 1, &call, 0, &want_call};
  /* One pass validates the text and finds every token needed. */
  digits.start = digits.end = NULL;
  snprintf(wrong, cap, "not the expected {\"call\": {...}} JSON object");
  if (ac_json_scan(text, len, &want_root) != 0) return NULL;
  if (!call.start || *call.start != '{' || !v[NUMBER].start || *v[NUMBER].start != '{') digits.start = NULL;
  if (splice_shape(call, v, digits, wrong, cap)) return NULL;
  struct ac_buf members = {0}, out = {0};
  parties_members(v, digits, &members);
  const char *close = call.end - 1, *p = call.start + 1; /* the call's '}' */
  while (p < close && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  out.s = malloc(out.cap = len + members.len + 2); /* exactly one allocation */
  if (out.s) out.s[0] = '\0';
  else out.cap = 0;
  ac_buf_append(&out, text, (size_t)(close - text));
  if (members.len && p < close) ac_buf_append(&out, ",", 1);
  if (members.len) ac_buf_append(&out, members.s, members.len);
  ac_buf_append(&out, close, (size_t)(text + len - close));
  ac_buf_free(&members);
  if (out.oom) {
    ac_buf_free(&out);
    return NULL;
  }
  return out.s;
}

/* from/to as UNIX seconds: an integer, or an ISO-8601 string (validated
 * already); -1 when absent. A time before 1970 is refused: Aircall has no call
 * then, and a negative value would otherwise be dropped silently. */
static int arg_time(struct ac_ctx *c, json_object *args, const char *key, long long *out) {
  json_object *v;
  *out = -1;
  if (!json_object_object_get_ex(args, key, &v)) return KKP_OK;
  if (json_object_is_type(v, json_type_string)) ac_iso8601_parse(json_object_get_string(v), out);
  else *out = json_object_get_int64(v);
  if (*out >= 0) return KKP_OK;
  ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
          "%s must not be before 1970-01-01T00:00:00Z (got %s): give a date such as \"2026-01-01\" or UNIX "
          "seconds",
          key, json_object_get_string(v));
  ac_error_detail(&c->err, "parameter", json_object_new_string(key));
  return c->err.status;
}

static void format_time(long long t, char *buf, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (gmtime_r(&tt, &tm)) strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else snprintf(buf, cap, "%lld", t);
}

/* Loads the company's tags into the account cache (all pages of /v1/tags). */
static int load_tags(struct ac_ctx *c) {
  json_object *all;
  int rc = ac_http_all_pages(c, "/v1/tags", "tags", &all);
  if (rc) return rc;
  size_t n = json_object_array_length(all);
  struct ac_tag *tags = calloc(n ? n : 1, sizeof(*tags));
  if (!tags) {
    json_object_put(all);
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
  }
  size_t kept = 0;
  for (size_t i = 0; i < n && rc == KKP_OK; i++) {
    static const char what[] = "GET /v1/tags";
    json_object *t;
    const char *name = NULL;
    char at[32];
    long long id = 0;
    snprintf(at, sizeof(at), "tags[%zu]", i);
    if ((rc = ac_json_item(&c->err, what, all, "tags", i, json_type_object, &t)) ||
        (rc = ac_json_member_string(&c->err, what, t, at, "name", AC_JSON_OPTIONAL, &name)) ||
        (rc =
             ac_json_member_int(&c->err, what, t, at, "id", name ? AC_JSON_REQUIRED : AC_JSON_OPTIONAL, &id)))
      break;
    if (!name || !(tags[kept].name = strdup(name))) continue;
    tags[kept++].id = id;
  }
  json_object_put(all);
  if (rc) {
    for (size_t i = 0; i < kept; i++) free(tags[i].name);
    free(tags);
    return rc;
  }
  struct kkp_account *a = c->acct;
  pthread_mutex_lock(&a->lock);
  for (size_t i = 0; i < a->n_tags; i++) free(a->tags[i].name);
  free(a->tags);
  a->tags = tags;
  a->n_tags = kept;
  a->tags_at_ms = ac_now_ms();
  pthread_mutex_unlock(&a->lock);
  return KKP_OK;
}

/* 1 while something cached at at_ms is younger than cache_ttl_s. The monotonic clock
 * in milliseconds: whole wall-clock seconds would make a TTL of 1 s anything from 0 to
 * 1 s, and a clock set back would keep a stale entry for as long as it went back. */
static int still_fresh(const struct kkp_account *a, long long at_ms) {
  return at_ms && ac_now_ms() - at_ms < (long long)a->cfg.cache_ttl_s * 1000;
}

/* The id of tag `name` (case-insensitive) from the cache, or -1. A list older
 * than cache_ttl_s is not used, unless `just_loaded` (this invocation loaded it:
 * with cache_ttl_s 0 it is already "old", yet it is the freshest there is). */
static long long cached_tag(struct kkp_account *a, const char *name, int just_loaded) {
  long long id = -1;
  pthread_mutex_lock(&a->lock);
  int fresh = just_loaded || still_fresh(a, a->tags_at_ms);
  for (size_t i = 0; fresh && i < a->n_tags && id < 0; i++)
    if (strcasecmp(a->tags[i].name, name) == 0) id = a->tags[i].id;
  pthread_mutex_unlock(&a->lock);
  return id;
}

static int unknown_tag(struct ac_ctx *c, const char *name) {
  struct kkp_account *a = c->acct;
  struct ac_buf list = {0};
  json_object *known = json_object_new_array();
  pthread_mutex_lock(&a->lock);
  for (size_t i = 0; i < a->n_tags; i++) {
    ac_buf_printf(&list, "%s\"%s\" (%lld)", i ? ", " : "", a->tags[i].name, a->tags[i].id);
    json_object_array_add(known, json_object_new_string(a->tags[i].name));
  }
  pthread_mutex_unlock(&a->lock);
  ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
          "tags: no tag named \"%.60s\" in this Aircall company. Known tags: %s. Pass tag names or "
          "ids",
          name, list.s ? list.s : "none");
  ac_error_detail(&c->err, "parameter", json_object_new_string("tags"));
  ac_error_detail(&c->err, "accepted", known);
  ac_buf_free(&list);
  return c->err.status;
}

/* details.parameter of an error about tags[i] (the path as the message writes it). */
static int tag_parameter(struct ac_ctx *c, size_t i) {
  char path[32];
  snprintf(path, sizeof(path), "tags[%zu]", i);
  ac_error_detail(&c->err, "parameter", json_object_new_string(path));
  return c->err.status;
}

/* Appends tags[]=ID for each tag, names resolved through /v1/tags. Aircall
 * wants repeated keys of ids; comma-joined values or names match nothing. */
static int add_tags(struct ac_ctx *c, json_object *tags, struct ac_buf *q) {
  int loaded = 0;
  for (size_t i = 0; i < json_object_array_length(tags); i++) {
    json_object *t = json_object_array_get_idx(tags, i);
    long long id;
    if (!json_object_is_type(t, json_type_string)) {
      id = json_object_get_int64(t);
    } else {
      const char *name = json_object_get_string(t);
      char *end;
      errno = 0;
      id = strtoll(name, &end, 10);
      if (*name && !*end && (errno == ERANGE || id > 9007199254740991LL)) {
        ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
                "tags[%zu] (\"%.40s\") is out of range for a tag id: pass a tag name or an id "
                "list_calls returned",
                i, name);
        return tag_parameter(c, i);
      }
      if (!*name || *end) { /* not a number: a name */
        id = cached_tag(c->acct, name, loaded);
        if (id < 0 && !loaded) { /* stale cache, or a tag made since: ask once */
          int rc = load_tags(c);
          if (rc) return rc;
          loaded = 1;
          id = cached_tag(c->acct, name, loaded);
        }
        if (id < 0) return unknown_tag(c, name);
      }
    }
    if (id <= 0) {
      ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "tags[%zu] must be a tag name or a positive id", i);
      return tag_parameter(c, i);
    }
    ac_buf_printf(q, "%stags[]=%lld", strchr(q->s, '?') ? "&" : "?", id);
  }
  return KKP_OK;
}

/* The E.164 digits of Aircall number `id`, cached per account. */
static int number_digits(struct ac_ctx *c, long long id, char *out, size_t cap) {
  struct kkp_account *a = c->acct;
  int found = 0;
  pthread_mutex_lock(&a->lock);
  for (int i = 0; i < AC_NUMBER_CACHE && !found; i++)
    if (a->numbers[i].digits && a->numbers[i].id == id && still_fresh(a, a->numbers[i].at_ms)) {
      snprintf(out, cap, "%s", a->numbers[i].digits);
      found = 1;
    }
  pthread_mutex_unlock(&a->lock);
  if (found) return KKP_OK;

  char path[64];
  struct ac_response r = {0};
  snprintf(path, sizeof(path), "/v1/numbers/%lld", id);
  int rc = ac_http(c, "GET", path, NULL, AC_SAFE, &r);
  if (rc == KKP_ERR_NOT_FOUND) {
    ac_error_clear(&c->err);
    ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT,
            "number_id %lld is not a number of this Aircall company: list_numbers shows the ids", id);
    ac_error_detail(&c->err, "parameter", json_object_new_string("number_id"));
    return c->err.status;
  }
  if (rc) return rc;
  json_object *num;
  const char *digits = NULL;
  if ((rc = ac_json_member_object(&c->err, "GET /v1/numbers/{id}", r.json, "", "number", AC_JSON_REQUIRED,
                                  &num)) ||
      (rc = ac_json_member_string(&c->err, "GET /v1/numbers/{id}", num, "number", "digits", AC_JSON_REQUIRED,
                                  &digits))) {
    ac_response_free(&r);
    return rc;
  }
  if (ac_phone_digits(digits) < 1) {
    ac_response_free(&r);
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's number %lld has no usable digits", id);
  }
  ac_phone_normalise(digits, out, cap);
  ac_response_free(&r);
  pthread_mutex_lock(&a->lock);
  int slot = 0;
  for (int i = 1; i < AC_NUMBER_CACHE; i++) /* the oldest entry gives way */
    if (a->numbers[i].at_ms < a->numbers[slot].at_ms) slot = i;
  free(a->numbers[slot].digits);
  a->numbers[slot].digits = strdup(out);
  a->numbers[slot].id = id;
  a->numbers[slot].at_ms = ac_now_ms();
  pthread_mutex_unlock(&a->lock);
  return KKP_OK;
}

/* 1 when the number token v is an integer json-c reads as int64 (no fraction,
 * no exponent, in range); *out is its value. */
static int int64_token(struct ac_span v, long long *out) {
  char digits[32];
  size_t n = (size_t)(v.end - v.start);
  if (strcmp(ac_json_kind(v), "an integer") != 0 || n >= sizeof(digits)) return 0;
  memcpy(digits, v.start, n);
  digits[n] = '\0';
  errno = 0;
  *out = strtoll(digits, NULL, 10);
  return errno != ERANGE;
}

/* Notes the first member of call number `at` (0-based) of a wrong type: direction,
 * raw_digits, number{digits, id}, as list_calls reads and extends them. */
static int call_shape_wrong(struct ac_page *pg, size_t at, const struct ac_span *v,
                            const struct ac_span *num) {
  static const struct {
    const char *name;
    char type;
  } fields[] = {
      {"direction", '"'}, {"raw_digits", '"'}, {"number", '{'}, {"number.digits", '"'}, {"number.id", '0'}};
  const struct ac_span t[] = {v[DIRECTION], v[RAW_DIGITS], v[NUMBER], num[0], num[1]};
  long long id;
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    if (!t[i].start || *t[i].start == 'n') continue;
    int good = fields[i].type == '0' ? int64_token(t[i], &id) : *t[i].start == fields[i].type;
    if (good) continue;
    const char *kind = ac_json_kind(t[i]);
    ac_page_wrong(pg, "%s[%zu].%s as %s, not %s", pg->key, at, fields[i].name,
                  strcmp(kind, "an integer") == 0 ? "an integer out of range" : kind,
                  fields[i].type == '"'   ? "a string"
                  : fields[i].type == '{' ? "an object"
                                          : "an integer");
    return 1;
  }
  return 0;
}

/* list_calls' filter on number_id (Aircall has none: see ac_list_calls). */
struct calls_filter {
  int on;
  long long number_id;
};

/* One call of a page: checked, kept when the filter allows it, given from/to. */
int ac_call_item(struct ac_page *pg, size_t i, struct ac_json_cur *cur) {
  static const char *const number_keys[] = {"digits", "id"};
  const struct calls_filter *f = pg->ctx;
  struct ac_span call, v[5], num[2] = {{0}};
  const struct ac_json_want want_number = {number_keys, 2, num, 2, NULL};
  const struct ac_json_want want_call = {call_keys, 5, v, NUMBER, &want_number};
  size_t at = pg->base + i; /* 0-based, as JSON paths are */
  int rc = ac_page_item_object(pg, at, cur, &want_call, &call);
  if (rc) return rc;
  if (!v[NUMBER].start || *v[NUMBER].start != '{') num[0].start = num[1].start = NULL;
  if (call_shape_wrong(pg, at, v, num)) return 1;
  long long id;
  if (f && f->on && !(num[1].start && *num[1].start != 'n' && int64_token(num[1], &id) && id == f->number_id))
    return 0;
  struct ac_buf members = {0};
  parties_members(v, num[0], &members);
  if (members.len) ac_page_add_members(pg, call, members.s, members.len);
  if (members.oom) pg->oom = 1;
  ac_buf_free(&members);
  return 1;
}

/* Aircall counted the calls of the other party's number too: meta says what was kept. */
static void count_filtered(struct ac_page *pg) {
  char n[2][24];
  struct ac_buf add = {0};
  const struct ac_span *at[2] = {&pg->count, &pg->filtered_out};
  static const char *const keys[2] = {"count", "filtered_out"};
  if (!pg->meta.start || *pg->meta.start != '{') return;
  snprintf(n[0], sizeof(n[0]), "%zu", pg->n_items);
  snprintf(n[1], sizeof(n[1]), "%zu", pg->n_read - pg->n_items);
  for (int k = 0; k < 2; k++) {
    if (at[k]->start) ac_page_edit(pg, at[k]->start, (size_t)(at[k]->end - at[k]->start), n[k], strlen(n[k]));
    else ac_buf_printf(&add, "%s\"%s\":%s", add.len ? "," : "", keys[k], n[k]);
  }
  if (add.len) ac_page_add_members(pg, pg->meta, add.s, add.len);
  if (add.oom) pg->oom = 1;
  ac_buf_free(&add);
}

/* The answer (its list read in pg) put out: the page, its kept calls spliced. */
static int put_page(struct ac_ctx *c, struct ac_page *pg, struct ac_response *r, struct ac_result *res) {
  struct ac_buf out = {0};
  if (pg->n_items == pg->n_read && !pg->oom) { /* nothing dropped: spliced in its own buffer */
    size_t len;
    char *text = ac_page_apply(pg, r->text, &len);
    if (text) {
      r->text = NULL;
      out.s = text, out.len = len, out.cap = len + 1;
      return ac_result_text(c, &out, res);
    }
  }
  out.s = malloc(out.cap = pg->len + pg->ins.len + pg->n_items + 2); /* one allocation, mostly */
  if (out.s) out.s[0] = '\0';
  else out.cap = 0;
  ac_page_render(pg, pg->text, pg->list.start + 1, &out);
  for (size_t i = 0; i < pg->n_items; i++) {
    if (i) ac_buf_append(&out, ",", 1);
    ac_page_render(pg, pg->items[i].start, pg->items[i].end, &out);
  }
  ac_page_render(pg, pg->list.end - 1, pg->text + pg->len, &out);
  if (pg->oom) out.oom = 1;
  return ac_result_text(c, &out, res);
}

/* Reads list_calls' page (answered to path) and builds the result as text. */
static int shape_calls(struct ac_ctx *c, const char *path, struct ac_response *r, json_object *number,
                       struct ac_result *res) {
  const char *what = strncmp(path, "/v1/calls/search", 16) == 0 ? "GET /v1/calls/search" : "GET /v1/calls";
  struct calls_filter f = {number != NULL, number ? json_object_get_int64(number) : 0};
  struct ac_page pg = {.text = r->text, .len = r->text_len, .key = "calls", .item = ac_call_item, .ctx = &f};
  int rc;
  if (r->text && ac_page_scan(&pg) != 0)
    rc = pg.oom || pg.ins.oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory reading %s", what)
                              : ac_page_not_json(c, &pg, path, r->http_status);
  else rc = ac_page_check(c, &pg, what);
  if (rc == KKP_OK && number) count_filtered(&pg);
  if (rc == KKP_OK) rc = put_page(c, &pg, r, res);
  ac_page_free(&pg);
  return rc;
}

int ac_list_calls(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  struct ac_buf q = {0};
  struct ac_response r = {0};
  long long from, to;
  int rc = KKP_OK;
  json_object *direction = NULL, *user = NULL, *number = NULL, *tags = NULL;
  if ((rc = arg_time(c, args, "from", &from)) || (rc = arg_time(c, args, "to", &to))) goto out;
  if (from >= 0 && to >= 0 && from > to) {
    char f[32], t[32];
    format_time(from, f, sizeof(f));
    format_time(to, t, sizeof(t));
    rc = ac_fail(&c->err, KKP_ERR_INVALID_ARGUMENT, "from (%s) is after to (%s): swap them", f, t);
    ac_error_detail(&c->err, "parameter", json_object_new_string("from"));
    goto out;
  }
  long long per_page = ac_json_int(args, "per_page", 0), page = ac_json_int(args, "page", 0);
  if ((rc = ac_page_within_cap(c, page, per_page,
                               "narrow from/to (e.g. one week at a time) and page again from 1")))
    goto out;
  json_object_object_get_ex(args, "direction", &direction);
  json_object_object_get_ex(args, "user_id", &user);
  json_object_object_get_ex(args, "number_id", &number);
  json_object_object_get_ex(args, "tags", &tags);
  if (tags && json_object_array_length(tags) == 0) tags = NULL;
  /* The filters exist only on /calls/search; /calls would ignore them silently. */
  ac_buf_puts(&q, direction || user || number || tags ? "/v1/calls/search" : "/v1/calls");
  ac_buf_query_int(&q, "per_page", per_page);
  ac_buf_query_int(&q, "page", page);
  ac_buf_query(&q, "order", ac_json_str(args, "order"));
  if (from >= 0) ac_buf_query_int(&q, "from", from);
  if (to >= 0) ac_buf_query_int(&q, "to", to);
  if (direction) ac_buf_query(&q, "direction", json_object_get_string(direction));
  if (user) ac_buf_query_int(&q, "user_id", json_object_get_int64(user));
  if (number) {
    /* No number_id filter exists: search by the number's digits, keep its calls. */
    char digits[64];
    if ((rc = number_digits(c, json_object_get_int64(number), digits, sizeof(digits)))) goto out;
    ac_buf_query(&q, "phone_number", digits);
  }
  if (tags && (rc = add_tags(c, tags, &q))) goto out;
  if (q.oom) {
    rc = ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory");
    goto out;
  }
  /* Scanned and spliced as text, not parsed and re-printed: see pages.c. */
  if ((rc = ac_http_text(c, "GET", q.s, NULL, AC_SAFE, &r))) goto out;
  rc = shape_calls(c, q.s, &r, number, out);
out:
  ac_response_free(&r);
  ac_buf_free(&q);
  return rc;
}

int ac_get_call(struct ac_ctx *c, json_object *args, struct ac_result *out) {
  long long id = ac_json_int(args, "call_id", 0);
  char path[64];
  struct ac_response r = {0};
  snprintf(path, sizeof(path), "/v1/calls/%lld", id);
  int rc = ac_http_text(c, "GET", path, NULL, AC_SAFE, &r);
  if (rc == KKP_ERR_NOT_FOUND) {
    long http = c->err.http_status;
    ac_error_clear(&c->err);
    ac_fail(&c->err, KKP_ERR_NOT_FOUND,
            "call %lld does not exist in this Aircall company (or is older than Aircall's call "
            "history, about 6 months): list_calls shows the ids",
            id);
    c->err.http_status = http;
    return c->err.status;
  }
  if (rc) return rc;
  /* Spliced, not parsed and re-printed: see json_scan.c. */
  char wrong[96] = "no body";
  struct ac_buf text = {0};
  if (r.text && (text.s = ac_call_splice(r.text, r.text_len, wrong, sizeof(wrong)))) {
    text.len = strlen(text.s);
    rc = ac_result_text(c, &text, out);
    ac_response_free(&r);
    return rc;
  }
  if (r.text && strncmp(wrong, "not the expected", 16) == 0) {
    ac_fail(&c->err, KKP_ERR_UPSTREAM,
            "Aircall answered GET %s with HTTP %ld but the body is not the expected {\"call\": {...}} "
            "JSON object (starts with \"%.40s\")",
            path, r.http_status, r.text);
    c->err.http_status = r.http_status;
  } else {
    ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to GET %s has %s", path, wrong);
    c->err.http_status = r.http_status;
  }
  ac_response_free(&r);
  return c->err.status;
}
