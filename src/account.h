/*
 * account.h - creating and releasing accounts (account.c), used by plugin.c
 * and the tests.
 */
#ifndef AC_ACCOUNT_H
#define AC_ACCOUNT_H

#include "src/ac.h"

/* Builds an account from its name and config JSON (borrowed). On KKP_OK *out
 * is the account (release with ac_account_free); otherwise e says why. */
int ac_account_new(const struct kkp_host *host, const char *account, const char *config_json,
                   struct kkp_account **out, struct ac_error *e);
void ac_account_free(struct kkp_account *a);
/* KKP_OK when url may carry the token (https, or http to a loopback host). */
int ac_check_base_url(const char *url, struct ac_error *e);

#endif
