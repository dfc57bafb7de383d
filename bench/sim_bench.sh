#!/bin/sh
# sim_bench.sh - measures aircall-sim's two promised figures and prints them:
#   1. keep-alive GETs of one call (/v1/calls/12345) per second, with bench/curl_loop
#      (target: at least 5,000/s on a 2-core machine);
#   2. start-up time and resident memory with --calls 100000 (target: < 2 s, < 300 MB).
# usage: BUILD=build sh bench/sim_bench.sh [requests]   (run through `make sim-bench`)
set -u
BUILD=${BUILD:-build}
N=${1:-20000}
. tests/lib/sim.sh
trap 'sim_stop' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

sim_start --rate-limit 0 || exit 1
echo "1. keep-alive GET /v1/calls/12345, $N requests on one connection:"
"$BUILD/curl_loop" "$SIM_URL/v1/calls/12345" "$N" 'Authorization: Bearer sim-token' | sed 's/^/   /'
echo "   simulator resident memory after the run: $(rss_mb "$SIM_PID") MB (request log included)"
sim_stop

t0=$(now_ms)
sim_start --rate-limit 0 --calls 100000 || exit 1
t1=$(now_ms)
echo "2. --calls 100000: listening after $((t1 - t0)) ms; resident $(rss_mb "$SIM_PID") MB"
curl -s -o /dev/null -H 'Authorization: Bearer sim-token' "$SIM_URL/v1/calls?page=200&per_page=50"
curl -s -o /dev/null -H 'Authorization: Bearer sim-token' "$SIM_URL/v1/calls/search?direction=inbound&per_page=50"
echo "   after a last-page list and a full search: resident $(rss_mb "$SIM_PID") MB"
