/*
 * record_header.c - a record's plaintext header (FORMAT.md): the credential kind,
 * the names it was made for, its dates and fingerprint. Read by opening and listing
 * alike; no key is needed and no secret is touched.
 */
#include <string.h>

#include "keystore/internal.h"
#include "keystore/record.h"

const char *ks_kind_name(ks_kind kind) {
  switch (kind) {
  case KS_KIND_BEARER: return "bearer";
  case KS_KIND_BASIC: return "basic";
  }
  return NULL;
}

ks_kind ks_kind_from_name(const char *name) {
  if (name && strcmp(name, "bearer") == 0) return KS_KIND_BEARER;
  if (name && strcmp(name, "basic") == 0) return KS_KIND_BASIC;
  return (ks_kind)0;
}

ks_status ks_record_header_parse(const unsigned char *b, size_t len, struct ks_record_header *h,
                                 struct ks_error *err) {
  memset(h, 0, sizeof *h);
  if (len < REC_HDR_FIXED_V1 || memcmp(b, REC_MAGIC, 8) != 0)
    return ks_fail(err, KS_ERR_CORRUPT, "not a kkp keystore record");
  if (b[8] != REC_VERSION_1 && b[8] != REC_VERSION)
    return ks_fail(err, KS_ERR_CORRUPT, "format version %u; this build reads versions %u and %u", b[8],
                   REC_VERSION_1, REC_VERSION);
  size_t fixed = b[8] == REC_VERSION ? REC_HDR_FIXED : REC_HDR_FIXED_V1;
  if (!ks_kind_name((ks_kind)b[9])) return ks_fail(err, KS_ERR_CORRUPT, "unknown credential kind %u", b[9]);
  unsigned pl = b[10], al = b[11];
  if (pl < 1 || pl > KS_NAME_MAX || al < 1 || al > KS_NAME_MAX ||
      len < fixed + pl + al + SEALED_LEN + NONCE_LEN + TAG_LEN + 3)
    return ks_fail(err, KS_ERR_CORRUPT, "damaged header (name lengths %u/%u, file %zu bytes)", pl, al, len);
  h->kind = (ks_kind)b[9];
  h->created = h->replaced = (long long)ks_get_u64(b + 12);
  if (b[8] == REC_VERSION) {
    h->replaced = (long long)ks_get_u64(b + 20);
    memcpy(h->fingerprint, b + 28, REC_FP_LEN);
    h->has_fingerprint = 1;
  }
  memcpy(h->plugin, b + fixed, pl);
  memcpy(h->account, b + fixed + pl, al);
  h->header_len = fixed + pl + al;
  if (!kkp_plugin_name_valid(h->plugin) || !ks_name_valid(h->account))
    return ks_fail(err, KS_ERR_CORRUPT, "damaged header (invalid plugin or account name)");
  return KS_OK;
}
