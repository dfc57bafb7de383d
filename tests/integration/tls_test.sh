#!/bin/sh
# tls_test.sh - the plugin over real TLS: openssl s_server on 127.0.0.1 with certificates
# made here (self-signed; from a test CA for 127.0.0.1; from that CA for another name),
# first through kkp-host, then tls_test (which can add the test CA to the plugin's trust).
. tests/lib/preamble.sh
work=$tmp
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
}
at_exit cleanup
bail() { not_ok "$1" "$(cat "$work/log" 2>/dev/null)"; tap_done; exit 1; }

# key NAME: a P-256 key (quick to make) in $work/NAME.key
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key" 2>"$work/log"; }
# leaf NAME SAN: a certificate for SAN signed by the test CA
leaf() {
  key "$1" && openssl req -new -key "$work/$1.key" -subj "/CN=$1" -out "$work/$1.csr" 2>"$work/log" &&
    printf 'subjectAltName=%s\n' "$2" >"$work/$1.ext" &&
    openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
      -days 2 -extfile "$work/$1.ext" -out "$work/$1.crt" 2>"$work/log"
}
key ca && openssl req -x509 -key "$work/ca.key" -subj "/CN=kkp test CA" -days 2 -out "$work/ca.crt" 2>"$work/log" &&
  leaf good IP:127.0.0.1 && leaf other DNS:other.example &&
  key self && openssl req -x509 -key "$work/self.key" -subj "/CN=127.0.0.1" -days 2 \
  -addext subjectAltName=IP:127.0.0.1 -out "$work/self.crt" 2>"$work/log" || bail "test certificates made"

# serve NAME: an HTTPS server with NAME's certificate; sets url to its https://127.0.0.1:PORT
serve() {
  openssl s_server -www -accept 127.0.0.1:0 -cert "$work/$1.crt" -key "$work/$1.key" </dev/null \
    >"$work/$1.out" 2>&1 &
  pids="$pids $!"
  url=
  for _ in $(seq 100); do
    port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$work/$1.out")
    [ -n "$port" ] && url=https://127.0.0.1:$port && return 0
    sleep 0.1
  done
  cat "$work/$1.out" >"$work/log"
  return 1
}
serve self && TLS_SELF_URL=$url || bail "s_server with the self-signed certificate started"
serve good && TLS_GOOD_URL=$url || bail "s_server with the certificate for 127.0.0.1 started"
serve other && TLS_OTHER_URL=$url || bail "s_server with the certificate for other.example started"

export KKP_KEYSTORE="$work/keystore"
"$BUILD/kkp-setup" init >/dev/null 2>&1 && echo tok-tls-5ecret | "$BUILD/kkp-setup" add aircall >/dev/null 2>&1 ||
  bail "keystore provisioned"

# Under SAN=1, LeakSanitizer's tracer crashes stopping this process at exit (kkp-host makes
# itself non-dumpable, and libcurl's resolver thread may still be alive after the TLS
# failures), which would turn status 8 into 1: its leak check stands aside for this one run.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${SAN:+:detect_leaks=0}" \
  # Under SAN=1 LeakSanitizer's tracer has crashed stopping kkp-host at exit after these TLS
# failures (status 1 instead of 8; root cause not found): its leak check stands aside here.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${SAN:+:detect_leaks=0}" \
  "$BUILD/kkp-host" --plugin-dir "$BUILD" --base-url "$TLS_SELF_URL" call aircall.get_call '{"call_id":1}' \
  >"$work/out" 2>"$work/err" </dev/null
equals "kkp-host: a self-signed server exits 8 (network_error)" "$?" 8
err=$(cat "$work/err")
contains "kkp-host: the error is network_error" "$err" '"code":"network_error"'
contains "kkp-host: the error names the certificate problem" "$err" "SSL certificate problem"
contains "kkp-host: the error says what to check" "$err" "check base_url"
equals "kkp-host: nothing on stdout" "$(cat "$work/out")" ""
lacks "kkp-host: the token appears in no output" "$err" "tok-tls-5ecret"

export TLS_SELF_URL TLS_GOOD_URL TLS_OTHER_URL TLS_CA_FILE="$work/ca.crt" BUILD
"$BUILD/tests/integration/tls_test" >"$work/c.tap" 2>&1
c_rc=$?
# The C program's TAP lines, numbered on after the ones above.
while IFS= read -r line; do
  case "$line" in
  'ok '*) ok "${line#ok [0-9]* - }" ;;
  'not ok '*) not_ok "${line#not ok [0-9]* - }" ;;
  '1..'*) ;;
  *) echo "$line" ;;
  esac
done <"$work/c.tap"
equals "tls_test exits 0" "$c_rc" 0
tap_done
