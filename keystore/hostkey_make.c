/*
 * hostkey_make.c - writing the host key pair: `kkp-setup init` (a new pair, the
 * first one linked into place, a replacement published as one unit by
 * pair_replace.c) and `kkp-setup passwd` (host.key re-wrapped). Provisioning only
 * (libks_setup.a). Byte layout in hostkey.h and FORMAT.md.
 */
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/hostkey.h"
#include "keystore/internal.h"
#include "keystore/ks_setup.h"

/* The wrapped form into b (KEY_WRAP_LEN bytes, magic and version set): the limits
 * and a fresh salt and nonce in the header, the pair sealed under the key derived
 * from passphrase. */
static ks_status wrap_encode(const struct ks_hostkey *hk, const char *passphrase,
                             const struct ks_kdf_limits *limits, unsigned char *b, struct ks_error *err) {
  unsigned long long ops = limits ? limits->opslimit : crypto_pwhash_OPSLIMIT_MODERATE;
  size_t mem = limits ? limits->memlimit : crypto_pwhash_MEMLIMIT_MODERATE;
  if (!ks_hostkey_limits_ok(ops, mem))
    return ks_fail(err, KS_ERR_INVALID, "key derivation limits out of range (opslimit %llu, memlimit %zu)",
                   ops, mem);
  if (!*passphrase || strlen(passphrase) > KS_PASSPHRASE_MAX)
    return ks_fail(err, KS_ERR_INVALID, "the passphrase must be 1 to %d bytes", KS_PASSPHRASE_MAX);
  b[9] = PROT_ARGON2ID_XCHACHA;
  b[10] = crypto_pwhash_ALG_ARGON2ID13;
  ks_put_u64(b + 12, ops);
  ks_put_u64(b + 20, mem);
  randombytes_buf(b + 28, 16);
  randombytes_buf(b + 44, 24);
  unsigned char *wkey = ks_secret_alloc(32), *plain = ks_secret_alloc(64);
  ks_status st = wkey && plain ? ks_hostkey_derive(wkey, passphrase, b + 28, ops, mem, err)
                               : ks_fail(err, KS_ERR_NOMEM, "out of memory");
  if (st == KS_OK) {
    memcpy(plain, hk->sk, 32);
    memcpy(plain + 32, hk->pk, 32);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + KEY_WRAP_HDR, NULL, plain, 64, b, KEY_WRAP_HDR, NULL,
                                               b + 44, wkey);
  }
  ks_secret_free(wkey);
  ks_secret_free(plain);
  return st;
}

/* Encodes hk as host.key bytes into secret memory (it holds the secret when plain).
 * passphrase NULL writes the plain form. */
static ks_status key_encode(const struct ks_hostkey *hk, const char *passphrase,
                            const struct ks_kdf_limits *limits, unsigned char **out, size_t *out_len,
                            struct ks_error *err) {
  ks_status st = KS_OK;
  size_t len = passphrase ? KEY_WRAP_LEN : KEY_PLAIN_LEN;
  unsigned char *b = ks_secret_alloc(len);
  *out = NULL;
  if (!b) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  memset(b, 0, len);
  memcpy(b, KEY_MAGIC, 8);
  b[8] = KS_FORMAT_VERSION;
  if (!passphrase) {
    b[9] = PROT_PLAIN;
    memcpy(b + 12, hk->sk, 32);
    memcpy(b + 44, hk->pk, 32);
    ks_hostkey_checksum(b + KEY_PLAIN_LEN - CHECK_LEN, b, KEY_PLAIN_LEN - CHECK_LEN);
  } else {
    st = wrap_encode(hk, passphrase, limits, b, err);
  }
  if (st == KS_OK) {
    *out = b;
    *out_len = len;
    b = NULL;
  }
  ks_secret_free(b);
  return st;
}

