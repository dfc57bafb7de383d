#!/bin/sh
# sandbox_test.sh - kkp-host lua: the sandbox (no io, os, require, bytecode, dofile), the
# memory and time caps, the app.integrations namespace over the fixture plugin (errors,
# did-you-mean, positional arguments, empty tables), json, dump and lua_read_doc.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
FX="$BUILD/tests/host/fixtures"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH= KKP_KEYSTORE="$tmp/ks"

# lua_out SCRIPT: runs SCRIPT from stdin; stdout+stderr in $out, status in $rc.
lua_out() { lua_opts "$1"; }
lua_opts() { script=$1; shift; out=$(printf '%s\n' "$script" | "$H" --plugin-dir "$FX" "$@" lua - 2>&1); rc=$?; }

# Each escape is refused.
lua_out 'print(io, os.execute, os.getenv, os.remove, os.exit, require, package, dofile, loadfile, string.dump, debug, coroutine)'
equals "no io, other os, require, package, dofile, loadfile, string.dump, debug" "$out" \
  "nil	nil	nil	nil	nil	nil	nil	nil	nil	nil	nil	nil"
lua_out 'io.open("/etc/passwd")'
equals "io.open fails: status 1" "$rc" 1
contains "io.open fails: io is nil" "$out" "attempt to index a nil value (global 'io')"
lua_out 'os.execute("true")'
contains "os.execute fails" "$out" "attempt to call a nil value (field 'execute')"
lua_out 'require("os")'
contains "require fails" "$out" "attempt to call a nil value (global 'require')"
lua_out 'dofile("/etc/passwd")'
contains "dofile fails" "$out" "attempt to call a nil value (global 'dofile')"
lua_out 'string.dump(print)'
contains "string.dump fails" "$out" "attempt to call a nil value (field 'dump')"
lua_out 'print(("x").dump)'
equals "no dump through the string metatable" "$out" "nil"
lua_out 'local f, e = load("\27Lua\84\0garbage") print(f, e)'
contains "load of a bytecode string fails" "$out" "attempt to load a binary chunk (mode is 't')"
lua_out 'print(pcall(load, "return 1", "x", "b"))'
contains "load with mode b is refused" "$out" 'only text chunks may be loaded in the sandbox (mode "t"), not mode "b"'
lua_out 'print(load("return 1 + 1")(), load("return x", "c", "t", {x = 7})())'
equals "load of text still works, with and without env" "$out" "2	7"
printf '\033Lua\124\000' >"$tmp/bc.lua"
out=$("$H" --plugin-dir "$FX" lua "$tmp/bc.lua" 2>&1)
contains "a bytecode script file is refused" "$out" "attempt to load a binary chunk"
# The namespace's resolvers stay out of reach: called on a string, __index would
# have rawset into it (a crash).
lua_out 'print(getmetatable(app.integrations), getmetatable(app.integrations.fixture), getmetatable(app.integrations.fixture.default))
print(pcall(setmetatable, app.integrations.fixture, {}))'
equals "namespace metatables are hidden and locked" "$out" "app.integrations is read-only	app.integrations is read-only	app.integrations is read-only
false	cannot change a protected metatable"
mkdir -p "$tmp/notafile.lua"
out=$("$H" --plugin-dir "$FX" lua "$tmp/notafile.lua" 2>&1)
equals "a folder as the script: status 1" "$?" 1
contains "a folder as the script: says so" "$out" "cannot read Lua script $tmp/notafile.lua: Is a directory"
out=$("$H" --plugin-dir "$FX" lua "$tmp/missing.lua" 2>&1)
equals "a missing script: says so" "$out" "kkp-host: cannot read Lua script $tmp/missing.lua: No such file or directory"
printf '#!/usr/bin/env kkp-host lua\nprint(debug, 1 + 1)\nerror("at line 3")\n' >"$tmp/shebang.lua"
out=$("$H" --plugin-dir "$FX" lua "$tmp/shebang.lua" 2>&1)
equals "a #! first line is skipped, and the lines still count from it" "$out" "nil	2
kkp-host: lua: $tmp/shebang.lua:3: at line 3"
out=$(printf '#!/usr/bin/env kkp-host lua\nprint(7)\n' | "$H" --plugin-dir "$FX" lua - 2>&1)
equals "a #! first line on stdin is skipped too" "$out" "7"
lua_out 'print(math.floor(2.5), string.upper("a"), table.concat({1, 2}, ","), utf8.char(233), os.time() > 0, type(os.clock()), os.date("!%Y", 0))'
equals "base, string, table, math, utf8, os.time/clock/date work" "$out" "2	A	1,2	é	true	number	1970"

