/* dataset.c - builds one company's data set from the seed and the company name, so the same
 * seed always gives the same users, numbers, tags, calls and contacts. It also places the
 * anchors the seed examples rely on (call 12345, contact 5678, several Johns, ...). */
#include "sim/sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng {
  uint64_t s;
};

/* splitmix64: tiny, fast and the same everywhere, which is all determinism needs. */
static uint64_t rng_next(struct rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rng_below(struct rng *r, uint64_t n) {
  return n ? rng_next(r) % n : 0;
}

static bool rng_pct(struct rng *r, unsigned pct) {
  return rng_below(r, 100) < pct;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static const char *const FIRST[32] = {
    "Alice",  "Bruno", "Chloe", "David", "Emma",  "Farid",   "Grace", "Hugo",  "Ines",  "Jules", "Karim",
    "Laura",  "Marc",  "Nadia", "Oscar", "Paula", "Quentin", "Rosa",  "Samir", "Tessa", "Ugo",   "Vera",
    "Walter", "Xenia", "Yann",  "Zoe",   "Amir",  "Bianca",  "Cyril", "Dora",  "Elias", "Fanny"};
static const char *const LAST[31] = {
    "Martin",   "Bernard", "Dubois",  "Thomas",   "Robert",    "Richard", "Petit",  "Durand",
    "Leroy",    "Moreau",  "Simon",   "Laurent",  "Lefebvre",  "Michel",  "Garcia", "David",
    "Bertrand", "Roux",    "Vincent", "Fournier", "Morel",     "Girard",  "Andre",  "Mercier",
    "Blanc",    "Guerin",  "Boyer",   "Garnier",  "Chevalier", "Johnson", "Lambert"};
static const char *const COMPANIES[8] = {"Acme Corp", "Globex",    "Initech",  "Umbrella",
                                         "Hooli",     "Stark Ltd", "Wayne Co", "Vandelay"};
static const char *const TZ[4] = {"Europe/Paris", "America/New_York", "Europe/London", "Europe/Berlin"};
static const char *const COUNTRY[4] = {"FR", "US", "GB", "DE"};
static const char *const CITY[6] = {"Paris", "New York", "London", "Berlin", "Lyon", "Boston"};
static const char *const LINE[6] = {"Office", "Support", "Sales", "Hotline", "Desk", "Main"};

static void company_slug(const char *name, char *out, size_t cap) {
  size_t n = 0;
  for (; *name && n + 1 < cap; name++)
    if (isalnum((unsigned char)*name)) out[n++] = (char)tolower((unsigned char)*name);
  if (n == 0 && cap > 1) out[n++] = 'x';
  out[n] = '\0';
}

static void lower_copy(char *dst, const char *src) {
  for (; *src; src++) *dst++ = (char)tolower((unsigned char)*src);
  *dst = '\0';
}

/* A phone number in the display format Aircall answers with, for one of four countries. */
static void phone_display(struct rng *r, int country, bool mobile, char *out, size_t cap) {
  unsigned a = (unsigned)rng_below(r, 100), b = (unsigned)rng_below(r, 100), c = (unsigned)rng_below(r, 100),
           d = (unsigned)rng_below(r, 100);
  switch (country) {
  case 0: snprintf(out, cap, "+33 %c %02u %02u %02u %02u", mobile ? '6' : '1', a, b, c, d); break;
  case 1:
    snprintf(out, cap, "+1 %03u-%03u-%04u", 201 + (unsigned)rng_below(r, 700),
             200 + (unsigned)rng_below(r, 800), (unsigned)rng_below(r, 10000));
    break;
  case 2:
    snprintf(out, cap, "+44 %s %04u %04u", mobile ? "7700" : "20", (unsigned)rng_below(r, 10000),
             (unsigned)rng_below(r, 10000));
    break;
  default: snprintf(out, cap, "+49 %s %08u", mobile ? "151" : "30", (unsigned)rng_below(r, 100000000)); break;
  }
}

size_t sim_digits(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; s && *s && n + 1 < cap; s++)
    if (*s >= '0' && *s <= '9') out[n++] = *s;
  if (cap) out[n] = '\0';
  return n;
}

static void gen_users(struct sim_company *co, struct rng *r, const char *slug) {
  for (size_t i = 0; i < co->nusers; i++) {
    struct sim_user *u = &co->users[i];
    const char *f = FIRST[i % 32], *l = LAST[(i / 32 + i * 3) % 31];
    char fl[32], ll[32];
    u->id = 1001 + (int64_t)i;
    /* Names the plugin must split: one three-word name and one single word. */
    if (i == 2) {
      snprintf(u->name, sizeof u->name, "Mary Ann Walker");
      snprintf(u->email, sizeof u->email, "maryann.walker@%s.example", slug);
    } else if (i == 3) {
      snprintf(u->name, sizeof u->name, "Prince");
      snprintf(u->email, sizeof u->email, "prince@%s.example", slug);
    } else {
      lower_copy(fl, f);
      lower_copy(ll, l);
      snprintf(u->name, sizeof u->name, "%s %s", f, l);
      if (i < 32 * 31) snprintf(u->email, sizeof u->email, "%s.%s@%s.example", fl, ll, slug);
      else snprintf(u->email, sizeof u->email, "%s.%s.%zu@%s.example", fl, ll, i, slug);
    }
    /* 2019-01-01 .. 2024-12-31 */
    u->created_at = 1546300800LL + (int64_t)(i * 86400 * 3) + (int64_t)rng_below(r, 86400);
    u->availability = (uint8_t)(i == 0 ? 0 : rng_below(r, 3));
    u->language = (uint8_t)rng_below(r, 3);
    u->time_zone = (uint8_t)rng_below(r, 4);
    u->wrap_up_time = (int16_t)(rng_below(r, 4) * 15);
    u->number_idx = (int32_t)(i % co->nnumbers);
    u->extension = (int32_t)(100 + i);
  }
}

static void gen_numbers(struct sim_company *co, struct rng *r) {
  for (size_t i = 0; i < co->nnumbers; i++) {
    struct sim_number *n = &co->numbers[i];
    int country = (int)(i % 4);
    n->id = 2001 + (int64_t)i;
    snprintf(n->name, sizeof n->name, "%s %s", CITY[i % 6], LINE[(i / 6 + i) % 6]);
    if (i == 0) snprintf(n->digits, sizeof n->digits, "+33 1 76 11 11 11"); /* the doc's example */
    else phone_display(r, country, false, n->digits, sizeof n->digits);
    memcpy(n->country, COUNTRY[country], 3);
    n->time_zone = TZ[country];
    n->created_at = 1514764800LL + (int64_t)i * 86400 * 30; /* from 2018-01-01 */
    n->availability = (uint8_t)(i % 3 == 2 ? 2 : 0);
    n->is_ivr = i % 3 == 1;
    n->live_recording = rng_pct(r, 50);
    n->priority = i < 2 ? (int32_t)i : 0;
  }
}

static void gen_tags(struct sim_company *co) {
  /* 545 and 678 are the ids the API reference uses in its tags[] example. */
  static const struct sim_tag T[SIM_NTAGS] = {
      {545, "VIP", "#f5a623", "Key accounts"},
      {678, "Sales lead", "#00b388", "Prospect worth a follow-up"},
      {702, "Support", "#4a90e2", "Product question or incident"},
      {811, "Follow-up", "#bd10e0", "Needs a call back"},
      {923, "Billing", "#d0021b", "Invoices and payments"},
      {1034, "Churn risk", "#7ed321", "Customer considering leaving"}};
  memcpy(co->tags, T, sizeof T);
}

static int detail_set(struct sim_detail *d, int64_t id, const char *label, const char *value) {
  d->id = id;
  d->label = strdup(label);
  d->value = strdup(value);
  return d->label && d->value ? 0 : -1;
}

static int gen_contacts(struct sim_company *co, struct rng *r) {
  size_t n = co->ncontacts;
  size_t anchor = n - 1 < 77 ? n - 1 : 77; /* index of contact 5678 */
  size_t johns[3] = {n / 5, n / 2, (4 * n) / 5};
  int64_t span = SIM_CONTACTS_TO - SIM_CONTACTS_FROM, step = span / (int64_t)n;
  for (size_t i = 0; i < n; i++) {
    struct sim_contact *c = &co->contacts[i];
    bool john = i == johns[0] || i == johns[1] || i == johns[2];
    const char *f = FIRST[rng_below(r, 32)], *l = LAST[rng_below(r, 31)];
    char buf[128], fl[32], ll[32];
    c->id = 5678 - (int64_t)anchor + (int64_t)i;
    c->first_name = strdup(john ? "John" : f);
    /* A few contacts have no last name, as real address books do; never an anchor. */
    bool no_last = !john && i != anchor && rng_pct(r, 4);
    c->last_name = no_last ? NULL : strdup(l);
    c->company_name = rng_pct(r, 60) ? strdup(COMPANIES[rng_below(r, 8)]) : NULL;
    c->information = rng_pct(r, 20) ? strdup("Met at a trade fair") : NULL;
    c->created_at = SIM_CONTACTS_FROM + (int64_t)i * step + (int64_t)rng_below(r, (uint64_t)step);
    c->updated_at = c->created_at + (int64_t)rng_below(r, 86400 * 30);
    if (!c->first_name || (!no_last && !c->last_name)) return -1;
    size_t np = 1 + rng_below(r, 3), ne = rng_below(r, 3);
    static const char *const PL[3] = {"Work", "Mobile", "Home"};
    for (size_t k = 0; k < np; k++) {
      phone_display(r, (int)rng_below(r, 4), k != 0, buf, sizeof buf);
      if (detail_set(&c->phones[k], co->next_detail_id++, PL[k], buf)) return -1;
      c->nphones++;
    }
    lower_copy(fl, c->first_name);
    lower_copy(ll, c->last_name ? c->last_name : "contact");
    for (size_t k = 0; k < ne; k++) {
      snprintf(buf, sizeof buf, "%s.%s%s@%s.example", fl, ll, k ? ".home" : "", k ? "mail" : "client");
      if (detail_set(&c->emails[k], co->next_detail_id++, k ? "Personal" : "Work", buf)) return -1;
      c->nemails++;
    }
  }
  co->next_contact_id = co->contacts[n - 1].id + 1;
  return 0;
}

/* Pick a contact's phone for a call's external party, so fetch_contact finds someone. */
static void call_party(struct sim_company *co, struct rng *r, struct sim_call *c) {
  if (rng_pct(r, 40)) {
    const struct sim_contact *k = &co->contacts[rng_below(r, co->ncontacts)];
    snprintf(c->raw_digits, sizeof c->raw_digits, "%s", k->phones[0].value);
  } else {
    phone_display(r, (int)rng_below(r, 4), rng_pct(r, 50), c->raw_digits, sizeof c->raw_digits);
  }
}

/* One call's random fields after its start time. The draws stay in this order: the same seed
 * must give the same data. */
static void gen_call(struct sim_company *co, struct rng *r, struct sim_call *c) {
  c->direction = rng_pct(r, 55) ? SIM_INBOUND : SIM_OUTBOUND;
  c->number_idx = (int32_t)rng_below(r, co->nnumbers);
  c->user_idx = c->transferred_by = c->transferred_to = -1;
  call_party(co, r, c);
  bool answered = rng_pct(r, c->direction == SIM_INBOUND ? 75 : 85);
  int ring = 3 + (int)rng_below(r, 25);
  if (answered) {
    c->answered_after = ring;
    c->duration = ring + (int)rng_below(r, 900);
    c->user_idx = (int32_t)rng_below(r, co->nusers);
    if (rng_pct(r, 60)) c->flags |= SIM_CALL_RECORDING;
  } else {
    c->answered_after = -1;
    c->duration = ring;
    if (c->direction == SIM_OUTBOUND) c->user_idx = (int32_t)rng_below(r, co->nusers);
    if (c->direction == SIM_INBOUND) {
      c->missed_reason = (uint8_t)(1 + rng_below(r, 6));
      if (c->missed_reason == 6 && rng_pct(r, 50)) c->flags |= SIM_CALL_VOICEMAIL;
    }
  }
  if (c->direction == SIM_INBOUND && rng_pct(r, 5)) {
    snprintf(c->raw_digits, sizeof c->raw_digits, "anonymous");
  }
  if (answered && c->direction == SIM_INBOUND && rng_pct(r, 6)) {
    c->transferred_by = c->user_idx;
    c->transferred_to = (int32_t)((size_t)(c->user_idx + 1) % co->nusers);
    c->user_idx = c->transferred_to;
  }
  if (rng_pct(r, 20)) {
    c->ntags = (uint8_t)(1 + rng_below(r, 3));
    size_t first = rng_below(r, SIM_NTAGS);
    size_t stride = 1 + rng_below(r, 2); /* 1 or 2: a mix of tag pairs */
    for (size_t k = 0; k < c->ntags; k++) c->tags[k] = (uint8_t)((first + k * stride) % SIM_NTAGS);
  }
  if (rng_pct(r, 3)) c->flags |= SIM_CALL_ARCHIVED;
  if (answered && c->direction == SIM_INBOUND && rng_pct(r, 30)) c->flags |= SIM_CALL_ASSIGNED;
  if (c->direction == SIM_INBOUND && rng_pct(r, 50)) c->flags |= SIM_CALL_TEAM;
  if (rng_pct(r, 5)) c->flags |= SIM_CALL_COMMENT;
}

/* Anchors: each kind of call the tests and the examples need, at fixed places (no draws). */
static void call_anchors(struct sim_company *co, size_t anchor) {
  struct sim_call *a = &co->calls[0]; /* anonymous and missed */
  a->direction = SIM_INBOUND;
  snprintf(a->raw_digits, sizeof a->raw_digits, "anonymous");
  a->answered_after = -1, a->duration = 12, a->user_idx = -1, a->missed_reason = 2;
  a->transferred_by = a->transferred_to = -1;
  a = &co->calls[1]; /* two tags: the doc's tags[]=545&tags[]=678 */
  a->ntags = 2, a->tags[0] = 0, a->tags[1] = 1;
  a = &co->calls[2]; /* transferred from one user to another */
  a->direction = SIM_INBOUND, a->answered_after = 8, a->duration = 140, a->missed_reason = 0;
  a->transferred_by = 0, a->transferred_to = (int32_t)(1 % co->nusers), a->user_idx = a->transferred_to;
  if (strcmp(a->raw_digits, "anonymous") == 0)
    snprintf(a->raw_digits, sizeof a->raw_digits, "+1 800-123-4567");
  a = &co->calls[3]; /* missed with a reason */
  a->direction = SIM_INBOUND, a->answered_after = -1, a->duration = 25, a->user_idx = -1;
  a->missed_reason = 6, a->transferred_by = a->transferred_to = -1;
  a = &co->calls[4]; /* outbound, answered */
  a->direction = SIM_OUTBOUND, a->answered_after = 6, a->duration = 95, a->missed_reason = 0;
  a->user_idx = 0, a->transferred_by = a->transferred_to = -1;
  if (strcmp(a->raw_digits, "anonymous") == 0)
    snprintf(a->raw_digits, sizeof a->raw_digits, "+44 20 7946 0000");
  a = &co->calls[anchor]; /* call 12345: inbound, answered, with a user and a number */
  a->direction = SIM_INBOUND, a->answered_after = 7, a->duration = 187, a->missed_reason = 0;
  a->user_idx = 0, a->number_idx = 0, a->transferred_by = a->transferred_to = -1;
  a->flags = SIM_CALL_RECORDING | SIM_CALL_TEAM;
  a->ntags = 1, a->tags[0] = 0;
  snprintf(a->raw_digits, sizeof a->raw_digits, "%s", co->contacts[0].phones[0].value);
}

static void gen_calls(struct sim_company *co, struct rng *r) {
  size_t n = co->ncalls;
  size_t anchor = n / 2 < 300 ? (n / 2 < 6 ? 6 : n / 2) : 300; /* index of call 12345 */
  size_t high = n / 20 ? n / 20 : 1;                           /* calls with ids above 2^32 */
  int64_t span = SIM_CALLS_TO - SIM_CALLS_FROM, step = span / (int64_t)n;
  if (step < 1) step = 1;
  for (size_t i = 0; i < n; i++) {
    struct sim_call *c = &co->calls[i];
    memset(c, 0, sizeof *c);
    c->id = i >= n - high ? 4294967296LL + 1000 + (int64_t)i : 12345 - (int64_t)anchor + (int64_t)i;
    c->started_at =
        SIM_CALLS_FROM + (int64_t)i * step + (step > 1 ? (int64_t)rng_below(r, (uint64_t)step) : 0);
    gen_call(co, r, c);
  }
  call_anchors(co, anchor);
}

int sim_company_generate(struct sim_company *co, const struct sim_config *cfg, char **err) {
  char slug[40];
  struct rng r = {cfg->seed ^ fnv1a(co->name)};
  company_slug(co->name, slug, sizeof slug);
  co->id = 100 + (int64_t)(fnv1a(co->name) % 900000);
  co->nusers = (size_t)cfg->users;
  co->nnumbers = (size_t)cfg->numbers;
  co->ncalls = (size_t)cfg->calls;
  co->ncontacts = (size_t)cfg->contacts;
  co->contacts_cap = co->ncontacts + 64;
  co->users = calloc(co->nusers, sizeof *co->users);
  co->numbers = calloc(co->nnumbers, sizeof *co->numbers);
  co->calls = calloc(co->ncalls, sizeof *co->calls);
  co->contacts = calloc(co->contacts_cap, sizeof *co->contacts);
  co->next_detail_id = 90001;
  co->window_start = 0;
  co->window_count = 0;
  if (!co->users || !co->numbers || !co->calls || !co->contacts) goto oom;
  gen_numbers(co, &r);
  gen_users(co, &r, slug);
  gen_tags(co);
  if (gen_contacts(co, &r)) goto oom;
  gen_calls(co, &r);
  return 0;
oom:
  *err = strdup("out of memory while generating the data set");
  sim_company_free(co);
  return -1;
}

void sim_contact_clear(struct sim_contact *c) {
  free(c->first_name);
  free(c->last_name);
  free(c->company_name);
  free(c->information);
  for (size_t k = 0; k < c->nphones; k++) free(c->phones[k].label), free(c->phones[k].value);
  for (size_t k = 0; k < c->nemails; k++) free(c->emails[k].label), free(c->emails[k].value);
  memset(c, 0, sizeof *c);
}

/* Frees the data, keeping the name (a reset regenerates into the same struct). */
void sim_company_free(struct sim_company *co) {
  for (size_t i = 0; co->contacts && i < co->ncontacts; i++) sim_contact_clear(&co->contacts[i]);
  free(co->contacts);
  free(co->calls);
  free(co->users);
  free(co->numbers);
  co->contacts = NULL, co->calls = NULL, co->users = NULL, co->numbers = NULL;
  co->ncontacts = co->ncalls = co->nusers = co->nnumbers = 0;
}

struct sim_contact *sim_contact_find(struct sim_company *co, int64_t id) {
  size_t lo = 0, hi = co->ncontacts;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (co->contacts[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  if (lo < co->ncontacts && co->contacts[lo].id == id && !co->contacts[lo].deleted) return &co->contacts[lo];
  return NULL;
}
