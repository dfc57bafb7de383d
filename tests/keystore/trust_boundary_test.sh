#!/bin/sh
# trust_boundary_test.sh - each binary links only its side of the keystore's trust
# boundary (keystore/README.md): kkp-host lists accounts and derives the unwrapping
# key from a passphrase, but can decrypt no host key and open no credential,
# aircall.so opens credentials but can seal or provision nothing, and kkp-setup seals
# and provisions but opens no record. nm lists the functions defined or called inside
# a binary; nm -D the ones it imports from libsodium at run time.
. tests/lib/preamble.sh

# syms FILE: every symbol name FILE defines or references, one per line.
syms() {
  { nm "$1" 2>/dev/null; nm -D "$1" 2>/dev/null; } | awk 'NF >= 2 {print $NF}' | sed 's/@.*//' | sort -u
}

# has WHAT FILE SYMBOL / hasnt WHAT FILE SYMBOL
has() {
  if printf '%s\n' "$2" | grep -qx "$3"; then ok "$1 has $3"; else not_ok "$1 has $3" "nm finds no $3"; fi
}
hasnt() {
  if printf '%s\n' "$2" | grep -qx "$3"; then not_ok "$1 has no $3" "nm finds $3 in $1"; else ok "$1 has no $3"; fi
}

host=$(syms "$BUILD/kkp-host")
plugin=$(syms "$BUILD/aircall.so")
setup=$(syms "$BUILD/kkp-setup")

# Positive checks first, so a stripped or empty binary cannot pass the negative ones.
has kkp-host "$host" ks_account_list
has kkp-host "$host" ks_unlock # derives the unwrapping key once (Argon2id), decrypts nothing
for s in ks_credential_open crypto_box_seal_open ks_hostkey_load crypto_aead_xchacha20poly1305_ietf_decrypt \
  crypto_box_seal ks_record_add \
  ks_record_remove ks_hostkey_create ks_hostkey_passwd ks_file_write; do
  hasnt kkp-host "$host" "$s"
done

has aircall.so "$plugin" ks_credential_open
has aircall.so "$plugin" crypto_box_seal_open
for s in crypto_box_seal ks_record_add ks_record_remove ks_hostkey_create ks_hostkey_passwd ks_file_write \
  ks_pair_publish ks_secret_read_max; do
  hasnt aircall.so "$plugin" "$s"
done

for s in crypto_box_seal ks_record_add ks_record_remove ks_hostkey_create ks_hostkey_passwd; do
  has kkp-setup "$setup" "$s"
done
hasnt kkp-setup "$setup" ks_credential_open
hasnt kkp-setup "$setup" crypto_box_seal_open
tap_done