# Caps.
lua_opts 'local t = {} for i = 1, 1e9 do t[i] = ("x"):rep(64) .. i end' --memory-mb 8
equals "memory cap: status 1" "$rc" 1
contains "memory cap: clear error" "$out" "memory limit of 8 MiB exceeded: the script used too much memory (raise the cap with --memory-mb)"
lua_opts 'local t = {} while true do pcall(function() for i = 1, 1e9 do t[#t + 1] = ("y"):rep(64) .. i end end) end' --memory-mb 8
contains "memory cap: pcall cannot swallow it" "$out" "memory limit of 8 MiB exceeded"
lua_opts 'while true do end' --timeout-s 0.5
equals "time cap: status 1" "$rc" 1
contains "time cap: clear error" "$out" "time limit of 0.5 s exceeded: the script ran too long (raise the cap with --timeout-s)"
lua_opts 'while true do pcall(function() while true do end end) end' --timeout-s 0.5
contains "time cap: pcall cannot swallow it" "$out" "time limit of 0.5 s exceeded"
lua_opts 'local ok, e = xpcall(function() while true do end end, debug and debug.traceback or print) print("survived")' --timeout-s 0.5
lacks "time cap: xpcall cannot swallow it" "$out" "survived"
# A pattern match runs in C, where the hook never fires: the watchdog stops it (its
# status and message, not the outer timeout's 124, show which one did).
out=$(echo 'print("before") local x = string.rep("a", 5000):find(string.rep("a-", 20) .. "b") print("after")' |
  timeout 30 "$H" --plugin-dir "$FX" --timeout-s 0.5 lua - 2>&1)
rc=$?
equals "time cap inside a C call: status 1" "$rc" 1
contains "time cap inside a C call: clear error" "$out" "time limit of 0.5 s exceeded in a library call that cannot be interrupted"
contains "time cap inside a C call: what was printed before is kept" "$out" "before"
lacks "time cap inside a C call: stopped" "$out" "after"

# The namespace over the fixture plugin.
lua_out 'print(pcall(app.integrations.fixture.fail, {per_page = 80}))'
equals "plugin error: false and PLUGIN.FUNCTION: CODE: MESSAGE" "$out" \
  "false	fixture.fail: invalid_argument: per_page must be between 1 and 50 (got 80)"
