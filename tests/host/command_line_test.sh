#!/bin/sh
# command_line_test.sh - kkp-host as people expect a command-line tool to behave (issue 12,
# "Calling"): plugin config from file, environment and --config; call arguments as
# flags; --json, and options refused where they do not apply; progress on a terminal;
# did-you-mean for every name typed; Lua errors with the script's line, pairs() over
# the namespaces. The fixture plugins echo what they get; the Aircall plugin runs
# against aircall-sim. As a user runs them: the binaries installed (make install into a
# temporary prefix), the fixtures put in $KOSMO_HOME/plugins as a user adds a plugin,
# and no --plugin-dir nor KKP_PLUGIN_PATH (the Aircall plugin is found beside kkp-host).
. tests/lib/preamble.sh
kkp_install
H="$KKP_BIN/kkp-host"
SETUP="$KKP_BIN/kkp-setup"
export KOSMO_HOME="$tmp/home"
FX="$KOSMO_HOME/plugins"
mkdir -p "$FX" && cp "$BUILD"/tests/host/fixtures/*.json "$FX"/ &&
  install -m 0755 "$BUILD"/tests/host/fixtures/*.so "$FX"/
unset KKP_PLUGIN_PATH FIXTURE_BASE_URL FIXTURE_TIMEOUT_MS FIXTURE_KEYSTORE KKP_DEBUG AIRCALL_BASE_URL
export KKP_KEYSTORE_PASSPHRASE=unused # the fixture asks for it; never a terminal prompt here

# run ARGS...: kkp-host with stdin closed; stdout in $out, stderr in $err, status in $rc.
run() {
  out=$("$H" "$@" 2>"$tmp/err" </dev/null)
  rc=$?
  err=$(cat "$tmp/err")
}

# ---- arguments as flags ----
run call fixture.echo --count 5 --text=hi --arg tags='["a"]'
equals "flags: status 0" "$rc" 0
contains "--count 5, --text=hi, --arg tags=JSON" "$out" '"args":{"count":5,"text":"hi","tags":["a"]}'
run call fixture.echo '{"text":"json","count":1}' --count 2
contains "flags on top of the JSON object" "$out" '"args":{"text":"json","count":2}'
for pair in 'true:true' 'false:false' 'null:null' '-3:-3' '2.5:2.5' 'abc:"abc"' '12abc:"12abc"' '1.2.3:"1.2.3"'; do
  run call fixture.echo --text "${pair%%:*}"
  contains "coerced: --text ${pair%%:*} is ${pair#*:}" "$out" "\"args\":{\"text\":${pair#*:}}"
done
run call fixture.echo --text
contains "a bare --flag is true" "$out" '"args":{"text":true}'
run call fixture.echo --per-page 5
equals "unknown parameter: usage status 2" "$rc" 2
contains "kebab-case becomes snake_case" "$err" 'no parameter \"per_page\" (given as --per-page)'
run call fixture.echo --cont 5
contains "parameter: did you mean, as a flag" "$err" 'Did you mean: --count (--arg count=...)'
run call fixture.echo --arg nokey
equals "--arg without =: status 2" "$rc" 2
contains "--arg without =: says the form" "$err" "--arg needs KEY=VALUE"
run call fixture.echo --timeout-ms 700 --arg text=x
contains "kkp-host's own options stay its own after the target" "$out" '"config":{"timeout_ms":700},"args":{"text":"x"}'
run call fixture.echo --time 5
contains "a prefix of kkp-host's options is an argument, not --timeout-ms/-s" "$err" 'no parameter \"time\" (given as --time)'
run call fixture.echo --to 5
contains "a unique prefix (--to of --tools) is an argument too" "$err" 'no parameter \"to\" (given as --to)'
run list --verb
equals "a prefix is no option before the target either (status 2)" "$rc" 2
contains "a prefix is an unknown option" "$err" 'unknown option or missing value: "--verb"'
run call fixture.echo -5
contains "a one-dash word is an argument (here not an object)" "$err" "the arguments must be one JSON object"
run call fixture.echo -- '{"text":"x"}'
contains "a lone -- ends the options" "$out" '"args":{"text":"x"}'

# ---- plugin config: file < environment < flags ----
run call fixture.echo --config timeout_ms=1200
contains "--config KEY=VALUE, coerced by the schema's type" "$out" '"config":{"timeout_ms":1200}'
run call fixture.echo --config base_url=123
contains "--config: a string key keeps digits as a string" "$out" '"config":{"base_url":"123"}'
run call fixture.echo --config timeout_mss=5
equals "--config unknown key: status 2" "$rc" 2
contains "--config unknown key: did you mean" "$err" 'fixture has no config key \"timeout_mss\". Did you mean: timeout_ms'
run call fixture.echo --config timeout_ms=soon
equals "--config wrong type: status 2" "$rc" 2
contains "--config wrong type: says the type" "$err" "timeout_ms needs a value of type integer"
run call fixture.echo --config timeout_ms
contains "--config without =: says the form" "$err" "--config needs KEY=VALUE"
mkdir -p "$KOSMO_HOME/kkp"
printf '{"timeout_ms": 900, "base_url": "http://127.0.0.1:1"}' >"$KOSMO_HOME/kkp/fixture.json"
run call fixture.echo
contains "config file \$KOSMO_HOME/kkp/NAME.json" "$out" '"config":{"timeout_ms":900,"base_url":"http://127.0.0.1:1"}'
out=$(FIXTURE_TIMEOUT_MS=950 "$H" call fixture.echo </dev/null)
contains "the environment (NAME_KEY) wins over the file" "$out" '"config":{"timeout_ms":950,"base_url":"http://127.0.0.1:1"}'
out=$(FIXTURE_TIMEOUT_MS=950 "$H" call fixture.echo --config timeout_ms=990 </dev/null)
contains "--config wins over the environment" "$out" '"config":{"timeout_ms":990,"base_url":"http://127.0.0.1:1"}'
FIXTURE_TIMEOUT_MS=later "$H" call fixture.echo >/dev/null 2>"$tmp/err" </dev/null
equals "a wrong variable: config_error, status 9" "$?" 9
contains "a wrong variable is named" "$(cat "$tmp/err")" "FIXTURE_TIMEOUT_MS: timeout_ms needs a value of type integer"
printf '{"timeout": 900}' >"$KOSMO_HOME/kkp/fixture.json"
run call fixture.echo
equals "config file with an unknown key: status 9" "$rc" 9
contains "config file: names the file and the key it meant" "$err" "kkp/fixture.json: fixture has no config key \\\"timeout\\\". Did you mean: timeout_ms"
printf '{"timeout_ms": "900"}' >"$KOSMO_HOME/kkp/fixture.json"
run call fixture.echo
contains "config file: a value of the wrong type is refused" "$err" 'timeout_ms needs a value of type integer, not \"900\"'
printf '{"timeout_ms": ' >"$KOSMO_HOME/kkp/fixture.json"
run call fixture.echo
contains "config file that is not JSON: says what it must be" "$err" "must be one JSON object of config keys"
rm -f "$KOSMO_HOME/kkp/fixture.json"
ln -s fixture.json "$KOSMO_HOME/kkp/fixture.json" # a loop: there, but cannot be opened (even by root)
run call fixture.echo
equals "config file there but unopenable: config_error, status 9" "$rc" 9
contains "config file there but unopenable: refused, not skipped" "$err" "cannot read it (Too many levels of symbolic links)"
rm -f "$KOSMO_HOME/kkp/fixture.json"
mkdir "$KOSMO_HOME/kkp/fixture.json"
run call fixture.echo
equals "config file that is a folder: config_error, status 9" "$rc" 9
contains "config file that is a folder: says so" "$err" "kkp/fixture.json"
rm -rf "$KOSMO_HOME/kkp/fixture.json"
out=$(printf 'print(app.integrations.fixture.echo().config.timeout_ms)' | "$H" lua --config timeout_ms=333 - 2>&1)
equals "--config reaches lua's accounts" "$out" 333

# ---- --json, and options where they do not apply ----
run list --json
contains "list --json: success and the plugins, by name" "$out" '{"success":true,"plugins":[{"name":"aircall","version":"0.1.0","functions":8,"reads":6,"writes":2,"auth":{"strategy":"oauth2_manual_token"'
contains "list --json: each plugin" "$out" '},{"name":"fixture","version":"0.0.1","functions":4,"reads":3,"writes":1,"auth":{"strategy":"none"'
contains "list --json: library_present" "$out" '"name":"orphan","version":"0.0.1","functions":4,"reads":3,"writes":1,"auth":{"strategy":"none","also":[],"refreshable":false},"dir":"'"$FX"'","library_present":false}'
run doc integrations.fixture.echo --json
contains "doc --json: the markdown as a string" "$out" '{"success":true,"name":"integrations.fixture.echo","markdown":"## echo\n'
for bad in "lua --json -" "call fixture.echo --memory-mb 8" "list --config timeout_ms=1" "describe fixture --write=allow" \
  "doc integrations.fixture --timeout-s 3" "list --keystore $tmp/ks" "call fixture.echo --account sales" \
  "lua --plugin fixture -" "list --tools=mcp" "call fixture.echo --tools=mcp"; do
  # shellcheck disable=SC2086
  run $bad
  equals "refused, not ignored: $bad (status 2)" "$rc" 2
  contains "refused: $bad: says so" "$err" "does not apply to"
done
run call fixture.echo --account sales
contains "--account on call: says how call names an account" "$err" "call takes the account as PLUGIN.ACCOUNT.FUNCTION"
run list --tools=mcp
contains "--tools on list: says it is describe's" "$err" "--tools does not apply to list (it is for describe)"

# ---- progress on a terminal ----
out=$(script -qec "'$H' call progress.echo --text hi 2>&1 >/dev/null" /dev/null </dev/null)
contains "progress: one line rewritten with \\r" "$out" "$(printf '\r\033[Kprogress.echo: reading page 1 (1/3)\r\033[Kprogress.echo: reading page 2 (2/3)')"
contains "progress: the plugin's controls are never passed to the terminal" "$out" "waiting [2J  for the rate limit (3/3)"
contains "progress: the line is cleared when the call returns" "$out" "$(printf '(3/3)\r\033[K')"
run call progress.echo --text hi
equals "progress: nothing when stderr is not a terminal" "$err" ""
contains "progress: the result as ever" "$out" '"args":{"text":"hi"}'
out=$(script -qec "'$H' call fixture.echo 2>&1 >/dev/null" /dev/null </dev/null)
equals "an ABI 1.0 plugin on a terminal: nothing on stderr" "$out" ""
err=$(KKP_DEBUG=1 "$H" call fixture.echo 2>&1 >/dev/null </dev/null)
contains "KKP_DEBUG=1 is --verbose" "$err" "[info] fixture: account_init"
err=$(KKP_DEBUG=0 "$H" call fixture.echo 2>&1 >/dev/null </dev/null)
equals "KKP_DEBUG=0 is not" "$err" ""

# ---- did-you-mean ----
run lst
equals "unknown command: status 2" "$rc" 2
contains "command: did you mean" "$err" 'unknown command "lst". Did you mean: list'
run call fixtur.echo
contains "plugin: did you mean (call)" "$err" 'no plugin named \"fixtur\". Did you mean: fixture'
run describe fixtuer
contains "plugin: did you mean (describe)" "$err" 'no plugin named "fixtuer". Did you mean: fixture'
run call fixture.ehco
contains "function: did you mean" "$err" 'Did you mean: echo'

# ---- the Aircall plugin against the simulator: accounts, Lua ----
sim_start --bearer tok-default=acme --bearer tok-sales=globex || exit 1
ks="$tmp/keystore"
"$SETUP" --keystore "$ks" init >/dev/null 2>&1
for pair in default:tok-default sales:tok-sales; do
  printf '%s\n' "${pair#*:}" | "$SETUP" --keystore "$ks" add aircall --account "${pair%%:*}" >/dev/null 2>&1
done
A="--keystore $ks --base-url $SIM_URL"
# shellcheck disable=SC2086
run $A call aircall.list_calls --per-page 2 --order=asc
equals "aircall: flags call list_calls (status 0)" "$rc" 0
contains "aircall: --per-page 2 --order=asc reach the API as per_page and order" "$(sim_requests)" "per_page=2"
contains "aircall: --order=asc too" "$(sim_requests)" "order=asc"
# shellcheck disable=SC2086
run $A call aircall.saels.get_current_user
contains "call: account did you mean" "$err" 'no account \"saels\" in the keystore. Did you mean: aircall.sales'
# shellcheck disable=SC2086
run $A call aircall.sales.list_users --config max_rate_wait_mss=10
contains "aircall: config key did you mean" "$err" 'Did you mean: max_rate_wait_ms'
cat >"$tmp/script.lua" <<'LUA'
local names = {}
for k, v in pairs(app.integrations.aircall) do names[#names + 1] = k .. "=" .. type(v) end
table.sort(names)
print(table.concat(names, " "))
local fs = {}
for k in pairs(app.integrations.aircall.sales) do fs[#fs + 1] = k end
print(#fs)
print(pcall(function() return app.integrations.aircall.saels end))
app.integrations.aircall.list_calls({per_page = 80})
LUA
# shellcheck disable=SC2086
run $A lua "$tmp/script.lua"
contains "pairs(app.integrations.aircall): accounts as tables" "$out" "default=table"
contains "pairs(app.integrations.aircall): and sales" "$out" "sales=table"
contains "pairs(app.integrations.aircall): functions" "$out" "list_calls=function"
nfn=$(printf '%s\n' "$out" | head -n 1 | tr ' ' '\n' | grep -c '=function')
equals "pairs: every function of the manifest" "$nfn" "$(grep -c '"full_name"' manifest/aircall.json)"
equals "pairs(app.integrations.aircall.sales): every function" "$(printf '%s\n' "$out" | sed -n 2p)" "$nfn"
contains "Lua: account did you mean" "$out" "Did you mean: sales"
equals "Lua: plugin error uncaught: status 1" "$rc" 1
contains "Lua: the error carries the script's line" "$err" "script.lua:9: aircall.list_calls: invalid_argument: per_page"
tap_done
