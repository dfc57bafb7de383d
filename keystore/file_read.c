/*
 * file_read.c - the runtime side of the keystore's file layer: folders and files
 * that only their owner can read (checked as ssh does), read whole into secret
 * memory, and our writers' temp file names recognised so listings skip them.
 * Writing is atomic_file.c's (provisioning only).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static ks_status file_open(const char *path, int *fd, struct ks_error *err) {
  /* O_NOFOLLOW: a symlink planted in the keystore must not redirect a read. */
  *fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (*fd >= 0) return KS_OK;
  if (errno == ENOENT) return ks_fail(err, KS_ERR_NOT_FOUND, "no file %s", path);
  if (errno == ELOOP)
    return ks_fail(err, KS_ERR_PERMISSION, "%s is a symbolic link: replace it with the file itself", path);
  return ks_fail(err, errno == EACCES ? KS_ERR_PERMISSION : KS_ERR_IO, "cannot open %s: %s", path,
                 strerror(errno));
}

/* The opened file is a regular file of ours, private as rule asks, and small enough;
 * *size is its size. */
static ks_status file_check(const char *path, int fd, enum ks_mode_rule rule, size_t *size,
                            struct ks_error *err) {
  struct stat sb;
  if (fstat(fd, &sb) != 0) return ks_fail(err, KS_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
  if (!S_ISREG(sb.st_mode)) return ks_fail(err, KS_ERR_CORRUPT, "%s is not a regular file: remove it", path);
  if (sb.st_uid != geteuid())
    return ks_fail(err, KS_ERR_PERMISSION,
                   "%s belongs to another user (uid %u): chown it to yourself or remove it", path,
                   (unsigned)sb.st_uid);
  unsigned bad = rule == KS_MODE_SECRET ? 077 : 022;
  if (sb.st_mode & bad)
    return ks_fail(err, KS_ERR_PERMISSION, "%s is %s by other users (mode %03o): chmod 600 %s", path,
                   rule == KS_MODE_SECRET ? "accessible" : "writable", (unsigned)(sb.st_mode & 0777), path);
  if (sb.st_size > KS_FILE_MAX)
    return ks_fail(err, KS_ERR_CORRUPT, "%s is too large to be a keystore file (%lld bytes)", path,
                   (long long)sb.st_size);
  *size = (size_t)sb.st_size;
  return KS_OK;
}

/* Reads the file to its end into secret memory; more than size bytes means it grew
 * between fstat and read: not a file we wrote. */
static ks_status file_slurp(const char *path, int fd, size_t size, unsigned char **data, size_t *len,
                            struct ks_error *err) {
  size_t cap = size + 1, got = 0;
  unsigned char *buf = ks_secret_alloc(cap);
  if (!buf) return ks_fail(err, KS_ERR_NOMEM, "out of memory reading %s", path);
  for (;;) {
    ssize_t r = read(fd, buf + got, cap - got);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) break;
    if (r > 0 && (got += (size_t)r) < cap) continue;
    ks_status st = r < 0 ? ks_fail(err, KS_ERR_IO, "cannot read %s: %s", path, strerror(errno))
                         : ks_fail(err, KS_ERR_CORRUPT, "%s changed while being read", path);
    ks_secret_free(buf);
    return st;
  }
  *data = buf;
  *len = got;
  return KS_OK;
}

ks_status ks_file_read(const char *path, enum ks_mode_rule rule, unsigned char **data, size_t *len,
                       struct ks_error *err) {
  int fd = -1;
  size_t size = 0;
  *data = NULL;
  *len = 0;
  ks_status st = file_open(path, &fd, err);
  if (st != KS_OK) return st;
  st = file_check(path, fd, rule, &size, err);
  if (st == KS_OK) st = file_slurp(path, fd, size, data, len, err);
  close(fd);
  return st;
}

/* The writer's pid in a temp name ".NAME.tmp.PID.HEX16" (see ks_file_write), or 0 when
 * name is not exactly that shape. The whole suffix is checked, not just ".tmp.": a
 * valid account such as ".a.tmp.9.b" gives the record ".a.tmp.9.b.tok", which must
 * never be taken for a dead writer's file and removed. */
long ks_temp_pid(const char *name) {
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
  return v > 0 ? v : 0;
}

int ks_temp_name(const char *name) {
  return ks_temp_pid(name) > 0;
}
