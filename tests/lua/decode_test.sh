#!/bin/sh
# decode_test.sh - JSON text to Lua values (host/lua_decode.c), through json.decode and
# through plugin results (the words fixture returns canned texts): strict RFC 8259,
# integers and floats, big numbers, null, duplicate keys, \u escapes and surrogates, the
# depth limit; and plugin errors in Lua's words (1-based paths, Lua's names for arrays
# and objects) while kkp-host call keeps the plugin's JSON words.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
FX="$BUILD/tests/host/fixtures"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH= KKP_KEYSTORE="$tmp/ks"

# lua_out SCRIPT: runs SCRIPT from stdin; stdout+stderr in $out, status in $rc.
lua_out() { out=$(printf '%s\n' "$1" | "$H" --plugin-dir "$FX" lua - 2>&1); rc=$?; }
# show(v): a value as type:value, tables with sorted keys.
SHOW='local function show(v)
  if type(v) == "number" then return math.type(v) .. ":" .. string.format(math.type(v) == "float" and "%.17g" or "%d", v) end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local keys, out = {}, {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) if type(a) ~= type(b) then return type(a) < type(b) end return a < b end)
  for _, k in ipairs(keys) do out[#out + 1] = show(k) .. "=" .. show(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end
local function try(s) local ok, v = pcall(json.decode, s) print(ok and show(v) or v) end'

# decodes TEXT(Lua literal) EXPECTED: json.decode of the text shows as EXPECTED.
decodes() {
  lua_out "$SHOW
try($1)"
  equals "json.decode($1)" "$out" "$2"
}
refused() {
  lua_out "$SHOW
try($1)"
  equals "json.decode($1) is refused" "$out" "json.decode: not valid JSON: $2"
}

# Numbers: integers that fit 64 bits are Lua integers, any other number a float.
decodes '"0"' 'integer:0'
decodes '"-0"' 'integer:0'
decodes '"-0.0"' 'float:-0'
decodes '"[1.5e3, 1E-2, 2.50, 1e-400]"' '{integer:1=float:1500,integer:2=float:0.01,integer:3=float:2.5,integer:4=float:0}'
decodes '"9223372036854775807"' 'integer:9223372036854775807'
decodes '"-9223372036854775808"' 'integer:-9223372036854775808'
decodes '"9223372036854775808"' 'float:9.2233720368547758e+18'
decodes '"18446744073709551615"' 'float:1.8446744073709552e+19'
# json-c clamped these to INT64_MIN and UINT64_MAX: the nearest double is the value.
decodes '"-9223372036854775809"' 'float:-9.2233720368547758e+18'
decodes '"99999999999999999999999"' 'float:9.9999999999999992e+22'
decodes '"-99999999999999999999999"' 'float:-9.9999999999999992e+22'
refused '"1e309"' 'the number 1e309 is beyond the range of a double'
refused '"[-1e999]"' 'the number -1e999 is beyond the range of a double'
for bad in '"01"' '"-01"' '"00"' '"+1"' '".5"' '"0x10"' '"NaN"' '"-Infinity"' '"[1.e1]"' '"TRUE"' '"truex"' '"nul x"'; do
  refused "$bad" 'unexpected character'
done
for cut in '"1."' '"-"' '"1e+"' '"tru"' '"[1,"' '"{\"a\":"' '""' '"  "' '"\"abc"'; do
  refused "$cut" 'unexpected end of data'
done

# Strings: escapes, surrogate pairs, lone surrogates as U+FFFD (as json-c made them),
# NUL kept, raw bytes kept as they are, control characters refused.
decodes '[["\u0041\u00e9\u20ac\ud83d\ude00\/\b\f\n\r\t\"\\"]]' '"Aé€😀/\8\12\
\13\9\"\\"'
decodes '[["\ud83d|\ude00|\ud83d\u0041|\uDC00\uD800"]]' '"�|�|�A|��"'
decodes '[["a\u0000b"]]' '"a\0b"'
decodes '"\"\255\192\""' "$(printf '"\377\300"')"
refused '"\"a\tb\""' 'control character in a string (it must be escaped)'
refused '"\"a\0b\""' 'control character in a string (it must be escaped)'
refused '[["\uZZZZ"]]' 'invalid string sequence'
refused '[["\ud83d\u12"]]' 'invalid string sequence'
refused '[["\x"]]' 'invalid string sequence'

# Containers: null leaves no member and a hole in a sequence; the last of duplicate
# keys wins; a key keeps a NUL (json-c cut it there).
decodes '"[1,null,3]"' '{integer:1=integer:1,integer:3=integer:3}'
decodes '"{\"a\":1,\"b\":null,\"a\":{\"c\":[]}}"' '{"a"={"c"={}}}'
decodes '"{\"a\":1,\"a\":null}"' '{}'
decodes '[[{"a\u0000b":1,"":2,"1":3}]]' '{""=integer:2,"1"=integer:3,"a\0b"=integer:1}'
decodes '"[" .. string.rep("7,", 150) .. "7]"' "{$(i=1; while [ $i -le 151 ]; do printf 'integer:%d=integer:7' $i; [ $i -lt 151 ] && printf ','; i=$((i + 1)); done)}"
lua_out 'local t = {} for i = 1, 150 do t[#t + 1] = string.format("\"k%d\":%d", i, i) end
local v = json.decode("{" .. table.concat(t, ",") .. ",\"k7\":-7}")
local n = 0 for _ in pairs(v) do n = n + 1 end print(n, v.k1, v.k150, v.k7)'
equals "an object of 150 members (past the first 64 gathered), the last k7 wins" "$out" "150	1	150	-7"
refused '"[1,]"' 'unexpected character'
refused '"{\"a\":1,}"' 'quoted object property name expected'
refused '"{\"a\" 1}"' "object property name separator ':' expected"
refused '"[1 2]"' "array value separator ',' expected"
refused '"{\"a\":1 \"b\":2}"' "object value separator ',' expected"
refused '"[1]\0"' 'unexpected character'
refused '"/* c */ 1"' 'unexpected character'
refused '"\239\187\191{}"' 'unexpected character'
decodes '" \t\r\n{} \t\r\n"' '{}'

# Depth: the top value is level 1; 32 levels pass, 33 do not (plugin.h).
decodes 'string.rep("[", 32) .. string.rep("]", 32)' "$(printf '%.0s{integer:1=' $(seq 31))"'{}'"$(printf '%.0s}' $(seq 31))"
refused 'string.rep("[", 33) .. string.rep("]", 33)' 'nesting too deep'
refused 'string.rep("{\"a\":", 32) .. "1" .. string.rep("}", 32)' 'nesting too deep'

# Plugin results go through the same decoder.
lua_out 'local r = app.integrations.words.answer({n = 0})
print(math.type(r.call.id), r.call.id, math.type(r.call.big), r.call.tags[1], r.call.tags[2], r.call.tags[3], r.call.note)'
equals "a plugin result: integer, big number, hole for null, escapes" "$out" "integer	12345	float	a	nil	c	é😀"
lua_out 'for n = 1, 4 do print(pcall(app.integrations.words.answer, {n = n})) end'
equals "a plugin result that is not JSON is an internal_error saying why" "$out" "false	words.answer: internal_error: the plugin returned a result that is not JSON: quoted object property name expected
false	words.answer: internal_error: the plugin returned a result that is not JSON: the number 1e999 is beyond the range of a double
false	words.answer: internal_error: the plugin returned a result that is not JSON: nesting too deep
false	words.answer: internal_error: the plugin returned a result that is not JSON: unexpected character"

# Plugin errors in Lua's words; kkp-host call shows the plugin's own.
lua_out 'for n = 0, 4 do print(pcall(app.integrations.words.refuse, {n = n})) end'
equals "plugin errors: 1-based paths of details.parameter, Lua's names" "$out" 'false	words.refuse: invalid_argument: phone_numbers[1].value "12" is not a phone number
false	words.refuse: invalid_argument: tags must be a Lua sequence (got a Lua table with named fields); items[2] must be a Lua table with named fields; emails[10] and xphone_numbers[0].value stay
false	words.refuse: invalid_argument: emails[4][1] must be a Lua table with named fields, not an objection
false	words.refuse: invalid_argument: tags must be an array (a Lua sequence): tags[1]
false	words.refuse: internal_error: not json at all'
out=$("$H" --plugin-dir "$FX" call words.refuse '{"n":0}' 2>&1)
contains "kkp-host call: the plugin's JSON words and 0-based path" "$out" '"message":"phone_numbers[0].value \"12\" is not a phone number"'
lua_out 'app.integrations.words.refuse({n = 0})'
equals "an uncaught plugin error: status 1" "$rc" 1
contains "an uncaught plugin error: the script's line, in Lua's words" "$out" "stdin:1: words.refuse: invalid_argument: phone_numbers[1].value"
tap_done
