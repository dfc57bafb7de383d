# sim.sh - sourced by shell tests that need the Aircall simulator: start and stop it, read its
# request log, reset it, queue faults, and make one API call with curl.
#   sim_start [extra aircall-sim args...]  sets SIM_PID and SIM_URL (http://127.0.0.1:PORT)
#   sim_stop                               stops $SIM_PID and waits for it (status in SIM_RC)
#   sim_requests                           prints the request log JSON
#   sim_reset                              restores the seeded data, clears log, faults, limits
#   sim_fault JSON                         queues a fault (object or array); prints the answer
#   sim_call METHOD PATH [BODY]            sets SIM_STATUS, SIM_BODY, SIM_HEADERS; sends
#                                          $SIM_AUTH (default "Authorization: Bearer sim-token";
#                                          set SIM_AUTH= for no Authorization header)
# Without --bearer/--basic the simulator accepts "Bearer sim-token" and Basic
# sim-id:sim-secret, both for company "acme".
BUILD=${BUILD:-build}
SIM_PID=
SIM_URL=
SIM_OUT=

sim_start() {
  SIM_OUT=$(mktemp)
  "$BUILD/aircall-sim" --port 0 "$@" >"$SIM_OUT" 2>&1 &
  SIM_PID=$!
  SIM_URL=
  _i=0
  while [ "$_i" -lt 100 ]; do
    SIM_URL=$(sed -n 's/^listening on //p' "$SIM_OUT")
    [ -n "$SIM_URL" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.1
    _i=$((_i + 1))
  done
  if [ -z "$SIM_URL" ]; then
    echo "sim_start: aircall-sim did not print its listening line within 10 s:" >&2
    cat "$SIM_OUT" >&2
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=
    return 1
  fi
  export SIM_PID SIM_URL
}

sim_stop() {
  SIM_RC=
  if [ -n "${SIM_PID:-}" ]; then
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_RC=$?
  fi
  [ -n "${SIM_OUT:-}" ] && rm -f "$SIM_OUT"
  SIM_PID=
  SIM_OUT=
}

sim_requests() {
  curl -s "$SIM_URL/__sim/requests"
}

sim_reset() {
  curl -s -X POST "$SIM_URL/__sim/reset" >/dev/null
}

sim_fault() {
  curl -s -X POST -H 'Content-Type: application/json' --data-binary "$1" "$SIM_URL/__sim/faults"
}

sim_call() {
  _m=$1
  _p=$2
  shift 2
  _auth=${SIM_AUTH-Authorization: Bearer sim-token}
  [ -z "$_auth" ] && _auth='X-No-Auth: 1'
  _f=$(mktemp)
  _h=$(mktemp)
  if [ $# -gt 0 ]; then
    SIM_STATUS=$(curl -g -s -o "$_f" -D "$_h" -w '%{http_code}' -X "$_m" -H "$_auth" \
      -H 'Content-Type: application/json' --data-binary "$1" "$SIM_URL$_p")
  else
    SIM_STATUS=$(curl -g -s -o "$_f" -D "$_h" -w '%{http_code}' -X "$_m" -H "$_auth" "$SIM_URL$_p")
  fi
  SIM_BODY=$(cat "$_f")
  SIM_HEADERS=$(tr -d '\r' <"$_h")
  rm -f "$_f" "$_h"
}

# sim_table: one check per stdin line "what|METHOD|PATH|STATUS|NEEDLE|BODY". BODY is optional;
# NEEDLE must occur in the answer's body ("!text": must not occur; empty: status only).
# Needs tests/lib/tap.sh. Blank lines and lines starting with # are skipped.
sim_table() {
  while IFS='|' read -r _what _m _p _st _needle _body; do
    case "$_what" in '' | '#'*) continue ;; esac
    if [ -n "$_body" ]; then sim_call "$_m" "$_p" "$_body"; else sim_call "$_m" "$_p"; fi
    if [ "$SIM_STATUS" != "$_st" ]; then
      not_ok "$_what" "$_m $_p: expected status $_st, got $SIM_STATUS" \
        "body: $(printf %s "$SIM_BODY" | head -c 400)"
      continue
    fi
    case "$_needle" in
    '') ok "$_what" ;;
    '!'*) lacks "$_what" "$SIM_BODY" "${_needle#!}" ;;
    *) contains "$_what" "$SIM_BODY" "$_needle" ;;
    esac
  done
}
