/*
 * iso8601.c - ISO-8601 dates as agents write them, to the UNIX seconds the
 * Aircall API wants for from/to. A time without a zone is taken as UTC.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "src/ac.h"

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

/* UNIX seconds of a UTC date and time; -1 when the date does not exist. timegm
 * rolls a day past the month's end into the next month (February 30 into March),
 * which is how such a date is told apart. */
static int utc_seconds(int y, int mo, int d, int h, int mi, int sec, long long *out) {
  struct tm tm = {
      .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
  time_t t = timegm(&tm);
  if (tm.tm_mon != mo - 1 || tm.tm_mday != d) return -1;
  *out = (long long)t;
  return 0;
}

int ac_iso8601_parse(const char *s, long long *out) {
  const char *p = s;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
    return -1;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
  long long offset = 0;
  if (*p == 'T' || *p == 't' || *p == ' ') {
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return -1;
    if (*p == ':') {
      p++;
      if (digits(&p, 2, &sec)) return -1;
      if (*p == '.' || *p == ',') { /* fractional seconds: dropped, Aircall takes whole seconds */
        p++;
        if (!isdigit((unsigned char)*p)) return -1;
        while (isdigit((unsigned char)*p)) p++;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return -1;
    if (sec == 60) sec = 59; /* a leap second names the last second of its minute */
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
      if (digits(&p, 2, &oh)) return -1;
      if (*p == ':') p++;
      if (isdigit((unsigned char)*p) && digits(&p, 2, &om)) return -1;
      if (oh > 23 || om > 59) return -1;
      offset = sign * (oh * 3600LL + om * 60LL);
    }
  }
  if (*p != '\0') return -1;
  long long t;
  if (utc_seconds(y, mo, d, h, mi, sec, &t)) return -1;
  *out = t - offset;
  return 0;
}
