/*
 * hostkey_open.c - reading host.key, plain or unwrapped with the passphrase
 * (Argon2id + XChaCha20-Poly1305): what opening a record needs, and the Argon2id
 * derivation that writing a wrapped host.key shares. Byte layout in hostkey.h.
 */
#include <string.h>

#include <sodium.h>

#include "keystore/hostkey.h"
#include "keystore/internal.h"

/* The fix every damaged host.key message ends with. */
static const char key_fix[] = "restore it from a backup or run `kkp-setup init --force` (and add every "
                              "record again)";

void ks_hostkey_checksum(unsigned char out[CHECK_LEN], const unsigned char *data, size_t len) {
  crypto_generichash(out, CHECK_LEN, data, len, NULL, 0);
}

int ks_hostkey_limits_ok(unsigned long long ops, size_t mem) {
  return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops <= KDF_OPS_MAX &&
         mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN && mem <= KDF_MEM_MAX;
}

ks_status ks_hostkey_derive(unsigned char *key, const char *passphrase, const unsigned char *salt,
                            unsigned long long ops, size_t mem, struct ks_error *err) {
  if (crypto_pwhash(key, 32, passphrase, strlen(passphrase), salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) !=
      0)
    return ks_fail(err, KS_ERR_NOMEM,
                   "not enough memory to derive the key from the passphrase (%zu bytes needed)", mem);
  return KS_OK;
}

static ks_status plain_decode(const char *path, const unsigned char *b, size_t len, struct ks_hostkey *hk,
                              struct ks_error *err) {
  unsigned char c[CHECK_LEN];
  if (len != KEY_PLAIN_LEN || b[10] || b[11])
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, key_fix);
  ks_hostkey_checksum(c, b, KEY_PLAIN_LEN - CHECK_LEN);
  if (sodium_memcmp(c, b + KEY_PLAIN_LEN - CHECK_LEN, CHECK_LEN) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (checksum mismatch): %s", path, key_fix);
  memcpy(hk->sk, b + 12, 32);
  memcpy(hk->pk, b + 44, 32);
  return KS_OK;
}

/* The wrapped form's header and the passphrase, checked before any costly work:
 * *ops and *mem get the stored Argon2id limits. */
static ks_status wrap_check(const char *path, const unsigned char *b, size_t len, const char *passphrase,
                            unsigned long long *ops, size_t *mem, struct ks_error *err) {
  if (len != KEY_WRAP_LEN || b[11])
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, key_fix);
  if (b[10] != crypto_pwhash_ALG_ARGON2ID13)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s names key derivation algorithm %u; only Argon2id (%d) is supported: %s", path, b[10],
                   crypto_pwhash_ALG_ARGON2ID13, key_fix);
  uint64_t m = ks_get_u64(b + 20);
  *ops = ks_get_u64(b + 12);
  if (!ks_hostkey_limits_ok(*ops, (size_t)m) || m > KDF_MEM_MAX)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s has out-of-range key derivation limits (opslimit %llu, memlimit %llu): %s", path, *ops,
                   (unsigned long long)m, key_fix);
  *mem = (size_t)m;
  if (passphrase && strlen(passphrase) > KS_PASSPHRASE_MAX)
    return ks_fail(err, KS_ERR_PASSPHRASE,
                   "the passphrase given for %s is longer than %d bytes, so it cannot be this keystore's "
                   "passphrase: check KKP_KEYSTORE_PASSPHRASE (or what the host was given)",
                   path, KS_PASSPHRASE_MAX);
  if (!passphrase || !*passphrase)
    return ks_fail(err, KS_ERR_PASSPHRASE,
                   "%s is protected by a passphrase and none was given: give the keystore "
                   "passphrase (KKP_KEYSTORE_PASSPHRASE, or the host asks for it)",
                   path);
  return KS_OK;
}

static ks_status wrapped_decode(const char *path, const unsigned char *b, size_t len, const char *passphrase,
                                struct ks_hostkey *hk, struct ks_error *err) {
  unsigned long long ops = 0, plen = 0;
  size_t mem = 0;
  ks_status st = wrap_check(path, b, len, passphrase, &ops, &mem, err);
  if (st != KS_OK) return st;
  unsigned char *wkey = ks_secret_alloc(32), *plain = ks_secret_alloc(64);
  if (!wkey || !plain) st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
  else st = ks_hostkey_derive(wkey, passphrase, b + 28, ops, mem, err);
  if (st == KS_OK &&
      (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, b + KEY_WRAP_HDR, len - KEY_WRAP_HDR, b,
                                                  KEY_WRAP_HDR, b + 44, wkey) != 0 ||
       plen != 64))
    /* A wrong passphrase and a damaged file are indistinguishable by design. */
    st = ks_fail(err, KS_ERR_PASSPHRASE,
                 "wrong passphrase for %s (or the file is damaged): check the passphrase; if it "
                 "is right, %s",
                 path, key_fix);
  if (st == KS_OK) {
    memcpy(hk->sk, plain, 32);
    memcpy(hk->pk, plain + 32, 32);
  }
  ks_secret_free(wkey);
  ks_secret_free(plain);
  return st;
}

static ks_status key_decode(const char *path, const unsigned char *b, size_t len, const char *passphrase,
                            struct ks_hostkey *hk, struct ks_error *err) {
  ks_status st;
  unsigned char derived[32];
  if (len < 12 || memcmp(b, KEY_MAGIC, 8) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host key: %s", path, key_fix);
  if (b[8] != KS_FORMAT_VERSION)
    return ks_fail(err, KS_ERR_CORRUPT, "%s has format version %u; this build reads version %u: %s", path,
                   b[8], KS_FORMAT_VERSION, key_fix);
  if (b[9] == PROT_PLAIN) st = plain_decode(path, b, len, hk, err);
  else if (b[9] == PROT_ARGON2ID_XCHACHA) st = wrapped_decode(path, b, len, passphrase, hk, err);
  else return ks_fail(err, KS_ERR_CORRUPT, "%s uses unknown protection %u: %s", path, b[9], key_fix);
  if (st != KS_OK) return st;
  /* The pair must agree, or records would be sealed to a key we cannot open with. */
  crypto_scalarmult_base(derived, hk->sk);
  if (sodium_memcmp(derived, hk->pk, 32) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT, "%s holds a secret key that does not match its public key: %s", path,
                 key_fix);
  sodium_memzero(derived, sizeof derived);
  return st;
}

ks_status ks_hostkey_load(const char *dir, const char *passphrase, struct ks_hostkey **out,
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
  else st = key_decode(path, b, len, passphrase, hk, err);
  if (st == KS_OK) {
    *out = hk;
    hk = NULL;
  }
  ks_secret_free(hk);
  ks_secret_free(b);
  return st;
}

ks_status ks_hostkey_wrapped(const char *dir, int *wrapped, struct ks_error *err) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0;
  *wrapped = 0;
  ks_status st = ks_sodium_ready(err);
  if (st == KS_OK) st = ks_dir_check(dir, err);
  if (st == KS_OK) st = ks_pair_read(dir, 1, path, sizeof path, &b, &len, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no host secret key in %s (host.key is missing): run `kkp-setup init`", dir);
  if (st != KS_OK) return st;
  if (len < 12 || memcmp(b, KEY_MAGIC, 8) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host key", path);
  else *wrapped = b[9] == PROT_ARGON2ID_XCHACHA;
  ks_secret_free(b);
  return st;
}
