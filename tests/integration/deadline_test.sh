#!/bin/sh
# deadline_test.sh - kkp-host lua --timeout-s holds while a plugin call waits: the
# host hands what is left of the script's time to the call as its deadline, so a
# rate limit that would be waited out for most of a minute ends the call at once
# with an error that names the deadline (no retry is sent).
. tests/lib/preamble.sh
export KKP_KEYSTORE="$tmp/ks"
"$BUILD/kkp-setup" init >/dev/null 2>&1 && echo dl-5ecret | "$BUILD/kkp-setup" add aircall >/dev/null 2>&1 ||
  { not_ok "keystore provisioned"; tap_done; exit 1; }
# One request a minute: the second call meets a 429 whose window reopens within
# max_rate_wait_ms (60 s), far past the script's 2 s.
sim_start --rate-limit 1 --bearer dl-5ecret=acme || { not_ok "simulator started"; tap_done; exit 1; }
export AIRCALL_BASE_URL=$SIM_URL
cat >"$tmp/two.lua" <<'LUA'
app.integrations.aircall.get_call({call_id = 12345})
app.integrations.aircall.get_call({call_id = 12345})
print("both answered")
LUA
"$BUILD/kkp-host" --plugin-dir "$BUILD" --keystore "$KKP_KEYSTORE" --timeout-s 2 lua "$tmp/two.lua" \
  >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
equals "the script fails with exit 1" "$st" 1
contains "the error is the rate limit" "$(cat "$tmp/err")" "rate_limited"
contains "the error names the deadline cut short by the time cap" "$(cat "$tmp/err")" "waiting would pass the call's deadline"
equals "nothing printed after the failed call" "$(cat "$tmp/out")" ""
n=$(sim_requests | grep -o '"path":"/v1/calls/12345"' | wc -l)
equals "two requests reached the simulator (the 429 was not retried)" "$n" 2
tap_done
