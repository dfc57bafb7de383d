#!/bin/sh
# setup_test.sh - kkp-setup end to end: init, add (bearer, basic), list, remove,
# passwd, refusals (permissions, names, copies, empty or odd secrets), and a final
# check that no output and no keystore file contains a secret the test used.
. tests/lib/preamble.sh
S=$BUILD/kkp-setup
P=$BUILD/tests/keystore/ks_probe
TP=$BUILD/tests/keystore/tty_probe
T=$tmp
K=$T/ks
LOG=$T/all-output
: >"$LOG"
# Fake secrets, unique to this run so the final grep cannot match anything else.
TOK1="FAKE-bearer-$$-a1b2c3d4e5"
TOK2="FAKE-bearer-$$-second-f6e7"
TOK3="FAKE-bearer-$$-typed-0a9b"
ID1="FAKEid$$"
APITOK="FAKE-api-token-$$-9z8y"
PASS1="FAKE-pass-$$-one"
PASS2="FAKE-pass-$$-two"

# run [STDIN-TEXT] -- ARGS...: runs kkp-setup, output in $out, status in $rc.
run() {
  input=$1; shift; shift
  out=$(printf '%s\n' "$input" | "$S" --keystore "$K" "$@" 2>&1); rc=$?
  printf '%s\n' "$out" >>"$LOG"
}
# probe ACCOUNT PASSPHRASE EXPECTED [PLUGIN] [DIR]: opens through the library.
probe() {
  pout=$(printf '%s\n%s\n' "$2" "$3" | "$P" open "${5:-$K}" "${4:-aircall}" "$1" 2>&1); prc=$?
  printf '%s\n' "$pout" >>"$LOG"
}
mode() { stat -c %a "$1"; }

# --- help, version, usage
out=$("$S" --help 2>&1); rc=$?
equals "--help exits 0" "$rc" 0
contains "--help lists the commands" "$out" "remove PLUGIN --account NAME"
out=$("$S" --version 2>&1)
contains "--version prints the version" "$out" "kkp-setup 0."
run "" -- ; equals "no command is a usage error (2)" "$rc" 2
run "" -- frobnicate; equals "unknown command is a usage error (2)" "$rc" 2
run "" -- add; equals "add without PLUGIN is a usage error" "$rc" 2
run "" -- add aircall --token x; equals "unknown option is a usage error" "$rc" 2
run "tok" -- add aircall --acc x --force; equals "a prefix of an option is no option (usage error)" "$rc" 2
contains "a prefix is named, with the option it abbreviates" "$out" "unknown option --acc (write it out: --account)"
run "" -- init --forc; equals "a prefix of a flag is no option either" "$rc" 2
contains "that one is named too" "$out" "unknown option --forc (write it out: --force)"
run "" -- add aircall --acc=x; equals "nor a prefix with its value" "$rc" 2
contains "which is named without its value" "$out" "unknown option --acc (write it out: --account)"
out=$("$S" --keyst "$K" list 2>&1); rc=$?
equals "nor is a prefix of --keystore, before the command" "$rc" 2
out=$("$S" list --keystore 2>&1); rc=$?
equals "--keystore without a value is a usage error" "$rc" 2
run "" -- init --basic; equals "an option of another command is a usage error" "$rc" 2
run "" -- init --kdf huge; equals "an unknown --kdf level is a usage error" "$rc" 2
run "" -- remove aircall; equals "remove without --account is a usage error" "$rc" 2
contains "remove says what is missing" "$out" "--account"
run "" -- add 'air/call'; equals "bad plugin name is a usage error" "$rc" 2
run "" -- add air.call --force; equals "a dotted plugin name is refused (PLUGIN.ACCOUNT splits at the dot)" "$rc" 2
contains "and the rule is named" "$out" "A-Z a-z 0-9 _ -"
run "" -- add aircall --account ..; equals "account .. is refused" "$rc" 2
run "" -- remove 'air/call' --account x; equals "bad plugin name for remove is a usage error too" "$rc" 2
long=$(printf 'k%.0s' $(seq 1 4100))
out=$("$S" --keystore "$T/$long" list 2>&1); rc=$?
equals "a --keystore path too long to hold is a usage error, not cut short" "$rc" 2
contains "and says it is too long" "$out" "too long"
run "" -- add aircall --account "$(printf 'a%.0s' $(seq 1 65))"; equals "65-char account is refused" "$rc" 2

# --- before init
run "$TOK1" -- add aircall
equals "add before init fails (1)" "$rc" 1
contains "add before init says run kkp-setup init" "$out" "run \`kkp-setup init\`"
run "" -- list; equals "list before init fails" "$rc" 1
contains "list before init names the fix" "$out" "kkp-setup init"

