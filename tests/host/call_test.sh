#!/bin/sh
# call_test.sh - kkp-host call against the fixture plugin: result on stdout, error on
# stderr, exit status per error class, config from flags and environment, write gating.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
FX="$BUILD/tests/host/fixtures"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH="$FX"
unset FIXTURE_BASE_URL KKP_KEYSTORE_PASSPHRASE

"$H" call fixture.echo '{"text":"hi","count":2}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "ok: status 0" "$?" 0
equals "ok: compact result on stdout (not a terminal)" "$(cat "$tmp/out")" \
  '{"account":"default","config":{},"args":{"text":"hi","count":2},"raw":"{\"text\":\"hi\",\"count\":2}"}'
equals "ok: nothing on stderr" "$(cat "$tmp/err")" ""

out=$("$H" call fixture.fixture_echo '{}' </dev/null)
contains "full function names work" "$out" '"account":"default"'
out=$("$H" call fixture.sales.echo </dev/null)
contains "PLUGIN.ACCOUNT.FUNCTION opens that account; no JSON means {}" "$out" '"account":"sales","config":{},"args":{}'
out=$("$H" call fixture.team.eu.echo </dev/null)
contains "account names may contain dots" "$out" '"account":"team.eu"'
out=$(echo '{"text":"from stdin"}' | "$H" call fixture.echo -)
contains "- reads the arguments from stdin" "$out" '"args":{"text":"from stdin"}'

"$H" call fixture.fail '{"code":1}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "invalid_argument exits 3" "$?" 3
equals "error: nothing on stdout" "$(cat "$tmp/out")" ""
equals "error: the error JSON on stderr" "$(cat "$tmp/err")" \
  '{"error":{"code":"invalid_argument","message":"per_page must be between 1 and 50 (got 80)"}}'
for pair in 2:4 3:5 4:6 5:7 6:8 7:9 8:10 9:11; do
  "$H" call fixture.fail "{\"code\":${pair%%:*}}" >/dev/null 2>&1 </dev/null
  equals "status ${pair%%:*} exits ${pair#*:}" "$?" "${pair#*:}"
done
"$H" call fixture.broken.echo >"$tmp/out" 2>"$tmp/err" </dev/null
equals "account_init failure exits by its status (config_error: 9)" "$?" 9
contains "account_init failure: its error JSON on stderr" "$(cat "$tmp/err")" '"code":"config_error","message":"account broken is broken"'

# Config: only keys of the manifest's config schema, from flags or environment.
out=$("$H" call fixture.echo --base-url http://127.0.0.1:9 --keystore "$tmp/ks" --timeout-ms 1500 </dev/null)
contains "config from --base-url, --keystore, --timeout-ms" "$out" \
  "\"config\":{\"base_url\":\"http://127.0.0.1:9\",\"keystore\":\"$tmp/ks\",\"timeout_ms\":1500}"
out=$(FIXTURE_BASE_URL=http://127.0.0.1:8 "$H" call fixture.echo </dev/null)
contains "base_url from \$<NAME>_BASE_URL" "$out" '"config":{"base_url":"http://127.0.0.1:8"}'
out=$(FIXTURE_BASE_URL=http://127.0.0.1:8 "$H" --base-url http://127.0.0.1:7 call fixture.echo </dev/null)
contains "--base-url wins over the environment" "$out" '"config":{"base_url":"http://127.0.0.1:7"}'

# get_secret and log callbacks.
out=$(KKP_KEYSTORE_PASSPHRASE=s3cret "$H" call fixture.secret </dev/null)
equals "get_secret gives \$KKP_KEYSTORE_PASSPHRASE" "$out" '{"secret":"s3cret"}'
out=$("$H" call fixture.secret </dev/null)
equals "get_secret fails (-1) without a terminal or the variable" "$out" '{"secret":null}'
err=$("$H" --verbose call fixture.echo 2>&1 >/dev/null </dev/null)
contains "--verbose shows the plugin's log lines" "$err" "[info] fixture: account_init"
err=$("$H" call fixture.echo 2>&1 >/dev/null </dev/null)
equals "without --verbose, no log lines" "$err" ""

# Write gating.
"$H" call fixture.write_thing '{}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "write without a terminal: denied, status 1" "$?" 1
contains "write denied: says how to allow it" "$(cat "$tmp/err")" "pass --write=allow to allow it"
contains "write denied: error code" "$(cat "$tmp/err")" '"code":"write_denied"'
equals "write denied: nothing on stdout" "$(cat "$tmp/out")" ""
out=$("$H" --write=allow call fixture.write_thing '{"items":[{"label":"x"}]}' </dev/null)
contains "--write=allow lets a write through" "$out" '"args":{"items":[{"label":"x"}]}'
err=$("$H" --write=deny call fixture.write_thing 2>&1 </dev/null)
contains "--write=deny names itself and the way out" "$err" "denied by --write=deny: pass --write=allow"
out=$("$H" --write=deny call fixture.echo </dev/null)
contains "--write=deny does not stop reads" "$out" '"account":"default"'

# Usage errors: status 2.
err=$("$H" call fixture.ech 2>&1 </dev/null)
equals "unknown function: status 2" "$?" 2
contains "unknown function: did you mean" "$err" 'fixture has no function \"ech\". Did you mean: echo'
"$H" call fixture.echo '[1,2]' >/dev/null 2>&1 </dev/null
equals "arguments that are not an object: status 2" "$?" 2
"$H" call fixture.echo '{"text":' >/dev/null 2>&1 </dev/null
equals "arguments that are not JSON: status 2" "$?" 2
"$H" call fixture.echo '{"text":"a"} trailing' >/dev/null 2>&1 </dev/null
equals "text after the arguments object (the plugin gets it as is): status 2" "$?" 2
"$H" call fixture.echo '{"text":"a",}' >/dev/null 2>&1 </dev/null
equals "a trailing comma in the arguments: status 2" "$?" 2
out=$(printf ' {"text":"a"}\n\n' | "$H" call fixture.echo -)
contains "whitespace around the arguments is fine" "$out" '"args":{"text":"a"}' 
err=$("$H" call fixture 2>&1 </dev/null)
equals "target without a function: status 2" "$?" 2
contains "target without a function: shows the form" "$err" "PLUGIN.FUNCTION or PLUGIN.ACCOUNT.FUNCTION"
"$H" --write=maybe call fixture.echo >/dev/null 2>&1 </dev/null
equals "--write=maybe: status 2" "$?" 2
"$H" --timeout-s inf lua - </dev/null >/dev/null 2>&1
equals "--timeout-s inf: usage status 2 (a cap must be finite)" "$?" 2
"$H" --timeout-ms 99999999999999999999 call fixture.echo >/dev/null 2>&1 </dev/null
equals "--timeout-ms past 64 bits: usage status 2" "$?" 2
"$H" call nosuch.echo >/dev/null 2>&1 </dev/null
equals "unknown plugin: status 1" "$?" 1
tap_done
