#!/bin/sh
# Runs every test program given as an argument. Each speaks TAP ("ok N - ..." /
# "not ok N - ..."; cmocka is switched to TAP below). A program that exits non-zero
# without reporting a failure counts as one failure. The last line is the summary.
set -u
BUILD=${BUILD:-build}
logdir="$BUILD/test-logs"
mkdir -p "$logdir"
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0
for t in "$@"; do
  name=$(basename "$t")
  log="$logdir/$(printf %s "$t" | tr / _).log" # by path: two tests may share a name
  echo "# $name"
  "$t" >"$log" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  grep -E '^(not ok |# )' "$log" | sed 's/^/  /'
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "  not ok - $name exited with status $rc; last lines of $log:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "  not ok - $name ran no test"
  fi
  echo "  $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
  # KKP_FAIL_FAST=1 (mutation testing) stops at the first program with a failure.
  [ "$f" -gt 0 ] && [ "${KKP_FAIL_FAST:-}" = 1 ] && break
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
