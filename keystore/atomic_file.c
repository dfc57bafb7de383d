/*
 * atomic_file.c - the keystore's file layer: folders and files that only their
 * owner can read (checked as ssh does), and writes that are all-or-nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"

ks_status ks_dir_check(const char *path, struct ks_error *err) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return ks_fail(err, KS_ERR_NOT_FOUND, "no keystore folder %s: run `kkp-setup init`", path);
    return ks_fail(err, KS_ERR_IO, "cannot read folder %s: %s", path, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return ks_fail(err, KS_ERR_INVALID, "%s is not a folder: move it away and run `kkp-setup init`", path);
  if (st.st_uid != geteuid())
    return ks_fail(err, KS_ERR_PERMISSION,
                   "folder %s belongs to another user (uid %u): chown it to yourself or use your own "
                   "keystore (--keystore DIR or KKP_KEYSTORE)",
                   path, (unsigned)st.st_uid);
  if (st.st_mode & 077)
    return ks_fail(err, KS_ERR_PERMISSION, "folder %s is accessible by other users (mode %03o): chmod 700 %s",
                   path, (unsigned)(st.st_mode & 0777), path);
  return KS_OK;
}

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

ks_status ks_file_read(const char *path, enum ks_mode_rule rule, unsigned char **data, size_t *len,
                       struct ks_error *err) {
  ks_status st = KS_OK;
  unsigned char *buf = NULL;
  *data = NULL;
  *len = 0;
  /* O_NOFOLLOW: a symlink planted in the keystore must not redirect a read. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return ks_fail(err, KS_ERR_NOT_FOUND, "no file %s", path);
    if (errno == ELOOP)
      return ks_fail(err, KS_ERR_PERMISSION, "%s is a symbolic link: replace it with the file itself", path);
    return ks_fail(err, errno == EACCES ? KS_ERR_PERMISSION : KS_ERR_IO, "cannot open %s: %s", path,
                   strerror(errno));
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    st = ks_fail(err, KS_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    goto out;
  }
  if (!S_ISREG(sb.st_mode)) {
    st = ks_fail(err, KS_ERR_CORRUPT, "%s is not a regular file: remove it", path);
    goto out;
  }
  if (sb.st_uid != geteuid()) {
    st = ks_fail(err, KS_ERR_PERMISSION,
                 "%s belongs to another user (uid %u): chown it to yourself or remove it", path,
                 (unsigned)sb.st_uid);
    goto out;
  }
  unsigned bad = rule == KS_MODE_SECRET ? 077 : 022;
  if (sb.st_mode & bad) {
    st = ks_fail(err, KS_ERR_PERMISSION, "%s is %s by other users (mode %03o): chmod 600 %s", path,
                 rule == KS_MODE_SECRET ? "accessible" : "writable", (unsigned)(sb.st_mode & 0777), path);
    goto out;
  }
  if (sb.st_size > KS_FILE_MAX) {
    st = ks_fail(err, KS_ERR_CORRUPT, "%s is too large to be a keystore file (%lld bytes)", path,
                 (long long)sb.st_size);
    goto out;
  }
  size_t cap = (size_t)sb.st_size + 1;
  buf = sodium_malloc(cap);
  if (!buf) {
    st = ks_fail(err, KS_ERR_NOMEM, "out of memory reading %s", path);
    goto out;
  }
  size_t got = 0;
  for (;;) {
    ssize_t r = read(fd, buf + got, cap - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      st = ks_fail(err, KS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
      goto out;
    }
    if (r == 0) break;
    got += (size_t)r;
    if (got == cap) {
      /* The file grew between fstat and read: not a file we wrote. */
      st = ks_fail(err, KS_ERR_CORRUPT, "%s changed while being read", path);
      goto out;
    }
  }
  *data = buf;
  *len = got;
  buf = NULL;
out:
  if (buf) sodium_free(buf);
  close(fd);
  return st;
}

