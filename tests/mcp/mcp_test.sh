#!/bin/sh
# mcp_test.sh - kkp-host mcp driven by the official MCP TypeScript SDK client (pinned in
# package-lock.json): aircall-sim with two companies, a keystore under HOME (where a
# KosmoKrator-launched server looks) with one account for each, plus a single-account
# and a passphrase-wrapped keystore. Node's test runner prints TAP.
. tests/lib/preamble.sh
here=tests/mcp
if ! command -v node >/dev/null; then
  echo "not ok - node not found: apt-get install nodejs npm (Node.js 18 or newer), then (cd $here && npm ci)"
  exit 1
fi
if [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1) || {
    echo "not ok - npm ci in $here failed: run (cd $here && npm ci) with network access"
    exit 1
  }
fi
unset KKP_KEYSTORE KKP_KEYSTORE_PASSPHRASE KOSMO_HOME KKP_PLUGIN_PATH

export MCP_HOME="$tmp/home"
ks="$MCP_HOME/.kosmokrator/keystore"
mkdir -p "$MCP_HOME/.kosmokrator"
setup() { "$BUILD/kkp-setup" "$@" >/dev/null 2>&1; }
setup --keystore "$ks" init || exit 1
echo tok-acme-5ecret | setup --keystore "$ks" add aircall --account default || exit 1
echo tok-globex-5ecret | setup --keystore "$ks" add aircall --account globex || exit 1
export MCP_SINGLE_KEYSTORE="$tmp/single"
setup --keystore "$MCP_SINGLE_KEYSTORE" init || exit 1
echo tok-globex-5ecret | setup --keystore "$MCP_SINGLE_KEYSTORE" add aircall --account sales || exit 1
export MCP_WRAPPED_KEYSTORE="$tmp/wrapped"
echo pass-5ecret | setup --keystore "$MCP_WRAPPED_KEYSTORE" init --passphrase --kdf min || exit 1
echo tok-acme-5ecret | setup --keystore "$MCP_WRAPPED_KEYSTORE" add aircall || exit 1

sim_start --rate-limit 0 --bearer tok-acme-5ecret=acme --bearer tok-globex-5ecret=globex || exit 1
export SIM_URL BUILD
# Arguments: test files to run instead of every *.test.mjs (e.g. one of them, to repeat it).
# One file at a time: they share the simulator (resets, fault queue, request log).
[ $# -eq 0 ] && set -- "$here"/*.test.mjs
rc=0
for f in "$@"; do
  node --test --test-reporter=tap "$f" >"$tmp/tap" 2>&1 || rc=1
  sed '/^# Subtest: /d' "$tmp/tap" # each test's name is on its ok/not ok line already
done
exit $rc
