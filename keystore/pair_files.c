/*
 * pair_files.c - which files hold the host key pair, and replacing both as one
 * unit (init --force). host.key and host.pub are two files, and no rename moves
 * two files at once, so the replacement is a small roll-forward journal:
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
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/internal.h"

#define KEY_NEXT ".host.key.next"
#define PUB_NEXT ".host.pub.next"

static int present(const char *dir, const char *name) {
  char p[4096];
  struct stat sb;
  return ks_path(p, sizeof p, dir, name, NULL) == KS_OK && lstat(p, &sb) == 0;
}

/* The name to read for the key (want_key) or the public key, as the journal says. */
static const char *pair_file_name(const char *dir, int want_key) {
  if (!present(dir, PUB_NEXT)) return want_key ? "host.key" : "host.pub";
  if (!want_key) return PUB_NEXT;
  return present(dir, KEY_NEXT) ? KEY_NEXT : "host.key";
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

int ks_pair_lock(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* Where a file system has no flock, writers are not serialised; the journal
   * still keeps each one's crash safe. */
  if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static ks_status move(const char *dir, const char *from, const char *to, struct ks_error *err) {
  char a[4096], b[4096];
  ks_status st = ks_path(a, sizeof a, dir, from, err);
  if (st == KS_OK) st = ks_path(b, sizeof b, dir, to, err);
  if (st == KS_OK && rename(a, b) != 0)
    st = ks_fail(err, KS_ERR_IO,
                 "cannot rename %s to %s: %s. The new host key pair is already the one in use; the next "
                 "`kkp-setup init --force` or `kkp-setup passwd` finishes the move",
                 a, b, strerror(errno));
  return st;
}

ks_status ks_pair_settle(const char *dir, struct ks_error *err) {
  ks_status st = KS_OK;
  if (present(dir, PUB_NEXT)) {
    /* Committed: roll forward. */
    if (present(dir, KEY_NEXT)) st = move(dir, KEY_NEXT, "host.key", err);
    if (st == KS_OK) st = move(dir, PUB_NEXT, "host.pub", err);
  } else if (present(dir, KEY_NEXT)) {
    /* Not committed: the old pair is the one in force; drop the half-made one. */
    char p[4096];
    if ((st = ks_path(p, sizeof p, dir, KEY_NEXT, err)) == KS_OK && unlink(p) != 0 && errno != ENOENT)
      st = ks_fail(err, KS_ERR_IO, "cannot remove %s: %s (remove it by hand)", p, strerror(errno));
  } else {
    return KS_OK;
  }
  return st == KS_OK ? ks_dir_sync(dir, err) : st;
}

ks_status ks_pair_publish(const char *dir, const unsigned char *key, size_t key_len, const unsigned char *pub,
                          size_t pub_len, struct ks_error *err) {
  ks_status st = ks_pair_settle(dir, err);
  if (st == KS_OK) st = ks_file_write(dir, KEY_NEXT, key, key_len, 1, err);
  if (st != KS_OK) return st;
  if ((st = ks_file_write(dir, PUB_NEXT, pub, pub_len, 1, err)) != KS_OK) {
    struct ks_error ignored;
    ks_pair_settle(dir, &ignored); /* not committed: removes .host.key.next */
    return st;
  }
  st = move(dir, KEY_NEXT, "host.key", err);
  if (st == KS_OK) st = move(dir, PUB_NEXT, "host.pub", err);
  return st == KS_OK ? ks_dir_sync(dir, err) : st;
}
