#!/bin/sh
# unlock_once_test.sh - a passphrase-wrapped keystore costs one key derivation per
# kkp-host process, however many accounts a script opens: kkp-host derives the
# unwrapping key once (ks_unlock) and every account opens with it, none derives
# from the passphrase again. Seen in the --verbose log lines of host and plugin. Run as a
# user runs them: the installed kkp-setup and kkp-host, the plugin found beside kkp-host.
. tests/lib/preamble.sh
kkp_install
unset KKP_KEYSTORE_PASSPHRASE KKP_KEYSTORE_PASSPHRASE_FILE KKP_DEBUG
ks="$tmp/ks"
printf 'FAKE-once-pass\n' >"$tmp/pass" && chmod 600 "$tmp/pass"
"$KKP_BIN/kkp-setup" --keystore "$ks" init --passphrase-file "$tmp/pass" --kdf min >/dev/null 2>&1 || not_ok "init"
for acct in default sales support; do
  echo once-t0ken | "$KKP_BIN/kkp-setup" --keystore "$ks" add aircall --account "$acct" --force >/dev/null 2>&1
done
sim_start --bearer once-t0ken=acme || { not_ok "simulator started"; tap_done; exit 1; }
H="$KKP_BIN/kkp-host --keystore $ks --base-url $SIM_URL"
cat >"$tmp/three.lua" <<'LUA'
local n = 0
for _, acct in ipairs({"default", "sales", "support"}) do
  n = n + #app.integrations.aircall[acct].list_numbers({}).numbers
end
print(n)
LUA

# count PATTERN: lines of the run's stderr holding PATTERN.
count() { grep -c -F "$1" "$tmp/err"; }
$H --verbose --passphrase-file "$tmp/pass" lua "$tmp/three.lua" >"$tmp/out" 2>"$tmp/err" </dev/null
equals "a script opening three accounts of a wrapped keystore: exit 0" "$?" 0
check "and each account answered" test -s "$tmp/out"
equals "kkp-host derives the unlock key once" "$(count "deriving the unlock key from the passphrase")" 1
equals "each of the three accounts opens with it" "$(count "opened with the host's unlock key")" 3
equals "no account derives from the passphrase itself" "$(count "deriving the key from the passphrase (Argon2id)")" 0
lacks "no log line shows the passphrase" "$(cat "$tmp/err" "$tmp/out")" "FAKE-once-pass"

# A wrong passphrase is found when the first account opens with the host's key. No
# account then derives from the passphrase itself: the same passphrase gives the same
# key, so that would cost an Argon2id per account only to fail the same way.
printf 'FAKE-wrong-pass\n' >"$tmp/wrong" && chmod 600 "$tmp/wrong"
$H --verbose --passphrase-file "$tmp/wrong" lua "$tmp/three.lua" >"$tmp/out" 2>"$tmp/err" </dev/null
check "a wrong passphrase fails the script" test "$?" -ne 0
contains "saying the passphrase is wrong" "$(cat "$tmp/err")" "wrong passphrase"
equals "kkp-host derived the unlock key once" "$(count "deriving the unlock key from the passphrase")" 1
equals "and no account derived it again" "$(count "deriving the key from the passphrase (Argon2id)")" 0
lacks "no log line shows the wrong passphrase" "$(cat "$tmp/err" "$tmp/out")" "FAKE-wrong-pass"

# A plain keystore has nothing to derive.
"$KKP_BIN/kkp-setup" --keystore "$ks" passwd --plain --passphrase-file "$tmp/pass" >/dev/null 2>&1
$H --verbose lua "$tmp/three.lua" >"$tmp/out" 2>"$tmp/err" </dev/null
equals "a plain keystore: exit 0" "$?" 0
equals "and no key is derived at all" "$(count "deriving")" 0
tap_done
