/*
 * secret_file.c - the keystore passphrase from a file or descriptor
 * (--passphrase-file FILE, /dev/fd/N, or $KKP_KEYSTORE_PASSPHRASE_FILE), for kkp-host
 * and kkp-setup alike: read with read(2) straight into secret memory, so no stdio
 * buffer keeps a copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keystore/internal.h"
#include "keystore/secret_input.h"

const char *ks_passphrase_file(const char *option) {
  const char *file = option ? option : getenv(KS_ENV_PASSPHRASE_FILE);
  return file && *file ? file : NULL;
}

/* Reads until a newline, end of file or max bytes into buf; its length. */
static size_t read_first_line(int fd, char *buf, size_t max) {
  size_t len = 0;
  ssize_t got;
  while (len < max && !memchr(buf, '\n', len) &&
         ((got = read(fd, buf + len, max - len)) > 0 || (got < 0 && errno == EINTR)))
    if (got > 0) len += (size_t)got;
  return len;
}

ks_status ks_passphrase_read_file(const char *path, char **out, struct ks_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC), saved = errno;
  char *buf = fd >= 0 ? ks_secret_alloc(KS_PASSPHRASE_MAX + 2) : NULL;
  *out = NULL;
  if (fd < 0 || !buf) {
    if (fd >= 0) close(fd);
    return ks_fail(err, fd < 0 ? KS_ERR_NOT_FOUND : KS_ERR_NOMEM,
                   "cannot read the keystore passphrase from %s: %s (check the path given by "
                   "--passphrase-file or " KS_ENV_PASSPHRASE_FILE ")",
                   path, fd < 0 ? strerror(saved) : "out of memory");
  }
  size_t len = read_first_line(fd, buf, KS_PASSPHRASE_MAX + 1);
  close(fd);
  buf[len] = '\0';
  len = strcspn(buf, "\r\n");
  buf[len] = '\0';
  if (len == 0 || len > KS_PASSPHRASE_MAX) {
    ks_secret_free(buf);
    return ks_fail(err, KS_ERR_INVALID, "the passphrase file %s %s: put the passphrase on its first line",
                   path,
                   len == 0 ? "is empty" : "has a first line longer than 4096 bytes (KS_PASSPHRASE_MAX)");
  }
  *out = buf;
  return KS_OK;
}
