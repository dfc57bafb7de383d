#!/bin/sh
# secret_memory_test.sh - runs secret_memory_test (aircall.so with its header-list and
# sodium allocation calls watched) against a simulator, with a throw-away keystore holding
# one bearer and one basic credential.
. tests/lib/preamble.sh
work=$tmp
fail() { echo "not ok 1 - $1"; exit 1; }

export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null || fail "keystore created"
echo tok-mem-5ecret | "$BUILD/kkp-setup" add aircall --account default >/dev/null || fail "bearer added"
echo mem-id:mem-5ecret | "$BUILD/kkp-setup" add aircall --account basic --basic >/dev/null ||
  fail "basic added"
sim_start --bearer tok-mem-5ecret=acme --basic mem-id:mem-5ecret=acme || fail "simulator started"
export SIM_URL BUILD
"$BUILD/tests/integration/secret_memory_test"
