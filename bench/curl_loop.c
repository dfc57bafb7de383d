/* curl_loop.c - the bare libcurl baseline: fetches one URL N times on one easy handle (so the
 * connection is kept alive) with one extra header, and prints requests per second.
 * usage: curl_loop URL N 'Authorization: Bearer x' */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *p, size_t size, size_t n, void *ud) {
  (void)p, (void)ud;
  return size * n;
}

int main(int argc, char **argv) {
  struct curl_slist *hdrs = NULL;
  struct timespec t0, t1;
  long n, failed = 0;
  int rc = 1;
  CURL *h = NULL;
  char *end = NULL;
  if (argc < 3 || (n = strtol(argv[2], &end, 10)) < 1 || *end) {
    fprintf(stderr, "usage: curl_loop URL N ['Header: value']\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  h = curl_easy_init();
  if (!h) goto out;
  if (argc > 3) hdrs = curl_slist_append(hdrs, argv[3]);
  curl_easy_setopt(h, CURLOPT_URL, argv[1]);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    long status = 0;
    /* One failure per request, whether the transfer failed or answered something else. */
    if (curl_easy_perform(h) != CURLE_OK ||
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
      failed++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f requests/s (%ld requests in %.3f s, %ld failed)\n", (double)n / s, n, s, failed);
  rc = failed ? 1 : 0;
out:
  curl_slist_free_all(hdrs);
  if (h) curl_easy_cleanup(h);
  curl_global_cleanup();
  return rc;
}
