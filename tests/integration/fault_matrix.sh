#!/bin/sh
# Runs the fault matrix (fault_matrix.c): a simulator without rate limit, a
# throw-away keystore with the account of company acme, then the C program that
# dlopens aircall.so and drives every function into every fault.
. tests/lib/preamble.sh
work=$tmp

export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null || exit 1
echo tok-acme-5ecret | "$BUILD/kkp-setup" add aircall --account default >/dev/null || exit 1
sim_start --rate-limit 0 --bearer tok-acme-5ecret=acme || exit 1
export SIM_URL BUILD
"$BUILD/tests/integration/fault_matrix"
