/*
 * suggest.c - edit distance, for "Did you mean" when a name is misspelt.
 */
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* Levenshtein distance over bytes, two rows. Names are short (<= 64). */
size_t host_levenshtein(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), *prev, *cur, *t, d;
  if (la > 256 || lb > 256) return (size_t)-1; /* not a name: never suggest */
  prev = malloc((lb + 1) * sizeof *prev);
  cur = malloc((lb + 1) * sizeof *cur);
  if (!prev || !cur) {
    free(prev);
    free(cur);
    return (size_t)-1;
  }
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1, sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      cur[j] = del < ins ? (del < sub ? del : sub) : (ins < sub ? ins : sub);
    }
    t = prev;
    prev = cur;
    cur = t;
  }
  d = prev[lb];
  free(prev);
  free(cur);
  return d;
}

void host_suggest_consider(const char *key, const char *candidate, const char **best, size_t *best_d) {
  size_t d;
  if (!candidate) return;
  d = host_levenshtein(key, candidate);
  if (d < *best_d) {
    *best_d = d;
    *best = candidate;
  }
}

int host_suggest_close(const char *key, size_t d) {
  return d <= 3 || d <= strlen(key) / 3;
}
