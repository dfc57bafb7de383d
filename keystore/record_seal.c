/*
 * record_seal.c - sealing a credential (`kkp-setup add`): a random record key sealed
 * to host.pub, the credential under XChaCha20-Poly1305 with the plaintext header as
 * associated data; and removing a record. Provisioning only (libks_setup.a): needs
 * host.pub, never host.key. Layout in FORMAT.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/ks_setup.h"
#include "keystore/record.h"

/* Why the secret is refused, or NULL: the reason never quotes the secret itself. */
static const char *secret_problem(const char *s) {
  if (!s || !*s) return "is empty";
  size_t n = strlen(s);
  if (n > KS_SECRET_MAX) return "is longer than 4096 bytes";
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return "contains a control character";
  return NULL;
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

ks_status ks_record_add(const char *dir, const char *plugin, const char *account,
                        const struct ks_credential *cred, int force, struct ks_error *err) {
  ks_status st;
  unsigned char pk[32];
  unsigned char *plain = NULL, *rkey = NULL, *file = NULL;
  size_t plen = 0, flen = 0;
  char pdir[4096], name[KS_NAME_MAX + 8];
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  if ((st = ks_names_check(plugin, account, err)) != KS_OK) return st;
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

ks_status ks_record_remove(const char *dir, const char *plugin, const char *account, struct ks_error *err) {
  ks_status st;
  char pdir[4096], path[4096], name[KS_NAME_MAX + 8];
  if ((st = ks_names_check(plugin, account, err)) != KS_OK) return st;
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
