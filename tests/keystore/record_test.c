/*
 * record_test.c - the keystore library end to end through its API: round trips,
 * every single-byte change and truncation of a record and of host.key (plain and
 * wrapped) refused cleanly, copies refused, permissions, temp files, listings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "keystore/ks.h"
#include "keystore/ks_setup.h"
#include "tests/keystore/testdir.h"

#define TOKEN "FAKE-unit-bearer-token-7f3a"
#define API_ID "FAKE-unit-id"
#define API_TOKEN "FAKE-unit-api-token-c0de"
#define PASS "FAKE-unit-passphrase"

static const struct ks_kdf_limits min_limits = {1, 8192};

static void add_bearer(const char *ks, const char *plugin, const char *account, const char *tok) {
  struct ks_credential c = {.kind = KS_KIND_BEARER, .token = (char *)tok};
  struct ks_error e;
  assert_int_equal(ks_record_add(ks, plugin, account, &c, 1, &e), KS_OK);
}

/* A message must be there and must not carry any of the test's secrets. */
static void assert_clean_message(const struct ks_error *e) {
  assert_true(strlen(e->message) > 10);
  assert_null(strstr(e->message, TOKEN));
  assert_null(strstr(e->message, API_TOKEN));
  assert_null(strstr(e->message, PASS));
}

static ks_status open_st(const char *ks, const char *plugin, const char *account, const char *pass,
                         struct ks_error *e) {
  struct ks_credential *c = NULL;
  ks_status st = ks_credential_open(ks, plugin, account, pass, &c, e);
  if (st == KS_OK) assert_non_null(c);
  else assert_null(c);
  ks_credential_free(c);
  return st;
}

static void roundtrip_bearer_and_basic(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  struct ks_credential *c = NULL;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  struct ks_credential b = {.kind = KS_KIND_BASIC, .api_id = API_ID, .api_token = API_TOKEN};
  assert_int_equal(ks_record_add(f->ks, "aircall", "sales", &b, 0, &e), KS_OK);

  assert_int_equal(ks_credential_open(f->ks, "aircall", "default", NULL, &c, &e), KS_OK);
  assert_int_equal(c->kind, KS_KIND_BEARER);
  assert_true(strcmp(c->token, TOKEN) == 0); /* not assert_string_equal: it would print it */
  assert_null(c->api_id);
  assert_true(c->created > 1700000000LL);
  ks_credential_free(c);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "sales", NULL, &c, &e), KS_OK);
  assert_int_equal(c->kind, KS_KIND_BASIC);
  assert_true(strcmp(c->api_id, API_ID) == 0 && strcmp(c->api_token, API_TOKEN) == 0);
  assert_null(c->token);
  ks_credential_free(c);
  ks_credential_free(NULL);
}

/* Without replace, a second add of the same account is refused by the file
 * system itself (link, not rename), even when nothing checked before it: the
 * first record stays and still opens to the first secret. */
static void add_without_replace_never_clobbers(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  struct ks_credential *c = NULL;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  struct ks_credential first = {.kind = KS_KIND_BEARER, .token = (char *)TOKEN};
  struct ks_credential second = {.kind = KS_KIND_BEARER, .token = (char *)"FAKE-second-token"};
  assert_int_equal(ks_record_add(f->ks, "aircall", "default", &first, 0, &e), KS_OK);
  assert_int_equal(ks_record_add(f->ks, "aircall", "default", &second, 0, &e), KS_ERR_EXISTS);
  assert_non_null(strstr(e.message, "--force"));
  assert_int_equal(ks_credential_open(f->ks, "aircall", "default", NULL, &c, &e), KS_OK);
  assert_true(strcmp(c->token, TOKEN) == 0);
  ks_credential_free(c);
  assert_int_equal(ks_record_add(f->ks, "aircall", "default", &second, 1, &e), KS_OK);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "default", NULL, &c, &e), KS_OK);
  assert_true(strcmp(c->token, "FAKE-second-token") == 0);
  ks_credential_free(c);
}

