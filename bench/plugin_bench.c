/*
 * plugin_bench.c - one function through the real ABI (dlopen, account_init, invoke), N times,
 * to set beside the other clients of bench/run.sh on the same URL.
 * usage: plugin_bench SO BASE_URL N [--ca FILE] [--call FUNCTION ARGS_JSON] [--rss]
 *   default call: get_call {"call_id":12345}; --ca sets the account's ca_file (HTTPS with a
 *   test CA); prints invokes/s, or with --rss resident KiB after 1,000 and after N invokes.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin.h"

struct opts {
  const char *so, *base_url, *ca, *fn, *args;
  long n;
  int rss;
};

static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  if (f) fclose(f);
  return resident * 4;
}

static int parse(int argc, char **argv, struct opts *o) {
  char *end = NULL;
  memset(o, 0, sizeof *o);
  o->fn = "get_call", o->args = "{\"call_id\":12345}";
  if (argc < 4) return -1;
  o->so = argv[1], o->base_url = argv[2], o->n = strtol(argv[3], &end, 10);
  if (*end || o->n < 1) return -1;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--rss") == 0) o->rss = 1;
    else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc) o->ca = argv[++i];
    else if (strcmp(argv[i], "--call") == 0 && i + 2 < argc)
      o->fn = argv[i + 1], o->args = argv[i + 2], i += 2;
    else return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct opts o;
  if (parse(argc, argv, &o)) {
    fprintf(stderr, "usage: plugin_bench SO BASE_URL N [--ca FILE] [--call FUNCTION ARGS_JSON] [--rss]\n");
    return 2;
  }
  long failed = 0, rss_1k = 0;
  void *lib = dlopen(o.so, RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  kkp_plugin_entry_fn entry = (kkp_plugin_entry_fn)dlsym(lib, KKP_PLUGIN_ENTRY_SYMBOL);
  const struct kkp_plugin *p = entry ? entry(KKP_ABI_MAJOR, KKP_ABI_MINOR) : NULL;
  struct kkp_account *a = NULL;
  char cfg[4096], *err = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\"%s%s%s}", o.base_url, o.ca ? ",\"ca_file\":\"" : "",
           o.ca ? o.ca : "", o.ca ? "\"" : "");
  if (!p || p->account_init(NULL, "default", cfg, &a, &err) != KKP_OK) {
    fprintf(stderr, "account_init failed: %s\n", err ? err : "no plugin");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < o.n; i++) {
    char *out = NULL;
    if (p->invoke(a, o.fn, o.args, &out) != KKP_OK) {
      if (failed++ == 0) fprintf(stderr, "%s failed: %s\n", o.fn, out ? out : "(no message)");
    }
    p->free_string(out);
    if (i + 1 == 1000) rss_1k = rss_kib();
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (o.rss)
    printf("resident after 1000 invokes: %ld KiB, after %ld: %ld KiB (growth %ld KiB, %ld failed)\n", rss_1k,
           o.n, rss_kib(), rss_kib() - rss_1k, failed);
  else printf("%.0f requests/s (%ld invokes in %.3f s, %ld failed)\n", (double)o.n / s, o.n, s, failed);
  p->account_free(a);
  dlclose(lib);
  return failed ? 1 : 0;
}
