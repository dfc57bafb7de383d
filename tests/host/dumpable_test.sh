#!/bin/sh
# dumpable_test.sh - kkp-host and kkp-setup make themselves non-dumpable and set no
# core files (RLIMIT_CORE 0) before they touch a secret: checked from outside, on
# the running process, by another process of the same user. As root the processes
# run as nobody, since root may look at anything (a non-dumpable process's /proc
# files belong to root, which only shows when the process is not root itself).
. tests/lib/preamble.sh
pids=
cleanup() {
  for p in $pids; do kill -9 "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
}
at_exit cleanup
RUNAS=
if [ "$(id -u)" = 0 ]; then
  RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
  chown 65534:65534 "$tmp"
fi
chmod 700 "$tmp"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH= KKP_KEYSTORE="$tmp/ks"

# watch PID NAME: waits (up to 100 looks) until PID runs NAME, alive, and its /proc
# entry belongs to root while the process itself does not; prints what it saw last:
# "state=S uid=U proc-owner=O". (A dead, unreaped process's entry belongs to root
# too: hence the state, which must not be Z.)
watch() {
  _i=0 _st= _uid= _own=
  while [ "$_i" -lt 100 ]; do
    if [ "$(sed -n 's/^Name:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)" = "$2" ]; then
      _st=$(awk '/^State:/ {print $2}' "/proc/$1/status")
      _uid=$(awk '/^Uid:/ {print $2}' "/proc/$1/status")
      _own=$(stat -c %u "/proc/$1/status")
      [ "$_own" = 0 ] && [ "$_uid" != 0 ] && [ "$_st" != Z ] && break
    fi
    sleep 0.1
    _i=$((_i + 1))
  done
  echo "state=$_st uid=$_uid proc-owner=$_own"
}
# nondumpable SEEN: the process was alive and its /proc entry is root's.
nondumpable() { case "$1" in state=Z*|state=\ *) return 1 ;; *proc-owner=0) return 0 ;; *) return 1 ;; esac; }
core_limit() { sed -n 's/^Max core file size *\([^ ]*\) *\([^ ]*\).*/\1 \2/p' "/proc/$1/limits"; }

# The control: an ordinary process of the same user can be looked at, so the
# checks below can tell the difference.
$RUNAS sleep 60 &
ctl=$!
pids="$pids $ctl"
_i=0
while [ "$(sed -n 's/^Name:[[:space:]]*//p' "/proc/$ctl/status" 2>/dev/null)" != sleep ] && [ "$_i" -lt 200 ]; do
  sleep 0.1
  _i=$((_i + 1))
done
me=$(id -u)
[ -n "$RUNAS" ] && me=65534
check "control: a same-user process's environment is readable by the user" sh -c "$RUNAS cat /proc/$ctl/environ >/dev/null"
equals "control: its /proc entry belongs to the user" "$(stat -c %u "/proc/$ctl/status")" "$me"

# kkp-host running a script (it loops until it is killed).
printf 'while true do end\n' | $RUNAS "$BUILD/kkp-host" --plugin-dir "$BUILD/tests/host/fixtures" --timeout-s 60 lua - &
h=$!
pids="$pids $h"
seen=$(watch "$h" kkp-host)
check "kkp-host is non-dumpable: its /proc entry belongs to root ($seen)" nondumpable "$seen"
equals "kkp-host allows no core file (soft and hard limit 0)" "$(core_limit "$h")" "0 0"
check "kkp-host: the user's other processes cannot read its environment" sh -c "! $RUNAS cat /proc/$h/environ >/dev/null 2>&1"
kill -9 "$h"

# kkp-setup waiting for the token on its stdin (a pipe that stays open).
$RUNAS "$BUILD/kkp-setup" --keystore "$tmp/ks" init >/dev/null 2>&1
mkfifo "$tmp/in"
$RUNAS "$BUILD/kkp-setup" --keystore "$tmp/ks" add aircall <"$tmp/in" >/dev/null 2>&1 &
s=$!
pids="$pids $s"
exec 3>"$tmp/in"
seen=$(watch "$s" kkp-setup)
check "kkp-setup is non-dumpable while it waits for the token ($seen)" nondumpable "$seen"
equals "kkp-setup allows no core file" "$(core_limit "$s")" "0 0"
check "kkp-setup: the user's other processes cannot read its environment" sh -c "! $RUNAS cat /proc/$s/environ >/dev/null 2>&1"
exec 3>&-
wait "$s"
equals "kkp-setup then reads end of input and says no token was given (status 1)" "$?" 1
tap_done
