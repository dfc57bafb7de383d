/*
 * secret_input.c - reads secrets for kkp-setup one byte at a time straight into
 * sodium_malloc'd memory (no stdio buffer keeps a copy), with terminal echo off
 * and restored even when the user interrupts or suspends the command.
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

/* Every signal whose default action would end or stop us while echo is off (as
 * OpenBSD's readpassphrase does). The handler only notes it: the terminal is
 * restored outside the handler, then the signal is sent again with its old action. */
static const int watched[] = {SIGALRM, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU};
#define N_WATCHED (sizeof watched / sizeof *watched)
static volatile sig_atomic_t caught[N_WATCHED];

static void note_signal(int sig) {
  for (size_t i = 0; i < N_WATCHED; i++)
    if (watched[i] == sig) caught[i] = 1;
}

static int any_caught(void) {
  for (size_t i = 0; i < N_WATCHED; i++)
    if (caught[i]) return 1;
  return 0;
}

/* tcsetattr with SIGTTOU blocked: from a background job it then applies instead of
 * stopping us half-way (a stopped reader must not leave echo off behind it). */
static int term_set(const struct termios *t) {
  sigset_t m, old;
  int rc;
  sigemptyset(&m);
  sigaddset(&m, SIGTTOU);
  sigprocmask(SIG_BLOCK, &m, &old);
  while ((rc = tcsetattr(STDIN_FILENO, TCSAFLUSH, t)) != 0 && errno == EINTR) {}
  int e = errno;
  sigprocmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return rc;
}

int ks_secret_interactive(void) {
  return isatty(STDIN_FILENO);
}

/* Reads up to the newline into buf. 0 at a line or end of input, -1 on a read error,
 * 1 when a watched signal arrived. */
static int read_line(int tty, char *buf, size_t max, size_t *n, int *too_long, int *got_any) {
  for (;;) {
    char c;
    if (tty && any_caught()) return 1;
    ssize_t r = read(STDIN_FILENO, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0 || c == '\n') {
      *got_any |= r == 1;
      return 0;
    }
    *got_any = 1;
    if (*n < max) buf[(*n)++] = c;
    else *too_long = 1; /* keep reading to the end of the line so the next read starts clean */
  }
}

/* The terminal part of one attempt: echo off, prompt, read, echo back on, signals
 * back to their old actions, then those that arrived delivered. *again is 1 when a
 * stop signal suspended us: the caller starts over with echo off again. */
