/*
 * atomic_file.c - the provisioning side of the keystore's file layer: private
 * folders made whatever the umask, writes that are all-or-nothing, and temp files
 * of dead writers cleaned up. Provisioning only (libks_setup.a); reading is
 * file_read.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"

/* mkdir -p for the parents of path; the ones it creates are 0700 (they hold the keystore). */
static void make_parents(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof buf) return;
  memcpy(buf, path, n + 1);
  char *slash = strrchr(buf, '/');
  if (!slash || slash == buf) return;
  *slash = 0;
  if (mkdir(buf, 0700) == 0 || errno != ENOENT) return;
  make_parents(buf);
  mkdir(buf, 0700);
}

ks_status ks_dir_make(const char *path, struct ks_error *err) {
  int rc = mkdir(path, 0700);
  if (rc != 0 && errno == ENOENT) {
    make_parents(path);
    rc = mkdir(path, 0700);
  }
  if (rc == 0) {
    /* mkdir applies the umask; the mode must not depend on it. */
    if (chmod(path, 0700) != 0)
      return ks_fail(err, KS_ERR_IO, "cannot chmod 700 %s: %s", path, strerror(errno));
  } else if (errno != EEXIST) {
    return ks_fail(err, errno == EACCES ? KS_ERR_PERMISSION : KS_ERR_IO,
                   "cannot create folder %s: %s (create its parent folder or choose another with "
                   "--keystore DIR)",
                   path, strerror(errno));
  }
  return ks_dir_check(path, err);
}

void ks_temp_clean(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    pid_t pid = (pid_t)ks_temp_pid(e->d_name);
    /* Only a writer that is gone left it; a live writer's file is in use. */
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

ks_status ks_dir_sync(const char *dir, struct ks_error *err) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ks_fail(err, KS_ERR_IO, "cannot open folder %s: %s", dir, strerror(errno));
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  /* Some file systems cannot fsync a folder (EINVAL); the rename itself is still atomic. */
  if (rc != 0 && e != EINVAL) return ks_fail(err, KS_ERR_IO, "cannot fsync folder %s: %s", dir, strerror(e));
  return KS_OK;
}

static ks_status write_all(int fd, const char *tmp, const unsigned char *data, size_t len,
                           struct ks_error *err) {
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, data + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = ENOSPC; /* no progress: stop rather than spin */
    if (w <= 0) return ks_fail(err, KS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    done += (size_t)w;
  }
  return KS_OK;
}

/* Creates tmp (O_EXCL, 0600 whatever the umask), writes data and makes it durable
 * before it gets its name. *created = 1 once tmp exists (the caller removes it). */
static ks_status temp_write(const char *tmp, const unsigned char *data, size_t len, int *created,
                            struct ks_error *err) {
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return ks_fail(err, errno == EACCES ? KS_ERR_PERMISSION : KS_ERR_IO, "cannot create %s: %s", tmp,
                   strerror(errno));
  *created = 1;
  ks_status st = KS_OK;
  if (fchmod(fd, 0600) != 0) st = ks_fail(err, KS_ERR_IO, "cannot chmod 600 %s: %s", tmp, strerror(errno));
  else st = write_all(fd, tmp, data, len, err);
  if (st == KS_OK && fsync(fd) != 0)
    st = ks_fail(err, KS_ERR_IO, "cannot fsync %s: %s", tmp, strerror(errno));
  if (st != KS_OK) {
    close(fd);
    return st;
  }
  if (close(fd) != 0) return ks_fail(err, KS_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
  return KS_OK;
}

/* The single commit point: rename replaces final; link never does. */
static ks_status temp_commit(const char *tmp, const char *final, int replace, int *created,
                             struct ks_error *err) {
  if (replace) {
    if (rename(tmp, final) != 0)
      return ks_fail(err, KS_ERR_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
    *created = 0;
    return KS_OK;
  }
  /* link fails with EEXIST instead of replacing: "add" without --force can never
   * clobber a record, even against a concurrent writer. */
  if (link(tmp, final) == 0) return KS_OK;
  if (errno == EEXIST)
    return ks_fail(err, KS_ERR_EXISTS, "%s already exists: use --force to replace it", final);
  return ks_fail(err, KS_ERR_IO, "cannot create %s: %s", final, strerror(errno));
}

ks_status ks_file_write(const char *dir, const char *name, const unsigned char *data, size_t len, int replace,
                        struct ks_error *err) {
  ks_status st = KS_OK;
  char final[4096], tmp[4096], tname[512];
  int have_tmp = 0;
  unsigned char rnd[8];
  char hex[17];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  /* pid + random: unique per process and per call, so concurrent writers never share. */
  int n = snprintf(tname, sizeof tname, ".%s.tmp.%ld.%s", name, (long)getpid(), hex);
  if (n < 0 || (size_t)n >= sizeof tname) return ks_fail(err, KS_ERR_INVALID, "file name too long: %s", name);
  if ((st = ks_path(final, sizeof final, dir, name, err)) != KS_OK) return st;
  if ((st = ks_path(tmp, sizeof tmp, dir, tname, err)) != KS_OK) return st;
  st = temp_write(tmp, data, len, &have_tmp, err);
  if (st == KS_OK) st = temp_commit(tmp, final, replace, &have_tmp, err);
  if (st == KS_OK) st = ks_dir_sync(dir, err);
  if (have_tmp) unlink(tmp);
  return st;
}
