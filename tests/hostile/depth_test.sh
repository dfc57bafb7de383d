#!/bin/sh
# depth_test.sh - the host's JSON (json.decode, json.encode, arguments) takes
# the nesting depth the plugins take, KKP_JSON_MAX_DEPTH (32): a text or table
# at the limit passes, one level deeper is refused. The plugin's side is in
# tests/unit/bounds_test.c.
. tests/lib/preamble.sh
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH= KKP_KEYSTORE="$tmp/ks"
limit=$(sed -n 's/^#define KKP_JSON_MAX_DEPTH \([0-9]*\).*/\1/p' plugin.h)
equals "plugin.h defines the one limit" "$limit" 32

out=$(printf '%s\n' "
local function deep(n) local t = {1} for i = 3, n do t = {t} end return t end
local function text(n) return string.rep('[', n - 1) .. '1' .. string.rep(']', n - 1) end
print(pcall(json.encode, deep($limit)))
print(pcall(json.encode, deep($limit + 1)))
print((pcall(json.decode, text($limit))))
print(pcall(json.decode, text($limit + 1)))" | "$BUILD/kkp-host" lua - 2>&1)
contains "json.encode of a table $limit levels deep (a scalar the deepest)" "$out" "true	$(printf "%*s" $((limit - 1)) "" | tr " " "[")1$(printf "%*s" $((limit - 1)) "" | tr " " "]")"
contains "json.encode of a table $((limit + 1)) levels deep is refused" "$out" "[1] is nested deeper than $limit levels"
contains "json.decode of a text $limit levels deep" "$out" "
true
"
contains "json.decode of a text $((limit + 1)) levels deep is refused" "$out" "false	json.decode: not valid JSON: nesting too deep"
tap_done
