#!/bin/sh
# Runs the plugin's integration tests: two simulators (one with a tight rate
# limit), a throw-away keystore with accounts for two companies and both
# credential kinds, then the C test binary that dlopens aircall.so.
. tests/lib/preamble.sh
work=$tmp
limited_pid= pages_pid=
cleanup() {
  [ -n "$limited_pid" ] && kill "$limited_pid" 2>/dev/null && wait "$limited_pid" 2>/dev/null
  [ -n "$pages_pid" ] && kill "$pages_pid" 2>/dev/null && wait "$pages_pid" 2>/dev/null
}
at_exit cleanup

export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null || exit 1
echo tok-acme-5ecret | "$BUILD/kkp-setup" add aircall --account default >/dev/null || exit 1
echo tok-globex-5ecret | "$BUILD/kkp-setup" add aircall --account globex >/dev/null || exit 1
echo key-id:key-5ecret | "$BUILD/kkp-setup" add aircall --account basic --basic >/dev/null || exit 1
echo wrong-5ecret | "$BUILD/kkp-setup" add aircall --account wrong >/dev/null || exit 1

# A second keystore whose host.key is wrapped with a passphrase (cheapest KDF: tests only).
export WRAPPED_KEYSTORE="$work/wrapped"
echo "pass-5ecret" | "$BUILD/kkp-setup" --keystore "$WRAPPED_KEYSTORE" init --passphrase --kdf min >/dev/null || exit 1
echo tok-acme-5ecret | "$BUILD/kkp-setup" --keystore "$WRAPPED_KEYSTORE" add aircall >/dev/null || exit 1

sim_start --rate-limit 3 --bearer tok-acme-5ecret=acme || exit 1
export SIM_LIMITED_URL=$SIM_URL
limited_pid=$SIM_PID
SIM_PID=
# A third with lists of many pages: 20 of contacts, 8 of users, 3 of numbers (pages read at once).
sim_start --rate-limit 0 --contacts 1000 --users 400 --numbers 120 --bearer tok-acme-5ecret=acme || exit 1
export SIM_PAGES_URL=$SIM_URL
pages_pid=$SIM_PID
SIM_PID=
sim_start --rate-limit 0 --bearer tok-acme-5ecret=acme --bearer tok-globex-5ecret=globex \
  --basic key-id:key-5ecret=acme || exit 1
export SIM_URL BUILD
${VALGRIND:-} "$BUILD/tests/integration/plugin_test"