/* The writer's pid in a temp name ".NAME.tmp.PID.HEX16" (see ks_file_write), or 0 when
 * name is not exactly that shape. The whole suffix is checked, not just ".tmp.": a
 * valid account such as ".a.tmp.9.b" gives the record ".a.tmp.9.b.tok", which must
 * never be taken for a dead writer's file and removed. */
static pid_t temp_pid(const char *name) {
  size_t n = strlen(name);
  if (name[0] != '.' || n < 1 + 1 + 5 + 1 + 1 + 16) return 0;
  const char *hex = name + n - 16;
  for (size_t i = 0; i < 16; i++)
    if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'))) return 0;
  if (hex[-1] != '.') return 0;
  const char *d = hex - 1; /* walk back over the pid's digits */
  while (d > name && d[-1] >= '0' && d[-1] <= '9') d--;
  if (d == hex - 1 || d - name < 1 + 1 + 5 || strncmp(d - 5, ".tmp.", 5) != 0) return 0;
  long v = 0;
  for (const char *p = d; p < hex - 1; p++) {
    int digit = *p - '0';
    if (v > (0x7fffffffL - digit) / 10) return 0; /* no pid is that large */
    v = v * 10 + digit;
  }
  return v > 0 ? (pid_t)v : 0;
}

int ks_temp_name(const char *name) {
  return temp_pid(name) > 0;
}

void ks_temp_clean(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    pid_t pid = temp_pid(e->d_name);
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

ks_status ks_file_write(const char *dir, const char *name, const unsigned char *data, size_t len, int replace,
                        struct ks_error *err) {
  ks_status st = KS_OK;
  char final[4096], tmp[4096], tname[512];
  int fd = -1, have_tmp = 0;
  unsigned char rnd[8];
  char hex[17];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  /* pid + random: unique per process and per call, so concurrent writers never share. */
  int n = snprintf(tname, sizeof tname, ".%s.tmp.%ld.%s", name, (long)getpid(), hex);
  if (n < 0 || (size_t)n >= sizeof tname) return ks_fail(err, KS_ERR_INVALID, "file name too long: %s", name);
  if ((st = ks_path(final, sizeof final, dir, name, err)) != KS_OK) return st;
  if ((st = ks_path(tmp, sizeof tmp, dir, tname, err)) != KS_OK) return st;

  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    st = ks_fail(err, errno == EACCES ? KS_ERR_PERMISSION : KS_ERR_IO, "cannot create %s: %s", tmp,
                 strerror(errno));
    goto out;
  }
  have_tmp = 1;
  if (fchmod(fd, 0600) != 0) {
    st = ks_fail(err, KS_ERR_IO, "cannot chmod 600 %s: %s", tmp, strerror(errno));
    goto out;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, data + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = ENOSPC; /* no progress: stop rather than spin */
    if (w <= 0) {
      st = ks_fail(err, KS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
      goto out;
    }
    done += (size_t)w;
  }
  if (fsync(fd) != 0) {
    st = ks_fail(err, KS_ERR_IO, "cannot fsync %s: %s", tmp, strerror(errno));
    goto out;
  }
  if (close(fd) != 0) {
    fd = -1;
    st = ks_fail(err, KS_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
    goto out;
  }
  fd = -1;
  if (replace) {
    if (rename(tmp, final) != 0) {
      st = ks_fail(err, KS_ERR_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
      goto out;
    }
    have_tmp = 0;
  } else {
    /* link fails with EEXIST instead of replacing: "add" without --force can never
     * clobber a record, even against a concurrent writer. */
    if (link(tmp, final) != 0) {
      if (errno == EEXIST)
        st = ks_fail(err, KS_ERR_EXISTS, "%s already exists: use --force to replace it", final);
      else st = ks_fail(err, KS_ERR_IO, "cannot create %s: %s", final, strerror(errno));
      goto out;
    }
  }
  st = ks_dir_sync(dir, err);
out:
  if (fd >= 0) close(fd);
  if (have_tmp) unlink(tmp);
  return st;
}
