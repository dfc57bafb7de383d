#!/bin/sh
# pair_swap_test.sh - `kkp-setup init --force` replaces host.key and host.pub as one
# unit. It is killed (SIGKILL, injected by strace at the Nth call) at every openat,
# write, fsync and rename it makes, and made to fail (EIO, as on a target that cannot
# be written) at every rename; after
# each, the pair in force must match (a record sealed with the public key opens with
# the secret key), be the old pair before the commit point and the new one after it,
# and a later init --force must succeed.
. tests/lib/preamble.sh
S=$BUILD/kkp-setup
P=$BUILD/tests/keystore/ks_probe
T=$tmp
OLDTOK="FAKE-swap-old-$$"

"$S" --keystore "$T/base" init >/dev/null 2>&1 &&
  printf '%s\n' "$OLDTOK" | "$S" --keystore "$T/base" add aircall --account old >/dev/null 2>&1 ||
  { not_ok "the starting keystore is made"; tap_done; exit 1; }

# opens KS ACCOUNT TOKEN: the probe's status (0 opened with that token).
opens() { printf '\n%s\n' "$3" | "$P" open "$1" aircall "$2" >/dev/null 2>&1; echo $?; }
# pair KS TAG: which pair is in force ("old" or "new") and whether it matches; "broken" else.
pair() {
  _t="FAKE-swap-$2-$$"
  printf '%s\n' "$_t" | "$S" --keystore "$1" add aircall --account "probe$2" --force >/dev/null 2>&1 || { echo "add-failed"; return; }
  [ "$(opens "$1" "probe$2" "$_t")" = 0 ] || { echo "broken"; return; }
  [ "$(opens "$1" old "$OLDTOK")" = 0 ] && echo old || echo new
}

# run SYSCALL N ACTION: one init --force on a fresh copy of the starting keystore,
# with ACTION (signal=KILL or error=EIO) injected at the Nth SYSCALL. Sets $rc, $R.
run() {
  R="$T/run-$1-$2-${3%%=*}"
  cp -a "$T/base" "$R"
  # LeakSanitizer (SAN=1 builds) cannot run under ptrace: its leak check is off here only.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o /dev/null -e trace="$1" -e inject="$1:$3:when=$2" "$S" --keystore "$R" init --force >"$T/out" 2>&1
  rc=$?
}

kills=0
for sc in openat write fsync rename; do
  n=1
  while [ "$n" -lt 40 ]; do
    run "$sc" "$n" signal=KILL
    [ "$rc" -eq 0 ] && break # past the last $sc call: init ran to the end
    kills=$((kills + 1))
    state=$(pair "$R" "$sc$n")
    case "$sc:$n:$state" in
      *:broken|*:add-failed) not_ok "killed at $sc #$n: the pair matches" "state: $state" ;;
      rename:[12]:new) not_ok "killed at rename #$n (before the commit): the old pair stays" "state: new" ;;
      rename:[34]:old) not_ok "killed at rename #$n (after the commit): the new pair is in force" "state: old" ;;
      *) ok "killed at $sc #$n: the pair matches ($state)" ;;
    esac
    "$S" --keystore "$R" init --force >/dev/null 2>&1
    equals "after the kill at $sc #$n, init --force works and its pair matches" "$?:$(pair "$R" "again$sc$n")" "0:new"
    n=$((n + 1))
  done
  equals "with no kill past its last $sc call, init --force ran to the end" "$rc" 0
done
check "init was killed at more than 15 points ($kills)" test "$kills" -gt 15

for n in 1 2 3 4; do
  run rename "$n" error=EIO
  equals "rename #$n fails with EIO: init --force fails (status 1)" "$rc" 1
  contains "and says which rename failed" "$(cat "$T/out")" "Input/output error"
  state=$(pair "$R" "eio$n")
  if [ "$n" -le 2 ]; then
    equals "rename #$n failed before the commit: the old pair is intact" "$state" old
    check "and no half-made key file is left" test ! -e "$R/.host.key.next" -a ! -e "$R/.host.pub.next"
  else
    equals "rename #$n failed after the commit: the new pair is in force and matches" "$state" new
  fi
done

tap_done
