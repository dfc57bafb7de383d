#!/bin/sh
# Runs each fuzz target for SECONDS from its checked-in seed corpus (plus a
# working corpus kept in DIR/corpus/<target>), then prints and writes to
# DIR/summary.txt the executions of each. Fails when a target finds a crash, a
# leak or undefined behaviour (libFuzzer exits non-zero; the input that did it is
# saved as DIR/artifacts/<target>-crash-...; add it to tests/fuzz/corpus/<target>/
# once fixed, as a regression seed).
# usage: run.sh DIR SECONDS TARGET...
. tests/lib/preamble.sh
dir=$1
secs=$2
shift 2
summary="$dir/summary.txt"
mkdir -p "$dir/artifacts" "$dir/logs" "$dir/tmp"
# The targets' scratch folders (removed at exit, but not after a crash) stay in the build.
TMPDIR=$(cd "$dir/tmp" && pwd)
export TMPDIR
: >"$summary.tmp"
failed=0
for t in "$@"; do
  mkdir -p "$dir/corpus/$t"
  log="$dir/logs/$t.log"
  # -timeout: one input taking 25 s is a finding (a hang), as is going over 2 GiB.
  "$dir/bin/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=25 \
    -rss_limit_mb=2048 -artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=0
  if [ "$rc" -eq 0 ]; then
    status=ok
  else
    status="FAILED (exit $rc)"
    failed=$((failed + 1))
    echo "fuzz: $t failed; last lines of $log:"
    grep -Ev "^#[0-9]+ +(NEW|REDUCE|pulse|INITED|DONE)" "$log" | tail -n 40 | sed 's/^/    /'
  fi
  printf '%-16s %12s execs in %s s  %s\n' "$t" "$execs" "$secs" "$status" | tee -a "$summary.tmp"
done
mv "$summary.tmp" "$summary"
echo "fuzz: summary in $summary"
[ "$failed" -eq 0 ]
