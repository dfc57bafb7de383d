/*
 * testdir.h - scratch keystores for the keystore's cmocka tests: a fresh private
 * folder per test, removed afterwards, and whole-file read/write helpers.
 */
#ifndef KS_TESTDIR_H
#define KS_TESTDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int testdir_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f) {
  (void)sb;
  (void)flag;
  (void)f;
  return remove(p);
}

/* Creates /tmp/ks-test.XXXXXX and returns it (static buffer per call site). */
static inline void testdir_make(char *buf, size_t cap) {
  const char *tmp = getenv("TMPDIR");
  snprintf(buf, cap, "%s/ks-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(buf)) buf[0] = 0;
}

static inline void testdir_remove(const char *dir) {
  if (dir && *dir) nftw(dir, testdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whole file into a malloc'd buffer; NULL when unreadable. */
static inline unsigned char *file_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *b = malloc(65536);
  *len = b ? fread(b, 1, 65536, f) : 0;
  fclose(f);
  return b;
}

/* Writes len bytes to path with mode 0600 (replacing it). 0 on success. */
static inline int file_put(const char *path, const unsigned char *b, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(b, 1, len, f);
  int rc = fclose(f);
  chmod(path, 0600);
  return w == len && rc == 0 ? 0 : -1;
}

/* The cmocka fixture of a test that needs one scratch keystore: root is the
 * private folder, ks the keystore inside it (not created yet). */
struct fx {
  char root[256];
  char ks[300];
};

static inline int fx_setup(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  testdir_make(f->root, sizeof f->root);
  snprintf(f->ks, sizeof f->ks, "%s/ks", f->root);
  *state = f;
  return f->root[0] ? 0 : -1;
}

static inline int fx_teardown(void **state) {
  struct fx *f = *state;
  testdir_remove(f->root);
  free(f);
  return 0;
}

#endif
