/*
 * ks_probe.c - a test helper that drives the keystore library from shell tests:
 * opens a record the way a plugin does and says whether it holds the expected
 * secret, without ever printing a secret.
 *
 *   ks_probe open DIR PLUGIN ACCOUNT    stdin: line 1 passphrase (empty: none),
 *                                       line 2 expected secret (basic: ID:TOKEN)
 *   ks_probe accounts DIR PLUGIN        prints the accounts, one per line
 * Exit status: 0 ok, the ks_status number on failure, 20 when the secret differs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keystore/ks.h"
#include "keystore/ks_setup.h"

static char *line(char *buf, size_t cap) {
  if (!fgets(buf, (int)cap, stdin)) buf[0] = 0;
  buf[strcspn(buf, "\r\n")] = 0;
  return buf;
}

static int cmd_open(char **argv) {
  char *pass = sodium_malloc(4200), *want = sodium_malloc(8400), *got = sodium_malloc(8400);
  struct ks_credential *c = NULL;
  struct ks_error e;
  int rc;
  if (!pass || !want || !got) return 8;
  line(pass, 4200);
  line(want, 8400);
  ks_status st = ks_credential_open(argv[2], argv[3], argv[4], pass[0] ? pass : NULL, &c, &e);
  if (st != KS_OK) {
    printf("open: %s: %s\n", ks_status_name(st), e.message);
    rc = (int)st;
    goto out;
  }
  if (c->kind == KS_KIND_BEARER) snprintf(got, 8400, "%s", c->token);
  else snprintf(got, 8400, "%s:%s", c->api_id, c->api_token);
  size_t lw = strlen(want), lg = strlen(got);
  int same = lw == lg && sodium_memcmp(want, got, lw) == 0;
  printf("open: ok kind=%s match=%s created=%lld\n", ks_kind_name(c->kind), same ? "yes" : "no", c->created);
  rc = same ? 0 : 20;
out:
  ks_credential_free(c);
  sodium_free(pass);
  sodium_free(want);
  sodium_free(got);
  return rc;
}

static int cmd_accounts(char **argv) {
  char **names = NULL;
  size_t n = 0;
  struct ks_error e;
  ks_status st = ks_account_list(argv[2], argv[3], &names, &n, &e);
  if (st != KS_OK) {
    printf("accounts: %s: %s\n", ks_status_name(st), e.message);
    return (int)st;
  }
  for (size_t i = 0; i < n; i++) printf("%s\n", names[i]);
  ks_names_free(names, n);
  return 0;
}

int main(int argc, char **argv) {
  if (sodium_init() < 0) return 8;
  if (argc == 5 && strcmp(argv[1], "open") == 0) return cmd_open(argv);
  if (argc == 4 && strcmp(argv[1], "accounts") == 0) return cmd_accounts(argv);
  fprintf(stderr, "usage: ks_probe open DIR PLUGIN ACCOUNT | accounts DIR PLUGIN\n");
  return 2;
}
