/*
 * ks_setup.h - the keystore's provisioning API: creating the host key pair, changing
 * its passphrase, sealing and removing records, listing every record's header. Only
 * kkp-setup (and tests) use it; it lives in libks_setup.a, so plugins and kkp-host,
 * which link libks.a alone, carry no sealing or provisioning code (checked by
 * tests/keystore/trust_boundary_test.sh). Every function returns KS_OK or an error
 * in err, like those of ks.h.
 */
#ifndef KS_SETUP_H
#define KS_SETUP_H

#include "keystore/ks.h"

/* Argon2id cost for wrapping host.key. NULL everywhere means libsodium's MODERATE
 * limits (3 passes, 256 MiB). The reader accepts opslimit 1..16 and memlimit
 * 8 KiB..256 MiB, since the values come from the file. */
struct ks_kdf_limits {
  unsigned long long opslimit;
  size_t memlimit;
};

/* Creates dir (0700) if needed and a new host key pair in it: host.pub and host.key,
 * wrapped with passphrase when it is not NULL, else plain. KS_ERR_EXISTS when a host
 * key is already there and force is 0. */
ks_status ks_hostkey_create(const char *dir, const char *passphrase, const struct ks_kdf_limits *limits,
                            int force, struct ks_error *err);

/* Re-writes host.key: opened with old_passphrase (NULL when plain), written wrapped
 * with new_passphrase, or plain when new_passphrase is NULL. */
ks_status ks_hostkey_passwd(const char *dir, const char *old_passphrase, const char *new_passphrase,
                            const struct ks_kdf_limits *limits, struct ks_error *err);

/* Seals cred (kind and its strings; cred->created is ignored) to host.pub as
 * <dir>/<plugin>/<account>.tok, with now as the replaced date and as the added date
 * (with force, an existing record's added date is kept), and a fingerprint. Needs only host.pub.
 * KS_ERR_EXISTS when the record exists and force is 0. Secrets: 1..4096 bytes, no control characters. */
ks_status ks_record_add(const char *dir, const char *plugin, const char *account,
                        const struct ks_credential *cred, int force, struct ks_error *err);

/* Deletes <dir>/<plugin>/<account>.tok. KS_ERR_NOT_FOUND when there is none. */
ks_status ks_record_remove(const char *dir, const char *plugin, const char *account, struct ks_error *err);

/* One record as seen from its plaintext header (no secret is read). status is
 * KS_OK, or why the file cannot be used (problem then says what to do). */
struct ks_record_info {
  char plugin[65];
  char account[65];
  ks_kind kind;
  long long created;    /* when first added (UNIX seconds) */
  long long replaced;   /* when last sealed; = created until `add --force` replaces it */
  char fingerprint[17]; /* 16 hex digits of a keyed hash of the credential; "" for old records */
  ks_status status;
  char problem[512];
};

/* Every record of every plugin, sorted by plugin then account. On KS_OK *out is an
 * array of *count entries (caller frees with ks_records_free); records that fail
 * are listed with their status, they do not fail the call. Reads headers only. */
ks_status ks_records_list(const char *dir, struct ks_record_info **out, size_t *count, struct ks_error *err);
void ks_records_free(struct ks_record_info *infos);

#endif
