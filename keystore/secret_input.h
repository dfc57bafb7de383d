/*
 * secret_input.h - reading one secret line (kkp-setup's tokens and passphrases,
 * kkp-host's passphrase prompt): from the terminal with echo off, or from stdin
 * when it is a pipe; and the keystore passphrase from a file named by an option or
 * $KKP_KEYSTORE_PASSPHRASE_FILE (secret_file.c). Never from argv.
 */
#ifndef KS_SECRET_INPUT_H
#define KS_SECRET_INPUT_H

#include <stddef.h>

#include "keystore/ks.h"

/* 1 when secrets come from a terminal (prompts are shown, confirmations asked). */
int ks_secret_interactive(void);

/* Reads one line (the trailing newline stripped), refusing empty lines, control
 * characters and lines over 4096 bytes; what names the secret in messages ("token").
 * On KS_OK *out is secret memory: caller frees with ks_secret_free (which wipes). */
ks_status ks_secret_read(const char *prompt, const char *what, char **out, struct ks_error *err);

/* As ks_secret_read, with at most max bytes (at most 4096); whole_input 1: when stdin
 * is a pipe, the secret is all of it, so a second line that is not blank is refused
 * rather than dropped. */
ks_status ks_secret_read_max(const char *prompt, const char *what, size_t max, int whole_input, char **out,
                             struct ks_error *err);

/* The variable naming a file (or /dev/fd/N) whose first line is the keystore passphrase. */
#define KS_ENV_PASSPHRASE_FILE "KKP_KEYSTORE_PASSPHRASE_FILE"

/* The passphrase file to read: option (--passphrase-file) when not NULL, else
 * $KKP_KEYSTORE_PASSPHRASE_FILE; NULL when that is unset or empty. */
const char *ks_passphrase_file(const char *option);

/* Reads the first line of path (a file, or /dev/fd/N; CR and LF stripped) into
 * secret memory: on KS_OK *out, freed with ks_secret_free. An error names the file,
 * the option and the variable, never the contents. */
ks_status ks_passphrase_read_file(const char *path, char **out, struct ks_error *err);

#endif
