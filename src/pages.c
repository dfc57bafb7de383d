/*
 * pages.c - Aircall's list answers read as text: one pass over a page checks it
 * is JSON, finds the list and meta, lets the function read each item (and note
 * what it adds), and the result is the page's own bytes with those additions
 * spliced in. json-c's parse and re-print of a 50-call page cost many times the
 * transfer; this costs about one copy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ac.h"

/* The most pages an all-pages read follows: 10,000 records in Aircall's
 * smallest pages (v2 lists page by 20), as transport.c's ac_http_all_pages. */
#define AC_TEXT_MAX_PAGES (AC_RECORD_CAP / 20)

void ac_page_free(struct ac_page *pg) {
  free(pg->items);
  free(pg->edits);
  ac_buf_free(&pg->ins);
  pg->items = NULL, pg->edits = NULL;
  pg->n_items = pg->cap_items = pg->n_edits = pg->cap_edits = 0;
}

void ac_page_wrong(struct ac_page *pg, const char *fmt, ...) {
  if (pg->wrong[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pg->wrong, sizeof(pg->wrong), fmt, ap);
  va_end(ap);
}

int ac_page_item_object(struct ac_page *pg, size_t at, struct ac_json_cur *cur,
                        const struct ac_json_want *want, struct ac_span *obj) {
  if (*cur->p == '{') return ac_json_object(cur, want, obj);
  if (ac_json_value(cur, obj)) return -1;
  ac_page_wrong(pg, "%s[%zu] as %s, not an object", pg->key, at, ac_json_kind(*obj));
  return 1;
}

void ac_page_edit(struct ac_page *pg, const char *at, size_t cut, const char *s, size_t n) {
  if (pg->n_edits == pg->cap_edits) {
    size_t cap = pg->cap_edits ? pg->cap_edits * 2 : 64;
    struct ac_edit *e = realloc(pg->edits, cap * sizeof(*e));
    if (!e) {
      pg->oom = 1;
      return;
    }
    pg->edits = e, pg->cap_edits = cap;
  }
  pg->edits[pg->n_edits++] = (struct ac_edit){(size_t)(at - pg->text), cut, pg->ins.len, n};
  pg->sorted = 0;
  ac_buf_append(&pg->ins, s, n);
}

void ac_page_add_members(struct ac_page *pg, struct ac_span obj, const char *members, size_t n) {
  const char *close = obj.end - 1, *p = obj.start + 1;
  while (p < close && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  if (p == close) { /* an empty object: no comma before them */
    ac_page_edit(pg, close, 0, members, n);
    return;
  }
  size_t before = pg->n_edits;
  ac_page_edit(pg, close, 0, ",", 1);
  if (pg->n_edits == before) return; /* out of memory: pg->oom says so */
  pg->edits[pg->n_edits - 1].n += n; /* the comma and the members are one insertion */
  ac_buf_append(&pg->ins, members, n);
}

static int by_place(const void *a, const void *b) {
  const struct ac_edit *x = a, *y = b;
  return x->at < y->at ? -1 : x->at > y->at;
}

static void sort_edits(struct ac_page *pg) {
  if (pg->sorted) return; /* items add theirs in the text's order; meta's may come after */
  if (pg->n_edits > 1) qsort(pg->edits, pg->n_edits, sizeof(*pg->edits), by_place);
  pg->sorted = 1;
  pg->next_edit = 0;
}

void ac_page_render(struct ac_page *pg, const char *from, const char *to, struct ac_buf *out) {
  size_t f = (size_t)(from - pg->text), t = (size_t)(to - pg->text);
  sort_edits(pg);
  while (pg->next_edit < pg->n_edits && pg->edits[pg->next_edit].at < f) pg->next_edit++;
  for (; pg->next_edit < pg->n_edits && pg->edits[pg->next_edit].at < t; pg->next_edit++) {
    const struct ac_edit *e = &pg->edits[pg->next_edit];
    ac_buf_append(out, pg->text + f, e->at - f);
    ac_buf_append(out, pg->ins.s + e->off, e->n);
    f = e->at + e->cut;
  }
  ac_buf_append(out, pg->text + f, t - f);
}

char *ac_page_apply(struct ac_page *pg, char *text, size_t *len) {
  size_t grow = 0;
  sort_edits(pg);
  for (size_t k = 0; k < pg->n_edits; k++) { /* each part moves right (or stays): a backward pass */
    if (grow + pg->edits[k].n < pg->edits[k].cut) return NULL;
    grow += pg->edits[k].n - pg->edits[k].cut;
  }
  char *buf = realloc(text, pg->len + grow + 1);
  if (!buf) return NULL;
  size_t src_end = pg->len, dst_end = pg->len + grow;
  buf[dst_end] = '\0';
  for (size_t k = pg->n_edits; k-- > 0;) {
    const struct ac_edit *e = &pg->edits[k];
    size_t tail = src_end - (e->at + e->cut);
    dst_end -= tail;
    memmove(buf + dst_end, buf + e->at + e->cut, tail);
    dst_end -= e->n;
    memcpy(buf + dst_end, pg->ins.s + e->off, e->n);
    src_end = e->at;
  }
  pg->text = buf; /* the spans of pg no longer point into it: only for handing over */
  *len = pg->len + grow;
  return buf;
}

static int keep_item(struct ac_page *pg, struct ac_span item) {
  if (pg->n_items == pg->cap_items) {
    size_t cap = pg->cap_items ? pg->cap_items * 2 : 64;
    struct ac_span *n = realloc(pg->items, cap * sizeof(*n));
    if (!n) return pg->oom = 1, -1;
    pg->items = n, pg->cap_items = cap;
  }
  pg->items[pg->n_items++] = item;
  return 0;
}

/* The list's value at the cursor: each item read by pg->item. */
static int read_list(struct ac_page *pg, struct ac_json_cur *cur) {
  if (*cur->p != '[') return ac_json_value(cur, &pg->list);
  pg->list.start = cur->p;
  pg->n_items = pg->n_read = 0; /* a repeated key: the last one counts, as in json-c */
  pg->wrong[0] = '\0';
  if (ac_json_open(cur)) return -1;
  int rc;
  while ((rc = ac_json_next_item(cur)) == 1) {
    const char *start = cur->p;
    int keep = pg->item(pg, pg->n_read++, cur);
    if (keep < 0) return -1;
    if (keep && keep_item(pg, (struct ac_span){start, cur->p})) return -1;
  }
  if (rc == 0) pg->list.end = cur->closed + 1;
  return rc;
}

/* meta: noted, with the members a list's reader may use or change. */
static int read_meta(struct ac_page *pg, struct ac_json_cur *cur) {
  static const char *const keys[] = {"next_page_link", "count", "filtered_out", "total", "per_page"};
  struct ac_span v[5];
  const struct ac_json_want want = {keys, 5, v, 5, NULL};
  int rc = *cur->p == '{' ? ac_json_object(cur, &want, &pg->meta) : ac_json_value(cur, &pg->meta);
  if (rc || *pg->meta.start != '{') return rc;
  pg->next_link = v[0], pg->count = v[1], pg->filtered_out = v[2], pg->total = v[3], pg->per_page = v[4];
  return 0;
}

int ac_page_scan(struct ac_page *pg) {
  struct ac_json_cur cur;
  struct ac_span key, ignored;
  int rc;
  memset(&pg->list, 0, sizeof(pg->list));
  memset(&pg->meta, 0, sizeof(pg->meta));
  memset(&pg->next_link, 0, sizeof(pg->next_link));
  memset(&pg->total, 0, sizeof(pg->total));
  memset(&pg->per_page, 0, sizeof(pg->per_page));
  if (ac_json_begin(&cur, pg->text, pg->len) || *cur.p != '{' || ac_json_open(&cur)) return -1;
  while ((rc = ac_json_next_member(&cur, &key)) == 1) {
    if (ac_json_key_is(key, pg->key)) rc = read_list(pg, &cur);
    else if (ac_json_key_is(key, "meta")) rc = read_meta(pg, &cur);
    else rc = ac_json_value(&cur, &ignored);
    if (rc < 0) return -1;
  }
  return rc < 0 || ac_json_end(&cur) || pg->oom || pg->ins.oom ? -1 : 0;
}

int ac_page_not_json(struct ac_ctx *c, const struct ac_page *pg, const char *path, long http_status) {
  ac_fail(&c->err, KKP_ERR_UPSTREAM,
          "Aircall answered GET %s with HTTP %ld but the body is not the expected JSON object (starts with "
          "\"%.40s\")",
          path, http_status, pg->text);
  c->err.http_status = http_status;
  return c->err.status;
}

int ac_page_check(struct ac_ctx *c, const struct ac_page *pg, const char *what) {
  struct ac_span list = pg->list, meta = pg->meta;
  if (!pg->text)
    return ac_fail(&c->err, KKP_ERR_UPSTREAM,
                   "Aircall's answer to %s has its top level as null, not an object", what);
  if (!list.start || *list.start == 'n')
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s has no \"%s\" (an array expected)",
                   what, pg->key);
  if (*list.start != '[')
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s has %s as %s, not an array", what,
                   pg->key, ac_json_kind(list));
  if (meta.start && *meta.start != '{' && *meta.start != 'n')
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s has meta as %s, not an object", what,
                   ac_json_kind(meta));
  if (pg->wrong[0])
    return ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to %s has %s", what, pg->wrong);
  return KKP_OK;
}

