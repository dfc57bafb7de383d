/*
 * hostkey_pub.c - host.pub, the host's public key: all that sealing a record needs,
 * so `kkp-setup add` works where host.key is wrapped or absent. Provisioning only
 * (libks_setup.a): opening a record needs host.key alone.
 */
#include <string.h>

#include <sodium.h>

#include "keystore/hostkey.h"
#include "keystore/internal.h"

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
  ks_hostkey_checksum(c, b, PUB_LEN - CHECK_LEN);
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
  ks_secret_free(b);
  return st;
}

void ks_hostpub_encode(const struct ks_hostkey *hk, unsigned char pub[PUB_LEN]) {
  memset(pub, 0, PUB_LEN);
  memcpy(pub, PUB_MAGIC, 8);
  pub[8] = KS_FORMAT_VERSION;
  memcpy(pub + 12, hk->pk, 32);
  ks_hostkey_checksum(pub + PUB_LEN - CHECK_LEN, pub, PUB_LEN - CHECK_LEN);
}
