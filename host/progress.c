/*
 * progress.c - what a long plugin call is doing, shown on a terminal: the plugin's
 * ABI 1.1 progress reports (pages read, a rate-limit wait) as one line on stderr,
 * rewritten in place with \r and cleared when the call returns. Nothing at all when
 * stderr is not a terminal, so logs and pipes get only the result.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

struct progress {
  const char *label; /* "aircall.list_contacts" */
  int shown;         /* a line is on the terminal */
};

static void progress_show(void *ctx, uint64_t done, uint64_t total, const char *message) {
  struct progress *p = ctx;
  char clean[121];
  size_t n = 0;
  /* The plugin's text, never terminal controls: one line, printable bytes only. */
  for (const char *s = message ? message : ""; *s && n < sizeof clean - 1; s++)
    clean[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
  clean[n] = '\0';
  if (total > 0)
    fprintf(stderr, "\r\033[K%s: %s (%llu/%llu)", p->label, clean, (unsigned long long)done,
            (unsigned long long)total);
  else fprintf(stderr, "\r\033[K%s: %s", p->label, clean);
  fflush(stderr);
  p->shown = 1;
}

/* Whether stderr is a terminal, asked once: it does not change during a run, and the
 * system call would otherwise cost every call of a script. */
static pthread_once_t tty_once = PTHREAD_ONCE_INIT;
static int tty_stderr;
static void tty_probe(void) {
  tty_stderr = isatty(STDERR_FILENO);
}

int host_account_invoke_shown(struct host_account *a, const char *fn, const char *args_json,
                              long long deadline_ms, char **result_json) {
  const struct kkp_plugin *api = &a->plugin->api;
  char label[256], *r = NULL;
  struct progress p = {label, 0};
  struct kkp_call call = {.struct_size = sizeof call, .ctx = &p};
  int st;
  if (api->struct_size < KKP_PLUGIN_SIZE_1_1 || !api->invoke_call) /* ABI 1.0: no progress */
    return host_account_invoke(a, fn, args_json, result_json);
  snprintf(label, sizeof label, "%s.%s", a->plugin->manifest->name, fn);
  pthread_once(&tty_once, tty_probe);
  if (tty_stderr) call.progress = progress_show;
  call.deadline_ms = deadline_ms > 0 ? deadline_ms : 0;
  st = api->invoke_call(a->acct, fn, args_json, &call, &r);
  if (p.shown) {
    fputs("\r\033[K", stderr); /* the result replaces the progress line */
    fflush(stderr);
  }
  *result_json = r ? strdup(r) : NULL;
  if (r) api->free_string(r);
  if (!*result_json)
    *result_json =
        st == KKP_OK ? strdup("{}") : host_error_json(kkp_status_name(st), "the plugin gave no error object");
  return st;
}
