#!/bin/sh
# stress_test.sh - kkp-setup under pressure: inits racing for one keystore, two
# processes adding 100 accounts each at once, and a writer (add --force) killed at
# random moments 200 times. The keystore must stay readable and never lose a record
# that was there.
. tests/lib/preamble.sh
S=$BUILD/kkp-setup
P=$BUILD/tests/keystore/ks_probe
T=$tmp
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
}
at_exit cleanup
LOG=$T/all-output
: >"$LOG"

# --- 8 inits at once, 5 times over: one wins; host.key and host.pub stay one pair
# (records added afterwards open), with and without --force.
for force in "" --force; do
  won=0 mismatched=0 round=1
  while [ "$round" -le 5 ]; do
    K=$T/race$force$round
    rm -f "$T/won"
    j=1
    while [ "$j" -le 8 ]; do
      ( "$S" --keystore "$K" init $force >>"$LOG" 2>&1 && echo x >>"$T/won" ) &
      pids="$pids $!"
      j=$((j + 1))
    done
    wait
    pids=""
    [ -z "$force" ] && [ "$(wc -l <"$T/won")" -ne 1 ] && won=$((won + 1))
    printf 'FAKE-race-tok\n' | "$S" --keystore "$K" add aircall >>"$LOG" 2>&1
    printf '\nFAKE-race-tok\n' | "$P" open "$K" aircall default >>"$LOG" 2>&1 || mismatched=$((mismatched + 1))
    round=$((round + 1))
  done
  [ -z "$force" ] && equals "of 8 racing inits exactly one succeeds (5 rounds)" "$won" 0
  equals "racing inits ${force:+(--force) }leave a matching key pair (5 rounds)" "$mismatched" 0
done
K=$T/ks
"$S" --keystore "$K" init >>"$LOG" 2>&1

# --- 2 writers x 100 accounts, concurrently
writer() {
  i=1
  while [ "$i" -le 100 ]; do
    printf 'FAKE-conc-%s-%s-tok\n' "$1" "$i" | "$S" --keystore "$K" add aircall --account "w$1-$i" \
      >>"$T/writer$1.log" 2>&1 || echo "w$1-$i failed" >>"$T/writer$1.fail"
    i=$((i + 1))
  done
}
writer 1 & p1=$!
writer 2 & p2=$!
pids="$p1 $p2"
wait "$p1"; wait "$p2"
pids=""
check "no concurrent add failed" test ! -e "$T/writer1.fail" -a ! -e "$T/writer2.fail"
n=$("$S" --keystore "$K" list 2>>"$LOG" | grep -c '^aircall	w[12]-')
equals "list shows all 200 records" "$n" 200
bad=0
for w in 1 2; do
  i=1
  while [ "$i" -le 100 ]; do
    printf '\nFAKE-conc-%s-%s-tok\n' "$w" "$i" | "$P" open "$K" aircall "w$w-$i" >>"$LOG" 2>&1 || bad=$((bad + 1))
    i=$((i + 1))
  done
done
equals "all 200 records open with their own token" "$bad" 0
equals "no temp file is left behind" "$(ls -A "$K/aircall" | grep -c '\.tmp\.')" 0

# --- a writer killed at random points, 200 times
K=$T/kill
"$S" --keystore "$K" init >>"$LOG" 2>&1
printf 'FAKE-keep-tok\n' | "$S" --keystore "$K" add aircall --account keep >>"$LOG" 2>&1
printf 'FAKE-victim-0\n' | "$S" --keystore "$K" add aircall --account victim >>"$LOG" 2>&1
# A stray temp file of a writer long gone (pid beyond any pid_max) must be ignored and cleaned.
printf 'KKPKSTOK partial' >"$K/aircall/.victim.tok.tmp.2147483646.0123456789abcdef"
# Delays between 0 and 2.5 ms, reproducible from the seed.
awk 'BEGIN { srand(4242); for (i = 0; i < 200; i++) printf "%.4f\n", rand() * 0.0025 }' >"$T/delays"
last=FAKE-victim-0
i=0 broken=0 lost=0 stray=0 new=0
while read -r d; do
  i=$((i + 1))
  tok="FAKE-victim-$i"
  printf '%s\n' "$tok" >"$T/in"
  "$S" --keystore "$K" add aircall --account victim --force <"$T/in" >>"$LOG" 2>&1 &
  wp=$!
  pids=$wp
  sleep "$d"
  kill -9 "$wp" 2>/dev/null
  wait "$wp" 2>/dev/null
  pids=""
  ls -A "$K/aircall" | grep -q '\.tmp\.' && stray=$((stray + 1))
  # The record holds either the new token (the write landed) or the last one.
  if printf '\n%s\n' "$tok" | "$P" open "$K" aircall victim >>"$LOG" 2>&1; then
    last=$tok new=$((new + 1))
  elif ! printf '\n%s\n' "$last" | "$P" open "$K" aircall victim >>"$LOG" 2>&1; then
    broken=$((broken + 1))
  fi
  if [ $((i % 20)) -eq 0 ]; then
    printf '\nFAKE-keep-tok\n' | "$P" open "$K" aircall keep >>"$LOG" 2>&1 || lost=$((lost + 1))
    "$S" --keystore "$K" list >"$T/list" 2>>"$LOG" || broken=$((broken + 1))
  fi
done <"$T/delays"
equals "200 kills were done" "$i" 200
equals "after every kill the record opens with the old or the new token" "$broken" 0
equals "the untouched record survived every kill" "$lost" 0
echo "# $new of 200 writes landed before the kill; $stray kills left a temp file"
out=$("$S" --keystore "$K" list 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "list works after the kills" "$rc" 0
equals "list shows exactly keep and victim" "$(printf '%s\n' "$out" | cut -f2 | tr '\n' ' ')" "keep victim "
printf 'FAKE-final\n' | "$S" --keystore "$K" add aircall --account victim --force >>"$LOG" 2>&1
equals "the next add cleans every dead writer's temp file" "$(ls -A "$K/aircall" | grep -c '\.tmp\.')" 0
printf '\nFAKE-final\n' | "$P" open "$K" aircall victim >>"$LOG" 2>&1
equals "and its record opens" "$?" 0

found=$(grep -c -e 'FAKE-conc-' -e 'FAKE-race-tok' -e 'FAKE-keep-tok' -e 'FAKE-victim-' -e 'FAKE-final' "$LOG")
equals "no output contains any of the tokens used" "$found" 0
grep -rlF 'FAKE-' "$T/ks" "$T/kill" >"$T/hits"
equals "no keystore file contains a token in clear" "$(wc -l <"$T/hits")" 0
tap_done
