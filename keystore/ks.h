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
  char *token;     /* KS_KIND_BEARER: the OAuth token; NULL otherwise */
  char *api_id;    /* KS_KIND_BASIC: the API id; NULL otherwise */
  char *api_token; /* KS_KIND_BASIC: the API token; NULL otherwise */
  long long created; /* UNIX seconds, from the record's header */
};

/* Error text: every ks_ function that can fail fills one of these with a message
 * that names the problem and the fix. Never contains a secret. */
struct ks_error {
  char message[512];
};

/* Writes the keystore folder into buf: $KKP_KEYSTORE, else $KOSMO_HOME/keystore,
 * else $HOME/.kosmokrator/keystore. Returns KS_OK or KS_ERR_INVALID (too long). */
ks_status ks_dir_default(char *buf, size_t cap, struct ks_error *err);

/* 1 when name matches [A-Za-z0-9._-]{1,64} and is not "." or "..", else 0. */
int ks_name_valid(const char *name);

/* Opens plugin/account from the keystore at dir. passphrase may be NULL when
 * host.key is not wrapped. On KS_OK *out is the credential (caller frees with
 * ks_credential_free). */
ks_status ks_credential_open(const char *dir, const char *plugin, const char *account,
                             const char *passphrase, struct ks_credential **out,
                             struct ks_error *err);
void ks_credential_free(struct ks_credential *cred);

/* Lists the accounts that have a record for plugin, sorted. On KS_OK *names is
 * an array of *count strings (caller frees with ks_names_free). A keystore with
 * no folder for plugin gives KS_OK and zero names. */
ks_status ks_account_list(const char *dir, const char *plugin, char ***names, size_t *count,
                          struct ks_error *err);
void ks_names_free(char **names, size_t count);

#endif
