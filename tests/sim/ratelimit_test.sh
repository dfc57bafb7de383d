#!/bin/sh
# ratelimit_test.sh - aircall-sim: the per-company rate limit, its 429 body and the
# X-AircallApi-* headers that appear only on 429s (docs/aircall-api.md "Rate limit").
. tests/lib/preamble.sh
hdr() { printf '%s\n' "$SIM_HEADERS" | grep -i "^$1:" | sed 's/^[^:]*: *//'; }

sim_start --rate-limit 3 --bearer a1=alpha --bearer a2=alpha --bearer b=beta
SIM_AUTH='Authorization: Bearer a1'
sim_call GET /v1/ping
equals "request 1 of 3 answers 200" "$SIM_STATUS" 200
equals "a normal answer has no X-AircallApi-Limit" "$(hdr X-AircallApi-Limit)" ""
equals "a normal answer has no X-AircallApi-Remaining" "$(hdr X-AircallApi-Remaining)" ""
equals "a normal answer has no X-AircallApi-Reset" "$(hdr X-AircallApi-Reset)" ""
sim_call GET /v1/calls/12345
equals "request 2 of 3 answers 200" "$SIM_STATUS" 200
SIM_AUTH='Authorization: Bearer a2'
sim_call GET /v1/ping
equals "request 3 (another token, same company) answers 200" "$SIM_STATUS" 200
before=$(date +%s)
sim_call GET /v1/ping
equals "request 4 in the window: 429 (the company's tokens share one bucket)" "$SIM_STATUS" 429
contains "429 body error is Too Many Requests" "$SIM_BODY" '{"error":"Too Many Requests","troubleshoot":"'
equals "429 carries X-AircallApi-Limit" "$(hdr X-AircallApi-Limit)" 3
equals "429 carries X-AircallApi-Remaining 0" "$(hdr X-AircallApi-Remaining)" 0
reset=$(hdr X-AircallApi-Reset)
check "X-AircallApi-Reset is UNIX seconds, after now" test "${reset:-0}" -gt "$before"
check "X-AircallApi-Reset is at most 60 s away" test "${reset:-0}" -le $((before + 61))
lacks "429 has no Retry-After" "$SIM_HEADERS" "Retry-After"
SIM_AUTH='Authorization: Bearer a1'
sim_call GET /v1/nothing
equals "unknown paths are limited too once over the limit" "$SIM_STATUS" 429
SIM_AUTH='Authorization: Bearer b'
sim_call GET /v1/ping
equals "another company has its own bucket" "$SIM_STATUS" 200
SIM_AUTH='Authorization: Bearer wrong'
sim_call GET /v1/ping
equals "bad credentials still answer 403, not 429" "$SIM_STATUS" 403
s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/health")
equals "/__sim controls are not rate-limited" "$s" 200
sim_reset
SIM_AUTH='Authorization: Bearer a1'
sim_call GET /v1/ping
equals "reset clears the rate buckets" "$SIM_STATUS" 200
sim_stop

sim_start --rate-limit 0
i=0
fails=0
while [ $i -lt 150 ]; do
  s=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sim-token' "$SIM_URL/v1/ping")
  [ "$s" = 200 ] || fails=$((fails + 1))
  i=$((i + 1))
done
equals "--rate-limit 0 turns the limit off (150 requests, no 429)" "$fails" 0
sim_stop

sim_start
i=0
n429=0
while [ $i -lt 121 ]; do
  s=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sim-token' "$SIM_URL/v1/ping")
  [ "$s" = 429 ] && n429=$((n429 + 1))
  i=$((i + 1))
done
equals "the default limit is 120 per 60 s: the 121st request is refused" "$n429" 1
tap_done
