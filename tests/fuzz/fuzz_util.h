/*
 * fuzz_util.h - what several fuzz targets share: a private scratch folder made
 * once per process (removed at exit), files written into it, a NUL-terminated
 * copy of the input, a scratch keystore with one aircall credential, and the
 * check that an answer is the error JSON of plugin.h.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/ks.h"
#include "keystore/ks_setup.h"
#include "plugin.h"

/* The token of the scratch keystore's credential. */
#define FUZZ_TOKEN "fuzz-token-5ecret-0123456789"
#define FUZZ_ACCOUNT "bearer"

static char fuzz_root[256];

static int fuzz_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f) {
  (void)sb, (void)flag, (void)f;
  return remove(p);
}

static void fuzz_root_remove(void) {
  if (fuzz_root[0]) nftw(fuzz_root, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The process's scratch folder (mode 0700), made on first use. */
static const char *fuzz_dir(void) {
  if (!fuzz_root[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_root, sizeof fuzz_root, "%s/kkp-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_root)) abort();
    atexit(fuzz_root_remove);
  }
  return fuzz_root;
}

/* <scratch>/<rel> into buf. */
static const char *fuzz_path(char *buf, size_t cap, const char *rel) {
  snprintf(buf, cap, "%s/%s", fuzz_dir(), rel);
  return buf;
}

/* Writes len bytes to path, mode 0600, replacing it. */
static void fuzz_put(const char *path, const void *b, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (len && fwrite(b, 1, len, f) != len) abort();
  if (fclose(f) != 0) abort();
  chmod(path, 0600);
}

/* A malloc'd NUL-terminated copy of data. */
static char *fuzz_str(const unsigned char *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  if (size) memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

/* <scratch>/ks: a plain host key and a bearer credential for aircall/FUZZ_ACCOUNT. */
static const char *fuzz_keystore(void) {
  static char ks[300];
  if (ks[0]) return ks;
  fuzz_path(ks, sizeof ks, "ks");
  struct ks_error err;
  struct ks_credential cred = {.kind = KS_KIND_BEARER, .token = FUZZ_TOKEN};
  if (ks_hostkey_create(ks, NULL, NULL, 0, &err) != KS_OK ||
      ks_record_add(ks, "aircall", FUZZ_ACCOUNT, &cred, 0, &err) != KS_OK) {
    fprintf(stderr, "fuzz: cannot make the scratch keystore: %s\n", err.message);
    abort();
  }
  return ks;
}

/* Aborts (a finding) unless text is the error JSON of plugin.h for status rc:
 * {"error": {"code": kkp_status_name(rc), "message": non-empty, ...}}. */
static void fuzz_check_error_json(const char *text, int rc) {
  json_object *o = text ? json_tokener_parse(text) : NULL, *e, *code, *msg;
  if (!o || !json_object_object_get_ex(o, "error", &e) || !json_object_object_get_ex(e, "code", &code) ||
      !json_object_object_get_ex(e, "message", &msg) || !json_object_is_type(msg, json_type_string) ||
      json_object_get_string_len(msg) == 0 ||
      strcmp(json_object_get_string(code), kkp_status_name(rc)) != 0) {
    fprintf(stderr, "fuzz: status %d came with a malformed error JSON: %s\n", rc, text ? text : "(null)");
    abort();
  }
  json_object_put(o);
}

#endif
