#!/bin/sh
# run.sh - `make bench`: the plugin beside other clients making the same requests, measured
# the same way. Each client is its own process, run under bench/measure (wall time, and the
# user+system CPU of the client and whatever it started: the server's CPU is never counted).
# Rounds are interleaved and alternate which side goes first (the machine is shared and
# noisy); each comparison reports the plugin side / the other side, median and min-max, for
# client CPU and for wall time. Below 1: the plugin side is cheaper or faster.
# The floor's server is bench/canned (fixed answers captured from the simulator at start);
# the network comparisons use aircall-sim over HTTPS with --latency-ms.
#   BENCH_QUICK=1  tiny counts, one round (the smoke test in make check)
#   BENCH_OUT=FILE where the report goes (default BENCHMARKS.md; quick: none unless given)
#   ROUNDS, N      rounds (default 11) and calls per keep-alive client (default 2000)
#   BENCH_ONLY=RE  only the comparisons whose name matches the grep -E pattern RE (no report
#                  is written unless BENCH_OUT is given)
set -u
BUILD=${BUILD:-build}
if [ -n "${BENCH_QUICK:-}" ]; then
  ROUNDS=${ROUNDS:-1} N=${N:-20} NPROC=3 NRESIDENT=3 NSCANS=2 LAT=5 NRSS=2000 OUT=${BENCH_OUT:-}
else
  ROUNDS=${ROUNDS:-11} N=${N:-2000} NPROC=50 NRESIDENT=10 NSCANS=5 LAT=50 NRSS=100000 OUT=${BENCH_OUT:-BENCHMARKS.md}
  [ -n "${BENCH_ONLY:-}" ] && OUT=${BENCH_OUT:-} NRSS=2000
fi
NL=$((N / 10 + 1)) # 50-call pages: each costs about ten single calls
PAGES=20
TOKEN=bench-token
AUTH="Authorization: Bearer $TOKEN"
. tests/lib/sim.sh
. tests/lib/tls.sh
work=$(mktemp -d)
canned_pid= tls_pid= tls_out=
cleanup() {
  sim_stop
  for p in $canned_pid $tls_pid; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work" $tls_out
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
  echo "bench: $*" >&2
  exit 1
}

export KKP_KEYSTORE="$work/ks"
"$BUILD/kkp-setup" init >/dev/null 2>&1 && echo "$TOKEN" | "$BUILD/kkp-setup" add aircall >/dev/null 2>&1 ||
  die "could not provision the keystore"

tls_make "$work" || die "openssl could not make the test certificates"

# The simulator over HTTPS with a network's latency; then the plain one, whose answers are
# captured for the canned responder.
sim_start --rate-limit 0 --bearer "$TOKEN=acme" --contacts 2000 --latency-ms "$LAT" \
  --tls-cert "$work/srv.pem" --tls-key "$work/srv.key" || die "the HTTPS simulator did not start"
TLS_URL=$SIM_URL tls_pid=$SIM_PID tls_out=$SIM_OUT SIM_PID=
sim_start --rate-limit 0 --bearer "$TOKEN=acme" || die "the simulator did not start"
LIST_Q='per_page=50&page=1&order=desc'
curl -sf -H "$AUTH" "$SIM_URL/v1/calls/12345" >"$work/call.json" &&
  curl -sf -H "$AUTH" "$SIM_URL/v1/calls?$LIST_Q" >"$work/calls50.json" || die "could not capture the answers"
"$BUILD/canned" /v1/calls/12345="$work/call.json" /v1/calls="$work/calls50.json" >"$work/canned.out" &
canned_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  CANNED=$(sed -n 's/^listening on //p' "$work/canned.out")
  [ -n "$CANNED" ] && break
  sleep 0.1
done
[ -n "$CANNED" ] || die "the canned responder did not start"

# The clients. Each is one command line; the plugin side is always the first of a pair.
PB="$BUILD/plugin_bench $BUILD/aircall.so"
cat >"$work/calls.lua" <<LUA
for i = 1, $N do
  local r = app.integrations.aircall.get_call({call_id = 12345})
  if r.call.id ~= 12345 then error("wrong call") end
end
LUA
cat >"$work/per_call.sh" <<SH
i=0
while [ \$i -lt \$1 ]; do
  "$BUILD/plugin_bench" "$BUILD/aircall.so" "\$2" 1 --ca "$work/ca.pem" || exit 1
  i=\$((i + 1))
done
SH
cat >"$work/curl_each.sh" <<SH
i=0
while [ \$i -lt \$1 ]; do
  curl -sf -o /dev/null -H "$AUTH" "\$2" || exit 1
  i=\$((i + 1))
done
SH
pages=
p=1
while [ $p -le $PAGES ]; do
  pages="$pages '$TLS_URL/v1/contacts?per_page=50&page=$p&order=desc'"
  p=$((p + 1))
