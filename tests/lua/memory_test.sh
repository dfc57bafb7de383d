#!/bin/sh
# memory_test.sh - kkp-host lua --memory-mb holds for what a script makes the host
# build outside Lua's allocator: a table holding the same subtable twice, 30 levels
# deep (2^30 nodes as JSON), given to json.encode or to a plugin call, fails with a
# clear Lua error before the process grows past the cap (and before anything is
# sent); and many small allocations count against the cap as a running total.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH=
unset KKP_KEYSTORE_PASSPHRASE
# 4^15 = 2^30 nodes, 16 levels deep: within the JSON depth limit (KKP_JSON_MAX_DEPTH) even as an argument.
SHARED='local t = {"x"} for i = 1, 15 do t = {t, t, t, t} end'

# lua_rss MB SCRIPT: runs SCRIPT under --memory-mb MB; output in $out, status in $rc,
# the process's peak resident size in KiB in $rss.
lua_rss() {
  out=$(printf '%s\n' "$2" | /usr/bin/time -f 'peak-rss-kib=%M' -o "$tmp/rss" \
    "$H" --plugin-dir "$BUILD" --keystore "$tmp/ks" --memory-mb "$1" lua - 2>&1)
  rc=$?
  rss=$(sed -n 's/^peak-rss-kib=//p' "$tmp/rss")
}

lua_rss 16 'print("ready")'
base=$rss
equals "the baseline script runs" "$out" "ready"

lua_rss 16 "$SHARED print(pcall(json.encode, t))"
contains "json.encode of 2^30 shared nodes: a clear Lua error the script can catch" "$out" \
  "false	json.encode: value[1]"
contains "json.encode of 2^30 shared nodes: says it is over the cap" "$out" \
  "is too large to convert to JSON (over the memory cap; raise it with --memory-mb)"
# A sanitizer's allocator (ASan) or shadow memory (TSan) keeps freed memory and pads every block: it measures
# itself there, not the cap.
if [ -z "${SAN:-}${TSAN:-}" ]; then
  check "json.encode stays under the cap: $((rss - base)) KiB over the baseline, cap 16384 KiB" \
    test "$((rss - base))" -le 16384
fi
lua_rss 16 'local t = {} for i = 1, 2000 do t[i] = {id = i, name = ("n"):rep(50)} end print(#json.encode(t) > 100000)'
equals "a large but reasonable value still encodes under the same cap" "$out" "true"

# The same value as a plugin call's argument: refused while converting, so no request.
sim_start --bearer mem-5ecret=acme || { not_ok "simulator started"; tap_done; exit 1; }
"$BUILD/kkp-setup" --keystore "$tmp/ks" init >/dev/null 2>&1 &&
  echo mem-5ecret | "$BUILD/kkp-setup" --keystore "$tmp/ks" add aircall >/dev/null 2>&1
export AIRCALL_BASE_URL="$SIM_URL"
lua_rss 16 "$SHARED print(pcall(app.integrations.aircall.list_calls, {order = t}))"
contains "a plugin call with 2^30 shared nodes: a clear Lua error" "$out" \
  "false	aircall.list_calls: invalid_argument: arguments.order[1]"
contains "a plugin call with 2^30 shared nodes: says it is over the cap" "$out" \
  "is too large to convert to JSON (over the memory cap; raise it with --memory-mb)"
if [ -z "${SAN:-}${TSAN:-}" ]; then
  check "the plugin call's conversion stays under the cap: $((rss - base)) KiB over the baseline" \
    test "$((rss - base))" -le 16384
fi
equals "nothing was sent to the simulator" "$(sim_requests)" '{"requests":[]}'
lua_rss 16 'print(app.integrations.aircall.list_calls({per_page = 1}).calls ~= nil)'
equals "control: a small call does reach the simulator" "$out:$(sim_requests | grep -c '"path":"/v1/calls"')" "true:1"

# Many small allocations (no single one near the cap) add up to the cap.
lua_rss 8 'local l = nil for i = 1, 1e6 do l = {l, ("x"):rep(64) .. i} end print("done")'
equals "a million small allocations: stopped (status 1)" "$rc" 1
contains "a million small allocations: the memory cap says so" "$out" \
  "memory limit of 8 MiB exceeded: the script used too much memory (raise the cap with --memory-mb)"
lacks "a million small allocations: the loop never finished" "$out" "done"
tap_done