long long ac_span_count(struct ac_span v) {
  long long n = 0;
  const char *p = v.start;
  if (!p || p == v.end || v.end - p > 12) return -1; /* absent, or past any count Aircall holds */
  for (; p < v.end; p++) {
    if (*p < '0' || *p > '9') return -1;
    n = n * 10 + (*p - '0');
  }
  return n;
}

long long ac_pages_after(long long total, long long per_page, long long asked) {
  if (total < 0) return 0;
  if (per_page < 1 || per_page > asked) per_page = asked; /* what was asked for is the most a page holds */
  if (total > AC_RECORD_CAP) total = AC_RECORD_CAP;       /* no page starts past the cap */
  return (total + per_page - 1) / per_page;
}

/* An all-pages read in progress: where its items go and how far it got. */
struct pager {
  const char *path, *key;
  ac_item_fn item;
  void *ctx;
  struct ac_buf *out;
  size_t n;       /* items put out so far */
  int page;       /* the next page to read */
  int more;       /* the last page read said another follows */
  long long last; /* the last page, as the first page's meta.total says; 0 when unknown */
};

/* Takes the answer to page pr->page (GET path): scans and checks it and puts its items out. */
static int take_page(struct ac_ctx *c, const char *path, struct ac_response *r, void *arg) {
  struct pager *pr = arg;
  struct ac_page pg = {
      .key = pr->key, .base = pr->n, .item = pr->item, .ctx = pr->ctx, .text = r->text, .len = r->text_len};
  int rc = KKP_OK;
  if (r->text && ac_page_scan(&pg) != 0) {
    rc = pg.oom || pg.ins.oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory reading GET %s", path)
                              : ac_page_not_json(c, &pg, path, r->http_status);
  } else if (!pg.list.start || *pg.list.start != '[') {
    rc = ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to GET %s has no \"%s\" list", pr->path,
                 pr->key);
  } else if (pg.wrong[0]) {
    rc = ac_fail(&c->err, KKP_ERR_UPSTREAM, "Aircall's answer to GET %s has %s", pr->path, pg.wrong);
  }
  for (size_t k = 0; rc == KKP_OK && k < pg.n_items; k++) {
    if (pr->n + k) ac_buf_append(pr->out, ",", 1);
    ac_page_render(&pg, pg.items[k].start, pg.items[k].end, pr->out);
  }
  if (rc == KKP_OK && pr->page == 1)
    pr->last = ac_pages_after(ac_span_count(pg.total), ac_span_count(pg.per_page), AC_MAX_PER_PAGE);
  pr->more = rc == KKP_OK && pg.next_link.start && *pg.next_link.start == '"' && pg.n_read > 0;
  pr->n += pg.n_items;
  pr->page++;
  ac_page_free(&pg);
  if (rc == KKP_OK)
    ac_progress(c, pr->n, 0, "GET %s: read %d page%s", pr->path, pr->page - 1, pr->page == 2 ? "" : "s");
  return rc ? rc : pr->more && pr->n <= (size_t)AC_RECORD_CAP ? KKP_OK : AC_GET_STOP;
}

