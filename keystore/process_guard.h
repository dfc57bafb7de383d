/*
 * process_guard.h - what kkp-setup and kkp-host do first in main: they hold
 * credentials (a typed token, an opened host key, the plugin's copies), so they
 * never write a core dump and refuse to be traced by other processes of the user.
 */
#ifndef KS_PROCESS_GUARD_H
#define KS_PROCESS_GUARD_H

/* Makes the calling process non-dumpable (PR_SET_DUMPABLE 0: no core dump, no
 * ptrace attach and no /proc/PID/mem or environ for same-uid non-root processes)
 * and sets RLIMIT_CORE to 0, which its children inherit. Returns 0, or -1 when
 * either failed (errno set); the callers go on regardless, since neither is a
 * reason to refuse to run, and say so. */
int ks_process_guard(void);

#endif
