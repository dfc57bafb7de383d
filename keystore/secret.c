/*
 * secret.c - memory for keystore secrets (ks.h): libsodium's guarded allocations,
 * behind the keystore's own names so plugins and hosts never call libsodium for a
 * passphrase or a credential, and the keystore can change how it keeps them.
 */
#include <string.h>

#include <sodium.h>

#include "keystore/internal.h"

void *ks_secret_alloc(size_t size) {
  /* sodium_malloc needs sodium_init, which is idempotent and thread-safe. */
  if (ks_sodium_ready(NULL) != KS_OK) return NULL;
  return sodium_malloc(size);
}

char *ks_secret_dup(const char *s) {
  size_t n = s ? strlen(s) : 0;
  char *copy = s ? ks_secret_alloc(n + 1) : NULL;
  if (copy) memcpy(copy, s, n + 1);
  return copy;
}

void ks_secret_free(void *p) {
  /* sodium_free wipes before releasing. */
  if (p) sodium_free(p);
}

void ks_secret_wipe(void *p, size_t size) {
  if (p) sodium_memzero(p, size);
}
