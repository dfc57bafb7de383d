/*
 * hostkey.c - the host's X25519 key pair: host.pub (all that provisioning needs)
 * and host.key, plain or wrapped with a passphrase (Argon2id + XChaCha20-Poly1305).
 * Byte layouts are in FORMAT.md; keep the two in step.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"

#define PUB_MAGIC "KKPKSPUB"
#define KEY_MAGIC "KKPKSKEY"
#define PUB_LEN 60       /* magic 8, version 1, reserved 3, pk 32, check 16 */
#define KEY_PLAIN_LEN 92 /* magic 8, version 1, protection 1, reserved 2, sk 32, pk 32, check 16 */
#define KEY_WRAP_HDR                                                                                         \
  68 /* magic 8, version 1, protection 1, alg 1, reserved 1, ops 8, mem 8,                                   \
        salt 16, nonce 24 */
#define KEY_WRAP_LEN (KEY_WRAP_HDR + 64 + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define PROT_PLAIN 0
#define PROT_ARGON2ID_XCHACHA 1
#define CHECK_LEN 16

/* The reader's bounds on stored KDF parameters: a damaged or hostile host.key must
 * not make us allocate gigabytes or spin for minutes before the tag check fails. */
#define KDF_OPS_MAX 16ULL
#define KDF_MEM_MAX ((size_t)crypto_pwhash_MEMLIMIT_MODERATE)

static void checksum(unsigned char out[CHECK_LEN], const unsigned char *data, size_t len) {
  crypto_generichash(out, CHECK_LEN, data, len, NULL, 0);
}

