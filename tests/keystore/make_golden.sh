#!/bin/sh
# make_golden.sh - regenerates tests/keystore/golden/ with kkp-setup (run from the
# repository root after `make`; the files are checked in, so this runs only when
# the format changes). Every secret in here is an obviously fake test value.
# Offsets below follow FORMAT.md for plugin "aircall" and account "bearer".
set -eu
BUILD=${BUILD:-build}
S=$BUILD/kkp-setup
G=tests/keystore/golden
BEARER="FAKE-golden-bearer-token-0001"
BASIC="FAKE-golden-api-id:FAKE-golden-api-token-0002"
PASS="FAKE-golden-passphrase"
rm -rf "$G"
mkdir -p "$G/tampered"
# XOR the byte at OFFSET (negative: from the end) of FILE with MASK.
flip() {
  f=$1; off=$2; mask=$3
  [ "$off" -lt 0 ] && off=$(( $(wc -c <"$f") + off ))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ mask)))" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
"$S" --keystore "$G/plain" init
printf '%s\n' "$BEARER" | "$S" --keystore "$G/plain" add aircall --account bearer
printf '%s\n' "$BASIC" | "$S" --keystore "$G/plain" add aircall --account basic --basic
printf '%s\n' "$PASS" | "$S" --keystore "$G/wrapped" init --passphrase --kdf min
printf '%s\n' "$BEARER" | "$S" --keystore "$G/wrapped" add aircall --account bearer

# The records here are format version 1, made by a version-1 build: they prove that
# version-1 records stay readable. Records written since are version 2 (FORMAT.md).
# One tampered copy of plain/aircall/bearer.tok per field (header is 20 + 7 + 6 = 33 bytes).
R=$G/plain/aircall/bearer.tok
t() { cp "$R" "$G/tampered/bearer-$1.tok"; flip "$G/tampered/bearer-$1.tok" "$2" "$3"; }
t magic 0 1
t version 8 2          # 1 -> 3: a future version (2 is the current one)
t kind 9 3             # bearer (1) -> basic (2): caught by the associated data
t plugin-length 10 1   # 7 -> 6
t account-length 11 3  # 6 -> 5
t created 12 1         # one second later: caught by the associated data
t plugin 20 3          # "aircall" -> "bircall"
t account 27 3         # "bearer" -> "aearer"
t sealed-key 60 1      # inside the 80-byte sealed record key (33..112)
t nonce 120 1          # inside the 24-byte nonce (113..136)
t ciphertext 140 1     # first bytes of the encrypted credential (137..)
t tag -1 1             # last byte of the Poly1305 tag
# Tampered host keys.
cp "$G/plain/host.key" "$G/tampered/plain-host.key-secret"; flip "$G/tampered/plain-host.key-secret" 20 1
cp "$G/wrapped/host.key" "$G/tampered/wrapped-host.key-memlimit"
flip "$G/tampered/wrapped-host.key-memlimit" 26 64   # memlimit byte 6: about 2^54 bytes
cp "$G/wrapped/host.key" "$G/tampered/wrapped-host.key-salt"; flip "$G/tampered/wrapped-host.key-salt" 30 1
cp "$G/plain/host.pub" "$G/tampered/host.pub-key"; flip "$G/tampered/host.pub-key" 12 1
echo "golden files written to $G"
