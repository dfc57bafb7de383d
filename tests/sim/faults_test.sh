#!/bin/sh
# faults_test.sh - aircall-sim: every fault kind of POST /__sim/faults, matching by method and
# path prefix, count, queue order, and whether the request was processed (committed).
. tests/lib/preamble.sh
tmp=$tmp/body
sim_start --rate-limit 0
A='Authorization: Bearer sim-token'
NEW='{"first_name":"Fault","phone_numbers":[{"label":"W","value":"+33611111111"}]}'
# get PATH: sets RC (curl exit status), CODE and BODY.
get() { CODE=$(curl -g -s -o "$tmp" -w '%{http_code}' -H "$A" "$SIM_URL$1"); RC=$?; BODY=$(cat "$tmp"); }
post_contact() { CODE=$(curl -s -o "$tmp" -w '%{http_code}' -H "$A" -H 'Content-Type: application/json' --data-binary "$NEW" "$SIM_URL/v1/contacts"); RC=$?; BODY=$(cat "$tmp"); }
created() { curl -s -H "$A" "$SIM_URL/v1/contacts/search?phone_number=%2B33611111111" | grep -o '"total":[0-9]*' | sed 's/.*://'; }

# Queueing.
out=$(sim_fault '{"kind":"status_before","path":"/v1/ping","status":503}')
equals "POST /__sim/faults answers {\"queued\": N}" "$out" '{"queued":1}'
out=$(sim_fault '[{"kind":"delay","path":"/v1/nothing","delay_ms":1},{"kind":"html","path":"/v1/nothing"}]')
equals "an array of faults queues them all" "$out" '{"queued":2}'
s=$(curl -s -o "$tmp" -w '%{http_code}' -X POST --data-binary '{"kind":"explode"}' "$SIM_URL/__sim/faults")
equals "an unknown kind: 400" "$s" 400
contains "an unknown kind names the accepted kinds" "$(cat "$tmp")" "status_before, status_after"
s=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary '{"path":"/v1"}' "$SIM_URL/__sim/faults")
equals "a fault without kind: 400" "$s" 400
s=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary 'not json' "$SIM_URL/__sim/faults")
equals "a fault body that is not JSON: 400" "$s" 400
s=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary '[{"kind":"reset"},{"kind":"reset","count":0}]' "$SIM_URL/__sim/faults")
equals "one bad fault in an array: 400" "$s" 400
sim_reset

# status_before: answers status/body/headers, not processed.
sim_fault '{"kind":"status_before","method":"POST","path":"/v1/contacts","status":503,"body":"{\"error\":\"Service Unavailable\"}","headers":{"X-Test":"yes"}}' >/dev/null
hdrs=$(curl -s -D - -o "$tmp" -H "$A" -H 'Content-Type: application/json' --data-binary "$NEW" "$SIM_URL/v1/contacts" | tr -d '\r')
contains "status_before answers its status" "$hdrs" "HTTP/1.1 503"
contains "status_before adds its headers" "$hdrs" "X-Test: yes"
equals "status_before answers its body" "$(cat "$tmp")" '{"error":"Service Unavailable"}'
equals "status_before does not process the request" "$(created)" 0
post_contact
equals "a fault with count 1 is used once" "$CODE" 201
sim_reset

# status_after: processes and commits, then answers the fault.
sim_fault '{"kind":"status_after","path":"/v1/contacts","status":500}' >/dev/null
post_contact
equals "status_after answers its status" "$CODE" 500
contains "status_after without body answers an error body" "$BODY" '"error":"Internal Server Error"'
equals "status_after commits the request (contact created)" "$(created)" 1
sim_reset

# delay: sleeps, then processes normally.
sim_fault '{"kind":"delay","path":"/v1/ping","delay_ms":200}' >/dev/null
get /v1/ping
equals "delay then answers normally" "$CODE $BODY" '200 {"ping":"pong"}'

# reset: the connection is dropped without an answer, not processed.
sim_fault '{"kind":"reset","method":"POST","path":"/v1/contacts"}' >/dev/null
post_contact
check "reset: curl sees no answer (exit status $RC)" test "$RC" -eq 52 -o "$RC" -eq 56
equals "reset: no status" "$CODE" 000
equals "reset does not process the request" "$(created)" 0

# reset_after: processed and committed, then dropped.
sim_fault '{"kind":"reset_after","path":"/v1/contacts"}' >/dev/null
post_contact
check "reset_after: curl sees no answer (exit status $RC)" test "$RC" -eq 52 -o "$RC" -eq 56
equals "reset_after commits the request" "$(created)" 1
sim_reset

# truncate: a 200 that declares more than it sends, then closes.
sim_fault '{"kind":"truncate","path":"/v1/calls/12345"}' >/dev/null
get /v1/calls/12345
equals "truncate: curl reports a partial body (exit 18)" "$RC" 18
equals "truncate: status 200" "$CODE" 200
contains "truncate: the body starts like the real one" "$BODY" '{"call":{"id":12345,'
lacks "truncate: the body is cut before its end" "$BODY" '"participants":[]}}'

