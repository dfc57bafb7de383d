#!/bin/sh
# smoke_test.sh - `make bench`'s harness runs end to end with tiny counts (BENCH_QUICK=1): every
# comparison prints its two ratio lines (client CPU and wall), numbers in the agreed format,
# and the report is written. No figure is judged here: timings are for `make bench` to report.
. tests/lib/preamble.sh
BENCH_QUICK=1 BENCH_OUT="$tmp/BENCHMARKS.md" BUILD=$BUILD sh bench/run.sh >"$tmp/out" 2>"$tmp/err"
equals "the quick bench exits 0" "$?" 0
out=$(cat "$tmp/out")
names="get_call_vs_curl_loop get_call_vs_curl_json list_calls50_vs_curl_json get_call_vs_curl_per_call
       lua_vs_c_loop https_resident_vs_process_per_call https_name_scan_vs_sequential_pages"
if command -v python3 >/dev/null 2>&1; then
  names="$names get_call_vs_python"
else
  contains "without python3 its row is skipped with a reason" "$(cat "$tmp/err")" "python3 is not installed"
fi
num='[0-9][0-9]*\.[0-9][0-9][0-9]'
for n in $names; do
  for m in cpu wall; do
    line=$(printf '%s\n' "$out" | grep "^ratio $n\.$m ")
    check "ratio $n.$m: MEDIAN MIN MAX (got \"$line\")" \
      sh -c "printf '%s\n' \"\$1\" | grep -qx 'ratio $n\.$m $num $num $num'" _ "$line"
  done
done
equals "nothing but ratio lines after the report's path" \
  "$(printf '%s\n' "$out" | sed '1,/^wrote /d' | grep -vc '^ratio ')" 0
report=$(cat "$tmp/BENCHMARKS.md")
contains "the report has its method" "$report" "## Method"
contains "it says which way the ratios go" "$report" "A ratio below 1 means the plugin side is cheaper"
contains "its table has the name scan" "$report" '| `https_name_scan_vs_sequential_pages`'
contains "and the targets with whether each is met" "$report" "## Targets (issue 13)"
contains "the plugin's resident memory is reported" "$out" "resident after 1000 invokes"
tap_done
