/*
 * phone.c - phone numbers and email addresses as agents type them: what counts
 * as a number, and the E.164 form Aircall wants on the wire.
 */
#include <ctype.h>
#include <string.h>

#include "src/ac.h"

int ac_phone_digits(const char *s) {
  int n = 0;
  for (const char *p = s; *p; p++) {
    if (isdigit((unsigned char)*p)) n++;
    else if (*p == '+' && p != s) return -1;
    else if (!strchr("+()-. ", *p)) return -1;
  }
  return n;
}

void ac_phone_normalise(const char *s, char *out, size_t cap) {
  size_t o = 0;
  if (cap == 0) return;
  for (const char *p = s; *p && o + 1 < cap; p++)
    if (isdigit((unsigned char)*p) || (*p == '+' && o == 0)) out[o++] = *p;
  out[o] = '\0';
}

int ac_email_valid(const char *s) {
  const char *at = strchr(s, '@');
  if (!at || at == s || at[1] == '\0' || strchr(at + 1, '@')) return 0;
  for (const char *p = s; *p; p++)
    if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p)) return 0;
  return 1;
}
