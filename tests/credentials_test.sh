#!/bin/sh
# credentials_test.sh - the credential commands as a user runs them, from an install
# in a temporary prefix (no --plugin-dir): kkp-setup list (header, --json, fingerprint,
# added and replaced dates, version-1 records), add refusing a plugin not installed,
# kkp-host check and add --verify against aircall-sim, the only account as the default,
# and a wrapped keystore's passphrase asked once per process or read from a file.
. tests/lib/preamble.sh
TP=$BUILD/tests/keystore/tty_probe
kkp_install
bin=$KKP_BIN
S="$bin/kkp-setup"
H="$bin/kkp-host"
unset KKP_PLUGIN_PATH KKP_KEYSTORE_PASSPHRASE KKP_KEYSTORE_PASSPHRASE_FILE
export KOSMO_HOME="$tmp/home" KKP_KEYSTORE="$tmp/ks"
sim_start --bearer good-t0ken=acme --bearer other-t0ken=acme --basic sim-id:sim-secret=acme ||
  { not_ok "simulator started"; tap_done; exit 1; }
export AIRCALL_BASE_URL="$SIM_URL"
run() { out=$("$@" 2>&1); rc=$?; }

# add: the plugin must be installed (found beside the installed binaries).
"$S" init >/dev/null 2>&1
run sh -c "echo good-t0ken | '$S' add aircal"
equals "add of a plugin not installed fails" "$rc" 1
contains "the refusal suggests the installed plugin" "$out" 'no plugin "aircal" is installed'
contains "with did-you-mean" "$out" "Did you mean: aircall"
check "nothing was sealed for it" test ! -e "$tmp/ks/aircal"
run sh -c "echo good-t0ken | '$S' add aircal --force"
equals "add --force seals it anyway" "$rc" 0
"$S" remove aircal --account default >/dev/null 2>&1

# add --verify and check: live, with who the credential is.
run sh -c "echo good-t0ken | '$S' add aircall --verify"
equals "add --verify of a good token exits 0" "$rc" 0
contains "add --verify says who the token is" "$out" "ok: aircall.default works: user"
run "$H" check aircall
equals "check PLUGIN exits 0" "$rc" 0
contains "check names the user and the integration" "$out" "integration KosmoKrator"
run "$H" check aircall --json
contains "check --json" "$out" '"success": true'
contains "check --json names the function used" "$out" '"function": "get_current_user"'
run sh -c "echo sim-id:sim-secret | '$S' add aircall --account support --basic --verify"
equals "add --verify of an API key pair exits 0" "$rc" 0
contains "an API key pair is checked with the next read (no user identity)" "$out" \
  "ok: aircall.support works: list_numbers answered with"
run sh -c "echo revoked-t0ken | '$S' add aircall --account old --verify"
equals "add --verify of a refused token exits as call does (unauthorized: 4)" "$rc" 4
contains "the error names the fix" "$out" "kkp-setup add aircall --account old --force"
run "$H" check aircall.old
equals "check of a refused token: exit 4" "$rc" 4
contains "check says what failed" "$out" "check aircall.old failed: unauthorized"
run "$H" check aircall.nobody
equals "check of a missing account: config_error (9)" "$rc" 9
contains "it lists the accounts" "$out" "Accounts that exist: default, old, support"
lacks "no output shows a secret" "$(cat "$tmp/log")$out" "t0ken"

# list: header, fingerprints (never the secret), --json.
run "$S" list
equals "list exits 0" "$rc" 0
lacks "piped, list prints no header (one record per line)" "$out" "PLUGIN"
tty_out=$(script -qec "'$S' list" /dev/null 2>&1 | tr -d '\r')
contains "on a terminal, list has a header" "$tty_out" "$(printf 'PLUGIN\tACCOUNT\tKIND\tFINGERPRINT\tADDED\tREPLACED')"
check "each record has an 8-hex fingerprint" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^aircall	default	bearer	[0-9a-f]{8}	20'" _ "$out"
lacks "list shows no token" "$out" "t0ken"
lacks "list shows no API secret" "$out" "sim-secret"
fp() { "$S" list | awk -F'\t' -v a="$1" '$2 == a { print $4 }'; }
echo good-t0ken | "$S" add aircall --account again >/dev/null 2>&1
equals "the same credential has the same fingerprint" "$(fp again)" "$(fp default)"
check "another credential has another fingerprint" test "$(fp old)" != "$(fp default)"
run "$S" list --json
contains "list --json: success" "$out" '"success": true'
contains "list --json: a record" "$out" '{"plugin": "aircall", "account": "default", "kind": "bearer", "fingerprint": "'
run "$S" init --json
equals "--json where it does not apply is a usage error" "$rc" 2

