/*
 * names.c - what a plugin or account name may be, and where the keystore lives
 * when nobody says ($KKP_KEYSTORE, $KOSMO_HOME/keystore, ~/.kosmokrator/keystore).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keystore/internal.h"

int ks_name_valid(const char *name) {
  if (!name) return 0;
  size_t n = strlen(name);
  /* "." and ".." would escape or alias a folder; the rest is a safe file name. */
  if (n == 0 || n > KS_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
             c == '_' || c == '-';
    if (!ok) return 0;
  }
  return 1;
}

static ks_status put(char *buf, size_t cap, const char *a, const char *b, struct ks_error *err) {
  int n = snprintf(buf, cap, "%s%s", a, b);
  if (n < 0 || (size_t)n >= cap)
    return ks_fail(err, KS_ERR_INVALID, "the keystore path is too long (%d bytes, room for %zu)", n,
                   cap ? cap - 1 : 0);
  return KS_OK;
}

ks_status ks_dir_default(char *buf, size_t cap, struct ks_error *err) {
  const char *v = getenv("KKP_KEYSTORE");
  if (v && *v) return put(buf, cap, v, "", err);
  v = getenv("KOSMO_HOME");
  if (v && *v) return put(buf, cap, v, "/keystore", err);
  v = getenv("HOME");
  if (!v || !*v) {
    /* No $HOME (a daemon, a bare cron job): fall back to the password database. */
    struct passwd *pw = getpwuid(getuid());
    v = pw ? pw->pw_dir : NULL;
  }
  if (!v || !*v)
    return ks_fail(err, KS_ERR_INVALID, "cannot find the keystore: set KKP_KEYSTORE, KOSMO_HOME or HOME");
  return put(buf, cap, v, "/.kosmokrator/keystore", err);
}

ks_status ks_path(char *buf, size_t cap, const char *a, const char *b, struct ks_error *err) {
  int n = b ? snprintf(buf, cap, "%s/%s", a, b) : snprintf(buf, cap, "%s", a);
  if (n < 0 || (size_t)n >= cap)
    return ks_fail(err, KS_ERR_INVALID, "path too long: %s/%s (use a shorter keystore folder)", a,
                   b ? b : "");
  return KS_OK;
}

ks_status ks_names_check(const char *plugin, const char *account, struct ks_error *err) {
  if (!kkp_plugin_name_valid(plugin))
    return ks_fail(err, KS_ERR_INVALID, "invalid plugin name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 _ -",
                   plugin ? plugin : "");
  if (!ks_name_valid(account))
    return ks_fail(err, KS_ERR_INVALID,
                   "invalid account name \"%.80s\": use 1 to 64 of A-Z a-z 0-9 . _ - (not . or ..)",
                   account ? account : "");
  return KS_OK;
}
