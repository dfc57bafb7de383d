/*
 * config_fuzz.c - libFuzzer target: account_init with any config JSON (and a few
 * account names) opens the account or fails with a clean error, never a crash or
 * a leak. A scratch keystore holds the account's credential and is the default
 * ($KKP_KEYSTORE), so configs that pass validation go on to open it. No request
 * is sent: the account is freed without an invoke.
 * Input: byte 0 picks the account name; the rest is the config JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"

static const struct kkp_plugin *plugin;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  setenv("KKP_KEYSTORE", fuzz_keystore(), 1);
  unsetenv(KKP_ENV_KEYSTORE_PASSPHRASE);
  plugin = kkp_plugin_entry(KKP_ABI_MAJOR, KKP_ABI_MINOR);
  return plugin ? 0 : -1;
}

static int no_secret(void *ctx, const char *name, char *buf, size_t cap) {
  (void)ctx, (void)name, (void)buf, (void)cap;
  return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const accounts[] = {FUZZ_ACCOUNT, "nobody", "", "../" FUZZ_ACCOUNT};
  static const struct kkp_host host = {.abi_major = KKP_ABI_MAJOR,
                                       .abi_minor = KKP_ABI_MINOR,
                                       .struct_size = sizeof(struct kkp_host),
                                       .get_secret = no_secret};
  if (size < 1) return 0;
  char *cfg = fuzz_str(data + 1, size - 1), *err = NULL;
  struct kkp_account *a = NULL;
  int rc = plugin->account_init(data[0] & 4 ? NULL : &host, accounts[data[0] % 4], cfg, &a, &err);
  if (rc == KKP_OK) {
    if (!a || err) abort();
  } else {
    if (a) abort();
    fuzz_check_error_json(err, rc);
    /* The credential never shows, unless the config itself held it (a key name is echoed). */
    if (strstr(err, FUZZ_TOKEN) && !strstr(cfg, FUZZ_TOKEN)) abort();
  }
  plugin->account_free(a);
  plugin->free_string(err);
  free(cfg);
  return 0;
}
