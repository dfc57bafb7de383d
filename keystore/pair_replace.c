/*
 * pair_replace.c - replacing host.key and host.pub as one unit (init --force), by
 * the roll-forward journal described in pair_files.c and FORMAT.md, under the
 * keystore folder's flock. Provisioning only (libks_setup.a).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "keystore/internal.h"

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
  if (ks_pair_present(dir, KS_PUB_NEXT)) {
    /* Committed: roll forward. */
    if (ks_pair_present(dir, KS_KEY_NEXT)) st = move(dir, KS_KEY_NEXT, "host.key", err);
    if (st == KS_OK) st = move(dir, KS_PUB_NEXT, "host.pub", err);
  } else if (ks_pair_present(dir, KS_KEY_NEXT)) {
    /* Not committed: the old pair is the one in force; drop the half-made one. */
    char p[4096];
    if ((st = ks_path(p, sizeof p, dir, KS_KEY_NEXT, err)) == KS_OK && unlink(p) != 0 && errno != ENOENT)
      st = ks_fail(err, KS_ERR_IO, "cannot remove %s: %s (remove it by hand)", p, strerror(errno));
  } else {
    return KS_OK;
  }
  return st == KS_OK ? ks_dir_sync(dir, err) : st;
}

ks_status ks_pair_publish(const char *dir, const unsigned char *key, size_t key_len, const unsigned char *pub,
                          size_t pub_len, struct ks_error *err) {
  ks_status st = ks_pair_settle(dir, err);
  if (st == KS_OK) st = ks_file_write(dir, KS_KEY_NEXT, key, key_len, 1, err);
  if (st != KS_OK) return st;
  if ((st = ks_file_write(dir, KS_PUB_NEXT, pub, pub_len, 1, err)) != KS_OK) {
    struct ks_error ignored;
    ks_pair_settle(dir, &ignored); /* not committed: removes .host.key.next */
    return st;
  }
  st = move(dir, KS_KEY_NEXT, "host.key", err);
  if (st == KS_OK) st = move(dir, KS_PUB_NEXT, "host.pub", err);
  return st == KS_OK ? ks_dir_sync(dir, err) : st;
}
