#!/bin/sh
# Runs the hostile-upstream test: a throw-away keystore with a Bearer and a
# Basic account, then the C test that serves malformed answers in-process and
# drives every function of the real aircall.so against them.
. tests/lib/preamble.sh
work=$tmp
export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null || exit 1
echo tok-hostile-5ecret | "$BUILD/kkp-setup" add aircall --account default >/dev/null || exit 1
echo key-id:key-5ecret | "$BUILD/kkp-setup" add aircall --account basic --basic >/dev/null || exit 1
export BUILD
"$BUILD/tests/hostile/hostile_test"
