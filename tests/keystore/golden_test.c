/*
 * golden_test.c - the checked-in golden keystore (tests/keystore/golden, made by
 * make_golden.sh) still opens with this build, and each tampered copy fails with
 * the status and message its field calls for. Guards the on-disk format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "keystore/ks.h"
#include "keystore/ks_setup.h"
#include "tests/keystore/testdir.h"

/* The fake secrets make_golden.sh sealed. */
#define G_BEARER "FAKE-golden-bearer-token-0001"
#define G_API_ID "FAKE-golden-api-id"
#define G_API_TOKEN "FAKE-golden-api-token-0002"
#define G_PASS "FAKE-golden-passphrase"

static const char *golden(void) {
  const char *g = getenv("KS_GOLDEN_DIR");
  return g && *g ? g : "tests/keystore/golden";
}

/* Copies golden file rel (under golden()) to dst, mode 0600 (git keeps no modes). */
static void put(const char *rel, const char *dst) {
  char src[512];
  size_t len = 0;
  snprintf(src, sizeof src, "%s/%s", golden(), rel);
  unsigned char *b = file_slurp(src, &len);
  if (!b) print_error("cannot read golden file %s\n", src);
  assert_non_null(b);
  assert_int_equal(file_put(dst, b, len), 0);
  free(b);
}

/* Builds a private keystore from golden set (plain or wrapped) in f->ks. */
static void build(struct fx *f, const char *set) {
  char p[512], rel[128];
  mkdir(f->ks, 0700);
  snprintf(p, sizeof p, "%s/aircall", f->ks);
  mkdir(p, 0700);
  const char *files[] = {"host.pub", "host.key", "aircall/bearer.tok", "aircall/basic.tok"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(rel, sizeof rel, "%s/%s", set, files[i]);
    snprintf(p, sizeof p, "%s/%s/%s", golden(), set, files[i]);
    if (access(p, F_OK) != 0) continue; /* the wrapped set has no basic record */
    snprintf(p, sizeof p, "%s/%s", f->ks, files[i]);
    put(rel, p);
  }
}

static void golden_plain_records_open(void **state) {
  struct fx *f = *state;
  struct ks_credential *c = NULL;
  struct ks_error e;
  build(f, "plain");
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", NULL, &c, &e), KS_OK);
  assert_int_equal(c->kind, KS_KIND_BEARER);
  assert_true(strcmp(c->token, G_BEARER) == 0);
  ks_credential_free(c);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "basic", NULL, &c, &e), KS_OK);
  assert_int_equal(c->kind, KS_KIND_BASIC);
  assert_true(strcmp(c->api_id, G_API_ID) == 0 && strcmp(c->api_token, G_API_TOKEN) == 0);
  ks_credential_free(c);
  struct ks_record_info *v = NULL;
  size_t n = 0;
  assert_int_equal(ks_records_list(f->ks, &v, &n, &e), KS_OK);
  assert_int_equal(n, 2);
  assert_string_equal(v[0].account, "basic");
  assert_int_equal(v[0].kind, KS_KIND_BASIC);
  assert_string_equal(v[1].account, "bearer");
  assert_true(v[1].created > 1700000000LL);
  ks_records_free(v);
}

static void golden_wrapped_key_opens_with_its_passphrase(void **state) {
  struct fx *f = *state;
  struct ks_credential *c = NULL;
  struct ks_error e;
  int wrapped = 0;
  build(f, "wrapped");
  assert_int_equal(ks_hostkey_wrapped(f->ks, &wrapped, &e), KS_OK);
  assert_int_equal(wrapped, 1);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", G_PASS, &c, &e), KS_OK);
  assert_true(strcmp(c->token, G_BEARER) == 0);
  ks_credential_free(c);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", "FAKE-wrong", &c, &e), KS_ERR_PASSPHRASE);
  assert_null(c);
}

static void golden_tampered_files_fail(void **state) {
  struct fx *f = *state;
  struct ks_credential *c = NULL;
  struct ks_error e;
  char p[512], rel[128];
  const struct {
    const char *file, *dst, *pass;
    ks_status want;
    const char *says;
  } cases[] = {
      {"bearer-magic.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "not a kkp keystore record"},
      {"bearer-version.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "format version 3"},
      {"bearer-kind.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "fails authentication"},
      {"bearer-plugin-length.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "was made for"},
      {"bearer-account-length.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "was made for"},
      {"bearer-created.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "fails authentication"},
      {"bearer-plugin.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "was made for plugin bircall"},
      {"bearer-account.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "was made for account aearer"},
      {"bearer-sealed-key.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "cannot be unsealed"},
      {"bearer-nonce.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "fails authentication"},
      {"bearer-ciphertext.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "fails authentication"},
      {"bearer-tag.tok", "aircall/bearer.tok", NULL, KS_ERR_CORRUPT, "fails authentication"},
      {"plain-host.key-secret", "host.key", NULL, KS_ERR_CORRUPT, "checksum mismatch"},
  };
  build(f, "plain");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    snprintf(rel, sizeof rel, "tampered/%s", cases[i].file);
    snprintf(p, sizeof p, "%s/%s", f->ks, cases[i].dst);
    put(rel, p);
    ks_status st = ks_credential_open(f->ks, "aircall", "bearer", cases[i].pass, &c, &e);
    if (st != cases[i].want || !strstr(e.message, cases[i].says))
      print_error("%s: got %s: %s\n", cases[i].file, ks_status_name(st), e.message);
    assert_int_equal(st, cases[i].want);
    assert_null(c);
    assert_non_null(strstr(e.message, cases[i].says));
    assert_null(strstr(e.message, G_BEARER));
    snprintf(rel, sizeof rel, "plain/%s", cases[i].dst);
    put(rel, p); /* back to the good file */
  }
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", NULL, &c, &e), KS_OK);
  ks_credential_free(c);

  /* A damaged host.pub stops add before anything is sealed to a wrong key. */
  snprintf(p, sizeof p, "%s/host.pub", f->ks);
  put("tampered/host.pub-key", p);
  struct ks_credential cred = {.kind = KS_KIND_BEARER, .token = G_BEARER};
  assert_int_equal(ks_record_add(f->ks, "aircall", "new", &cred, 0, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "checksum mismatch"));
}

static void golden_tampered_wrapped_keys_fail(void **state) {
  struct fx *f = *state;
  struct ks_credential *c = NULL;
  struct ks_error e;
  char p[512];
  build(f, "wrapped");
  snprintf(p, sizeof p, "%s/host.key", f->ks);
  put("tampered/wrapped-host.key-memlimit", p);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", G_PASS, &c, &e), KS_ERR_CORRUPT);
  assert_non_null(strstr(e.message, "out-of-range key derivation limits"));
  put("tampered/wrapped-host.key-salt", p);
  assert_int_equal(ks_credential_open(f->ks, "aircall", "bearer", G_PASS, &c, &e), KS_ERR_PASSPHRASE);
  assert_non_null(strstr(e.message, "wrong passphrase"));
  assert_null(strstr(e.message, G_PASS));
  assert_null(c);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(golden_plain_records_open, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(golden_wrapped_key_opens_with_its_passphrase, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(golden_tampered_files_fail, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(golden_tampered_wrapped_keys_fail, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests_name("keystore golden files", tests, NULL, NULL);
}
