/*
 * ks.h - the keystore: a host key pair and one sealed credential per plugin and
 * account (SPEC §5, FORMAT.md). Linked into plugins (static, hidden) and kkp-setup.
 */
#ifndef KS_H
#define KS_H

#include <stddef.h>

typedef enum {
  KS_OK = 0,
  KS_ERR_INVALID,    /* bad argument: account name, plugin name, empty secret */
  KS_ERR_NOT_FOUND,  /* no keystore, no host key, no such record */
  KS_ERR_PERMISSION, /* a folder or key file others can read or write */
  KS_ERR_CORRUPT,    /* a file that fails its format or authentication checks */
  KS_ERR_PASSPHRASE, /* host.key is wrapped and the passphrase is missing or wrong */
  KS_ERR_EXISTS,     /* the record exists and force was not given */
  KS_ERR_IO,         /* a system call failed */
  KS_ERR_NOMEM
} ks_status;

typedef enum { KS_KIND_BEARER = 1, KS_KIND_BASIC = 2 } ks_kind;

/* An opened credential. The struct and every string in it live in
 * sodium_malloc'd memory; release with ks_credential_free, which wipes it. */
struct ks_credential {
  ks_kind kind;
  char *token;       /* KS_KIND_BEARER: the OAuth token; NULL otherwise */
  char *api_id;      /* KS_KIND_BASIC: the API id; NULL otherwise */
  char *api_token;   /* KS_KIND_BASIC: the API token; NULL otherwise */
  long long created; /* UNIX seconds, from the record's header */
};

/* The longest keystore passphrase, in bytes: kkp-setup refuses a longer one, the
 * library refuses to try one, and plugins and hosts size their buffers with it. */
#define KS_PASSPHRASE_MAX 4096

/* Error text: every ks_ function that can fail fills one of these with a message
 * that names the problem and the fix. Never contains a secret. */
struct ks_error {
  char message[512];
};

/* Writes the keystore folder into buf: $KKP_KEYSTORE, else $KOSMO_HOME/keystore,
 * else $HOME/.kosmokrator/keystore. Returns KS_OK or KS_ERR_INVALID (too long). */
ks_status ks_dir_default(char *buf, size_t cap, struct ks_error *err);

/* 1 when an account name matches [A-Za-z0-9._-]{1,64} and is not "." or "..", else 0.
 * (Plugin names follow kkp_plugin_name_valid in plugin.h: no dot.) */
int ks_name_valid(const char *name);

/* Opens plugin/account from the keystore at dir. passphrase may be NULL when
 * host.key is not wrapped. On KS_OK *out is the credential (caller frees with
 * ks_credential_free). */
ks_status ks_credential_open(const char *dir, const char *plugin, const char *account, const char *passphrase,
                             struct ks_credential **out, struct ks_error *err);
void ks_credential_free(struct ks_credential *cred);

/* Lists the accounts that have a record for plugin, sorted. On KS_OK *names is
 * an array of *count strings (caller frees with ks_names_free). A keystore with
 * no folder for plugin gives KS_OK and zero names. */
ks_status ks_account_list(const char *dir, const char *plugin, char ***names, size_t *count,
                          struct ks_error *err);
void ks_names_free(char **names, size_t count);

/* ---- Added for kkp-setup, tests and callers that provision (all KS_OK or an error
 * in err, like the functions above). ---- */

/* "ok", "invalid", "not_found", "permission", "corrupt", "passphrase", "exists",
 * "io", "nomem": a stable word for logs and test output. */
const char *ks_status_name(ks_status st);

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

/* *wrapped = 1 when host.key needs a passphrase, else 0. */
ks_status ks_hostkey_wrapped(const char *dir, int *wrapped, struct ks_error *err);

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
 * are listed with their status, they do not fail the call. */
ks_status ks_records_list(const char *dir, struct ks_record_info **out, size_t *count, struct ks_error *err);
void ks_records_free(struct ks_record_info *infos);

/* "bearer" or "basic" (NULL for another value); and back (0 when unknown). */
const char *ks_kind_name(ks_kind kind);
ks_kind ks_kind_from_name(const char *name);

#endif
