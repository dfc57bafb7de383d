#!/bin/sh
# passphrase_test.sh - kkp-host asks for a wrapped keystore's passphrase on a real
# terminal: echo off, the passphrase never shown, the terminal restored even when a
# signal ends it; and from the environment when there is no terminal.
. tests/lib/preamble.sh
TP=$BUILD/tests/keystore/tty_probe
ks="$tmp/ks"
echo "host-pass-5ecret" | "$BUILD/kkp-setup" --keystore "$ks" init --passphrase --kdf min >/dev/null 2>&1 &&
  echo tty-5ecret | "$BUILD/kkp-setup" --keystore "$ks" add aircall >/dev/null 2>&1 ||
  { not_ok "wrapped keystore provisioned"; tap_done; exit 1; }
sim_start --bearer tty-5ecret=acme || { not_ok "simulator started"; tap_done; exit 1; }
H="$BUILD/kkp-host --plugin-dir $BUILD --keystore $ks --base-url $SIM_URL"
unset KKP_KEYSTORE_PASSPHRASE

out=$(echo "host-pass-5ecret" | "$TP" type $H call aircall.get_call '{"call_id":12345}')
contains "on a terminal: asked once, echo off, nothing leaked, the call succeeds" "$out" \
  "prompts=1 echo-during=off leaked=no exit=0"
out=$("$TP" signal INT $H call aircall.get_call '{"call_id":12345}')
contains "Ctrl-C at the prompt: the terminal gets its echo back" "$out" "echo-after=on"

$H call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "no terminal and no KKP_KEYSTORE_PASSPHRASE: config_error (exit 9)" "$?" 9
contains "no terminal: the message names the passphrase" "$(cat "$tmp/err")" "passphrase"
KKP_KEYSTORE_PASSPHRASE=host-pass-5ecret $H call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "KKP_KEYSTORE_PASSPHRASE opens it" "$?" 0

# One limit (4096 bytes) through the host's get_secret into the plugin: exactly the
# limit opens the keystore; one byte more is refused by name, not cut or taken as none.
P4096=$(head -c 4096 /dev/zero | tr '\0' w)
echo "$P4096" | "$BUILD/kkp-setup" --keystore "$tmp/long" init --passphrase --kdf min >/dev/null 2>&1 &&
  echo tty-5ecret | "$BUILD/kkp-setup" --keystore "$tmp/long" add aircall >/dev/null 2>&1
HL="$BUILD/kkp-host --plugin-dir $BUILD --keystore $tmp/long --base-url $SIM_URL"
KKP_KEYSTORE_PASSPHRASE=$P4096 $HL call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "a 4096-byte passphrase reaches the plugin and opens the keystore" "$?" 0
KKP_KEYSTORE_PASSPHRASE=${P4096}w $HL call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
equals "a 4097-byte passphrase: config_error (exit 9)" "$?" 9
contains "and the message names the limit" "$(cat "$tmp/out" "$tmp/err")" "is longer than 4096 bytes, so it cannot be this keystore's passphrase"
KKP_KEYSTORE_PASSPHRASE=${P4096}${P4096} $HL call aircall.get_call '{"call_id":12345}' >"$tmp/out" 2>"$tmp/err" </dev/null
contains "a far longer one gets the same message" "$(cat "$tmp/out" "$tmp/err")" "is longer than 4096 bytes"

all="$out $(cat "$tmp"/out "$tmp"/err)"
lacks "no output shows the passphrase" "$all" "host-pass-5ecret"
lacks "no output shows the token" "$all" "tty-5ecret"
tap_done
