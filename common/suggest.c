/*
 * suggest.c - edit distance and the one "Did you mean" rule (common/suggest.h).
 */
#include <string.h>

#include "common/suggest.h"

/* One row on the stack: names are short, and the plugin must not fail on malloc here. */
size_t kkp_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[KKP_SUGGEST_MAX + 1];
  if (la > KKP_SUGGEST_MAX || lb > KKP_SUGGEST_MAX) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* A prefix counts as two edits, so a real typo at one edit still wins. */
void kkp_suggest_consider(const char *word, const char *candidate, const char **best, size_t *best_d) {
  size_t d, len;
  if (!candidate) return;
  d = kkp_edit_distance(word, candidate);
  len = strlen(word);
  if (d > 2 && len >= 3 && strncmp(candidate, word, len) == 0) d = 2;
  if (d < *best_d) {
    *best_d = d;
    *best = candidate;
  }
}

int kkp_suggest_close(const char *word, size_t d) {
  return d <= 2 || (d != (size_t)-1 && d * 3 <= strlen(word));
}

const char *kkp_suggest_among(const char *word, const char *const *names, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < n; i++) kkp_suggest_consider(word, names[i], &best, &best_d);
  return best && kkp_suggest_close(word, best_d) ? best : NULL;
}

int kkp_option_spelled_out(const char *word, const char *name) {
  size_t n = strlen(name);
  return strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, n) == 0 &&
         (word[n + 2] == '\0' || word[n + 2] == '=');
}