static ks_status pub_decode(const char *path, const unsigned char *b, size_t len, unsigned char pk[32],
                            struct ks_error *err) {
  unsigned char c[CHECK_LEN];
  const char *fix = "restore it from a backup or run `kkp-setup init --force` (records sealed to "
                    "the old key must then be added again)";
  if (len != PUB_LEN || memcmp(b, PUB_MAGIC, 8) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host public key: %s", path, fix);
  if (b[8] != KS_FORMAT_VERSION)
    return ks_fail(err, KS_ERR_CORRUPT, "%s has format version %u; this build reads version %u: %s", path,
                   b[8], KS_FORMAT_VERSION, fix);
  checksum(c, b, PUB_LEN - CHECK_LEN);
  if (b[9] || b[10] || b[11] || sodium_memcmp(c, b + PUB_LEN - CHECK_LEN, CHECK_LEN) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (checksum mismatch): %s", path, fix);
  memcpy(pk, b + 12, 32);
  return KS_OK;
}

ks_status ks_hostpub_load(const char *dir, unsigned char pk[32], struct ks_error *err) {
  char path[4096];
  unsigned char *b = NULL;
  size_t len = 0;
  ks_status st = ks_sodium_ready(err);
  if (st == KS_OK) st = ks_dir_check(dir, err);
  if (st != KS_OK) return st;
  st = ks_pair_read(dir, 0, path, sizeof path, &b, &len, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no host key in %s (host.pub is missing): run `kkp-setup init`", dir);
  if (st != KS_OK) return st;
  st = pub_decode(path, b, len, pk, err);
  sodium_free(b);
  return st;
}

static int limits_ok(unsigned long long ops, size_t mem) {
  return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops <= KDF_OPS_MAX &&
         mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN && mem <= KDF_MEM_MAX;
}

/* Derives the 32-byte wrapping key; key must be sodium_malloc'd by the caller. */
static ks_status derive(unsigned char *key, const char *passphrase, const unsigned char *salt,
                        unsigned long long ops, size_t mem, struct ks_error *err) {
  if (crypto_pwhash(key, 32, passphrase, strlen(passphrase), salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) !=
      0)
    return ks_fail(err, KS_ERR_NOMEM,
                   "not enough memory to derive the key from the passphrase (%zu bytes needed)", mem);
  return KS_OK;
}

static ks_status key_decode(const char *path, const unsigned char *b, size_t len, const char *passphrase,
                            struct ks_hostkey *hk, struct ks_error *err) {
  ks_status st = KS_OK;
  unsigned char *wkey = NULL, *plain = NULL, c[CHECK_LEN], derived[32];
  const char *fix = "restore it from a backup or run `kkp-setup init --force` (and add every "
                    "record again)";
  if (len < 12 || memcmp(b, KEY_MAGIC, 8) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is not a kkp host key: %s", path, fix);
  if (b[8] != KS_FORMAT_VERSION)
    return ks_fail(err, KS_ERR_CORRUPT, "%s has format version %u; this build reads version %u: %s", path,
                   b[8], KS_FORMAT_VERSION, fix);
  if (b[9] == PROT_PLAIN) {
    if (len != KEY_PLAIN_LEN || b[10] || b[11])
      return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, fix);
    checksum(c, b, KEY_PLAIN_LEN - CHECK_LEN);
    if (sodium_memcmp(c, b + KEY_PLAIN_LEN - CHECK_LEN, CHECK_LEN) != 0)
      return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (checksum mismatch): %s", path, fix);
    memcpy(hk->sk, b + 12, 32);
    memcpy(hk->pk, b + 44, 32);
  } else if (b[9] == PROT_ARGON2ID_XCHACHA) {
    if (len != KEY_WRAP_LEN || b[11])
      return ks_fail(err, KS_ERR_CORRUPT, "%s is damaged (bad length or header): %s", path, fix);
    if (b[10] != crypto_pwhash_ALG_ARGON2ID13)
      return ks_fail(err, KS_ERR_CORRUPT,
                     "%s names key derivation algorithm %u; only Argon2id (%d) is supported: %s", path, b[10],
                     crypto_pwhash_ALG_ARGON2ID13, fix);
    unsigned long long ops = ks_get_u64(b + 12);
    uint64_t mem = ks_get_u64(b + 20);
    if (!limits_ok(ops, (size_t)mem) || mem > KDF_MEM_MAX)
      return ks_fail(err, KS_ERR_CORRUPT,
                     "%s has out-of-range key derivation limits (opslimit %llu, memlimit %llu): %s", path,
                     ops, (unsigned long long)mem, fix);
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
    wkey = sodium_malloc(32);
    plain = sodium_malloc(64);
    if (!wkey || !plain) {
      st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
      goto out;
    }
    if ((st = derive(wkey, passphrase, b + 28, ops, (size_t)mem, err)) != KS_OK) goto out;
    unsigned long long plen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, b + KEY_WRAP_HDR, len - KEY_WRAP_HDR,
                                                   b, KEY_WRAP_HDR, b + 44, wkey) != 0 ||
        plen != 64) {
      /* A wrong passphrase and a damaged file are indistinguishable by design. */
      st = ks_fail(err, KS_ERR_PASSPHRASE,
                   "wrong passphrase for %s (or the file is damaged): check the passphrase; if it "
                   "is right, %s",
                   path, fix);
      goto out;
    }
    memcpy(hk->sk, plain, 32);
    memcpy(hk->pk, plain + 32, 32);
  } else {
    return ks_fail(err, KS_ERR_CORRUPT, "%s uses unknown protection %u: %s", path, b[9], fix);
  }
  /* The pair must agree, or records would be sealed to a key we cannot open with. */
  crypto_scalarmult_base(derived, hk->sk);
  if (sodium_memcmp(derived, hk->pk, 32) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT, "%s holds a secret key that does not match its public key: %s", path,
                 fix);
out:
  sodium_memzero(derived, sizeof derived);
  if (wkey) sodium_free(wkey);
  if (plain) sodium_free(plain);
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
  hk = sodium_malloc(sizeof *hk);
  if (!hk) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
    goto out;
  }
  st = key_decode(path, b, len, passphrase, hk, err);
  if (st == KS_OK) {
    *out = hk;
    hk = NULL;
  }
out:
  if (hk) sodium_free(hk);
  sodium_free(b);
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
  sodium_free(b);
  return st;
}

/* Encodes hk as host.key bytes into a sodium_malloc'd buffer (it holds the secret
 * when plain). passphrase NULL writes the plain form. */
