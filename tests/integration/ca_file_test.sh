#!/bin/sh
# ca_file_test.sh - the plugin over HTTPS against aircall-sim --tls-cert, dlopen'ed through the ABI
# (bench/plugin_bench drives it): with ca_file naming the test CA a call works; without it, or
# with another CA, the call fails naming the certificate; a ca_file that cannot be read is a
# config_error at account_init that names the file.
. tests/lib/preamble.sh
export KKP_KEYSTORE="$tmp/ks"
"$BUILD/kkp-setup" init >/dev/null 2>&1 && echo tls-5ecret | "$BUILD/kkp-setup" add aircall >/dev/null 2>&1 ||
  { not_ok "keystore provisioned"; tap_done; exit 1; }
mkdir "$tmp/other"
tls_make "$tmp" && tls_make "$tmp/other" || { not_ok "openssl made the test certificates"; tap_done; exit 1; }
sim_start --rate-limit 0 --bearer tls-5ecret=acme --tls-cert "$tmp/srv.pem" --tls-key "$tmp/srv.key" ||
  { not_ok "simulator started over HTTPS"; tap_done; exit 1; }

# call [--ca FILE]: one get_call; sets RC and ERR (what the plugin said on failure)
call() {
  "$BUILD/plugin_bench" "$BUILD/aircall.so" "$SIM_URL" 1 "$@" >"$tmp/out" 2>"$tmp/err"
  RC=$?
  ERR=$(cat "$tmp/err")
  cat "$tmp/out" "$tmp/err" >>"$tmp/all"
}

call --ca "$tmp/ca.pem"
equals "get_call over HTTPS with ca_file = the test CA succeeds" "$RC" 0
contains "and the simulator answered it" "$(curl -s --cacert "$tmp/ca.pem" "$SIM_URL/__sim/requests")" \
  '"path":"/v1/calls/12345","query":"","body":null,"company":"acme","status":200'

call
equals "without ca_file the system CAs do not know the test CA: the call fails" "$RC" 1
contains "as a network_error" "$ERR" '"code":"network_error"'
contains "naming the certificate" "$ERR" "certificate"

call --ca "$tmp/other/ca.pem"
equals "ca_file = another CA: the call fails" "$RC" 1
contains "naming the certificate" "$ERR" "certificate"

call --ca "$tmp/missing.pem"
equals "a ca_file that does not exist fails account_init" "$RC" 1
contains "as a config_error" "$ERR" '"code":"config_error"'
contains "naming the file and why" "$ERR" "ca_file \\\"$tmp/missing.pem\\\" cannot be read (No such file or directory)"

call --ca "$tmp/other"
contains "a ca_file that is a folder is a config_error" "$ERR" '"code":"config_error"'
contains "saying so" "$ERR" "(not a regular file)"
lacks "no output names the token" "$(cat "$tmp/all")" "tls-5ecret"
tap_done
