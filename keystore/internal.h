/*
 * internal.h - declarations shared by the keystore's own files (not by its users):
 * error filling, little-endian codecs, the secure file layer (file_read.c for the
 * runtime side, atomic_file.c for provisioning) and the host key pair's files.
 */
#ifndef KS_INTERNAL_H
#define KS_INTERNAL_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "keystore/ks.h"
#include "plugin.h"

#define KS_FORMAT_VERSION 1
#define KS_NAME_MAX 64
/* Longest secret (token, api id, api token, passphrase) accepted, in bytes. */
#define KS_SECRET_MAX 4096
_Static_assert(KS_PASSPHRASE_MAX <= KS_SECRET_MAX, "a passphrase is read like any other secret");
/* No keystore file is larger than this; a bigger one is refused before reading. */
#define KS_FILE_MAX 16384

/* Fills err (which may be NULL) and returns st, so a failure is one line. */
ks_status ks_fail(struct ks_error *err, ks_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sodium_init once; KS_OK or KS_ERR_NOMEM with a message. */
ks_status ks_sodium_ready(struct ks_error *err);

/* Integers are little-endian on disk whatever the machine (FORMAT.md): <endian.h>
 * converts, memcpy because a field need not be aligned. */
static inline void ks_put_u64(unsigned char *p, uint64_t v) {
  v = htole64(v);
  memcpy(p, &v, sizeof v);
}
static inline uint64_t ks_get_u64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return le64toh(v);
}
static inline void ks_put_u16(unsigned char *p, unsigned v) {
  uint16_t w = htole16((uint16_t)v);
  memcpy(p, &w, sizeof w);
}
static inline unsigned ks_get_u16(const unsigned char *p) {
  uint16_t w;
  memcpy(&w, p, sizeof w);
  return le16toh(w);
}

/* Joins a/b (b may be NULL) into buf; KS_ERR_INVALID when it does not fit. */
ks_status ks_path(char *buf, size_t cap, const char *a, const char *b, struct ks_error *err);

/* KS_OK when both names are valid, else KS_ERR_INVALID naming the bad one and the rule. */
ks_status ks_names_check(const char *plugin, const char *account, struct ks_error *err);

/* How strictly a file's mode is checked: secrets refuse any group/other bit,
 * public files refuse only group/other write. */
enum ks_mode_rule { KS_MODE_SECRET, KS_MODE_PUBLIC };

/* The folder exists, is ours, and has no group/other bits. NOT_FOUND or PERMISSION. */
ks_status ks_dir_check(const char *path, struct ks_error *err);
/* Creates path (0700, independent of umask) when missing, then ks_dir_check. */
ks_status ks_dir_make(const char *path, struct ks_error *err);

/* Reads a whole keystore file after checking owner, type, mode and size. On KS_OK
 * *data is secret memory (it may hold a secret): caller frees with ks_secret_free. */
ks_status ks_file_read(const char *path, enum ks_mode_rule rule, unsigned char **data, size_t *len,
                       struct ks_error *err);

/* Writes dir/name atomically: a unique temp file (pid + random, O_EXCL, 0600), fsync,
 * then rename (replace) or link (no replace: KS_ERR_EXISTS when name exists), then
 * fsync of dir. Readers see the old file or the new one, never a part. */
ks_status ks_file_write(const char *dir, const char *name, const unsigned char *data, size_t len, int replace,
                        struct ks_error *err);

/* fsync of a folder, so a rename or unlink in it survives a crash. */
ks_status ks_dir_sync(const char *dir, struct ks_error *err);

/* Removes temp files left in dir by writers that died (their pid is gone). */
void ks_temp_clean(const char *dir);

/* 1 when name is one of our temp files. */
int ks_temp_name(const char *name);
/* The writer's pid in one of our temp file names, or 0 when name is not one. */
long ks_temp_pid(const char *name);

/* Internal host key handling (hostkey_open.c; host.pub in hostkey_pub.c). */
struct ks_hostkey {
  unsigned char pk[32];
  unsigned char sk[32];
};
/* Loads host.pub (the only thing `add` needs). */
ks_status ks_hostpub_load(const char *dir, unsigned char pk[32], struct ks_error *err);
/* What unwraps host.key: the passphrase, or the key a host derived from it once. */
struct ks_unlock {
  const char *passphrase;
  const struct ks_unlock_key *key; /* used instead of the passphrase when not NULL */
};
/* Loads host.key, unwrapped as how says; *out is secret memory (ks_secret_free). */
ks_status ks_hostkey_open(const char *dir, const struct ks_unlock *how, struct ks_hostkey **out,
                          struct ks_error *err);
/* Loads host.key; *out is secret memory, caller frees with ks_secret_free. */
ks_status ks_hostkey_load(const char *dir, const char *passphrase, struct ks_hostkey **out,
                          struct ks_error *err);

/* The host key pair's files (pair_files.c reads them, pair_replace.c replaces them). */
#define KS_KEY_NEXT ".host.key.next"
#define KS_PUB_NEXT ".host.pub.next"
/* 1 when dir/name exists (as any kind of file). */
int ks_pair_present(const char *dir, const char *name);
/* Reads host.key (want_key 1, secret mode rules) or host.pub as the replacement
 * journal says (the new pair once it is committed); path gets the file read. */
ks_status ks_pair_read(const char *dir, int want_key, char *path, size_t cap, unsigned char **data,
                       size_t *len, struct ks_error *err);
/* Opens dir and takes its exclusive flock: the fd to close, or -1 (no lock). */
int ks_pair_lock(const char *dir);
/* Finishes a committed replacement a crashed writer left, or discards an uncommitted
 * one. Call with the lock held, before changing either file. */
ks_status ks_pair_settle(const char *dir, struct ks_error *err);
/* Replaces host.key and host.pub as one unit (with the lock held). */
ks_status ks_pair_publish(const char *dir, const unsigned char *key, size_t key_len, const unsigned char *pub,
                          size_t pub_len, struct ks_error *err);

#endif
