/*
 * record.h - the plaintext header of a record, shared by record.c (open, add) and
 * listing.c (list without any secret). Private to keystore/.
 */
#ifndef KS_RECORD_H
#define KS_RECORD_H

#include "keystore/internal.h"

/* magic 8, version 1, kind 1, plugin length 1, account length 1, created 8 */
#define REC_HDR_FIXED 20

struct ks_record_header {
  ks_kind kind;
  long long created;
  char plugin[KS_NAME_MAX + 1];
  char account[KS_NAME_MAX + 1];
  size_t header_len; /* bytes of header, = the associated data */
};

/* Parses and validates the header of a record file's bytes. KS_ERR_CORRUPT with a
 * short reason (no path, no fix: callers add those). */
ks_status ks_record_header_parse(const unsigned char *b, size_t len, struct ks_record_header *h,
                                 struct ks_error *err);

#endif