# --- init, modes independent of umask
out=$(umask 000; "$S" --keystore "$K" init 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "init exits 0" "$rc" 0
equals "keystore folder is 0700 under umask 000" "$(mode "$K")" 700
equals "host.key is 0600" "$(mode "$K/host.key")" 600
equals "host.pub is 0600" "$(mode "$K/host.pub")" 600
run "" -- init; equals "second init fails" "$rc" 1
contains "second init says use --force" "$out" "use --force to replace it"
cp "$K/host.pub" "$T/pub.before"
run "" -- init --force; equals "init --force replaces the key" "$rc" 0
check "init --force made a new key" sh -c "! cmp -s '$K/host.pub' '$T/pub.before'"

# --- add and open: bearer and basic
run "$TOK1" -- add aircall; equals "add bearer (default account) exits 0" "$rc" 0
equals "record is 0600" "$(mode "$K/aircall/default.tok")" 600
equals "plugin folder is 0700" "$(mode "$K/aircall")" 700
probe default "" "$TOK1"
equals "bearer record opens with the same token" "$prc" 0
contains "probe reports kind bearer" "$pout" "kind=bearer match=yes"
run "$ID1:$APITOK" -- add aircall --account sales --basic; equals "add --basic exits 0" "$rc" 0
probe sales "" "$ID1:$APITOK"
equals "basic record opens with the same id and token" "$prc" 0
contains "probe reports kind basic" "$pout" "kind=basic match=yes"
probe sales "" "$ID1:wrong"
equals "a different expected token does not match (probe can fail)" "$prc" 20

run "$TOK2" -- add aircall; equals "add over an existing record fails" "$rc" 1
contains "and says use --force" "$out" "use --force to replace it"
probe default "" "$TOK1"; equals "the old record is untouched" "$prc" 0
run "$TOK2" -- add aircall --force; equals "add --force replaces it" "$rc" 0
probe default "" "$TOK2"; equals "the replaced record holds the new token" "$prc" 0

# --- list
run "" -- list; equals "list exits 0" "$rc" 0
contains "list shows the bearer record" "$out" "$(printf 'aircall\tdefault\tbearer\t')"
contains "list shows the basic record" "$out" "$(printf 'aircall\tsales\tbasic\t')"
check "list prints ISO-8601 UTC times" sh -c "printf '%s\n' \"\$1\" | grep -Eq '	20[0-9][0-9]-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'" _ "$out"
out2=$("$P" accounts "$K" aircall); printf '%s\n' "$out2" >>"$LOG"
equals "ks_account_list gives the accounts, sorted" "$(echo $out2)" "default sales"
out2=$("$P" accounts "$K" nosuchplugin); rc=$?
equals "ks_account_list of an unknown plugin is ok and empty" "$rc:$out2" "0:"

# --- bad secrets
run "" -- add aircall --account empty; equals "empty token is refused" "$rc" 1
contains "empty token message" "$out" "empty"
out=$(printf 'FAKE\001ctl\n' | "$S" --keystore "$K" add aircall --account ctl 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "token with a control character is refused" "$rc" 1
contains "control character message" "$out" "control character"
out=$(printf '' | "$S" --keystore "$K" add aircall --account none 2>&1); rc=$?
equals "no input at all is refused" "$rc" 1
run "nocolon" -- add aircall --account b2 --basic; equals "--basic without a colon is refused" "$rc" 1
contains "--basic says the expected form" "$out" "API_ID:API_TOKEN"
run ":tok" -- add aircall --account b3 --basic; equals "--basic with an empty id is refused" "$rc" 1
check "refused adds left no record" sh -c "! ls '$K/aircall' | grep -Eq '^(empty|ctl|none|b2|b3)\.tok'"
out=$(printf '%s\r\n' "$TOK1" | "$S" --keystore "$K" add aircall --account crlf 2>&1); rc=$?
equals "a CRLF line is accepted" "$rc" 0
probe crlf "" "$TOK1"; equals "and the CR is not part of the token" "$prc" 0
out=$(printf 'a\nb\n' | "$S" --keystore "$K" add aircall --account multi 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "a token on two lines is refused, not cut to its first line" "$rc" 1
contains "and the message says to pipe one line" "$out" "stdin holds more than one line, and the token must be exactly one line"
check "the refused two-line token wrote nothing" test ! -e "$K/aircall/multi.tok"
out=$(printf '%s\n' "$TOK1" "" "$ID1:$APITOK" | "$S" --keystore "$K" add aircall --account multi --basic 2>&1); rc=$?
equals "a blank line does not hide a second line either" "$rc:$(test -e "$K/aircall/multi.tok" && echo written)" "1:"
out=$(printf '%s\n\n\r\n' "$TOK1" | "$S" --keystore "$K" add aircall --account trailing 2>&1); rc=$?
equals "blank lines after the token are fine" "$rc" 0
probe trailing "" "$TOK1"; equals "and the token sealed is the one line" "$prc" 0

# --- one passphrase limit (KS_PASSPHRASE_MAX, 4096 bytes) for kkp-setup, the plugin and the host
P4096=$(head -c 4096 /dev/zero | tr '\0' q)
run "$P4096" -- init --passphrase --kdf min --keystore "$T/longpass"
equals "a passphrase of exactly 4096 bytes is accepted" "$rc" 0
run "${P4096}q" -- init --passphrase --kdf min --keystore "$T/longpass2"
equals "a passphrase of 4097 bytes is refused" "$rc" 1
contains "and the message gives the limit" "$out" "the passphrase is longer than 4096 bytes"
check "the refused init wrote no key" test ! -e "$T/longpass2/host.key"
run "$TOK1" -- add aircall --keystore "$T/longpass"
probe default "$P4096" "$TOK1" aircall "$T/longpass"; equals "the 4096-byte passphrase opens the key" "$prc" 0
out=$(printf '%s\n%s\n' "${P4096}q" "$PASS1" | "$S" --keystore "$T/longpass" passwd --kdf min 2>&1); rc=$?
equals "passwd refuses a 4097-byte current passphrase" "$rc:$(printf %s "$out" | grep -c 'longer than 4096 bytes')" "1:1"

# --- on a terminal: echo off while the secret is typed, and back on however it ends
out=$(printf '%s\n' "$TOK3" | "$TP" type "$S" --keystore "$K" add aircall --account tty)
printf '%s\n' "$out" >>"$LOG"
contains "on a terminal the token is read with echo off" "$out" "prompts=1 echo-during=off"
contains "the typed token never reaches the terminal, add succeeds, echo is back" "$out" \
  "leaked=no exit=0 echo-after=on"
probe tty "" "$TOK3"; equals "the typed token is the one sealed" "$prc" 0
for sig in INT TERM HUP QUIT PIPE ALRM; do
  out=$("$TP" signal "$sig" "$S" --keystore "$K" add aircall --account killed)
  contains "SIG$sig at the prompt ends kkp-setup with echo restored" "$out" "killed=$sig echo-after=on"
done
check "an interrupted add left no record" test ! -e "$K/aircall/killed.tok"
out=$(printf '%s\n' "$PASS1" | "$TP" type "$S" --keystore "$T/ttyks" init --passphrase --kdf min)
printf '%s\n' "$out" >>"$LOG"
contains "init --passphrase on a terminal asks twice, without echo" "$out" \
  "prompts=2 echo-during=off leaked=no exit=0 echo-after=on"

# --- copied or renamed records are refused
cp "$K/aircall/default.tok" "$K/aircall/copied.tok"
probe copied "" "$TOK2"
equals "a record copied to another account fails (corrupt)" "$prc" 4
contains "the message names both accounts and the fix" "$pout" "the record for account copied was made for account default: add it again with \`kkp-setup add aircall --account copied --force\`"
mkdir -m 700 "$K/other"; cp "$K/aircall/default.tok" "$K/other/default.tok"
probe default "" "$TOK2" other
equals "a record copied to another plugin folder fails" "$prc" 4
contains "the message names the plugin" "$pout" "was made for plugin aircall"
run "" -- list; equals "list flags the misplaced records (exit 1)" "$rc" 1
contains "list names the misplaced record" "$out" "copied.tok"
rm -rf "$K/other" "$K/aircall/copied.tok"

# --- permissions
chmod 755 "$K"
probe default "" "$TOK2"; equals "keystore folder 0755 is refused (permission)" "$prc" 3
contains "it says chmod 700" "$pout" "chmod 700 $K"
run "$TOK1" -- add aircall --account perm; equals "add refuses a 0755 keystore" "$rc" 1
chmod 700 "$K"
chmod 750 "$K/aircall"
probe default "" "$TOK2"; equals "plugin folder 0750 is refused" "$prc" 3
chmod 700 "$K/aircall"
chmod 644 "$K/host.key"
probe default "" "$TOK2"; equals "host.key 0644 is refused" "$prc" 3
contains "it says chmod 600" "$pout" "chmod 600 $K/host.key"
chmod 600 "$K/host.key"
chmod 644 "$K/aircall/default.tok"
probe default "" "$TOK2"; equals "record 0644 is refused" "$prc" 3
contains "it says chmod 600 for the record" "$pout" "chmod 600 $K/aircall/default.tok"
chmod 600 "$K/aircall/default.tok"
probe default "" "$TOK2"; equals "after the fixes it opens again" "$prc" 0
if [ "$(id -u)" = 0 ]; then
  chown nobody "$K/aircall/default.tok"
  probe default "" "$TOK2"; equals "a record owned by another user is refused" "$prc" 3
  contains "it says so" "$pout" "belongs to another user"
  chown 0 "$K/aircall/default.tok"
else
  chmod 000 "$K/aircall/default.tok"
  probe default "" "$TOK2"; equals "an unreadable record is refused" "$prc" 3
  chmod 600 "$K/aircall/default.tok"
fi

# --- add needs only host.pub
mv "$K/host.key" "$T/host.key.away"
run "$TOK1" -- add aircall --account nokey; equals "add works without host.key" "$rc" 0
probe nokey "" "$TOK1"; equals "open without host.key fails (not found)" "$prc" 2
contains "and says host.key is missing" "$pout" "host.key is missing"
mv "$T/host.key.away" "$K/host.key"
probe nokey "" "$TOK1"; equals "with host.key back the record opens" "$prc" 0

# --- remove
run "" -- remove aircall --account nokey; equals "remove exits 0" "$rc" 0
check "the record file is gone" test ! -e "$K/aircall/nokey.tok"
run "" -- remove aircall --account nokey; equals "removing it again fails" "$rc" 1
contains "remove of a missing record says so" "$out" "no record for aircall account nokey"

# --- passphrase-wrapped host key
K=$T/wrapped
run "$PASS1" -- init --passphrase --kdf min; equals "init --passphrase exits 0" "$rc" 0
run "$TOK1" -- add aircall; equals "add to a wrapped keystore (no passphrase needed)" "$rc" 0
probe default "$PASS1" "$TOK1"; equals "opens with the passphrase" "$prc" 0
probe default "$PASS2" "$TOK1"; equals "a wrong passphrase fails (passphrase)" "$prc" 5
contains "and says the passphrase is wrong" "$pout" "wrong passphrase"
probe default "" "$TOK1"; equals "no passphrase fails (passphrase)" "$prc" 5
run "" -- list; equals "list of a wrapped keystore needs no passphrase" "$rc" 0
contains "and shows the record" "$out" "$(printf 'aircall\tdefault\tbearer')"
contains "and says one is needed" "$pout" "protected by a passphrase"
out=$(printf '%s\n%s\n' "$PASS2" "$PASS1" | "$S" --keystore "$K" passwd --kdf min 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "passwd with a wrong current passphrase fails" "$rc" 1
out=$(printf '%s\n%s\n' "$PASS1" "$PASS2" | "$S" --keystore "$K" passwd --kdf min 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "passwd old -> new exits 0" "$rc" 0
probe default "$PASS2" "$TOK1"; equals "opens with the new passphrase" "$prc" 0
probe default "$PASS1" "$TOK1"; equals "the old passphrase no longer opens it" "$prc" 5
equals "host.key stays 0600 after passwd" "$(mode "$K/host.key")" 600
out=$(printf '%s\n' "$PASS2" | "$S" --keystore "$K" passwd --plain 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "passwd --plain removes the passphrase" "$rc" 0
probe default "" "$TOK1"; equals "opens without a passphrase afterwards" "$prc" 0
out=$(printf '\n' | "$S" --keystore "$K" passwd 2>&1); rc=$?
equals "an empty new passphrase is refused" "$rc" 1

# --- environment and argv never carry secrets; default folder from the environment
out=$(printf '%s\n' "$TOK1" | KKP_KEYSTORE="$T/envks" "$S" init 2>&1); rc=$?
equals "KKP_KEYSTORE selects the folder" "$rc:$(test -f "$T/envks/host.pub" && echo yes)" "0:yes"
out=$(printf '%s\n' "$TOK1" | KOSMO_HOME="$T/kh" "$S" init 2>&1)
check "KOSMO_HOME/keystore is the next default" test -f "$T/kh/keystore/host.pub"
out=$(HOME="$T/home" "$S" init 2>&1)
check "~/.kosmokrator/keystore is the last default" test -f "$T/home/.kosmokrator/keystore/host.pub"

# --- no secret anywhere: outputs, logs, keystore files
found=0
for s in "$TOK1" "$TOK2" "$TOK3" "$APITOK" "$PASS1" "$PASS2"; do
  grep -rqF -- "$s" "$LOG" "$T/ks" "$T/wrapped" "$T/ttyks" && found=$((found + 1))
done
equals "no output or keystore file contains any of the 6 test secrets" "$found" 0
check "the scan sees the output log (it is not empty)" test -s "$LOG"
tap_done
