/*
 * pair_files.c - which files hold the host key pair, as readers see them. Replacing
 * both as one unit (init --force) is in pair_replace.c (provisioning only). host.key and host.pub are two
 * files, and no rename moves two files at once, so the replacement is a small roll-forward journal:
 *
 *   1. .host.key.next written (temp, fsync, rename, folder fsync)
 *   2. .host.pub.next written the same way   <- the commit point: one rename
 *   3. .host.key.next renamed to host.key
 *   4. .host.pub.next renamed to host.pub, folder fsynced
 *
 * Readers follow the journal (pair_file_name): once .host.pub.next exists the new
 * pair is the one in force, read from .host.key.next or, once moved, host.key.
 * Before the commit they read the old pair, which nothing has touched. So at every
 * instant, and after a crash at any step, the pair readers see is the old one or
 * the new one, never one half of each. Writers hold the folder's flock and first
 * finish (or, before the commit, discard) what a crashed writer left. FORMAT.md
 * has the same in prose.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "keystore/internal.h"

int ks_pair_present(const char *dir, const char *name) {
  char p[4096];
  struct stat sb;
  return ks_path(p, sizeof p, dir, name, NULL) == KS_OK && lstat(p, &sb) == 0;
}

/* The name to read for the key (want_key) or the public key, as the journal says. */
static const char *pair_file_name(const char *dir, int want_key) {
  if (!ks_pair_present(dir, KS_PUB_NEXT)) return want_key ? "host.key" : "host.pub";
  if (!want_key) return KS_PUB_NEXT;
  return ks_pair_present(dir, KS_KEY_NEXT) ? KS_KEY_NEXT : "host.key";
}

ks_status ks_pair_read(const char *dir, int want_key, char *path, size_t cap, unsigned char **data,
                       size_t *len, struct ks_error *err) {
  for (int attempt = 0;; attempt++) {
    const char *name = pair_file_name(dir, want_key);
    ks_status st = ks_path(path, cap, dir, name, err);
    if (st == KS_OK) st = ks_file_read(path, want_key ? KS_MODE_SECRET : KS_MODE_PUBLIC, data, len, err);
    /* A writer moved the .next file to its final name meanwhile: look again. */
    if (st == KS_ERR_NOT_FOUND && name[0] == '.' && attempt < 3) continue;
    if (st == KS_ERR_NOT_FOUND && name[0] == '.')
      ks_path(path, cap, dir, want_key ? "host.key" : "host.pub", NULL);
    return st;
  }
}