lua_out 'app.integrations.fixture.fail({code = 3})'
equals "uncaught plugin error: status 1" "$rc" 1
contains "uncaught plugin error: message" "$out" "fixture.fail: not_found: per_page must be between 1 and 50"
lua_out 'print(pcall(function() return app.integrations.fixture.lst_calls end))'
contains "unknown function: the exact message" "$out" "Unknown function: app.integrations.fixture.lst_calls (functions: echo, fail, secret, write_thing; accounts: default)"
lua_out 'print(pcall(function() return app.integrations.fixture.ecoh end))'
equals "unknown function: did you mean" "$out" "false	stdin:1: Unknown function: app.integrations.fixture.ecoh. Did you mean: echo"
lua_out 'print(pcall(function() return app.integrations.fixture.default.ecoh end))'
equals "unknown function under an account: did you mean" "$out" "false	stdin:1: Unknown function: app.integrations.fixture.default.ecoh. Did you mean: echo"
lua_out 'print(pcall(function() return app.integrations.fixtur end))'
contains "unknown integration: did you mean" "$out" "Unknown integration: app.integrations.fixtur. Did you mean: fixture"
lua_out 'local r = app.integrations.fixture.echo({text = "t"}) print(r.account, r.args.text)
local d = app.integrations.fixture.default.echo({}) print(d.account)
local f = app.integrations.fixture.fixture_echo({}) print(f.account)'
equals "short, .default. and full names all reach account default" "$out" "default	t
default
default"
lua_out 'print(app.integrations.fixture.echo("x", 5).raw)
print(app.integrations.fixture.echo(nil, 7).raw)
print(app.integrations.fixture.echo().raw)'
equals "plain arguments map in the manifest's parameter order; nil skips" "$out" '{"text":"x","count":5}
{"count":7}
{}'
lua_out 'print(pcall(app.integrations.fixture.echo, 1, 2, 3, 4, 5))'
contains "too many positional arguments" "$out" "fixture.echo: invalid_argument: takes at most 4 positional argument(s), got 5"
lua_out 'print(app.integrations.fixture.echo({tags = {}, opts = {}}).raw)
print(app.integrations.fixture.echo({}).raw)
print(app.integrations.fixture.echo("a", 1, {}, {}).raw)'
equals "empty table: the schema decides array or object" "$out" '{"tags":[],"opts":{}}
{}
{"text":"a","count":1,"tags":[],"opts":{}}'
lua_out 'print(app.integrations.fixture.echo({opts = {x = 1.5}, tags = {"a", "b"}, count = 9007199254740993}).raw)
print(app.integrations.fixture.echo({opts = {y = true}}).raw)
print(app.integrations.fixture.echo({count = 10.0, opts = {n = 10.0}}).raw)'
equals "64-bit integers, sequences, floats, booleans go out as JSON, in manifest order" "$out" \
  '{"count":9007199254740993,"tags":["a","b"],"opts":{"x":1.5}}
{"opts":{"y":true}}
{"count":10,"opts":{"n":10.0}}'
lua_out 'local r = app.integrations.fixture.echo({count = 9007199254740993}) print(math.type(r.args.count), r.args.count)'
equals "64-bit integers come back as Lua integers" "$out" "integer	9007199254740993"
lua_out 'print(pcall(app.integrations.fixture.echo, {text = print}))'
contains "a function argument is refused clearly" "$out" "fixture.echo: invalid_argument: arguments.text is a function, which has no JSON form"
lua_out 'print(pcall(app.integrations.fixture.write_thing, {}))'
contains "write in a non-interactive run: denied with the way to allow" "$out" "fixture.write_thing: write_denied: write_thing is a write function and writes are denied by default when not run from a terminal: pass --write=allow to allow it"
lua_opts 'print(app.integrations.fixture.write_thing({items = {}}).raw)' --write=allow
equals "--write=allow lets writes through (empty items: array)" "$out" '{"items":[]}'
lua_out 'print(pcall(function() return app.integrations.fixture.broken.echo({}) end))'
contains "an account missing from the keystore is not addressable" "$out" "Unknown function: app.integrations.fixture.broken"