# invalid_json: 200 with a body that is not JSON.
sim_fault '{"kind":"invalid_json","path":"/v1/calls"}' >/dev/null
hdrs=$(curl -s -D - -o "$tmp" -H "$A" "$SIM_URL/v1/calls" | tr -d '\r')
contains "invalid_json: status 200" "$hdrs" "HTTP/1.1 200"
contains "invalid_json: claims JSON" "$hdrs" "Content-Type: application/json"
contains "invalid_json: the body is not JSON" "$(cat "$tmp")" "<<not json"

# html: an HTML page, 502 by default, text/html.
sim_fault '{"kind":"html","path":"/v1/users"}' >/dev/null
hdrs=$(curl -s -D - -o "$tmp" -H "$A" "$SIM_URL/v1/users" | tr -d '\r')
contains "html: status 502 by default" "$hdrs" "HTTP/1.1 502"
contains "html: content-type text/html" "$hdrs" "Content-Type: text/html"
contains "html: an HTML page" "$(cat "$tmp")" "<html>"
sim_fault '{"kind":"html","path":"/v1/users","status":504}' >/dev/null
get /v1/users
equals "html: status can be set" "$CODE" 504

# Matching: method, path prefix, count, order of addition; /__sim is never faulted.
sim_fault '{"kind":"status_before","method":"POST","path":"/v1/calls","status":500}' >/dev/null
get /v1/calls
equals "a fault for POST does not hit a GET" "$CODE" 200
sim_reset
sim_fault '{"kind":"status_before","path":"/v1/calls","status":502,"count":2}' >/dev/null
get /v1/calls/search
equals "path is a prefix match (/v1/calls hits /v1/calls/search)" "$CODE" 502
get /v1/calls/12345
equals "count 2: the second request is hit too" "$CODE" 502
get /v1/calls/12345
equals "count 2: the third request is normal" "$CODE" 200
sim_fault '[{"kind":"status_before","status":501},{"kind":"status_before","status":502}]' >/dev/null
get /v1/ping
equals "faults are consumed in order of addition (first)" "$CODE" 501
get /v1/ping
equals "faults are consumed in order of addition (second)" "$CODE" 502
sim_fault '{"kind":"status_before","status":500}' >/dev/null
s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/health")
equals "/__sim controls are never faulted" "$s" 200
get /v1/ping
equals "the fault is still queued for the API" "$CODE" 500
sim_fault '{"kind":"status_before","path":"/v1/ping","status":418}' >/dev/null
SIM_AUTH=
sim_call GET /v1/ping
equals "status_before answers before the auth check" "$SIM_STATUS" 418
contains "a status without a reason phrase is \"error\":\"Error\"" "$SIM_BODY" '"error":"Error"'
SIM_AUTH='Authorization: Bearer sim-token'
sim_fault '[{"kind":"status_before","status":422},{"kind":"status_before","status":413},{"kind":"status_before","status":501}]' >/dev/null
sim_call GET /v1/ping
contains "422 keeps Aircall's reason phrase" "$SIM_BODY" '"error":"Unprocessable Entity"'
sim_call GET /v1/ping
contains "413 keeps Aircall's reason phrase" "$SIM_BODY" '"error":"Payload Too Large"'
sim_call GET /v1/ping
contains "other statuses take libmicrohttpd's reason phrase" "$SIM_BODY" '"error":"Not Implemented"'

# Faulted requests are logged with the status answered (0 when dropped).
sim_reset
sim_fault '[{"kind":"status_before","path":"/v1/ping","status":503},{"kind":"reset","path":"/v1/ping"}]' >/dev/null
get /v1/ping
get /v1/ping
log=$(sim_requests)
contains "the log records a fault's status" "$log" '"path":"/v1/ping","query":"","body":null,"company":"acme","status":503,"in_flight":1}'
contains "the log records a dropped connection as status 0" "$log" '"company":"acme","status":0,"in_flight":1}'

# curl_loop (the benchmarks' baseline) counts one failure per failed request.
sim_fault '{"kind":"status_before","path":"/v1/ping","status":500,"count":2}' >/dev/null
out=$("$BUILD/curl_loop" "$SIM_URL/v1/ping" 4 "$A")
equals "curl_loop exits 1 when a request failed" "$?" 1
contains "curl_loop runs every request" "$out" "(4 requests in"
contains "curl_loop counts each failed request once" "$out" ", 2 failed)"
sim_fault '{"kind":"reset","path":"/v1/ping"}' >/dev/null
out=$("$BUILD/curl_loop" "$SIM_URL/v1/ping" 1 "$A")
contains "curl_loop: the one request ran" "$out" "(1 requests in"
contains "curl_loop: a dropped connection is one failure, not two" "$out" ", 1 failed)"

# The connection survives a keep-alive after a normal answer.
out=$(curl -s -v -H "$A" "$SIM_URL/v1/ping" "$SIM_URL/v1/ping" 2>&1)
contains "keep-alive: curl reuses the connection" "$out" "Re-using existing connection"
tap_done