static void add_refuses_bad_input(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char big[5000];
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  const char *bad[] = {"", "tab\there", "FAKE\x7f", big};
  for (size_t i = 0; i < 4; i++) {
    struct ks_credential c = {.kind = KS_KIND_BEARER, .token = (char *)bad[i]};
    assert_int_equal(ks_record_add(f->ks, "aircall", "x", &c, 0, &e), KS_ERR_INVALID);
  }
  struct ks_credential c = {.kind = KS_KIND_BEARER, .token = NULL};
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &c, 0, &e), KS_ERR_INVALID);
  struct ks_credential k = {.kind = (ks_kind)9, .token = TOKEN};
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &k, 0, &e), KS_ERR_INVALID);
  struct ks_credential b = {.kind = KS_KIND_BASIC, .api_id = API_ID, .api_token = ""};
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &b, 0, &e), KS_ERR_INVALID);
  struct ks_credential ok = {.kind = KS_KIND_BEARER, .token = TOKEN};
  assert_int_equal(ks_record_add(f->ks, "air/call", "x", &ok, 0, &e), KS_ERR_INVALID);
  assert_int_equal(ks_record_add(f->ks, "aircall", "..", &ok, 0, &e), KS_ERR_INVALID);
  assert_non_null(strstr(e.message, "invalid account name"));
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &ok, 0, &e), KS_OK);
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &ok, 0, &e), KS_ERR_EXISTS);
  assert_non_null(strstr(e.message, "use --force to replace it"));
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &ok, 1, &e), KS_OK);
}

static void missing_things_say_what_to_run(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  struct ks_credential ok = {.kind = KS_KIND_BEARER, .token = TOKEN};
  assert_int_equal(ks_record_add(f->ks, "aircall", "x", &ok, 0, &e), KS_ERR_NOT_FOUND);
  assert_non_null(strstr(e.message, "kkp-setup init"));
  assert_int_equal(open_st(f->ks, "aircall", "x", NULL, &e), KS_ERR_NOT_FOUND);
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_ERR_EXISTS);
  assert_int_equal(open_st(f->ks, "aircall", "x", NULL, &e), KS_ERR_NOT_FOUND);
  assert_non_null(strstr(e.message, "kkp-setup add aircall --account x"));
  assert_int_equal(ks_record_remove(f->ks, "aircall", "x", &e), KS_ERR_NOT_FOUND);
}

/* Every byte XOR 0x01 and XOR 0xff, every truncation, one appended byte: each must
 * fail with KS_ERR_CORRUPT and a clean message. */
static void every_record_change_is_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char path[512];
  size_t len = 0;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  struct ks_credential b = {.kind = KS_KIND_BASIC, .api_id = API_ID, .api_token = API_TOKEN};
  assert_int_equal(ks_record_add(f->ks, "aircall", "sales", &b, 0, &e), KS_OK);
  snprintf(path, sizeof path, "%s/aircall/sales.tok", f->ks);
  unsigned char *orig = file_slurp(path, &len);
  assert_non_null(orig);
  assert_true(len > 150);
  unsigned char *m = malloc(len + 1);
  const unsigned char masks[] = {0x01, 0xff};
  size_t refused = 0;
  for (size_t i = 0; i < len; i++) {
    for (size_t k = 0; k < 2; k++) {
      memcpy(m, orig, len);
      m[i] ^= masks[k];
      assert_int_equal(file_put(path, m, len), 0);
      ks_status st = open_st(f->ks, "aircall", "sales", NULL, &e);
      if (st != KS_ERR_CORRUPT) print_error("byte %zu mask %u: status %s\n", i, masks[k], ks_status_name(st));
      assert_int_equal(st, KS_ERR_CORRUPT);
      assert_clean_message(&e);
      refused++;
    }
  }
  for (size_t n = 0; n < len; n++) {
    assert_int_equal(file_put(path, orig, n), 0);
    assert_int_equal(open_st(f->ks, "aircall", "sales", NULL, &e), KS_ERR_CORRUPT);
    assert_clean_message(&e);
  }
  memcpy(m, orig, len);
  m[len] = 0;
  assert_int_equal(file_put(path, m, len + 1), 0);
  assert_int_equal(open_st(f->ks, "aircall", "sales", NULL, &e), KS_ERR_CORRUPT);
  assert_int_equal(file_put(path, orig, len), 0);
  assert_int_equal(open_st(f->ks, "aircall", "sales", NULL, &e), KS_OK);
  assert_int_equal(refused, 2 * len);
  free(m);
  free(orig);
}

