#!/bin/sh
# cli_test.sh - the plugin through kkp-host, end to end, against aircall-sim with
# its default rate limit (120 a minute per company): what a user types.
. tests/lib/preamble.sh
export KKP_KEYSTORE="$tmp/ks"
"$BUILD/kkp-setup" init >/dev/null 2>&1 && echo cli-5ecret | "$BUILD/kkp-setup" add aircall >/dev/null 2>&1 ||
  { not_ok "keystore provisioned"; tap_done; exit 1; }
sim_start --bearer cli-5ecret=acme || { not_ok "simulator started"; tap_done; exit 1; }
export AIRCALL_BASE_URL=$SIM_URL
H="$BUILD/kkp-host --plugin-dir $BUILD"

out=$($H call aircall.get_call '{"call_id":12345}' 2>"$tmp/err" </dev/null)
equals "call aircall.get_call exits 0" "$?" 0
call=$(curl -s -H "Authorization: Bearer cli-5ecret" "$SIM_URL/v1/calls/12345")
digits=$(printf %s "$call" | sed 's/.*"raw_digits":"\([^"]*\)".*/\1/')
contains "get_call has from = the caller's raw_digits" "$out" "\"from\":\"$digits\""
contains "get_call has to = the Aircall number" "$out" '"to":"+33 1 76 11 11 11"'

sim_reset
$H call aircall.list_calls '{"per_page":80}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "per_page 80 exits 3 (invalid_argument)" "$?" 3
contains "per_page 80: a clear message on stderr" "$(cat "$tmp/err")" \
  '"code":"invalid_argument","message":"per_page must be between 1 and 50 (got 80)"'
equals "per_page 80: nothing on stdout" "$(cat "$tmp/out")" ""
equals "per_page 80: nothing sent to Aircall" "$(sim_requests)" '{"requests":[]}'

# A client limiter hard-coded at 60 a minute (as other clients have) would refuse or
# stall here: 100 calls in a row fit the company's real limit of 120.
sim_reset
cat >"$tmp/burst.lua" <<'LUA'
local n = 0
for i = 1, 100 do
  local r = app.integrations.aircall.get_call({call_id = 12345})
  if r.call.id == 12345 then n = n + 1 end
end
print(n)
LUA
out=$($H --keystore "$KKP_KEYSTORE" lua "$tmp/burst.lua" 2>"$tmp/err" </dev/null)
equals "100 calls in a row all succeed" "$out" "100"
log=$(sim_requests)
equals "the simulator saw 100 requests" "$(printf %s "$log" | grep -o '"path":"/v1/calls/12345"' | wc -l)" 100
lacks "none of them was rate limited" "$log" '"status":429'

all=$(cat "$tmp"/out "$tmp"/err; printf %s "$log")
lacks "the token appears in no output" "$all" "cli-5ecret"

# http:// is for a loopback host only, and a name that merely starts like one is not: it is
# refused as config_error when the account opens (a connection attempt would have been a
# network_error: the name does not resolve), and the message says why.
port=${SIM_URL##*:}
for host in localhost.evil.example 127.0.0.1.evil.example; do
  $H --base-url "http://$host:$port" call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
  equals "http://$host exits 9 (config_error)" "$?" 9
  contains "http://$host: the refusal names the loopback rule" "$(cat "$tmp/err")" \
    "http:// is allowed only for a loopback host"
  cat "$tmp/out" "$tmp/err" >>"$tmp/refusals"
done
$H --base-url "http://localhost:$port" call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "http://localhost:PORT, a loopback host, is used (exit 0)" "$?" 0
lacks "the refusals hold no token" "$(cat "$tmp/refusals")" "cli-5ecret"
tap_done