static ks_status key_write(const char *dir, const struct ks_hostkey *hk, const char *passphrase,
                           const struct ks_kdf_limits *limits, int replace, struct ks_error *err) {
  unsigned char *b = NULL;
  size_t len = 0;
  ks_status st = key_encode(hk, passphrase, limits, &b, &len, err);
  if (st != KS_OK) return st;
  st = ks_file_write(dir, "host.key", b, len, replace, err);
  ks_secret_free(b);
  return st;
}

static ks_status exists(struct ks_error *err, const char *path) {
  return ks_fail(err, KS_ERR_EXISTS,
                 "%s already exists: the keystore is set up. To make a new host key use --force "
                 "to replace it (every record sealed to the old key must then be added again)",
                 path);
}

/* The first pair: host.key is linked, not renamed, so it never replaces one even
 * where there is no flock; host.key first, so there is never a pub without its key. */
static ks_status pair_create(const char *dir, const struct ks_hostkey *hk, const unsigned char *key,
                             size_t key_len, struct ks_error *err) {
  char path[4096];
  unsigned char pub[PUB_LEN];
  ks_status st = ks_file_write(dir, "host.key", key, key_len, 0, err);
  if (st == KS_ERR_EXISTS && ks_path(path, sizeof path, dir, "host.key", err) == KS_OK)
    return exists(err, path);
  if (st != KS_OK) return st;
  ks_hostpub_encode(hk, pub);
  return ks_file_write(dir, "host.pub", pub, sizeof pub, 1, err);
}

ks_status ks_hostkey_create(const char *dir, const char *passphrase, const struct ks_kdf_limits *limits,
                            int force, struct ks_error *err) {
  char path[4096];
  struct ks_hostkey *hk = NULL;
  unsigned char pub[PUB_LEN], *key = NULL;
  size_t key_len = 0;
  int lock = -1;
  ks_status st = ks_sodium_ready(err);
  if (st == KS_OK) st = ks_dir_make(dir, err);
  if (st != KS_OK) return st;
  /* Two inits at once must not each write half a pair: the lock serialises them. */
  lock = ks_pair_lock(dir);
  ks_temp_clean(dir);
  if ((st = ks_pair_settle(dir, err)) != KS_OK) goto out;
  if (!force) {
    const char *names[] = {"host.key", "host.pub"};
    for (int i = 0; i < 2; i++) {
      if ((st = ks_path(path, sizeof path, dir, names[i], err)) != KS_OK) goto out;
      if (access(path, F_OK) == 0) {
        st = exists(err, path);
        goto out;
      }
    }
  }
  hk = ks_secret_alloc(sizeof *hk);
  if (!hk) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
    goto out;
  }
  crypto_box_keypair(hk->pk, hk->sk);
  if ((st = key_encode(hk, passphrase, limits, &key, &key_len, err)) != KS_OK) goto out;
  if (!force) {
    st = pair_create(dir, hk, key, key_len, err);
  } else {
    /* Replacing: both files as one unit (pair_replace.c). */
    ks_hostpub_encode(hk, pub);
    st = ks_pair_publish(dir, key, key_len, pub, sizeof pub, err);
  }
out:
  ks_secret_free(key);
  ks_secret_free(hk);
  if (lock >= 0) close(lock); /* releases the flock */
  return st;
}

ks_status ks_hostkey_passwd(const char *dir, const char *old_passphrase, const char *new_passphrase,
                            const struct ks_kdf_limits *limits, struct ks_error *err) {
  struct ks_hostkey *hk = NULL;
  int lock = -1;
  ks_status st = ks_dir_check(dir, err);
  if (st != KS_OK) return st;
  /* With the lock and a settled pair, host.key is the key in force, and no init
   * can replace the pair between reading it and writing it back. */
  lock = ks_pair_lock(dir);
  ks_temp_clean(dir);
  if ((st = ks_pair_settle(dir, err)) == KS_OK &&
      (st = ks_hostkey_load(dir, old_passphrase, &hk, err)) == KS_OK)
    st = key_write(dir, hk, new_passphrase, limits, 1, err);
  ks_secret_free(hk);
  if (lock >= 0) close(lock);
  return st;
}