static ks_status read_tty(const char *prompt, const char *what, char *buf, size_t max, size_t *n,
                          int *too_long, int *got_any, int *again, struct ks_error *err) {
  ks_status st = KS_OK;
  struct termios saved, noecho;
  struct sigaction sa, old[N_WATCHED];
  int installed[N_WATCHED] = {0}, rc = 0;
  *again = 0;
  if (tcgetattr(STDIN_FILENO, &saved) != 0)
    return ks_fail(err, KS_ERR_IO, "cannot read the terminal settings: %s (pipe the %s on stdin)",
                   strerror(errno), what);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = note_signal; /* no SA_RESTART: read returns EINTR and we look at once */
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < N_WATCHED; i++) {
    caught[i] = 0;
    /* A signal the caller ignores (nohup, a background job) stays ignored. */
    if (sigaction(watched[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
      installed[i] = sigaction(watched[i], &sa, NULL) == 0;
  }
  noecho = saved;
  noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
  noecho.c_lflag |= ICANON;
  if (term_set(&noecho) != 0) {
    /* Never read a secret where it would show. */
    st = ks_fail(err, KS_ERR_IO, "cannot turn off echo on the terminal: %s (pipe the %s on stdin)",
                 strerror(errno), what);
  } else {
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    rc = read_line(1, buf, max, n, too_long, got_any);
    term_set(&saved);
    fputc('\n', stderr);
  }
  for (size_t i = 0; i < N_WATCHED; i++)
    if (installed[i]) sigaction(watched[i], &old[i], NULL);
  for (size_t i = 0; i < N_WATCHED; i++) {
    if (!caught[i]) continue;
    caught[i] = 0;
    int sig = watched[i];
    /* With the old action back: ends us, stops us until SIGCONT, or runs the caller's handler. */
    kill(getpid(), sig);
    if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) *again = 1;
  }
  if (st != KS_OK) return st;
  if (rc < 0) return ks_fail(err, KS_ERR_IO, "cannot read the %s: %s", what, strerror(errno));
  if (rc > 0 && !*again)
    return ks_fail(err, KS_ERR_IO, "reading the %s was interrupted: run the command again", what);
  return KS_OK;
}

/* After the first line of a pipe: 0 when the rest is blank lines (or nothing), 1 when
 * another line holds something, -1 on a read error. Bounded: a writer that never
 * stops sending newlines is refused as well. */
static int rest_has_more(void) {
  size_t seen = 0;
  for (;;) {
    char c;
    ssize_t r = read(STDIN_FILENO, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return 0;
    if ((c != '\n' && c != '\r') || ++seen > KS_SECRET_MAX) return 1;
  }
}

/* The checks every secret passes: present, not too long, not empty, one plain line. */
static ks_status secret_check(const char *what, int tty, const char *buf, size_t n, size_t max, int too_long,
                              int got_any, struct ks_error *err) {
  if (!got_any)
    return ks_fail(err, KS_ERR_INVALID, "no %s given: %s", what,
                   tty ? "type it at the prompt" : "pipe it as one line on stdin");
  if (too_long) return ks_fail(err, KS_ERR_INVALID, "the %s is longer than %zu bytes", what, max);
  if (n == 0) return ks_fail(err, KS_ERR_INVALID, "the %s is empty: give a non-empty value", what);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    /* The position only, never the value: messages must not leak the secret. */
    if (c < 0x20 || c == 0x7f)
      return ks_fail(err, KS_ERR_INVALID,
                     "the %s contains a control character at byte %zu: give it as one plain line", what,
                     i + 1);
  }
  return KS_OK;
}

ks_status ks_secret_read_max(const char *prompt, const char *what, size_t max, int whole_input, char **out,
                             struct ks_error *err) {
  ks_status st = KS_OK;
  int tty = ks_secret_interactive();
  char *buf = NULL;
  size_t n = 0;
  int too_long = 0, got_any = 0, again = 0, more = 0;
  *out = NULL;
  if (max > KS_SECRET_MAX) max = KS_SECRET_MAX;
  if ((st = ks_sodium_ready(err)) != KS_OK) return st;
  buf = sodium_malloc(KS_SECRET_MAX + 1);
  if (!buf) return ks_fail(err, KS_ERR_NOMEM, "out of memory");
  if (tty) {
    do {
      /* After a suspension what was typed before it is dropped: start the line over. */
      sodium_memzero(buf, KS_SECRET_MAX + 1);
      n = 0;
      too_long = got_any = 0;
      st = read_tty(prompt, what, buf, max, &n, &too_long, &got_any, &again, err);
    } while (st == KS_OK && again);
  } else if (read_line(0, buf, max, &n, &too_long, &got_any) < 0 ||
             (whole_input && (more = rest_has_more()) < 0)) {
    st = ks_fail(err, KS_ERR_IO, "cannot read the %s: %s", what, strerror(errno));
  }
  if (st != KS_OK) goto out;
  if (n > 0 && buf[n - 1] == '\r') n--; /* a line typed or saved on Windows */
  buf[n] = 0;
  if (more) {
    /* Keeping the first line only would seal a secret other than the one given. */
    st = ks_fail(err, KS_ERR_INVALID,
                 "stdin holds more than one line, and the %s must be exactly one line: pipe only that "
                 "line (one command per secret)",
                 what);
    goto out;
  }
  if ((st = secret_check(what, tty, buf, n, max, too_long, got_any, err)) != KS_OK) goto out;
  *out = buf;
  buf = NULL;
out:
  if (buf) sodium_free(buf);
  return st;
}

ks_status ks_secret_read(const char *prompt, const char *what, char **out, struct ks_error *err) {
  return ks_secret_read_max(prompt, what, KS_SECRET_MAX, 0, out, err);
}
