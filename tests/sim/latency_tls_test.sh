#!/bin/sh
# latency_tls_test.sh - aircall-sim --latency-ms and HTTPS (--tls-cert/--tls-key): answers still
# come, each reports the wait the simulator added (X-Sim-Latency-Ms; no clock is read here), a
# new connection also pays its handshakes, and HTTPS is served with the given certificate.
. tests/lib/preamble.sh
A='Authorization: Bearer sim-token'

# latency_of FILE: the X-Sim-Latency-Ms values of the answers whose headers curl wrote to FILE
latency_of() { tr -d '\r' <"$1" | sed -n 's/^X-Sim-Latency-Ms: //p' | tr '\n' ' '; }

sim_start --rate-limit 0 --latency-ms 40:10 || { not_ok "simulator started with --latency-ms"; tap_done; exit 1; }
# Two requests on one kept connection: the first pays one more round trip (TCP's handshake).
curl -s -D "$tmp/h" -o "$tmp/b1" -o "$tmp/b2" -H "$A" "$SIM_URL/v1/calls/12345" "$SIM_URL/v1/calls/12345"
contains "the delayed call is still answered" "$(cat "$tmp/b1")" '"id":12345'
contains "so is the second one" "$(cat "$tmp/b2")" '"id":12345'
set -- $(latency_of "$tmp/h")
check "the first answer on a connection waited 40 ms + jitter 0..10 + 40 for the handshake (got ${1:-none})" \
  test "${1:-0}" -ge 80 -a "${1:-0}" -le 90
check "the next one 40 ms + jitter 0..10 (got ${2:-none})" test "${2:-0}" -ge 40 -a "${2:-0}" -le 50
curl -s -D "$tmp/h" -o /dev/null "$SIM_URL/__sim/health"
equals "the controls are not delayed" "$(latency_of "$tmp/h")" ""
sim_stop

# The wait holds no lock: while one answer waits (3 s), the request log (read under the
# simulator's lock) is served at once, twice, and shows that request still unanswered
# (status 0). Were the lock held while waiting, the second read could not finish in its 2 s.
sim_start --rate-limit 0 --latency-ms 3000 || { not_ok "simulator started with --latency-ms 3000"; tap_done; exit 1; }
curl -s -o /dev/null -H "$A" "$SIM_URL/v1/calls/12345" &
bg=$!
log=
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  log=$(curl -s --max-time 2 "$SIM_URL/__sim/requests")
  case "$log" in *12345*) break ;; esac
  sleep 0.05
done
log=$(curl -s --max-time 2 "$SIM_URL/__sim/requests")
contains "a waiting answer leaves the log readable, and the log shows it unanswered" "$log" \
  '"path":"/v1/calls/12345","query":"","body":null,"company":"acme","status":0'
wait "$bg"
sim_stop

sim_start --rate-limit 0 || { not_ok "simulator started"; tap_done; exit 1; }
curl -s -D "$tmp/h" -o /dev/null -H "$A" "$SIM_URL/v1/calls/12345"
equals "without --latency-ms nothing is added" "$(latency_of "$tmp/h")" ""
sim_stop

for bad in abc 10:x -5 10: 600001 '10:600001'; do
  out=$("$BUILD/aircall-sim" --latency-ms "$bad" 2>&1)
  equals "--latency-ms $bad is refused with status 2" "$?" 2
  contains "--latency-ms $bad: the message says what is expected" "$out" "N or N:JITTER"
done

tls_make "$tmp" || { not_ok "openssl made the test certificates"; tap_done; exit 1; }
out=$("$BUILD/aircall-sim" --tls-cert "$tmp/srv.pem" 2>&1)
equals "--tls-cert without --tls-key is refused" "$?" 2
contains "and the message says both go together" "$out" "--tls-cert and --tls-key go together"
out=$("$BUILD/aircall-sim" --tls-cert "$tmp/nope.pem" --tls-key "$tmp/srv.key" 2>&1)
contains "a missing certificate file is named" "$out" "nope.pem"
out=$(timeout 20 "$BUILD/aircall-sim" --port 0 --tls-cert "$tmp/ca.key" --tls-key "$tmp/srv.key" 2>&1)
contains "a key given as the certificate is refused at start" "$out" "could not start its TLS daemon"

sim_start --rate-limit 0 --tls-cert "$tmp/srv.pem" --tls-key "$tmp/srv.key" ||
  { not_ok "simulator started with --tls-cert"; tap_done; exit 1; }
case "$SIM_URL" in https://127.0.0.1:*) ok "the listening line says https://127.0.0.1:PORT" ;;
*) not_ok "the listening line says https://127.0.0.1:PORT" "got $SIM_URL" ;; esac
body=$(curl -s --cacert "$tmp/ca.pem" -H "$A" "$SIM_URL/v1/calls/12345")
contains "HTTPS with the test CA trusted answers the call" "$body" '"id":12345'
contains "its links use https://" "$body" "\"direct_link\":\"$SIM_URL/v1/calls/12345\""
err=$(curl -sS -o /dev/null -H "$A" "$SIM_URL/v1/calls/12345" 2>&1)
contains "without the CA, curl refuses the certificate" "$err" "certificate"
s=$(curl -s -o /dev/null -w '%{http_code}' "http://${SIM_URL#https://}/v1/ping")
lacks "plain HTTP on the HTTPS port gets no answer" "$s" "200"
tap_done
