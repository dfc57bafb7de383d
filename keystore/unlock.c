/*
 * unlock.c - host.key's plaintext header: whether it is wrapped, its Argon2id
 * parameters, and the unwrapping key derived from the passphrase (ks_unlock). A
 * host derives that key once per process and hands it to every account it opens,
 * so Argon2id (about 0.7 s, 256 MiB) runs once, not once per account. Deriving the
 * key decrypts nothing: the host key stays sealed until a plugin opens a record
 * (hostkey_open.c), so kkp-host links this file and no opening code.
 */
#include <string.h>

#include <sodium.h>

#include "keystore/hostkey.h"
#include "keystore/internal.h"

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

ks_status ks_hostkey_wrap_header(const char *path, const unsigned char *b, size_t len,
                                 unsigned long long *ops, size_t *mem, struct ks_error *err) {
  if (len != KEY_WRAP_LEN || b[11])
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, KS_HOSTKEY_FIX);
  if (b[10] != crypto_pwhash_ALG_ARGON2ID13)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s names key derivation algorithm %u; only Argon2id (%d) is supported: %s", path, b[10],
                   crypto_pwhash_ALG_ARGON2ID13, KS_HOSTKEY_FIX);
  uint64_t m = ks_get_u64(b + 20);
  *ops = ks_get_u64(b + 12);
  if (!ks_hostkey_limits_ok(*ops, (size_t)m) || m > KDF_MEM_MAX)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s has out-of-range key derivation limits (opslimit %llu, memlimit %llu): %s", path, *ops,
                   (unsigned long long)m, KS_HOSTKEY_FIX);
  *mem = (size_t)m;
  return KS_OK;
}

ks_status ks_hostkey_passphrase_check(const char *path, const char *passphrase, struct ks_error *err) {
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

/* Reads host.key's bytes (as the pair's journal says) into secret memory. */
static ks_status key_file(const char *dir, char *path, size_t cap, unsigned char **b, size_t *len,
                          struct ks_error *err) {
  ks_status st = ks_sodium_ready(err);
  if (st == KS_OK) st = ks_dir_check(dir, err);
  if (st == KS_OK) st = ks_pair_read(dir, 1, path, cap, b, len, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no host secret key in %s (host.key is missing): run `kkp-setup init`", dir);
  if (st == KS_OK && (*len < 12 || memcmp(*b, KEY_MAGIC, 8) != 0))
    st = ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host key", path);
  return st;
}

ks_status ks_hostkey_wrapped(const char *dir, int *wrapped, struct ks_error *err) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0;
  *wrapped = 0;
  ks_status st = key_file(dir, path, sizeof path, &b, &len, err);
  if (st == KS_OK) *wrapped = b[9] == PROT_ARGON2ID_XCHACHA;
  ks_secret_free(b);
  return st;
}

ks_status ks_unlock(const char *dir, const char *passphrase, struct ks_unlock_key *out,
                    struct ks_error *err) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0, mem = 0;
  unsigned long long ops = 0;
  ks_status st = key_file(dir, path, sizeof path, &b, &len, err);
  if (st == KS_OK && (b[8] != KS_FORMAT_VERSION || b[9] != PROT_ARGON2ID_XCHACHA))
    st = ks_fail(err, KS_ERR_INVALID, "%s is not wrapped with a passphrase (format %u, protection %u)", path,
                 b[8], b[9]);
  if (st == KS_OK) st = ks_hostkey_wrap_header(path, b, len, &ops, &mem, err);
  if (st == KS_OK) st = ks_hostkey_passphrase_check(path, passphrase, err);
  if (st == KS_OK) st = ks_hostkey_derive(out->key, passphrase, b + 28, ops, mem, err);
  if (st == KS_OK) memcpy(out->salt, b + 28, sizeof out->salt);
  ks_secret_free(b);
  return st;
}

void ks_unlock_to_text(const struct ks_unlock_key *key, char out[KS_UNLOCK_TEXT_LEN]) {
  sodium_bin2hex(out, 33, key->salt, sizeof key->salt);
  out[32] = ':';
  sodium_bin2hex(out + 33, 65, key->key, sizeof key->key);
}

int ks_unlock_from_text(const char *text, struct ks_unlock_key *key) {
  size_t got = 0;
  if (!text || strlen(text) != KS_UNLOCK_TEXT_LEN - 1 || text[32] != ':') return 0;
  if (sodium_hex2bin(key->salt, sizeof key->salt, text, 32, NULL, &got, NULL) != 0 || got != sizeof key->salt)
    return 0;
  if (sodium_hex2bin(key->key, sizeof key->key, text + 33, 64, NULL, &got, NULL) != 0 ||
      got != sizeof key->key)
    return 0;
  return 1;
}
