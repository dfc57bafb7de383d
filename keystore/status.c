/*
 * status.c - the keystore's error reporting: status names and filling ks_error,
 * plus the one-time libsodium initialisation every entry point goes through.
 */
#include <stdarg.h>
#include <stdio.h>

#include <sodium.h>

#include "keystore/internal.h"

ks_status ks_fail(struct ks_error *err, ks_status st, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return st;
}

ks_status ks_sodium_ready(struct ks_error *err) {
  /* sodium_init is idempotent and thread-safe; it fails only without entropy. */
  if (sodium_init() < 0)
    return ks_fail(err, KS_ERR_NOMEM, "libsodium could not be initialised (no entropy source?)");
  return KS_OK;
}

const char *ks_status_name(ks_status st) {
  switch (st) {
  case KS_OK: return "ok";
  case KS_ERR_INVALID: return "invalid";
  case KS_ERR_NOT_FOUND: return "not_found";
  case KS_ERR_PERMISSION: return "permission";
  case KS_ERR_CORRUPT: return "corrupt";
  case KS_ERR_PASSPHRASE: return "passphrase";
  case KS_ERR_EXISTS: return "exists";
  case KS_ERR_IO: return "io";
  case KS_ERR_NOMEM: return "nomem";
  case KS_ERR_STALE_KEY: return "stale_key";
  }
  return "unknown";
}
