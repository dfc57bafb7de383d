/*
 * hostkey_open.c - reading host.key, plain or unwrapped (XChaCha20-Poly1305) with
 * the key derived from the passphrase or given by the host (unlock.c): what opening
 * a record needs. Byte layout in hostkey.h.
 */
#include <string.h>

#include <sodium.h>

#include "keystore/hostkey.h"
#include "keystore/internal.h"

void ks_hostkey_checksum(unsigned char out[CHECK_LEN], const unsigned char *data, size_t len) {
  crypto_generichash(out, CHECK_LEN, data, len, NULL, 0);
}

static ks_status plain_decode(const char *path, const unsigned char *b, size_t len, struct ks_hostkey *hk,
                              struct ks_error *err) {
  unsigned char c[CHECK_LEN];
  if (len != KEY_PLAIN_LEN || b[10] || b[11])
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, KS_HOSTKEY_FIX);
  ks_hostkey_checksum(c, b, KEY_PLAIN_LEN - CHECK_LEN);
  if (sodium_memcmp(c, b + KEY_PLAIN_LEN - CHECK_LEN, CHECK_LEN) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (checksum mismatch): %s", path, KS_HOSTKEY_FIX);
  memcpy(hk->sk, b + 12, 32);
  memcpy(hk->pk, b + 44, 32);
  return KS_OK;
}

/* The unwrapping key: the host's (ks_unlock), when it was made for this host.key's
 * salt, or derived here from the passphrase. */
static ks_status wrap_key(const char *path, const unsigned char *b, size_t len, const struct ks_unlock *how,
                          unsigned char *wkey, struct ks_error *err) {
  unsigned long long ops = 0;
  size_t mem = 0;
  ks_status st = ks_hostkey_wrap_header(path, b, len, &ops, &mem, err);
  if (st != KS_OK) return st;
  if (how->key) {
    if (sodium_memcmp(how->key->salt, b + 28, sizeof how->key->salt) != 0)
      return ks_fail(err, KS_ERR_STALE_KEY,
                     "the unlock key given for %s was made for another host.key (replaced or re-wrapped "
                     "since): give the passphrase instead",
                     path);
    memcpy(wkey, how->key->key, 32);
    return KS_OK;
  }
  if ((st = ks_hostkey_passphrase_check(path, how->passphrase, err)) != KS_OK) return st;
  return ks_hostkey_derive(wkey, how->passphrase, b + 28, ops, mem, err);
}

static ks_status wrapped_decode(const char *path, const unsigned char *b, size_t len,
                                const struct ks_unlock *how, struct ks_hostkey *hk, struct ks_error *err) {
  unsigned long long plen = 0;
  ks_status st;
  unsigned char *wkey = ks_secret_alloc(32), *plain = ks_secret_alloc(64);
  if (!wkey || !plain) st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
  else st = wrap_key(path, b, len, how, wkey, err);
  if (st == KS_OK &&
      (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, b + KEY_WRAP_HDR, len - KEY_WRAP_HDR, b,
                                                  KEY_WRAP_HDR, b + 44, wkey) != 0 ||
       plen != 64))
    /* A wrong passphrase and a damaged file are indistinguishable by design. */
    st = ks_fail(err, KS_ERR_PASSPHRASE,
                 "wrong passphrase for %s (or the file is damaged): check the passphrase; if it "
                 "is right, %s",
                 path, KS_HOSTKEY_FIX);
  if (st == KS_OK) {
    memcpy(hk->sk, plain, 32);
    memcpy(hk->pk, plain + 32, 32);
  }
  ks_secret_free(wkey);
  ks_secret_free(plain);
  return st;
}

static ks_status key_decode(const char *path, const unsigned char *b, size_t len, const struct ks_unlock *how,
                            struct ks_hostkey *hk, struct ks_error *err) {
  ks_status st;
  unsigned char derived[32];
  if (len < 12 || memcmp(b, KEY_MAGIC, 8) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host key: %s", path, KS_HOSTKEY_FIX);
  if (b[8] != KS_FORMAT_VERSION)
    return ks_fail(err, KS_ERR_CORRUPT, "%s has format version %u; this build reads version %u: %s", path,
                   b[8], KS_FORMAT_VERSION, KS_HOSTKEY_FIX);
  if (b[9] == PROT_PLAIN) st = plain_decode(path, b, len, hk, err);
  else if (b[9] == PROT_ARGON2ID_XCHACHA) st = wrapped_decode(path, b, len, how, hk, err);
  else return ks_fail(err, KS_ERR_CORRUPT, "%s uses unknown protection %u: %s", path, b[9], KS_HOSTKEY_FIX);
  if (st != KS_OK) return st;
  /* The pair must agree, or records would be sealed to a key we cannot open with. */
  crypto_scalarmult_base(derived, hk->sk);
  if (sodium_memcmp(derived, hk->pk, 32) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT, "%s holds a secret key that does not match its public key: %s", path,
                 KS_HOSTKEY_FIX);
  sodium_memzero(derived, sizeof derived);
  return st;
}

ks_status ks_hostkey_load(const char *dir, const char *passphrase, struct ks_hostkey **out,
                          struct ks_error *err) {
  struct ks_unlock how = {.passphrase = passphrase};
  return ks_hostkey_open(dir, &how, out, err);
}

ks_status ks_hostkey_open(const char *dir, const struct ks_unlock *how, struct ks_hostkey **out,
                          struct ks_error *err) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0;
  struct ks_hostkey *hk = NULL;
  *out = NULL;
  ks_status st = ks_sodium_ready(err);
  if (st == KS_OK) st = ks_dir_check(dir, err);
  if (st != KS_OK) return st;
  st = ks_pair_read(dir, 1, path, sizeof path, &b, &len, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st,
                   "no host secret key in %s (host.key is missing): copy it back, or run "
                   "`kkp-setup init --force` and add every record again",
                   dir);
  if (st != KS_OK) return st;
  if (!(hk = ks_secret_alloc(sizeof *hk))) st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
  else st = key_decode(path, b, len, how, hk, err);
  if (st == KS_OK) {
    *out = hk;
    hk = NULL;
  }
  ks_secret_free(hk);
  ks_secret_free(b);
  return st;
}
