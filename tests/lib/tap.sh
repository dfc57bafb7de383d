# tap.sh - sourced by shell tests: TAP output and a few assertions.
# Each assertion prints "ok N - what" or "not ok N - what" with the evidence.
tap_n=0
tap_fail=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
# check "what" COMMAND...: passes when the command succeeds.
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what" "command failed: $*"; fi; }
# contains "what" HAYSTACK NEEDLE
contains() { case "$2" in *"$3"*) ok "$1" ;; *) not_ok "$1" "expected to find: $3" "in: $(printf %s "$2" | head -c 600)" ;; esac; }
lacks() { case "$2" in *"$3"*) not_ok "$1" "did not expect: $3" "in: $(printf %s "$2" | head -c 600)" ;; *) ok "$1" ;; esac; }
equals() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $3" "got: $2"; fi; }
tap_done() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }
