/*
 * plugin_bench.c - get_call through the real ABI (dlopen, account_init, invoke),
 * N times, to set beside curl_loop's bare libcurl loop on the same URL.
 * usage: plugin_bench SO BASE_URL N        prints invokes/s
 *        plugin_bench SO BASE_URL N --rss  prints resident KiB after 1,000 and after N invokes
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin.h"

static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  if (f) fclose(f);
  return resident * 4;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: plugin_bench SO BASE_URL N [--rss]\n");
    return 2;
  }
  long n = strtol(argv[3], NULL, 10), failed = 0, rss_1k = 0;
  int rss = argc > 4 && strcmp(argv[4], "--rss") == 0;
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  kkp_plugin_entry_fn entry = (kkp_plugin_entry_fn)dlsym(lib, KKP_PLUGIN_ENTRY_SYMBOL);
  const struct kkp_plugin *p = entry ? entry(KKP_ABI_MAJOR, KKP_ABI_MINOR) : NULL;
  struct kkp_account *a = NULL;
  char cfg[512], *err = NULL;
  snprintf(cfg, sizeof(cfg), "{\"base_url\":\"%s\"}", argv[2]);
  if (!p || p->account_init(NULL, "default", cfg, &a, &err) != KKP_OK) {
    fprintf(stderr, "account_init failed: %s\n", err ? err : "no plugin");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    char *out = NULL;
    if (p->invoke(a, "get_call", "{\"call_id\":12345}", &out) != KKP_OK) failed++;
    p->free_string(out);
    if (i + 1 == 1000) rss_1k = rss_kib();
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (rss)
    printf("resident after 1000 invokes: %ld KiB, after %ld: %ld KiB (growth %ld KiB, %ld failed)\n", rss_1k,
           n, rss_kib(), rss_kib() - rss_1k, failed);
  else printf("%.0f requests/s (%ld invokes in %.3f s, %ld failed)\n", (double)n / s, n, s, failed);
  p->account_free(a);
  dlclose(lib);
  return failed ? 1 : 0;
}