# json and dump.
lua_out 'local v = json.decode("{\"a\":[1,2.5,\"x\",true],\"b\":null,\"c\":{}}")
print(math.type(v.a[1]), math.type(v.a[2]), v.a[3], v.a[4], v.b, next(v.c))
print(json.encode({1, 2, "three"}), json.encode({k = false}), json.encode(42), json.encode("s"))
print(pcall(json.decode, "{\"a\":"))
print(pcall(json.decode, "[1] x"))'
equals "json.decode / json.encode" "$out" 'integer	float	x	true	nil	nil
[1,2,"three"]	{"k":false}	42	"s"
false	json.decode: not valid JSON: unexpected end of data
false	json.decode: not valid JSON: unexpected character'
lua_out 'for _, s in ipairs({"[1,]", "{\"a\":1,}", "1\0x", "NaN", "[Infinity]", "[1e999]"}) do print((pcall(json.decode, s))) end
print(json.decode(" [9223372036854775807] \n")[1])'
equals "json.decode refuses what JSON does not allow" "$out" 'false
false
false
false
false
false
9223372036854775807'
lua_out 'local t = {} t.self = {t} print(pcall(json.encode, t))
local s = {} print(json.encode({s, s, {s}}))'
equals "json.encode names a cycle; a shared table is no cycle" "$out" 'false	json.encode: value.self[1] is a cycle: it contains itself, which JSON cannot carry
[{},{},[{}]]'
# The same table four times, 20 deep: 4^20 = 2^40 nodes from a few bytes of Lua, built
# outside the capped allocator (and within the JSON depth limit, KKP_JSON_MAX_DEPTH).
# Refused quickly instead of eating the machine.
lua_opts 'local t = {"x"} for i = 1, 20 do t = {t, t, t, t} end print(pcall(json.encode, t))
print(pcall(app.integrations.fixture.echo, {tags = t}))' --timeout-s 5
equals "json.encode of a huge shared tree: refused, not run" "$rc" 0
contains "json.encode of a huge shared tree: says why" "$out" "is too large to convert to JSON (over the memory cap; raise it with --memory-mb)"
contains "a plugin argument too: refused" "$out" "false	fixture.echo: invalid_argument: arguments.tags"
lua_out 'dump({b = 1, a = {"x", "y"}, ["key with space"] = true}) dump("s", 3)'
equals "dump prints any value readably, keys sorted" "$out" '{
  a = {
    "x",
    "y",
  },
  b = 1,
  ["key with space"] = true,
}
"s"	3'

# lua_read_doc and kkp-host doc over the real manifest (manifest only, no library load).
mkdir -p "$tmp/doc"
cp manifest/aircall.json manifest/aircall.md "$tmp/doc/"
out=$(echo 'print(lua_read_doc("integrations.aircall"))' | "$H" --plugin-dir "$tmp/doc" lua - 2>&1)
contains "doc: title" "$out" "# Aircall — Lua API Reference"
for fn in list_calls get_call list_contacts create_contact update_contact list_users list_numbers get_current_user; do
  contains "doc: section for $fn" "$out" "## $fn"
done
contains "doc: parameter table" "$out" '| `call_id` | integer | yes | The unique identifier of the call |'
contains "doc: None. for no parameters" "$out" "### Parameters

None."
contains "doc: sub-object section from items.title and example" "$out" '### Phone Number Object

```json
{ "label": "Work", "value": "+33612345678" }
```'
contains "doc: example in a lua block" "$out" '### Example

```lua
local result = app.integrations.aircall.get_call({'
contains "doc: multi-account section" "$out" "## Multi-Account Usage"
notes_line=$(grep -m1 -v '^[[:space:]]*$' manifest/aircall.md)
contains "doc: followed by the notes file aircall.md" "$out" "$notes_line"
one=$(echo 'print(lua_read_doc("integrations.aircall.list_calls"))' | "$H" --plugin-dir "$tmp/doc" lua - 2>&1)
contains "doc of one function: its section" "$one" "## list_calls"
lacks "doc of one function: only that one" "$one" "## get_call"
cli=$("$H" --plugin-dir "$tmp/doc" doc integrations.aircall)
equals "kkp-host doc prints the same" "$cli" "$out"
lua_out 'print(pcall(lua_read_doc, "integrations.fixture.nope"))'
contains "doc of an unknown function" "$out" 'lua_read_doc: fixture has no function "nope" (see kkp-host describe fixture)'
tap_done