/* Flips every byte of host.key; allowed holds the statuses a flip may give. */
static void flip_hostkey(const char *ks, const char *pass, ks_status a, ks_status b) {
  struct ks_error e;
  char path[512];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/host.key", ks);
  unsigned char *orig = file_slurp(path, &len);
  assert_non_null(orig);
  unsigned char *m = malloc(len);
  const unsigned char masks[] = {0x01, 0xff};
  for (size_t i = 0; i < len; i++) {
    for (size_t k = 0; k < 2; k++) {
      memcpy(m, orig, len);
      m[i] ^= masks[k];
      assert_int_equal(file_put(path, m, len), 0);
      ks_status st = open_st(ks, "aircall", "default", pass, &e);
      if (st != a && st != b) print_error("host.key byte %zu mask %u: %s\n", i, masks[k], ks_status_name(st));
      assert_true(st == a || st == b);
      assert_clean_message(&e);
    }
  }
  for (size_t n = 0; n < len; n++) {
    assert_int_equal(file_put(path, orig, n), 0);
    assert_int_equal(open_st(ks, "aircall", "default", pass, &e), KS_ERR_CORRUPT);
  }
  assert_int_equal(file_put(path, orig, len), 0);
  assert_int_equal(open_st(ks, "aircall", "default", pass, &e), KS_OK);
  free(m);
  free(orig);
}

/* A plain host.key whose checksum is right but whose public key is another
 * pair's: refused for what it is, before any record is unsealed with it. */
static void mismatched_plain_pair_is_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char path[512];
  size_t len = 0;
  unsigned char other_pk[32], other_sk[32];
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  snprintf(path, sizeof path, "%s/host.key", f->ks);
  unsigned char *b = file_slurp(path, &len);
  assert_non_null(b);
  assert_int_equal(len, 92); /* magic 8, version 1, protection 1, reserved 2, sk 32, pk 32, check 16 */
  crypto_box_keypair(other_pk, other_sk);
  memcpy(b + 44, other_pk, 32);
  crypto_generichash(b + 76, 16, b, 76, NULL, 0);
  assert_int_equal(file_put(path, b, len), 0);
  free(b);
  assert_int_equal(open_st(f->ks, "aircall", "default", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "does not match its public key"));
}

static void every_plain_hostkey_change_is_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  flip_hostkey(f->ks, NULL, KS_ERR_CORRUPT, KS_ERR_CORRUPT);
}