/* The error of a pager that goes on past what Aircall holds for one list. */
static int endless(struct ac_ctx *c, const char *path, size_t n, int pages) {
  return ac_fail(&c->err, KKP_ERR_UPSTREAM,
                 "Aircall kept paging GET %s past %zu records in %d pages, more than it ever holds for one "
                 "list: stopped reading (the answer looks broken; try again later)",
                 path, n, pages);
}

int ac_pages_read(struct ac_ctx *c, const char *path, const char *key, ac_item_fn item, void *ctx,
                  struct ac_buf *out) {
  struct pager pr = {.path = path, .key = key, .item = item, .ctx = ctx, .out = out, .page = 1, .more = 1};
  int rc = KKP_OK;
  ac_buf_puts(out, "{");
  ac_buf_json_string(out, key, strlen(key));
  ac_buf_puts(out, ":[");
  /* The first page says how many follow: those are read at once; past them (a list
   * that grew meanwhile, or no total given), one at a time. */
  while (rc == KKP_OK && pr.more && pr.page <= AC_TEXT_MAX_PAGES && pr.n <= (size_t)AC_RECORD_CAP) {
    int to = pr.last > pr.page ? (int)(pr.last < AC_TEXT_MAX_PAGES ? pr.last : AC_TEXT_MAX_PAGES) : pr.page;
    rc = ac_http_get_pages(c, path, NULL, pr.page, to, take_page, &pr);
  }
  if (rc) return rc;
  if (pr.more || pr.n > (size_t)AC_RECORD_CAP) return endless(c, path, pr.n, pr.page - 1);
  ac_buf_puts(out, "]}");
  return out->oom ? ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory") : KKP_OK;
}

int ac_result_text(struct ac_ctx *c, struct ac_buf *out, struct ac_result *res) {
  if (out->oom || !out->s) {
    ac_buf_free(out);
    return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory building the result");
  }
  /* A credential an upstream echoes with escapes ("\/", "\u0041") must meet the
   * redaction in its plain form, as it would after json-c's re-print. */
  if (memchr(out->s, '\\', out->len)) {
    char *plain = ac_json_plain_escapes(out->s, out->len);
    ac_buf_free(out);
    if (!plain) return ac_fail(&c->err, KKP_ERR_INTERNAL, "out of memory building the result");
    res->text = plain;
    return KKP_OK;
  }
  res->text = out->s;
  memset(out, 0, sizeof(*out));
  return KKP_OK;
}
