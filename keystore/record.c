/*
 * record.c - one sealed credential per plugin and account (<plugin>/<account>.tok):
 * a random record key sealed to host.pub, the credential under XChaCha20-Poly1305
 * with the plaintext header as associated data. Layout in FORMAT.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/record.h"

#define REC_MAGIC "KKPKSTOK"
#define SEALED_LEN (crypto_box_SEALBYTES + 32)
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

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

/* Why the secret is refused, or NULL: the reason never quotes the secret itself. */
static const char *secret_problem(const char *s) {
  if (!s || !*s) return "is empty";
  size_t n = strlen(s);
  if (n > KS_SECRET_MAX) return "is longer than 4096 bytes";
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return "contains a control character";
  return NULL;
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

/* The credential's fingerprint: BLAKE2b-64 of the encoded plaintext, keyed with a
 * key derived from host.pub, so the same token in two keystores does not match and
 * `list` can show it without any secret. It names the credential, never reveals it. */
static void fingerprint(const unsigned char pk[32], const unsigned char *plain, size_t plen,
                        unsigned char out[REC_FP_LEN]) {
  unsigned char key[crypto_generichash_KEYBYTES];
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, sizeof key);
  crypto_generichash_update(&st, (const unsigned char *)"kkp credential fingerprint", 26);
  crypto_generichash_update(&st, pk, 32);
  crypto_generichash_final(&st, key, sizeof key);
  crypto_generichash(out, REC_FP_LEN, plain, plen, key, sizeof key);
  sodium_memzero(key, sizeof key);
}

/* When the record for plugin/account was first added: its header's date when a
 * readable record is there (add --force keeps it), else now. */
static long long first_added(const char *pdir, const char *name, const char *plugin, const char *account,
                             long long now) {
  char path[4200];
  unsigned char *b = NULL;
  size_t len = 0;
  struct ks_record_header h;
  struct ks_error e;
  long long when = now;
  snprintf(path, sizeof path, "%s/%s", pdir, name);
  if (ks_file_read(path, KS_MODE_SECRET, &b, &len, &e) != KS_OK) return now;
  if (ks_record_header_parse(b, len, &h, &e) == KS_OK && strcmp(h.plugin, plugin) == 0 &&
      strcmp(h.account, account) == 0 && h.created > 0 && h.created <= now)
    when = h.created;
  sodium_free(b);
  return when;
}

/* Plaintext: each field as u16 little-endian length + bytes; bearer has one field
 * (token), basic two (api_id, api_token). */
static ks_status encode_plain(const struct ks_credential *c, unsigned char **out, size_t *len,
                              struct ks_error *err) {
  const char *f[2];
  int nf = c->kind == KS_KIND_BASIC ? 2 : 1;
  f[0] = c->kind == KS_KIND_BASIC ? c->api_id : c->token;
  f[1] = c->api_token;
  const char *what[2] = {c->kind == KS_KIND_BASIC ? "the API id" : "the token", "the API token"};
  size_t total = 0;
  for (int i = 0; i < nf; i++) {
    const char *p = secret_problem(f[i]);
    if (p) return ks_fail(err, KS_ERR_INVALID, "%s %s: give a non-empty one-line value", what[i], p);
    total += 2 + strlen(f[i]);
  }
  unsigned char *b = sodium_malloc(total);
  if (!b) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  size_t o = 0;
  for (int i = 0; i < nf; i++) {
    size_t n = strlen(f[i]);
    ks_put_u16(b + o, (unsigned)n);
    memcpy(b + o + 2, f[i], n);
    o += 2 + n;
  }
  *out = b;
  *len = total;
  return KS_OK;
}

static char *secret_dup(const unsigned char *p, size_t n) {
  char *s = sodium_malloc(n + 1);
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
  /* sodium_free wipes before releasing. */
  if (cred->token) sodium_free(cred->token);
  if (cred->api_id) sodium_free(cred->api_id);
  if (cred->api_token) sodium_free(cred->api_token);
  sodium_free(cred);
}

static ks_status check_names(const char *plugin, const char *account, struct ks_error *err) {
  if (!kkp_plugin_name_valid(plugin))
    return ks_fail(err, KS_ERR_INVALID, "invalid plugin name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 _ -",
                   plugin ? plugin : "");
  if (!ks_name_valid(account))
    return ks_fail(err, KS_ERR_INVALID,
                   "invalid account name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 . _ - (not . or ..)",
                   account ? account : "");
  return KS_OK;
}

