#!/bin/sh
# write_order_test.sh - the order of the system calls that make a record durable,
# as strace sees them for `kkp-setup add`: the temp file is fsynced before it is
# linked (add) or renamed (add --force) to the record's name, and the folder is
# fsynced after that, so a crash leaves the old record or the whole new one.
. tests/lib/preamble.sh
S=$BUILD/kkp-setup
T=$tmp
"$S" --keystore "$T/ks" init >/dev/null 2>&1 || { not_ok "keystore made"; tap_done; exit 1; }

# events ARGS...: runs `kkp-setup add ARGS` under strace and prints, in order, one
# word per durability call on the record: fsync-temp, link, rename, fsync-folder.
events() {
  # LeakSanitizer (SAN=1 builds) cannot run under ptrace: its leak check is off here only.
  printf 'FAKE-order-token\n' | ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -y -o "$T/trace" \
    -e trace=fsync,fdatasync,link,linkat,rename,renameat,renameat2 "$S" --keystore "$T/ks" add "$@" >/dev/null 2>&1
  echo "status=$?" >"$T/status"
  sed -n \
    -e 's/.*f\(data\)*sync([0-9]*<[^>]*\/aircall\/\.[^>]*\.tmp\.[^>]*>.*/fsync-temp/p' \
    -e 's/.*f\(data\)*sync([0-9]*<[^>]*\/aircall>.*/fsync-folder/p' \
    -e 's/.*link\(at\)*(.*\/aircall\/\.[^"]*\.tmp\.[^"]*", .*\/aircall\/[^"]*\.tok".*/link/p' \
    -e 's/.*rename\(at2*\)*(.*\/aircall\/\.[^"]*\.tmp\.[^"]*", .*\/aircall\/[^"]*\.tok".*/rename/p' \
    "$T/trace" | tr '\n' ' '
}

got=$(events aircall --account one)
equals "add: ran" "$(cat "$T/status")" "status=0"
equals "add: fsync of the temp file, then link, then fsync of the folder" "$got" "fsync-temp link fsync-folder "
got=$(events aircall --account one --force)
equals "add --force: ran" "$(cat "$T/status")" "status=0"
equals "add --force: fsync of the temp file, then rename, then fsync of the folder" "$got" \
  "fsync-temp rename fsync-folder "
check "the trace is not empty (strace saw the calls)" test -s "$T/trace"
tap_done
