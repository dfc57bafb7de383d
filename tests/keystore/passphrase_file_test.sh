#!/bin/sh
# passphrase_file_test.sh - kkp-setup reads the keystore passphrase from a file or a
# descriptor (--passphrase-file FILE, /dev/fd/N) or from the file that
# $KKP_KEYSTORE_PASSPHRASE_FILE names, as kkp-host does: `init --passphrase` wraps
# host.key with it and `passwd` opens host.key with it. Nothing is asked on stdin then,
# and no message shows the passphrase. The installed kkp-setup, as a user runs it.
. tests/lib/preamble.sh
kkp_install
S=$KKP_BIN/kkp-setup
P=$BUILD/tests/keystore/ks_probe
T=$tmp
unset KKP_KEYSTORE_PASSPHRASE KKP_KEYSTORE_PASSPHRASE_FILE
PASS1="FAKE-filepass-$$-one"
PASS2="FAKE-filepass-$$-two"
TOK="FAKE-filetok-$$"
printf '%s\n' "$PASS1" >"$T/pass1" && printf '%s\r\n' "$PASS2" >"$T/pass2" && : >"$T/empty"
chmod 600 "$T/pass1" "$T/pass2"
LOG=$T/log
: >"$LOG"

# run ARGS...: kkp-setup with stdin closed to input (nothing to read there).
run() { out=$("$@" </dev/null 2>&1); rc=$?; printf '%s\n' "$out" >>"$LOG"; }
# opens KS PASSPHRASE: "ok" when the record opens with that passphrase and holds $TOK.
opens() { printf '%s\n%s\n' "$2" "$TOK" | "$P" open "$1" aircall default 2>&1 | sed -n 's/^open: ok .*match=yes.*/ok/p;s/^open: \([a-z_]*\):.*/\1/p'; }

run "$S" --keystore "$T/a" init --passphrase-file "$T/pass1" --kdf min
equals "init --passphrase-file FILE: exit 0" "$rc" 0
contains "and says host.key is wrapped" "$out" "host.key wrapped with a passphrase"
printf '%s\n' "$TOK" | "$S" --keystore "$T/a" add aircall --force >/dev/null 2>&1
equals "the record opens with the file's passphrase" "$(opens "$T/a" "$PASS1")" ok
equals "and not without it (host.key is wrapped)" "$(opens "$T/a" "")" passphrase

out=$("$S" --keystore "$T/b" init --passphrase-file /dev/fd/3 --kdf min 3<"$T/pass1" </dev/null 2>&1); rc=$?
equals "init --passphrase-file /dev/fd/3: exit 0" "$rc" 0
printf '%s\n' "$TOK" | "$S" --keystore "$T/b" add aircall --force >/dev/null 2>&1
equals "its record opens with that passphrase" "$(opens "$T/b" "$PASS1")" ok

run env KKP_KEYSTORE_PASSPHRASE_FILE="$T/pass1" "$S" --keystore "$T/c" init --passphrase --kdf min
equals "init --passphrase with KKP_KEYSTORE_PASSPHRASE_FILE: exit 0, no prompt" "$rc" 0
printf '%s\n' "$TOK" | "$S" --keystore "$T/c" add aircall --force >/dev/null 2>&1
equals "its record opens with the file's passphrase" "$(opens "$T/c" "$PASS1")" ok
run env KKP_KEYSTORE_PASSPHRASE_FILE="$T/pass1" "$S" --keystore "$T/d" init --kdf min
printf '%s\n' "$TOK" | "$S" --keystore "$T/d" add aircall --force >/dev/null 2>&1
equals "init without --passphrase ignores the variable: host.key is plain" "$rc:$(opens "$T/d" "")" "0:ok"

# passwd: the current passphrase from the file, the new one from stdin.
out=$(printf '%s\n' "$PASS2" | "$S" --keystore "$T/a" passwd --passphrase-file "$T/pass1" --kdf min 2>&1); rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "passwd --passphrase-file FILE (current) and the new one on stdin: exit 0" "$rc" 0
equals "the record opens with the new passphrase" "$(opens "$T/a" "$PASS2")" ok
out=$(printf '%s\n' "$PASS1" | env KKP_KEYSTORE_PASSPHRASE_FILE="$T/pass2" "$S" --keystore "$T/a" passwd --kdf min 2>&1)
rc=$?
printf '%s\n' "$out" >>"$LOG"
equals "passwd with KKP_KEYSTORE_PASSPHRASE_FILE (a CRLF line) as the current one: exit 0" "$rc" 0
equals "the record opens with the passphrase set then" "$(opens "$T/a" "$PASS1")" ok
run "$S" --keystore "$T/a" passwd --plain --passphrase-file "$T/pass2"
equals "passwd with the wrong passphrase in the file fails" "$rc" 1
contains "and says the passphrase is wrong" "$out" "wrong passphrase"
run "$S" --keystore "$T/a" passwd --plain --passphrase-file "$T/pass1"
equals "passwd --plain --passphrase-file: exit 0" "$rc" 0
equals "host.key is plain then" "$(opens "$T/a" "")" ok

run "$S" --keystore "$T/e" init --passphrase-file "$T/missing" --kdf min
equals "a missing passphrase file: exit 1" "$rc" 1
contains "the error names the file" "$out" "$T/missing"
contains "and the option and variable that named it" "$out" "--passphrase-file or KKP_KEYSTORE_PASSPHRASE_FILE"
check "and no keystore is made" test ! -e "$T/e/host.key"
run "$S" --keystore "$T/e" init --passphrase-file "$T/empty" --kdf min
equals "an empty passphrase file: exit 1" "$rc:$(printf %s "$out" | grep -c 'is empty')" "1:1"
run "$S" --keystore "$T/a" add aircall --passphrase-file "$T/pass1"
equals "--passphrase-file with add is a usage error" "$rc" 2
contains "that says where it applies" "$out" "applies to init and passwd only"
run "$S" --keystore "$T/a" list --passphrase-file "$T/pass1"
equals "and with list too" "$rc" 2
run "$S" --keystore "$T/a" init --passphrase-file
equals "--passphrase-file without a value is a usage error" "$rc" 2

lacks "no output shows the first passphrase" "$(cat "$LOG")" "$PASS1"
lacks "no output shows the second passphrase" "$(cat "$LOG")" "$PASS2"
tap_done