static ks_status key_encode(const struct ks_hostkey *hk, const char *passphrase,
                            const struct ks_kdf_limits *limits, unsigned char **out, size_t *out_len,
                            struct ks_error *err) {
  ks_status st = KS_OK;
  unsigned char *b = NULL, *wkey = NULL, *plain = NULL;
  size_t len = passphrase ? KEY_WRAP_LEN : KEY_PLAIN_LEN;
  *out = NULL;
  b = sodium_malloc(len);
  if (!b) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  memset(b, 0, len);
  memcpy(b, KEY_MAGIC, 8);
  b[8] = KS_FORMAT_VERSION;
  if (!passphrase) {
    b[9] = PROT_PLAIN;
    memcpy(b + 12, hk->sk, 32);
    memcpy(b + 44, hk->pk, 32);
    checksum(b + KEY_PLAIN_LEN - CHECK_LEN, b, KEY_PLAIN_LEN - CHECK_LEN);
  } else {
    unsigned long long ops = limits ? limits->opslimit : crypto_pwhash_OPSLIMIT_MODERATE;
    size_t mem = limits ? limits->memlimit : crypto_pwhash_MEMLIMIT_MODERATE;
    if (!limits_ok(ops, mem)) {
      st = ks_fail(err, KS_ERR_INVALID, "key derivation limits out of range (opslimit %llu, memlimit %zu)",
                   ops, mem);
      goto out;
    }
    if (!*passphrase || strlen(passphrase) > KS_PASSPHRASE_MAX) {
      st = ks_fail(err, KS_ERR_INVALID, "the passphrase must be 1 to %d bytes", KS_PASSPHRASE_MAX);
      goto out;
    }
    b[9] = PROT_ARGON2ID_XCHACHA;
    b[10] = crypto_pwhash_ALG_ARGON2ID13;
    ks_put_u64(b + 12, ops);
    ks_put_u64(b + 20, mem);
    randombytes_buf(b + 28, 16);
    randombytes_buf(b + 44, 24);
    wkey = sodium_malloc(32);
    plain = sodium_malloc(64);
    if (!wkey || !plain) {
      st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
      goto out;
    }
    if ((st = derive(wkey, passphrase, b + 28, ops, mem, err)) != KS_OK) goto out;
    memcpy(plain, hk->sk, 32);
    memcpy(plain + 32, hk->pk, 32);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + KEY_WRAP_HDR, NULL, plain, 64, b, KEY_WRAP_HDR, NULL,
                                               b + 44, wkey);
  }
  *out = b;
  *out_len = len;
  b = NULL;
out:
  if (b) sodium_free(b);
  if (wkey) sodium_free(wkey);
  if (plain) sodium_free(plain);
  return st;
}

static ks_status key_write(const char *dir, const struct ks_hostkey *hk, const char *passphrase,
                           const struct ks_kdf_limits *limits, int replace, struct ks_error *err) {
  unsigned char *b = NULL;
  size_t len = 0;
  ks_status st = key_encode(hk, passphrase, limits, &b, &len, err);
  if (st != KS_OK) return st;
  st = ks_file_write(dir, "host.key", b, len, replace, err);
  sodium_free(b);
  return st;
}

static ks_status exists(struct ks_error *err, const char *path) {
  return ks_fail(err, KS_ERR_EXISTS,
                 "%s already exists: the keystore is set up. To make a new host key use --force "
                 "to replace it (every record sealed to the old key must then be added again)",
                 path);
}

static void pub_encode(const struct ks_hostkey *hk, unsigned char pub[PUB_LEN]) {
  memset(pub, 0, PUB_LEN);
  memcpy(pub, PUB_MAGIC, 8);
  pub[8] = KS_FORMAT_VERSION;
  memcpy(pub + 12, hk->pk, 32);
  checksum(pub + PUB_LEN - CHECK_LEN, pub, PUB_LEN - CHECK_LEN);
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
  pub_encode(hk, pub);
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
  hk = sodium_malloc(sizeof *hk);
  if (!hk) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
    goto out;
  }
  crypto_box_keypair(hk->pk, hk->sk);
  if ((st = key_encode(hk, passphrase, limits, &key, &key_len, err)) != KS_OK) goto out;
  if (!force) {
    st = pair_create(dir, hk, key, key_len, err);
  } else {
    /* Replacing: both files as one unit (pair_files.c). */
    pub_encode(hk, pub);
    st = ks_pair_publish(dir, key, key_len, pub, sizeof pub, err);
  }
out:
  if (key) sodium_free(key);
  if (hk) sodium_free(hk);
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
  if (hk) sodium_free(hk);
  if (lock >= 0) close(lock);
  return st;
}
