/*
 * secret_input.c - reads secrets for kkp-setup one byte at a time straight into
 * sodium_malloc'd memory (no stdio buffer keeps a copy), with terminal echo off
 * and restored even when the user interrupts.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/internal.h"
#include "keystore/secret_input.h"

static struct termios saved_tio;
static volatile sig_atomic_t echo_off;

static void restore_and_reraise(int sig) {
  if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
  signal(sig, SIG_DFL);
  raise(sig);
}

int ks_secret_interactive(void) { return isatty(STDIN_FILENO); }

ks_status ks_secret_read(const char *prompt, const char *what, char **out, struct ks_error *err) {
  ks_status st = KS_OK;
  int tty = ks_secret_interactive();
  struct sigaction sa, old_int, old_term, old_hup;
  char *buf = NULL;
  size_t n = 0;
  int too_long = 0, got_any = 0;
  *out = NULL;
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  buf = sodium_malloc(KS_SECRET_MAX + 1);
  if (!buf) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  if (tty) {
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &saved_tio) != 0) {
      st = ks_fail(err, KS_ERR_IO, "cannot read the terminal settings: %s", strerror(errno));
      goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    t = saved_tio;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    t.c_lflag |= ICANON;
    echo_off = 1;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
  }
  for (;;) {
    char c;
    ssize_t r = read(STDIN_FILENO, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      st = ks_fail(err, KS_ERR_IO, "cannot read the %s: %s", what, strerror(errno));
      break;
    }
    if (r == 0 || c == '\n') {
      got_any |= r == 1;
      break;
    }
    got_any = 1;
    if (n < KS_SECRET_MAX)
      buf[n++] = c;
    else
      too_long = 1; /* keep reading to the end of the line so the next read starts clean */
  }
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
    echo_off = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    fputc('\n', stderr);
  }
  if (st != KS_OK) goto out;
  if (n > 0 && buf[n - 1] == '\r') n--; /* a line typed or saved on Windows */
  buf[n] = 0;
  if (!got_any) {
    st = ks_fail(err, KS_ERR_INVALID, "no %s given: %s", what,
                 tty ? "type it at the prompt" : "pipe it as one line on stdin");
    goto out;
  }
  if (too_long) {
    st = ks_fail(err, KS_ERR_INVALID, "the %s is longer than %d bytes", what, KS_SECRET_MAX);
    goto out;
  }
  if (n == 0) {
    st = ks_fail(err, KS_ERR_INVALID, "the %s is empty: give a non-empty value", what);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c < 0x20 || c == 0x7f) {
      /* The position only, never the value: messages must not leak the secret. */
      st = ks_fail(err, KS_ERR_INVALID,
                   "the %s contains a control character at byte %zu: give it as one plain line",
                   what, i + 1);
      goto out;
    }
  }
  *out = buf;
  buf = NULL;
out:
  if (buf) sodium_free(buf);
  return st;
}
