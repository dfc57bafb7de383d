#!/bin/sh
# fanout_fault_test.sh - runs fanout_fault_test (pages read at once when no new handle or
# thread can be had) against a simulator whose lists have many pages.
. tests/lib/preamble.sh
work=$tmp
fail() { echo "not ok 1 - $1"; exit 1; }

export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null 2>&1 || fail "keystore created"
echo tok-fan-5ecret | "$BUILD/kkp-setup" add aircall --account default >/dev/null 2>&1 || fail "bearer added"
sim_start --rate-limit 0 --contacts 1000 --users 400 --bearer tok-fan-5ecret=acme || fail "simulator started"
export SIM_URL BUILD
"$BUILD/tests/integration/fanout_fault_test"
