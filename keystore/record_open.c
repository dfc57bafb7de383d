/*
 * record_open.c - opening a credential (plugins): the record read and its header
 * checked, its key unsealed with host.key, the credential decrypted and checked.
 * The runtime's only decryption; kkp-host and kkp-setup do not link it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/record.h"

static char *secret_dup(const unsigned char *p, size_t n) {
  char *s = ks_secret_alloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = 0;
  }
  return s;
}
static int has_control(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x20 || p[i] == 0x7f) return 1;
  return 0;
}

/* KS_ERR_INVALID: a field holds a control character. The tag proves who sealed the
 * record, not that its bytes are safe: a CR or LF in a token would end the
 * Authorization header and start another one on the wire. */
static ks_status decode_plain(const unsigned char *b, size_t len, ks_kind kind, struct ks_credential *c) {
  int nf = kind == KS_KIND_BASIC ? 2 : 1;
  char *f[2] = {NULL, NULL};
  size_t o = 0;
  for (int i = 0; i < nf; i++) {
    if (len - o < 2) return KS_ERR_CORRUPT;
    size_t n = ks_get_u16(b + o);
    if (n < 1 || n > KS_SECRET_MAX || n > len - o - 2) return KS_ERR_CORRUPT;
    if (has_control(b + o + 2, n)) return KS_ERR_INVALID;
    f[i] = secret_dup(b + o + 2, n);
    if (!f[i]) return KS_ERR_NOMEM;
    if (kind == KS_KIND_BASIC) *(i == 0 ? &c->api_id : &c->api_token) = f[i];
    else c->token = f[i];
    o += 2 + n;
  }
  return o == len ? KS_OK : KS_ERR_CORRUPT;
}

void ks_credential_free(struct ks_credential *cred) {
  if (!cred) return;
  ks_secret_free(cred->token);
  ks_secret_free(cred->api_id);
  ks_secret_free(cred->api_token);
  ks_secret_free(cred);
}

/* What opening is about: the names asked for, the record's path, and the command
 * that makes a good record again (every fix of a bad record names it). */
struct rec_ref {
  const char *dir, *plugin, *account;
  char path[4096];
  char again[256];
};

/* Reads the record's file: NOT_FOUND names the `kkp-setup add` that makes it. */
static ks_status record_read(struct rec_ref *r, unsigned char **file, size_t *flen, struct ks_error *err) {
  char pdir[4096], name[KS_NAME_MAX + 8];
  ks_status st = ks_dir_check(r->dir, err);
  if (st == KS_OK) st = ks_path(pdir, sizeof pdir, r->dir, r->plugin, err);
  if (st != KS_OK) return st;
  snprintf(name, sizeof name, "%s.tok", r->account);
  if ((st = ks_path(r->path, sizeof r->path, pdir, name, err)) != KS_OK) return st;
  st = ks_dir_check(pdir, err);
  if (st == KS_OK) st = ks_file_read(r->path, KS_MODE_SECRET, file, flen, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no record for %s account %s in %s: run `kkp-setup add %s --account %s`",
                   r->plugin, r->account, r->dir, r->plugin, r->account);
  return st;
}

/* The header parses and names the plugin and account asked for. A record copied or
 * renamed is refused before any key is touched; the AD check would refuse it too,
 * but this says which name it was made for. */
static ks_status header_check(const struct rec_ref *r, const unsigned char *file, size_t flen,
                              struct ks_record_header *h, struct ks_error *err) {
  struct ks_error herr;
  if (ks_record_header_parse(file, flen, h, &herr) != KS_OK)
    return ks_fail(err, KS_ERR_CORRUPT, "%s: %s: add it again with `%s`", r->path, herr.message, r->again);
  if (strcmp(h->account, r->account) != 0)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s: the record for account %s was made for account %s: add it again with "
                   "`%s`",
                   r->path, r->account, h->account, r->again);
  if (strcmp(h->plugin, r->plugin) != 0)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s: the record for plugin %s was made for plugin %s: add it again with `%s`", r->path,
                   r->plugin, h->plugin, r->again);
  return KS_OK;
}

/* Unseals the record key with the host key and decrypts the credential into plain
 * (room for the ciphertext's length); *plen is its length. */
