/*
 * process_guard.c - non-dumpable, no core files: see process_guard.h. In libks.a
 * for the two commands only: no plugin calls it (a library must not change the
 * settings of the process that loads it), so no plugin links it.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "keystore/process_guard.h"

int ks_process_guard(void) {
  struct rlimit none = {0, 0};
  int rc = 0, saved = 0;
  /* Both, even when the first fails: each closes a way out on its own. */
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    rc = -1;
    saved = errno;
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    rc = -1;
    saved = errno;
  }
  if (rc) errno = saved;
  return rc;
}