done
SCAN_ARGS='{"q":"Zzyzx Nobody"}'
# The same scan NSCANS times in one resident process, against curl reading those pages
# NSCANS times over in one process: both keep their connections from one scan to the next.
scans=
scan=1
while [ $scan -le $NSCANS ]; do
  scans="$scans $pages"
  scan=$((scan + 1))
done

# compare NAME "PLUGIN CMD" "OTHER CMD": ROUNDS interleaved rounds into $work/NAME.cpu|.wall
compare() {
  name=$1
  if [ -n "${BENCH_ONLY:-}" ] && ! echo "$name" | grep -Eq "$BENCH_ONLY"; then return 0; fi
  r=1
  while [ "$r" -le "$ROUNDS" ]; do
    if [ $((r % 2)) -eq 1 ]; then
      p=$(eval "$BUILD/measure $2") || die "$name: the plugin side failed"
      o=$(eval "$BUILD/measure $3") || die "$name: the other side failed"
    else
      o=$(eval "$BUILD/measure $3") || die "$name: the other side failed"
      p=$(eval "$BUILD/measure $2") || die "$name: the plugin side failed"
    fi
    echo "$p $o" | awk -v f="$work/$name" '{ printf "%.4f\n", $2 / $4 >> (f ".cpu");
      printf "%.4f\n", $1 / $3 >> (f ".wall"); printf "%d %d %d %d\n", $1, $2, $3, $4 >> (f ".raw") }'
    r=$((r + 1))
  done
  echo "$name" >>"$work/names"
  printf '%s' "."
}

# median min max of a file of numbers
stats() {
  sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.3f %.3f %.3f", a[int((NR + 1) / 2)], a[1], a[NR] }'
}

printf 'bench: %s rounds ' "$ROUNDS"
compare get_call_vs_curl_loop "$PB $CANNED $N" "$BUILD/curl_loop $CANNED/v1/calls/12345 $N '$AUTH'"
compare get_call_vs_curl_json "$PB $CANNED $N" "$BUILD/curl_json $CANNED/v1/calls/12345 $N '$AUTH'"
compare list_calls50_vs_curl_json "$PB $CANNED $NL --call list_calls '{\"per_page\":50}'" \
  "$BUILD/curl_json '$CANNED/v1/calls?$LIST_Q' $NL '$AUTH'"
compare get_call_vs_curl_per_call "$PB $CANNED $NPROC" "sh $work/curl_each.sh $NPROC $CANNED/v1/calls/12345"
if command -v python3 >/dev/null 2>&1; then
  compare get_call_vs_python "$PB $CANNED $N" "python3 bench/py_client.py $CANNED/v1/calls/12345 $N $TOKEN"
else
  echo "bench: skipping get_call_vs_python: python3 is not installed" >&2
fi
compare lua_vs_c_loop "env AIRCALL_BASE_URL=$CANNED $BUILD/kkp-host --plugin-dir $BUILD lua $work/calls.lua" \
  "$PB $CANNED $N"
compare https_resident_vs_process_per_call "$PB $TLS_URL $NRESIDENT --ca $work/ca.pem" \
  "sh $work/per_call.sh $NRESIDENT $TLS_URL"
compare https_name_scan_vs_sequential_pages "$PB $TLS_URL 1 --ca $work/ca.pem --call list_contacts '$SCAN_ARGS'" \
  "curl -sf --cacert $work/ca.pem -H '$AUTH' $pages"
compare https_resident_name_scans_vs_sequential_pages \
  "$PB $TLS_URL $NSCANS --ca $work/ca.pem --call list_contacts '$SCAN_ARGS'" \
  "curl -sf --cacert $work/ca.pem -H '$AUTH' $scans"
echo

# Beside the ratios: what each server answers per second on one kept connection, and the
# plugin's resident memory over many invokes (flat: no growth per call).
rate() { "$BUILD/curl_loop" "$1" "$N" "$AUTH" | sed -n 's/^\([0-9]*\) requests\/s.*/\1/p'; }
SIM_RATE=$(rate "$SIM_URL/v1/calls/12345")
CANNED_RATE=$(rate "$CANNED/v1/calls/12345")
RSS=$($PB "$SIM_URL" "$NRSS" --rss) || die "the resident-memory run failed"

[ -n "$OUT" ] && . bench/report.sh >"$OUT"
echo "servers: aircall-sim $SIM_RATE requests/s, canned $CANNED_RATE requests/s (GET /v1/calls/12345, one connection)"
echo "$RSS"
[ -n "$OUT" ] && echo "wrote $OUT"
while read -r name; do
  echo "ratio $name.cpu $(stats "$work/$name.cpu")"
  echo "ratio $name.wall $(stats "$work/$name.wall")"
done <"$work/names"