static ks_status unseal(const struct rec_ref *r, const unsigned char *file, size_t flen,
                        const struct ks_record_header *h, const struct ks_hostkey *hk, unsigned char *plain,
                        unsigned long long *plen, struct ks_error *err) {
  size_t clen = flen - h->header_len - SEALED_LEN - NONCE_LEN;
  const unsigned char *nonce = file + h->header_len + SEALED_LEN;
  unsigned char *rkey = ks_secret_alloc(32);
  ks_status st = KS_OK;
  if (!rkey) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  if (crypto_box_seal_open(rkey, file + h->header_len, SEALED_LEN, hk->pk, hk->sk) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT,
                 "%s cannot be unsealed: it is damaged or was sealed to another host key: add it "
                 "again with `%s`",
                 r->path, r->again);
  else if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, plen, NULL, nonce + NONCE_LEN, clen, file,
                                                      h->header_len, nonce, rkey) != 0)
    st = ks_fail(err, KS_ERR_CORRUPT,
                 "%s fails authentication: it is damaged or was altered: add it again with `%s`", r->path,
                 r->again);
  ks_secret_free(rkey);
  return st;
}

/* The credential out of the decrypted bytes, or why it is refused. */
static ks_status credential_make(const struct rec_ref *r, const struct ks_record_header *h,
                                 const unsigned char *plain, size_t plen, struct ks_credential **out,
                                 struct ks_error *err) {
  struct ks_credential *c = ks_secret_alloc(sizeof *c);
  if (!c) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  memset(c, 0, sizeof *c);
  c->kind = h->kind;
  c->created = h->created;
  ks_status st = decode_plain(plain, plen, h->kind, c);
  if (st == KS_OK) {
    *out = c;
    return KS_OK;
  }
  ks_credential_free(c);
  if (st == KS_ERR_NOMEM) return ks_fail(err, st, "out of memory");
  if (st == KS_ERR_INVALID)
    return ks_fail(err, KS_ERR_CORRUPT,
                   "%s holds a credential with a control character (a CR or LF would add a line to every "
                   "request's headers), so it is refused: add it again with `%s`",
                   r->path, r->again);
  return ks_fail(err, KS_ERR_CORRUPT, "%s holds a malformed credential: add it again with `%s`", r->path,
                 r->again);
}

static ks_status credential_open(const char *dir, const char *plugin, const char *account,
                                 const struct ks_unlock *how, struct ks_credential **out,
                                 struct ks_error *err) {
  struct rec_ref r = {.dir = dir, .plugin = plugin, .account = account};
  unsigned char *file = NULL, *plain = NULL;
  unsigned long long plen = 0;
  size_t flen = 0;
  struct ks_hostkey *hk = NULL;
  struct ks_record_header h;
  ks_status st;
  if (out) *out = NULL;
  if (!dir || !out) return ks_fail(err, KS_ERR_INVALID, "ks_credential_open: dir and out are required");
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  if ((st = ks_names_check(plugin, account, err)) != KS_OK) return st;
  snprintf(r.again, sizeof r.again, "kkp-setup add %s --account %s --force", plugin, account);
  if ((st = record_read(&r, &file, &flen, err)) != KS_OK) return st;
  st = header_check(&r, file, flen, &h, err);
  if (st == KS_OK) st = ks_hostkey_open(dir, how, &hk, err);
  if (st == KS_OK && !(plain = ks_secret_alloc(flen - h.header_len - SEALED_LEN - NONCE_LEN)))
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
  if (st == KS_OK) st = unseal(&r, file, flen, &h, hk, plain, &plen, err);
  if (st == KS_OK) st = credential_make(&r, &h, plain, (size_t)plen, out, err);
  ks_secret_free(hk);
  ks_secret_free(plain);
  ks_secret_free(file);
  return st;
}

ks_status ks_credential_open(const char *dir, const char *plugin, const char *account, const char *passphrase,
                             struct ks_credential **out, struct ks_error *err) {
  struct ks_unlock how = {.passphrase = passphrase};
  return credential_open(dir, plugin, account, &how, out, err);
}

ks_status ks_credential_open_unlocked(const char *dir, const char *plugin, const char *account,
                                      const struct ks_unlock_key *key, struct ks_credential **out,
                                      struct ks_error *err) {
  struct ks_unlock how = {.key = key};
  if (out) *out = NULL;
  if (!key) return ks_fail(err, KS_ERR_INVALID, "ks_credential_open_unlocked: key is required");
  return credential_open(dir, plugin, account, &how, out, err);
}