static void every_wrapped_hostkey_change_is_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  assert_int_equal(ks_hostkey_create(f->ks, PASS, &min_limits, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  /* A changed header byte or ciphertext is refused as damaged or as a wrong
   * passphrase: AEAD cannot tell the two apart. */
  flip_hostkey(f->ks, PASS, KS_ERR_CORRUPT, KS_ERR_PASSPHRASE);
}

static void wrapped_key_passphrases_and_bounds(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char path[512];
  size_t len = 0;
  int wrapped = -1;
  assert_int_equal(ks_hostkey_create(f->ks, PASS, &min_limits, 0, &e), KS_OK);
  assert_int_equal(ks_hostkey_wrapped(f->ks, &wrapped, &e), KS_OK);
  assert_int_equal(wrapped, 1);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  assert_int_equal(open_st(f->ks, "aircall", "default", PASS, &e), KS_OK);
  assert_int_equal(open_st(f->ks, "aircall", "default", "FAKE-wrong", &e), KS_ERR_PASSPHRASE);
  assert_non_null(strstr(e.message, "wrong passphrase"));
  assert_int_equal(open_st(f->ks, "aircall", "default", NULL, &e), KS_ERR_PASSPHRASE);
  assert_int_equal(open_st(f->ks, "aircall", "default", "", &e), KS_ERR_PASSPHRASE);

  /* Stored limits beyond the reader's bounds are refused before any allocation. */
  snprintf(path, sizeof path, "%s/host.key", f->ks);
  unsigned char *orig = file_slurp(path, &len);
  unsigned char *m = malloc(len);
  const struct {
    size_t off;
    unsigned char v;
  } cases[] = {
      {27, 0x01}, /* memlimit 2^56 */
      {23, 0x40}, /* memlimit about 1 GiB */
      {23, 0x10}, /* memlimit 256 MiB + 8 KiB: just above the bound */
      {12, 0x00}, /* opslimit 0 */
      {13, 0x01}, /* opslimit 257 */
      {10, 0x01}, /* algorithm Argon2i13 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    memcpy(m, orig, len);
    m[cases[i].off] = cases[i].v;
    assert_int_equal(file_put(path, m, len), 0);
    assert_int_equal(open_st(f->ks, "aircall", "default", PASS, &e), KS_ERR_CORRUPT);
  }
  assert_int_equal(file_put(path, orig, len), 0);
  free(m);
  free(orig);

  /* passwd: wrapped -> other passphrase -> plain -> wrapped again. */
  assert_int_equal(ks_hostkey_passwd(f->ks, "FAKE-wrong", "FAKE-new", &min_limits, &e), KS_ERR_PASSPHRASE);
  assert_int_equal(ks_hostkey_passwd(f->ks, PASS, "FAKE-new", &min_limits, &e), KS_OK);
  assert_int_equal(open_st(f->ks, "aircall", "default", PASS, &e), KS_ERR_PASSPHRASE);
  assert_int_equal(open_st(f->ks, "aircall", "default", "FAKE-new", &e), KS_OK);
  assert_int_equal(ks_hostkey_passwd(f->ks, "FAKE-new", NULL, NULL, &e), KS_OK);
  assert_int_equal(ks_hostkey_wrapped(f->ks, &wrapped, &e), KS_OK);
  assert_int_equal(wrapped, 0);
  assert_int_equal(open_st(f->ks, "aircall", "default", NULL, &e), KS_OK);
  struct ks_kdf_limits huge = {1, (size_t)1 << 34};
  assert_int_equal(ks_hostkey_passwd(f->ks, NULL, PASS, &huge, &e), KS_ERR_INVALID);
  assert_int_equal(ks_hostkey_passwd(f->ks, NULL, PASS, &min_limits, &e), KS_OK);
  assert_int_equal(open_st(f->ks, "aircall", "default", PASS, &e), KS_OK);
}

static ks_status open_unlocked_st(const char *ks, const struct ks_unlock_key *k, struct ks_error *e) {
  struct ks_credential *c = NULL;
  ks_status st = ks_credential_open_unlocked(ks, "aircall", "default", k, &c, e);
  if (st == KS_OK) assert_true(strcmp(c->token, TOKEN) == 0);
  else assert_null(c);
  ks_credential_free(c);
  return st;
}

/* The unwrapping key a host derives once (ks_unlock) opens records as the passphrase
 * does, survives its text form, and is refused once host.key is re-wrapped, or when
 * it came from a wrong passphrase; a plain host.key has none to derive. */
static void unlock_key_opens_like_the_passphrase(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  struct ks_unlock_key k, back, wrong;
  char text[KS_UNLOCK_TEXT_LEN];
  assert_int_equal(ks_hostkey_create(f->ks, PASS, &min_limits, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  assert_int_equal(ks_unlock(f->ks, PASS, &k, &e), KS_OK);
  assert_int_equal(open_unlocked_st(f->ks, &k, &e), KS_OK);
  ks_unlock_to_text(&k, text);
  assert_int_equal((int)strlen(text), KS_UNLOCK_TEXT_LEN - 1);
  assert_int_equal(ks_unlock_from_text(text, &back), 1);
  assert_memory_equal(&k, &back, sizeof k);
  assert_int_equal(open_unlocked_st(f->ks, &back, &e), KS_OK);
  text[40] = 'x';
  assert_int_equal(ks_unlock_from_text(text, &back), 0);
  assert_int_equal(ks_unlock_from_text("", &back), 0);

  assert_int_equal(ks_unlock(f->ks, "FAKE-wrong", &wrong, &e), KS_OK); /* found only when used */
  assert_int_equal(open_unlocked_st(f->ks, &wrong, &e), KS_ERR_PASSPHRASE);
  assert_non_null(strstr(e.message, "wrong passphrase"));
  assert_int_equal(ks_unlock(f->ks, NULL, &wrong, &e), KS_ERR_PASSPHRASE);
  assert_int_equal(open_unlocked_st(f->ks, NULL, &e), KS_ERR_INVALID);

  assert_int_equal(ks_hostkey_passwd(f->ks, PASS, PASS, &min_limits, &e), KS_OK); /* a new salt */
  assert_int_equal(open_unlocked_st(f->ks, &k, &e), KS_ERR_STALE_KEY);
  assert_non_null(strstr(e.message, "made for another host.key"));
  assert_clean_message(&e);
  assert_int_equal(ks_hostkey_passwd(f->ks, PASS, NULL, NULL, &e), KS_OK);
  assert_int_equal(ks_unlock(f->ks, PASS, &k, &e), KS_ERR_INVALID);
  assert_non_null(strstr(e.message, "not wrapped"));
}

static void hostpub_damage_stops_add(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char path[512];
  size_t len = 0;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  snprintf(path, sizeof path, "%s/host.pub", f->ks);
  unsigned char *orig = file_slurp(path, &len);
  unsigned char *m = malloc(len);
  struct ks_credential c = {.kind = KS_KIND_BEARER, .token = TOKEN};
  for (size_t i = 0; i < len; i++) {
    memcpy(m, orig, len);
    m[i] ^= 0x01;
    assert_int_equal(file_put(path, m, len), 0);
    assert_int_equal(ks_record_add(f->ks, "aircall", "a", &c, 1, &e), KS_ERR_CORRUPT);
    assert_clean_message(&e);
  }
  assert_int_equal(file_put(path, orig, len), 0);
  assert_int_equal(ks_record_add(f->ks, "aircall", "a", &c, 1, &e), KS_OK);
  free(m);
  free(orig);
}

static void copies_are_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char a[512], b[512];
  size_t len = 0;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "sales", TOKEN);
  add_bearer(f->ks, "other", "x", TOKEN); /* makes the other plugin's folder */
  snprintf(a, sizeof a, "%s/aircall/sales.tok", f->ks);
  unsigned char *rec = file_slurp(a, &len);
  snprintf(b, sizeof b, "%s/aircall/support.tok", f->ks);
  assert_int_equal(file_put(b, rec, len), 0);
  assert_int_equal(open_st(f->ks, "aircall", "support", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "the record for account support was made for account sales"));
  assert_non_null(strstr(e.message, "kkp-setup add aircall --account support"));
  snprintf(b, sizeof b, "%s/other/sales.tok", f->ks);
  assert_int_equal(file_put(b, rec, len), 0);
  assert_int_equal(open_st(f->ks, "other", "sales", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "made for plugin aircall"));
  /* Sealed to another host key: a record from a second keystore. */
  char ks2[400];
  snprintf(ks2, sizeof ks2, "%s/ks2", f->root);
  assert_int_equal(ks_hostkey_create(ks2, NULL, NULL, 0, &e), KS_OK);
  add_bearer(ks2, "aircall", "sales", TOKEN);
  snprintf(b, sizeof b, "%s/aircall/sales.tok", ks2);
  free(rec);
  rec = file_slurp(b, &len);
  assert_int_equal(file_put(a, rec, len), 0);
  assert_int_equal(open_st(f->ks, "aircall", "sales", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "another host key"));
  free(rec);
}

static void permissions_are_enforced(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char p[512];
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  add_bearer(f->ks, "aircall", "default", TOKEN);
  struct {
    const char *rel;
    mode_t bad, good;
    ks_status want;
    const char *fix;
  } cases[] = {
      {"", 0755, 0700, KS_ERR_PERMISSION, "chmod 700"},
      {"", 0701, 0700, KS_ERR_PERMISSION, "chmod 700"},
      {"/aircall", 0770, 0700, KS_ERR_PERMISSION, "chmod 700"},
      {"/host.key", 0640, 0600, KS_ERR_PERMISSION, "chmod 600"},
      {"/host.key", 0604, 0600, KS_ERR_PERMISSION, "chmod 600"},
      {"/aircall/default.tok", 0644, 0600, KS_ERR_PERMISSION, "chmod 600"},
      {"/aircall/default.tok", 0620, 0600, KS_ERR_PERMISSION, "chmod 600"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    snprintf(p, sizeof p, "%s%s", f->ks, cases[i].rel);
    assert_int_equal(chmod(p, cases[i].bad), 0);
    assert_int_equal(open_st(f->ks, "aircall", "default", NULL, &e), cases[i].want);
    assert_non_null(strstr(e.message, cases[i].fix));
    assert_non_null(strstr(e.message, p));
    assert_int_equal(chmod(p, cases[i].good), 0);
  }
  /* host.pub is public: readable is fine, writable by others is not. */
  snprintf(p, sizeof p, "%s/host.pub", f->ks);
  struct ks_credential c = {.kind = KS_KIND_BEARER, .token = TOKEN};
  assert_int_equal(chmod(p, 0644), 0);
  assert_int_equal(ks_record_add(f->ks, "aircall", "b", &c, 0, &e), KS_OK);
  assert_int_equal(chmod(p, 0666), 0);
  assert_int_equal(ks_record_add(f->ks, "aircall", "c", &c, 0, &e), KS_ERR_PERMISSION);
  assert_int_equal(chmod(p, 0600), 0);
  /* A symlink in place of a record is refused, not followed. */
  char target[512];
  snprintf(target, sizeof target, "%s/aircall/default.tok", f->ks);
  snprintf(p, sizeof p, "%s/aircall/link.tok", f->ks);
  assert_int_equal(symlink(target, p), 0);
  assert_int_equal(open_st(f->ks, "aircall", "link", NULL, &e), KS_ERR_PERMISSION);
  assert_non_null(strstr(e.message, "symbolic link"));
  assert_int_equal(open_st(f->ks, "aircall", "default", NULL, &e), KS_OK);
}

static void listings_skip_temp_files_and_clean_dead_ones(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char p[512];
  char **names = NULL;
  size_t n = 0;
  assert_int_equal(ks_account_list(f->ks, "aircall", &names, &n, &e), KS_OK); /* no keystore */
  assert_int_equal(n, 0);
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  assert_int_equal(ks_account_list(f->ks, "aircall", &names, &n, &e), KS_OK); /* no folder */
  assert_int_equal(n, 0);
  add_bearer(f->ks, "aircall", "zeta", TOKEN);
  add_bearer(f->ks, "aircall", "alpha", TOKEN);
  add_bearer(f->ks, "aircall", ".dot", TOKEN);
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, NULL, 0);
  const char *junk[] = {"notes.txt", "bad name.tok", ".tok"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/aircall/%s", f->ks, junk[i]);
    assert_int_equal(file_put(p, (const unsigned char *)"x", 1), 0);
  }
  char dead_tmp[512], live_tmp[512];
  snprintf(dead_tmp, sizeof dead_tmp, "%s/aircall/.alpha.tok.tmp.%d.00112233aabbccdd", f->ks, (int)dead);
  snprintf(live_tmp, sizeof live_tmp, "%s/aircall/.zeta.tok.tmp.%d.00112233aabbccdd", f->ks, (int)getpid());
  assert_int_equal(file_put(dead_tmp, (const unsigned char *)"KKPKS", 5), 0);
  assert_int_equal(file_put(live_tmp, (const unsigned char *)"KKPKS", 5), 0);

  assert_int_equal(ks_account_list(f->ks, "aircall", &names, &n, &e), KS_OK);
  assert_int_equal(n, 3);
  assert_string_equal(names[0], ".dot");
  assert_string_equal(names[1], "alpha");
  assert_string_equal(names[2], "zeta");
  ks_names_free(names, n);
  assert_int_equal(open_st(f->ks, "aircall", "alpha", NULL, &e), KS_OK);

  struct ks_record_info *v = NULL;
  assert_int_equal(ks_records_list(f->ks, &v, &n, &e), KS_OK);
  assert_int_equal(n, 3);
  for (size_t i = 0; i < n; i++) assert_int_equal(v[i].status, KS_OK);
  assert_int_equal(v[1].kind, KS_KIND_BEARER);
  ks_records_free(v);

  /* The next write in the folder removes the dead writer's file, not the live one's. */
  add_bearer(f->ks, "aircall", "beta", TOKEN);
  assert_int_equal(access(dead_tmp, F_OK), -1);
  assert_int_equal(access(live_tmp, F_OK), 0);

  /* A damaged record is listed with its problem; it does not fail the listing. */
  snprintf(p, sizeof p, "%s/aircall/zeta.tok", f->ks);
  assert_int_equal(file_put(p, (const unsigned char *)"garbage", 7), 0);
  assert_int_equal(ks_records_list(f->ks, &v, &n, &e), KS_OK);
  assert_int_equal(n, 4);
  assert_int_equal(v[3].status, KS_ERR_CORRUPT);
  assert_non_null(strstr(v[3].problem, "kkp-setup add aircall --account zeta --force"));
  ks_records_free(v);
  assert_int_equal(ks_record_remove(f->ks, "aircall", "zeta", &e), KS_OK);
  assert_int_equal(ks_record_remove(f->ks, "aircall", "zeta", &e), KS_ERR_NOT_FOUND);
}

/* Account names may look like a temp file's (".a.tmp.PID.b" is a valid name): the
 * clean-up of dead writers' files must never take such a record for one. */
static void records_named_like_temp_files_survive_clean_up(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  char acc[3][96], p[512];
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, NULL, 0);
  snprintf(acc[0], sizeof acc[0], ".a.tmp.%d.b", (int)dead);
  snprintf(acc[1], sizeof acc[1], ".a.tmp.%d.00112233aabbccdd", (int)dead); /* + ".tok" */
  snprintf(acc[2], sizeof acc[2], ".tmp.%d.00112233aabbccdd", (int)dead);
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  for (size_t i = 0; i < 3; i++) add_bearer(f->ks, "aircall", acc[i], TOKEN);
  /* A real dead writer's file beside them is still cleaned. */
  snprintf(p, sizeof p, "%s/aircall/.x.tok.tmp.%d.00112233aabbccdd", f->ks, (int)dead);
  assert_int_equal(file_put(p, (const unsigned char *)"KKPKS", 5), 0);
  add_bearer(f->ks, "aircall", "next", TOKEN); /* every add cleans the folder first */
  assert_int_equal(access(p, F_OK), -1);
  for (size_t i = 0; i < 3; i++) {
    ks_status st = open_st(f->ks, "aircall", acc[i], NULL, &e);
    if (st != KS_OK) print_error("%s: %s\n", acc[i], e.message);
    assert_int_equal(st, KS_OK);
  }
  char **names = NULL;
  size_t n = 0;
  assert_int_equal(ks_account_list(f->ks, "aircall", &names, &n, &e), KS_OK);
  assert_int_equal(n, 4);
  ks_names_free(names, n);
}

/* Seals plaintext fields exactly as FORMAT.md lays a record out, but without the
 * checks ks_record_add makes: a record someone crafted with the public key alone. */
static void seal_raw(const char *ks, const char *plugin, const char *account, ks_kind kind,
                     const char *const *fields, int nf) {
  char p[512];
  size_t len = 0;
  snprintf(p, sizeof p, "%s/host.pub", ks);
  unsigned char *pub = file_slurp(p, &len);
  assert_non_null(pub);
  assert_int_equal(len, 60);
  unsigned char file[1024], plain[512], rkey[32];
  size_t pl = strlen(plugin), al = strlen(account), hl = 20 + pl + al, n = 0;
  memset(file, 0, sizeof file);
  memcpy(file, "KKPKSTOK", 8);
  file[8] = 1;
  file[9] = (unsigned char)kind;
  file[10] = (unsigned char)pl;
  file[11] = (unsigned char)al;
  memcpy(file + 20, plugin, pl);
  memcpy(file + 20 + pl, account, al);
  for (int i = 0; i < nf; i++) {
    size_t fl = strlen(fields[i]);
    plain[n] = (unsigned char)fl;
    plain[n + 1] = (unsigned char)(fl >> 8);
    memcpy(plain + n + 2, fields[i], fl);
    n += 2 + fl;
  }
  crypto_aead_xchacha20poly1305_ietf_keygen(rkey);
  assert_int_equal(crypto_box_seal(file + hl, rkey, 32, pub + 12), 0);
  unsigned char *nonce = file + hl + 80;
  randombytes_buf(nonce, 24);
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + 24, NULL, plain, n, file, hl, NULL, nonce, rkey);
  snprintf(p, sizeof p, "%s/%s", ks, plugin);
  mkdir(p, 0700);
  snprintf(p, sizeof p, "%s/%s/%s.tok", ks, plugin, account);
  assert_int_equal(file_put(p, file, hl + 80 + 24 + n + 16), 0);
  free(pub);
}