# A version-1 record (no fingerprint) stays listed and readable; add --force keeps
# the date it was first added and sets the replaced date.
old="$tmp/oldks"
cp -r tests/keystore/golden/plain "$old" && chmod 700 "$old" "$old/aircall" && chmod 600 "$old"/host.* "$old"/aircall/*
run "$S" --keystore "$old" list
contains "a version-1 record is listed without fingerprint" "$out" "$(printf 'aircall\tbearer\tbearer\t-\t')"
added=$(printf '%s\n' "$out" | awk -F'\t' '$2 == "bearer" { print $5 }')
echo good-t0ken | "$S" --keystore "$old" add aircall --account bearer --force >/dev/null 2>&1
line=$("$S" --keystore "$old" list | awk -F'\t' '$2 == "bearer"')
equals "add --force keeps the date it was added" "$(echo "$line" | cut -f5)" "$added"
check "add --force sets the replaced date" test "$(echo "$line" | cut -f6)" != "$added"
check "the replacement has a fingerprint" sh -c "echo '$line' | cut -f4 | grep -Eq '^[0-9a-f]{8}$'"

# The default account: the only account is used; with several, the error lists them.
one="$tmp/one"
"$S" --keystore "$one" init >/dev/null 2>&1
echo good-t0ken | "$S" --keystore "$one" add aircall --account support >/dev/null 2>&1
run "$H" --keystore "$one" call aircall.list_numbers
equals "the only account serves PLUGIN.FUNCTION" "$rc" 0
echo other-t0ken | "$S" --keystore "$one" add aircall --account sales >/dev/null 2>&1
# Under SAN=1 LeakSanitizer's tracer has crashed stopping kkp-host at exit after this
# refusal (status 1 instead of 9; seen with tls_test too): its leak check stands aside here.
out=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}${SAN:+:detect_leaks=0}" "$H" --keystore "$one" call aircall.list_numbers 2>&1)
rc=$?
equals "two accounts and no default: config_error" "$rc" 9
contains "the error lists the accounts" "$out" "Accounts that exist: sales, support"
printf 'return #app.integrations.aircall.list_numbers({}).numbers\n' >"$tmp/one.lua"
echo good-t0ken | "$S" --keystore "$one" add aircall --account default >/dev/null 2>&1
run "$H" --keystore "$one" call aircall.list_numbers
equals "with a default account it is used" "$rc" 0

# A wrapped keystore: asked once per process, from a file, a descriptor or a variable.
w="$tmp/wrapped"
echo "pass-w0rd" | "$S" --keystore "$w" init --passphrase --kdf min >/dev/null 2>&1
echo good-t0ken | "$S" --keystore "$w" add aircall >/dev/null 2>&1
echo other-t0ken | "$S" --keystore "$w" add aircall --account support >/dev/null 2>&1
cat >"$tmp/two.lua" <<'LUA'
local a = app.integrations.aircall.default.list_numbers({})
local b = app.integrations.aircall.support.list_numbers({})
local c = app.integrations.aircall.get_current_user({})
print(#a.numbers + #b.numbers)
LUA
out=$(echo "pass-w0rd" | "$TP" type "$H" --keystore "$w" lua "$tmp/two.lua")
contains "a script opening two accounts: the terminal asks once" "$out" "prompts=1 echo-during=off leaked=no exit=0"
echo "pass-w0rd" >"$tmp/pass" && chmod 600 "$tmp/pass"
run "$H" --keystore "$w" --passphrase-file "$tmp/pass" lua "$tmp/two.lua"
equals "--passphrase-file FILE opens it" "$rc:$out" "0:12"
run sh -c "'$H' --keystore '$w' --passphrase-file /dev/fd/3 check aircall.support 3<'$tmp/pass' </dev/null"
equals "--passphrase-file /dev/fd/N opens it" "$rc" 0
run env KKP_KEYSTORE_PASSPHRASE_FILE="$tmp/pass" "$H" --keystore "$w" call aircall.list_numbers
equals "KKP_KEYSTORE_PASSPHRASE_FILE opens it" "$rc" 0
run "$H" --keystore "$w" --passphrase-file "$tmp/missing" call aircall.list_numbers
equals "a missing passphrase file: config_error" "$rc" 9
contains "the error names the file and the option" "$out" "$tmp/missing"
lacks "no output shows the passphrase" "$out" "pass-w0rd"
tap_done
