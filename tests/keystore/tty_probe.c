/*
 * tty_probe.c - runs a command on a fresh pseudo-terminal, so shell tests can check
 * what kkp-setup does on a real terminal: echo off while a secret is read, the
 * typed secret never shown, the terminal restored even when a signal ends it.
 *
 *   tty_probe type CMD [ARG...]        answers every prompt with the line read from
 *                                      tty_probe's own stdin (never from argv)
 *   tty_probe signal NAME CMD [ARG...] at the first prompt sends SIGNAME (INT, TERM,
 *                                      HUP, QUIT, PIPE, ALRM)
 * Prints one line: "prompts=N echo-during=on|off leaked=yes|no exit=N|killed=NAME
 * echo-after=on|off". Exit status 0, or 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct {
  const char *name;
  int sig;
} signals[] = {
    {"INT", SIGINT},   {"TERM", SIGTERM}, {"HUP", SIGHUP},
    {"QUIT", SIGQUIT}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
};

static const char *sig_name(int sig) {
  for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
    if (signals[i].sig == sig) return signals[i].name;
  return "other";
}

/* The command starts with every signal at its default action and none blocked: the
 * probe may itself run with some ignored (under nohup SIGHUP is, and an ignored
 * signal stays ignored across exec), and the command must see what a user's
 * terminal session would give it, or the signal tests test nothing. */
static void reset_signals(void) {
  sigset_t none;
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL); /* fails harmlessly for KILL, STOP */
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static int echo_on(int fd) {
  struct termios t;
  return tcgetattr(fd, &t) == 0 && (t.c_lflag & ECHO);
}

int main(int argc, char **argv) {
  int sig = 0, first = 2;
  char secret[4200] = "";
  if (argc >= 3 && strcmp(argv[1], "type") == 0) {
    if (!fgets(secret, sizeof secret, stdin)) return 2;
    secret[strcspn(secret, "\n")] = 0;
  } else if (argc >= 4 && strcmp(argv[1], "signal") == 0) {
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
      if (strcmp(argv[2], signals[i].name) == 0) sig = signals[i].sig;
    if (!sig) return 2;
    first = 3;
  } else {
    fprintf(stderr, "usage: tty_probe type CMD [ARG...] | signal NAME CMD [ARG...]\n");
    return 2;
  }
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return 2;
  /* The probe keeps the terminal open, so its settings can be read after the child. */
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) return 2;
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    reset_signals();
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    close(master);
    close(slave);
    execv(argv[first], argv + first);
    _exit(127);
  }
  char out[16384];
  size_t used = 0, seen = 0;
  int prompts = 0, echo_during = -1, status = 0, done = 0;
  time_t start = time(NULL);
  while (!done && time(NULL) - start < 20) {
    struct pollfd p = {master, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      ssize_t r = read(master, out + used, sizeof out - 1 - used);
      if (r > 0) used += (size_t)r;
      out[used] = 0;
    }
    /* A prompt ends in ": " with nothing after it yet. */
    if (used > seen && used >= 2 && memcmp(out + used - 2, ": ", 2) == 0) {
      seen = used;
      prompts++;
      if (echo_during != 1) echo_during = echo_on(slave);
      if (sig) {
        kill(pid, sig);
      } else {
        if (write(master, secret, strlen(secret)) < 0 || write(master, "\n", 1) < 0) break;
      }
    }
    if (waitpid(pid, &status, WNOHANG) == pid) done = 1;
  }
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  /* Whatever the child left queued on the terminal is output too. */
  struct pollfd p = {master, POLLIN, 0};
  while (used < sizeof out - 1 && poll(&p, 1, 50) > 0) {
    ssize_t r = read(master, out + used, sizeof out - 1 - used);
    if (r <= 0) break;
    used += (size_t)r;
  }
  out[used] = 0;
  int leaked = secret[0] && strstr(out, secret) != NULL;
  printf("prompts=%d echo-during=%s leaked=%s ", prompts,
         echo_during < 0 ? "unknown"
         : echo_during   ? "on"
                         : "off",
         leaked ? "yes" : "no");
  if (!done) printf("timeout ");
  else if (WIFSIGNALED(status)) printf("killed=%s ", sig_name(WTERMSIG(status)));
  else printf("exit=%d ", WEXITSTATUS(status));
  printf("echo-after=%s\n", echo_on(slave) ? "on" : "off");
  return 0;
}
