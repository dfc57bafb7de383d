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

/* The rule, the same as the plugin's (src/validate.c ac_closest), so a name gets the
 * same suggestion from kkp-host and from the plugin: at most two edits or a third of
 * the word, or a name the word begins ("timeout" for "timeout_ms"). A prefix counts
 * as two edits, so a real typo at one edit still wins. */
void host_suggest_consider(const char *key, const char *candidate, const char **best, size_t *best_d) {
  size_t d, len;
  if (!candidate) return;
  d = host_levenshtein(key, candidate);
  len = strlen(key);
  if (d > 2 && len >= 3 && strncmp(candidate, key, len) == 0) d = 2;
  if (d < *best_d) {
    *best_d = d;
    *best = candidate;
  }
}

int host_suggest_close(const char *key, size_t d) {
  return d <= 2 || (d != (size_t)-1 && d * 3 <= strlen(key));
}

const char *host_suggest_among(const char *key, const char *const *names, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < n; i++) host_suggest_consider(key, names[i], &best, &best_d);
  return best && host_suggest_close(key, best_d) ? best : NULL;
}
