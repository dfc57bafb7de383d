/*
 * ks.h - the keystore's runtime API: a host key pair and one sealed credential per
 * plugin and account (docs/SPEC.md §5, FORMAT.md). What plugins (open a credential)
 * and hosts (list accounts, read a passphrase) use; linked statically and hidden.
 * Provisioning (create keys, seal, remove) is in ks_setup.h, for kkp-setup alone.
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
  KS_ERR_NOMEM,
  KS_ERR_STALE_KEY /* an unlock key made for another host.key (replaced or re-wrapped since) */
} ks_status;

typedef enum { KS_KIND_BEARER = 1, KS_KIND_BASIC = 2 } ks_kind;

/* An opened credential. The struct and every string in it live in secret memory
 * (ks_secret_alloc); release with ks_credential_free, which wipes it. */
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

/* "ok", "invalid", "not_found", "permission", "corrupt", "passphrase", "exists",
 * "io", "nomem": a stable word for logs and test output. */
const char *ks_status_name(ks_status st);

/* *wrapped = 1 when host.key needs a passphrase, else 0. */
ks_status ks_hostkey_wrapped(const char *dir, int *wrapped, struct ks_error *err);

/* The key that unwraps a passphrase-wrapped host.key, and the salt of the host.key
 * it was derived for. Keep it in secret memory (ks_secret_alloc): it opens the
 * keystore as the passphrase does. */
struct ks_unlock_key {
  unsigned char salt[16];
  unsigned char key[32];
};
/* Its text form, "SALTHEX:KEYHEX" (97 characters and the NUL), as a host passes it
 * to a plugin (KKP_SECRET_KEYSTORE_KEY). */
#define KS_UNLOCK_TEXT_LEN 98

/* Derives the unwrapping key of dir's host.key from passphrase (Argon2id, the slow
 * part of opening), so a host that opens many accounts pays for it once. Decrypts
 * nothing. KS_ERR_INVALID when host.key is not wrapped; a wrong passphrase is found
 * only when the key is used. */
ks_status ks_unlock(const char *dir, const char *passphrase, struct ks_unlock_key *out, struct ks_error *err);
void ks_unlock_to_text(const struct ks_unlock_key *key, char out[KS_UNLOCK_TEXT_LEN]);
/* 1 when text is an unlock key's text form (then in *key), else 0. */
int ks_unlock_from_text(const char *text, struct ks_unlock_key *key);

/* As ks_credential_open, with host.key unwrapped by key (from ks_unlock) instead of
 * a passphrase. KS_ERR_STALE_KEY when the key is not this host.key's (it was replaced
 * or re-wrapped since): ask for the passphrase. KS_ERR_PASSPHRASE when it is and does
 * not open it: the passphrase it came from is wrong, and deriving again from the same
 * one would give the same key. */
ks_status ks_credential_open_unlocked(const char *dir, const char *plugin, const char *account,
                                      const struct ks_unlock_key *key, struct ks_credential **out,
                                      struct ks_error *err);

/* Memory for a keystore secret (a passphrase, a token, a copy of a credential):
 * guarded pages that are wiped when freed, so callers never reach for libsodium
 * themselves. ks_secret_alloc gives NULL when out of memory; ks_secret_dup copies a
 * string into such memory; ks_secret_free wipes and releases (NULL is a no-op);
 * ks_secret_wipe zeroes any buffer in a way the compiler does not drop. */
void *ks_secret_alloc(size_t size);
char *ks_secret_dup(const char *s);
void ks_secret_free(void *p);
void ks_secret_wipe(void *p, size_t size);

/* "bearer" or "basic" (NULL for another value); and back (0 when unknown). */
const char *ks_kind_name(ks_kind kind);
ks_kind ks_kind_from_name(const char *name);

#endif
