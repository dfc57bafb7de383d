/* curl_json.c - a careful C client: libcurl on one kept connection, each answer collected and
 * parsed with json-c, and the fields a caller would use read out (a call's id, number and
 * direction; each call of a list), then freed. Beside curl_loop it shows what parsing adds.
 * usage: curl_json URL N ['Header: value'] [--cacert FILE]   prints requests/s */
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct body {
  char *s;
  size_t len, cap;
};

static size_t collect(char *p, size_t size, size_t n, void *ud) {
  struct body *b = ud;
  size_t add = size * n;
  if (b->len + add + 1 > b->cap) {
    size_t cap = (b->len + add + 1) * 2;
    char *nb = realloc(b->s, cap);
    if (!nb) return 0;
    b->s = nb, b->cap = cap;
  }
  memcpy(b->s + b->len, p, add);
  b->len += add;
  return add;
}

/* What a caller reads from one call; false when the call lacks its id. */
static int read_call(json_object *c) {
  json_object *id, *v;
  if (!json_object_object_get_ex(c, "id", &id)) return 0;
  (void)json_object_get_int64(id);
  if (json_object_object_get_ex(c, "raw_digits", &v)) (void)json_object_get_string(v);
  if (json_object_object_get_ex(c, "direction", &v)) (void)json_object_get_string(v);
  if (json_object_object_get_ex(c, "number", &v) && json_object_object_get_ex(v, "digits", &v))
    (void)json_object_get_string(v);
  return 1;
}

static int use(const struct body *b) {
  json_object *root = json_tokener_parse(b->s), *v;
  int ok = 0;
  if (json_object_object_get_ex(root, "call", &v)) ok = read_call(v);
  else if (json_object_object_get_ex(root, "calls", &v) && json_object_is_type(v, json_type_array)) {
    ok = 1;
    for (size_t i = 0; i < json_object_array_length(v); i++) ok &= read_call(json_object_array_get_idx(v, i));
  }
  json_object_put(root);
  return ok;
}

int main(int argc, char **argv) {
  struct curl_slist *hdrs = NULL;
  struct body b = {0};
  struct timespec t0, t1;
  long n, failed = 0;
  char *end = NULL;
  if (argc < 3 || (n = strtol(argv[2], &end, 10)) < 1 || *end) {
    fprintf(stderr, "usage: curl_json URL N ['Header: value'] [--cacert FILE]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *h = curl_easy_init();
  if (!h) return 1;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc) curl_easy_setopt(h, CURLOPT_CAINFO, argv[++i]);
    else hdrs = curl_slist_append(hdrs, argv[i]);
  }
  curl_easy_setopt(h, CURLOPT_URL, argv[1]);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    long status = 0;
    b.len = 0;
    CURLcode cc = curl_easy_perform(h);
    if (b.s) b.s[b.len] = '\0';
    if (cc != CURLE_OK || curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
        status != 200 || !b.s || !use(&b))
      failed++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f requests/s (%ld requests in %.3f s, %ld failed)\n", (double)n / s, n, s, failed);
  free(b.s);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  curl_global_cleanup();
  return failed ? 1 : 0;
}
