/*
 * hostkey.h - the byte layout of host.pub and host.key (FORMAT.md; keep the two in
 * step) and what reading them (hostkey_open.c, runtime) shares with writing them
 * (hostkey_make.c and hostkey_pub.c, provisioning). Private to keystore/.
 */
#ifndef KS_HOSTKEY_H
#define KS_HOSTKEY_H

#include <sodium.h>

#include "keystore/internal.h"

#define PUB_MAGIC "KKPKSPUB"
#define KEY_MAGIC "KKPKSKEY"
#define PUB_LEN 60       /* magic 8, version 1, reserved 3, pk 32, check 16 */
#define KEY_PLAIN_LEN 92 /* magic 8, version 1, protection 1, reserved 2, sk 32, pk 32, check 16 */
/* magic 8, version 1, protection 1, alg 1, reserved 1, ops 8, mem 8, salt 16, nonce 24 */
#define KEY_WRAP_HDR 68
#define KEY_WRAP_LEN (KEY_WRAP_HDR + 64 + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define PROT_PLAIN 0
#define PROT_ARGON2ID_XCHACHA 1
#define CHECK_LEN 16

/* The reader's bounds on stored KDF parameters: a damaged or hostile host.key must
 * not make us allocate gigabytes or spin for minutes before the tag check fails. */
#define KDF_OPS_MAX 16ULL
#define KDF_MEM_MAX ((size_t)crypto_pwhash_MEMLIMIT_MODERATE)

/* The fix every damaged host.key message ends with. */
#define KS_HOSTKEY_FIX "restore it from a backup or run `kkp-setup init --force` (and add every record again)"

/* The wrapped form's header (unlock.c): length, algorithm and the stored Argon2id
 * limits, which *ops and *mem get. KS_ERR_CORRUPT naming path and the fix. */
ks_status ks_hostkey_wrap_header(const char *path, const unsigned char *b, size_t len,
                                 unsigned long long *ops, size_t *mem, struct ks_error *err);

/* KS_ERR_PASSPHRASE when passphrase is missing, empty or too long to be one. */
ks_status ks_hostkey_passphrase_check(const char *path, const char *passphrase, struct ks_error *err);

/* The unkeyed BLAKE2b "check" of FORMAT.md over data. */
void ks_hostkey_checksum(unsigned char out[CHECK_LEN], const unsigned char *data, size_t len);

/* 1 when Argon2id limits are within what the reader accepts. */
int ks_hostkey_limits_ok(unsigned long long ops, size_t mem);

/* Derives the 32-byte wrapping key from passphrase; key must be secret memory. */
ks_status ks_hostkey_derive(unsigned char *key, const char *passphrase, const unsigned char *salt,
                            unsigned long long ops, size_t mem, struct ks_error *err);

/* host.pub's bytes for hk's public key (hostkey_pub.c). */
void ks_hostpub_encode(const struct ks_hostkey *hk, unsigned char pub[PUB_LEN]);

#endif