ks_status ks_record_add(const char *dir, const char *plugin, const char *account,
                        const struct ks_credential *cred, int force, struct ks_error *err) {
  ks_status st;
  unsigned char pk[32];
  unsigned char *plain = NULL, *rkey = NULL, *file = NULL;
  size_t plen = 0, flen = 0;
  char pdir[4096], name[KS_NAME_MAX + 8];
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  if ((st = check_names(plugin, account, err)) != KS_OK) return st;
  if (!cred || !ks_kind_name(cred->kind))
    return ks_fail(err, KS_ERR_INVALID, "unknown credential kind: use bearer or basic");
  if ((st = ks_hostpub_load(dir, pk, err)) != KS_OK) return st;
  if ((st = encode_plain(cred, &plain, &plen, err)) != KS_OK) return st;
  if ((st = ks_path(pdir, sizeof pdir, dir, plugin, err)) != KS_OK) goto out;
  if ((st = ks_dir_make(pdir, err)) != KS_OK) goto out;
  ks_temp_clean(pdir);
  snprintf(name, sizeof name, "%s.tok", account);

  size_t pl = strlen(plugin), al = strlen(account);
  size_t hl = REC_HDR_FIXED + pl + al;
  flen = hl + SEALED_LEN + NONCE_LEN + plen + TAG_LEN;
  file = sodium_malloc(flen);
  rkey = sodium_malloc(32);
  if (!file || !rkey) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
    goto out;
  }
  memset(file, 0, flen);
  memcpy(file, REC_MAGIC, 8);
  file[8] = REC_VERSION;
  file[9] = (unsigned char)cred->kind;
  file[10] = (unsigned char)pl;
  file[11] = (unsigned char)al;
  long long now = (long long)time(NULL);
  ks_put_u64(file + 12, (uint64_t)(force ? first_added(pdir, name, plugin, account, now) : now));
  ks_put_u64(file + 20, (uint64_t)now);
  fingerprint(pk, plain, plen, file + 28);
  memcpy(file + REC_HDR_FIXED, plugin, pl);
  memcpy(file + REC_HDR_FIXED + pl, account, al);
  crypto_aead_xchacha20poly1305_ietf_keygen(rkey);
  if (crypto_box_seal(file + hl, rkey, 32, pk) != 0) {
    st = ks_fail(err, KS_ERR_CORRUPT, "host.pub in %s holds an unusable key: run `kkp-setup init --force`",
                 dir);
    goto out;
  }
  unsigned char *nonce = file + hl + SEALED_LEN;
  randombytes_buf(nonce, NONCE_LEN);
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + NONCE_LEN, NULL, plain, plen, file, hl, NULL, nonce,
                                             rkey);
  st = ks_file_write(pdir, name, file, flen, force, err);
  if (st == KS_ERR_EXISTS)
    st = ks_fail(err, st, "a record for %s account %s already exists: use --force to replace it", plugin,
                 account);
out:
  if (plain) sodium_free(plain);
  if (rkey) sodium_free(rkey);
  if (file) sodium_free(file);
  return st;
}