/* A record whose sealed token carries CR/LF would put an extra header line on the
 * wire: the reader refuses it, naming the problem and the fix. */
static void crafted_control_characters_are_refused(void **state) {
  struct fx *f = *state;
  struct ks_error e;
  assert_int_equal(ks_hostkey_create(f->ks, NULL, NULL, 0, &e), KS_OK);
  const char *ok[] = {TOKEN};
  seal_raw(f->ks, "aircall", "plain", KS_KIND_BEARER, ok, 1);
  assert_int_equal(open_st(f->ks, "aircall", "plain", NULL, &e), KS_OK); /* the crafting itself is sound */
  const char *crlf[] = {"tok\r\nX-Evil: 1"};
  seal_raw(f->ks, "aircall", "crlf", KS_KIND_BEARER, crlf, 1);
  assert_int_equal(open_st(f->ks, "aircall", "crlf", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "control character"));
  assert_non_null(strstr(e.message, "kkp-setup add aircall --account crlf --force"));
  assert_null(strstr(e.message, "X-Evil"));
  const char *basic[] = {API_ID, "tok\nX-Evil: 1"};
  seal_raw(f->ks, "aircall", "basic", KS_KIND_BASIC, basic, 2);
  assert_int_equal(open_st(f->ks, "aircall", "basic", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "control character"));
  const char *tab[] = {"tok\tX"};
  seal_raw(f->ks, "aircall", "tab", KS_KIND_BEARER, tab, 1);
  assert_int_equal(open_st(f->ks, "aircall", "tab", NULL, &e), KS_ERR_CORRUPT);
  /* bytes left after the credential: a record made by something else, refused whole */
  const char *extra[] = {TOKEN, "more"};
  seal_raw(f->ks, "aircall", "extra", KS_KIND_BEARER, extra, 2);
  assert_int_equal(open_st(f->ks, "aircall", "extra", NULL, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "malformed"));
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(roundtrip_bearer_and_basic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(add_refuses_bad_input, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(add_without_replace_never_clobbers, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(missing_things_say_what_to_run, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(every_record_change_is_refused, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(every_plain_hostkey_change_is_refused, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(mismatched_plain_pair_is_refused, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(every_wrapped_hostkey_change_is_refused, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(wrapped_key_passphrases_and_bounds, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(unlock_key_opens_like_the_passphrase, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(hostpub_damage_stops_add, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(copies_are_refused, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(permissions_are_enforced, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(listings_skip_temp_files_and_clean_dead_ones, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(records_named_like_temp_files_survive_clean_up, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(crafted_control_characters_are_refused, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests_name("keystore records", tests, NULL, NULL);
}
