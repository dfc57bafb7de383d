/*
 * record.h - a record's layout and its plaintext header, shared by record_header.c
 * (parse), record_open.c (open), record_seal.c (add) and listing.c (list without
 * any secret). Private to keystore/. Layout in FORMAT.md.
 */
#ifndef KS_RECORD_H
#define KS_RECORD_H

#include <sodium.h>

#include "keystore/internal.h"

/* Record format versions: 1 (FORMAT.md, still read) and 2, written since, whose header
 * adds when the record was last replaced and a fingerprint of the credential. */
#define REC_VERSION_1 1
#define REC_VERSION 2
/* v1: magic 8, version 1, kind 1, plugin length 1, account length 1, created 8 */
#define REC_HDR_FIXED_V1 20
/* v2: the same, then replaced 8, fingerprint 8 */
#define REC_HDR_FIXED 36
#define REC_FP_LEN 8
#define REC_MAGIC "KKPKSTOK"
/* After the header: the record key sealed to host.pub, a nonce, the ciphertext and its tag. */
#define SEALED_LEN (crypto_box_SEALBYTES + 32)
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

struct ks_record_header {
  ks_kind kind;
  long long created;
  long long replaced; /* v1: = created */
  unsigned char fingerprint[REC_FP_LEN];
  int has_fingerprint; /* 0 for v1 records */
  char plugin[KS_NAME_MAX + 1];
  char account[KS_NAME_MAX + 1];
  size_t header_len; /* bytes of header, = the associated data */
};

/* Parses and validates the header of a record file's bytes. KS_ERR_CORRUPT with a
 * short reason (no path, no fix: callers add those). */
ks_status ks_record_header_parse(const unsigned char *b, size_t len, struct ks_record_header *h,
                                 struct ks_error *err);

#endif