ks_status ks_credential_open(const char *dir, const char *plugin, const char *account, const char *passphrase,
                             struct ks_credential **out, struct ks_error *err) {
  ks_status st;
  char pdir[4096], path[4096], name[KS_NAME_MAX + 8];
  unsigned char *file = NULL, *rkey = NULL, *plain = NULL;
  size_t flen = 0;
  struct ks_hostkey *hk = NULL;
  struct ks_credential *c = NULL;
  struct ks_record_header h;
  if (out) *out = NULL;
  if (!dir || !out) return ks_fail(err, KS_ERR_INVALID, "ks_credential_open: dir and out are required");
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  if ((st = check_names(plugin, account, err)) != KS_OK) return st;
  char again[256];
  snprintf(again, sizeof again, "kkp-setup add %s --account %s --force", plugin, account);
  if ((st = ks_dir_check(dir, err)) != KS_OK) return st;
  if ((st = ks_path(pdir, sizeof pdir, dir, plugin, err)) != KS_OK) return st;
  snprintf(name, sizeof name, "%s.tok", account);
  if ((st = ks_path(path, sizeof path, pdir, name, err)) != KS_OK) return st;
  st = ks_dir_check(pdir, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no record for %s account %s in %s: run `kkp-setup add %s --account %s`", plugin,
                   account, dir, plugin, account);
  if (st != KS_OK) return st;
  st = ks_file_read(path, KS_MODE_SECRET, &file, &flen, err);
  if (st == KS_ERR_NOT_FOUND)
    return ks_fail(err, st, "no record for %s account %s in %s: run `kkp-setup add %s --account %s`", plugin,
                   account, dir, plugin, account);
  if (st != KS_OK) return st;

  struct ks_error herr;
  if (ks_record_header_parse(file, flen, &h, &herr) != KS_OK) {
    st = ks_fail(err, KS_ERR_CORRUPT, "%s: %s: add it again with `%s`", path, herr.message, again);
    goto out;
  }
  /* A record copied or renamed is refused before any key is touched; the AD check
   * below would refuse it too, but this says which name it was made for. */
  if (strcmp(h.plugin, plugin) != 0 || strcmp(h.account, account) != 0) {
    if (strcmp(h.account, account) != 0)
      st = ks_fail(err, KS_ERR_CORRUPT,
                   "%s: the record for account %s was made for account %s: add it again with "
                   "`%s`",
                   path, account, h.account, again);
    else
      st = ks_fail(err, KS_ERR_CORRUPT,
                   "%s: the record for plugin %s was made for plugin %s: add it again with `%s`", path,
                   plugin, h.plugin, again);
    goto out;
  }
  if ((st = ks_hostkey_load(dir, passphrase, &hk, err)) != KS_OK) goto out;
  rkey = sodium_malloc(32);
  size_t clen = flen - h.header_len - SEALED_LEN - NONCE_LEN;
  plain = sodium_malloc(clen);
  c = sodium_malloc(sizeof *c);
  if (!rkey || !plain || !c) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory");
    goto out;
  }
  memset(c, 0, sizeof *c);
  if (crypto_box_seal_open(rkey, file + h.header_len, SEALED_LEN, hk->pk, hk->sk) != 0) {
    st = ks_fail(err, KS_ERR_CORRUPT,
                 "%s cannot be unsealed: it is damaged or was sealed to another host key: add it "
                 "again with `%s`",
                 path, again);
    goto out;
  }
  const unsigned char *nonce = file + h.header_len + SEALED_LEN;
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, nonce + NONCE_LEN, clen, file,
                                                 h.header_len, nonce, rkey) != 0) {
    st =
        ks_fail(err, KS_ERR_CORRUPT,
                "%s fails authentication: it is damaged or was altered: add it again with `%s`", path, again);
    goto out;
  }
  c->kind = h.kind;
  c->created = h.created;
  st = decode_plain(plain, (size_t)plen, h.kind, c);
  if (st == KS_ERR_NOMEM) st = ks_fail(err, st, "out of memory");
  else if (st == KS_ERR_INVALID)
    st = ks_fail(err, KS_ERR_CORRUPT,
                 "%s holds a credential with a control character (a CR or LF would add a line to every "
                 "request's headers), so it is refused: add it again with `%s`",
                 path, again);
  else if (st != KS_OK)
    st = ks_fail(err, KS_ERR_CORRUPT, "%s holds a malformed credential: add it again with `%s`", path, again);
  if (st == KS_OK) {
    *out = c;
    c = NULL;
  }
out:
  ks_credential_free(c);
  if (hk) sodium_free(hk);
  if (rkey) sodium_free(rkey);
  if (plain) sodium_free(plain);
  if (file) sodium_free(file);
  return st;
}

ks_status ks_record_remove(const char *dir, const char *plugin, const char *account, struct ks_error *err) {
  ks_status st;
  char pdir[4096], path[4096], name[KS_NAME_MAX + 8];
  if ((st = check_names(plugin, account, err)) != KS_OK) return st;
  if ((st = ks_dir_check(dir, err)) != KS_OK) return st;
  if ((st = ks_path(pdir, sizeof pdir, dir, plugin, err)) != KS_OK) return st;
  snprintf(name, sizeof name, "%s.tok", account);
  if ((st = ks_path(path, sizeof path, pdir, name, err)) != KS_OK) return st;
  if (unlink(path) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return ks_fail(err, KS_ERR_NOT_FOUND,
                     "no record for %s account %s in %s: `kkp-setup list` shows the records", plugin, account,
                     dir);
    return ks_fail(err, KS_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
  }
  ks_temp_clean(pdir);
  return ks_dir_sync(pdir, err);
}
