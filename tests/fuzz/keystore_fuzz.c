/*
 * keystore_fuzz.c - libFuzzer target for the keystore's parsers, through their
 * public readers on real files: a record (<plugin>/<account>.tok, also as the
 * listing sees it), host.pub and host.key. Byte 0 picks which file the rest is:
 *   0: a record file as it is (header parser; the seal fails on random bytes);
 *   1: a record's sealed plaintext: sealed here to the scratch host key with a
 *      valid header, so the credential decoder itself gets the fuzz bytes;
 *   2: host.pub; 3: host.key (read without a passphrase);
 *   4: host.key read with a passphrase, when its key derivation is cheap.
 * Every reader must answer KS_OK or an error with a message, never crash or leak.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/internal.h"
#include "tests/fuzz/fuzz_util.h"

static char ks[300], loose[300], rec[400], pub[400], key[400];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  snprintf(ks, sizeof ks, "%s", fuzz_keystore());
  snprintf(rec, sizeof rec, "%s/aircall/%s.tok", ks, FUZZ_ACCOUNT);
  /* A second keystore whose host.pub / host.key are replaced by each input. */
  fuzz_path(loose, sizeof loose, "loose");
  struct ks_error err;
  if (ks_hostkey_create(loose, NULL, NULL, 0, &err) != KS_OK) abort();
  snprintf(pub, sizeof pub, "%s/host.pub", loose);
  snprintf(key, sizeof key, "%s/host.key", loose);
  return sodium_init() < 0 ? -1 : 0;
}

static void check(ks_status st, const struct ks_error *err) {
  if (st != KS_OK && err->message[0] == '\0') abort(); /* every failure says why */
}

static void open_record(void) {
  struct ks_credential *c = NULL;
  struct ks_error err = {{0}};
  ks_status st = ks_credential_open(ks, "aircall", FUZZ_ACCOUNT, NULL, &c, &err);
  check(st, &err);
  if (st == KS_OK) {
    /* What the reader hands out is what the writer would accept. */
    const char *s = c->kind == KS_KIND_BASIC ? c->api_id : c->token;
    if (!s || !*s || (c->kind == KS_KIND_BASIC && (!c->api_token || !*c->api_token))) abort();
  }
  ks_credential_free(c);
  struct ks_record_info *infos = NULL;
  size_t n = 0;
  err.message[0] = '\0';
  st = ks_records_list(ks, &infos, &n, &err);
  check(st, &err);
  ks_records_free(infos);
}

/* A record whose sealed plaintext is the input: header, sealed key, nonce, AEAD. */
static void seal_record(const uint8_t *plain, size_t len, ks_kind kind) {
  static const char magic[8] = "KKPKSTOK";
  unsigned char pk[32], rkey[32], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  struct ks_error err;
  size_t pl = strlen("aircall"), al = strlen(FUZZ_ACCOUNT), hl = 20 + pl + al;
  size_t sealed = crypto_box_SEALBYTES + 32,
         flen = hl + sealed + sizeof nonce + len + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (flen > KS_FILE_MAX) return;
  if (ks_hostpub_load(ks, pk, &err) != KS_OK) abort();
  unsigned char *f = calloc(1, flen);
  if (!f) abort();
  memcpy(f, magic, 8);
  f[8] = KS_FORMAT_VERSION, f[9] = (unsigned char)kind, f[10] = (unsigned char)pl, f[11] = (unsigned char)al;
  ks_put_u64(f + 12, 1767225600u);
  memcpy(f + 20, "aircall", pl);
  memcpy(f + 20 + pl, FUZZ_ACCOUNT, al);
  randombytes_buf(rkey, sizeof rkey);
  randombytes_buf(nonce, sizeof nonce);
  crypto_box_seal(f + hl, rkey, sizeof rkey, pk);
  memcpy(f + hl + sealed, nonce, sizeof nonce);
  crypto_aead_xchacha20poly1305_ietf_encrypt(f + hl + sealed + sizeof nonce, NULL, plain, len, f, hl, NULL,
                                             nonce, rkey);
  fuzz_put(rec, f, flen);
  free(f);
}

/* Whether host.key bytes name a wrapped key whose derivation is cheap enough to run
 * per input (the reader accepts up to 16 passes over 256 MiB, seconds each). */
static int cheap_kdf(const uint8_t *b, size_t len) {
  return len >= 28 && b[9] == 1 && ks_get_u64(b + 12) <= 2 && ks_get_u64(b + 20) <= 64 * 1024;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > KS_FILE_MAX) return 0;
  struct ks_error err = {{0}};
  const uint8_t *b = data + 1;
  size_t len = size - 1;
  switch (data[0] % 5) {
  case 0:
    fuzz_put(rec, b, len);
    open_record();
    break;
  case 1:
    if (len < 1) return 0;
    seal_record(b + 1, len - 1, b[0] & 1 ? KS_KIND_BASIC : KS_KIND_BEARER);
    open_record();
    break;
  case 2: {
    unsigned char pk[32];
    fuzz_put(pub, b, len);
    check(ks_hostpub_load(loose, pk, &err), &err);
    break;
  }
  default: {
    struct ks_hostkey *hk = NULL;
    int wrapped = 0;
    const char *pass = data[0] % 5 == 4 && cheap_kdf(b, len) ? "fuzz passphrase" : NULL;
    fuzz_put(key, b, len);
    check(ks_hostkey_load(loose, pass, &hk, &err), &err);
    if (hk) sodium_free(hk);
    err.message[0] = '\0';
    check(ks_hostkey_wrapped(loose, &wrapped, &err), &err);
    break;
  }
  }
  return 0;
}
