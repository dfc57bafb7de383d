#!/bin/sh
# Measures the plugin against a bare libcurl loop, side by side in one run on one
# simulator: get_call through invoke vs curl_loop on /v1/calls/12345, interleaved
# rounds (the machine is shared and noisy), then resident memory over 100,000 invokes.
set -u
BUILD=${BUILD:-build}
N=${N:-3000}
ROUNDS=${ROUNDS:-21}
. tests/lib/sim.sh
work=$(mktemp -d)
trap 'sim_stop; rm -rf "$work"' EXIT INT TERM
export KKP_KEYSTORE="$work/ks"
"$BUILD/kkp-setup" init >/dev/null && echo bench-token | "$BUILD/kkp-setup" add aircall >/dev/null || exit 1
sim_start --rate-limit 0 --bearer bench-token=acme || exit 1
rate() { sed -n 's/^\([0-9]*\) requests\/s.*/\1/p'; }
ratios=""
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first, so neither always meets a warmer or colder machine.
  if [ $((r % 2)) -eq 1 ]; then
    c=$("$BUILD/curl_loop" "$SIM_URL/v1/calls/12345" "$N" "Authorization: Bearer bench-token" | rate)
    p=$("$BUILD/plugin_bench" "$BUILD/aircall.so" "$SIM_URL" "$N" | rate)
  else
    p=$("$BUILD/plugin_bench" "$BUILD/aircall.so" "$SIM_URL" "$N" | rate)
    c=$("$BUILD/curl_loop" "$SIM_URL/v1/calls/12345" "$N" "Authorization: Bearer bench-token" | rate)
  fi
  ratio=$(awk -v c="$c" -v p="$p" 'BEGIN { printf "%.3f", c / p }')
  echo "round $r: curl_loop $c req/s, plugin get_call $p req/s, cost ratio plugin/curl $ratio"
  ratios="$ratios $ratio"
done
echo "median cost ratio (plugin time / bare libcurl time): $(echo $ratios | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
"$BUILD/plugin_bench" "$BUILD/aircall.so" "$SIM_URL" 100000 --rss
