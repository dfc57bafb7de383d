#!/bin/sh
# controls_test.sh - aircall-sim: the request log (GET /__sim/requests), POST /__sim/reset and
# GET /__sim/health: no auth, not logged, not rate-limited, never a credential in the log.
. tests/lib/preamble.sh
sim_start --rate-limit 2 --bearer secret-token-123=alpha --basic myid:mysecret=alpha

s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/health")
equals "GET /__sim/health answers 200 without credentials" "$s" 200
log=$(sim_requests)
equals "the log starts empty" "$log" '{"requests":[]}'

SIM_AUTH='Authorization: Bearer secret-token-123'
sim_call GET '/v1/calls?per_page=2&order=desc'
sim_call POST /v1/contacts '{"first_name":"Log","phone_numbers":[{"label":"W","value":"+33600000000"}]}'
SIM_AUTH="Authorization: Basic $(printf 'myid:wrong' | base64)"
sim_call GET /v1/ping
SIM_AUTH=
sim_call GET /v1/ping
SIM_AUTH='Authorization: Bearer secret-token-123'
sim_call GET /v1/ping
SIM_AUTH="Authorization: Basic $(printf 'myid:mysecret' | base64)"
sim_call GET /v1/ping
curl -s "$SIM_URL/__sim/health" >/dev/null
log=$(sim_requests)
contains "entry 1: method, path, raw query, null body, company, status" "$log" \
  ',"method":"GET","path":"/v1/calls","query":"per_page=2&order=desc","body":null,"company":"alpha","status":200,"in_flight":1}'
contains "entry 2: the raw body of a POST and its 201" "$log" \
  ',"method":"POST","path":"/v1/contacts","query":"","body":"{\"first_name\":\"Log\",\"phone_numbers\":[{\"label\":\"W\",\"value\":\"+33600000000\"}]}","company":"alpha","status":201,"in_flight":1}'
contains "entry 3: bad credentials are logged, company null, 403" "$log" \
  ',"method":"GET","path":"/v1/ping","query":"","body":null,"company":null,"status":403,"in_flight":1}'
contains "entry 4: no credentials, company null, 401" "$log" \
  '"company":null,"status":401,"in_flight":1}'
contains "entry 5: a rate-limited request is logged with 429" "$log" '"company":"alpha","status":429,"in_flight":1}'
n=$(printf %s "$log" | grep -o '{"at_ms":1[0-9]\{12\},"method":' | wc -l)
equals "every entry starts with its arrival time in UNIX ms" "$n" 6
n=$(printf %s "$log" | grep -o '"method":' | wc -l)
equals "/__sim requests are not logged (6 entries)" "$n" 6
order=$(printf %s "$log" | grep -o '"status":[0-9]*' | tr '\n' ' ')
equals "the log is in arrival order" "$order" '"status":200 "status":201 "status":403 "status":401 "status":429 "status":429 '
lacks "the log never holds the bearer token" "$log" "secret-token-123"
lacks "the log never holds the Basic secret" "$log" "wrong"
lacks "the log never holds an Authorization value" "$log" "Authorization"
lacks "the log never holds a Basic header value" "$log" "$(printf 'myid:wrong' | base64)"
lacks "the log never holds a valid Basic secret" "$log" "mysecret"
lacks "the log never holds a valid Basic header value" "$log" "$(printf 'myid:mysecret' | base64)"

s=$(curl -s -X POST "$SIM_URL/__sim/reset" -o /dev/null -w '%{http_code}')
equals "POST /__sim/reset answers 200" "$s" 200
equals "reset clears the log" "$(sim_requests)" '{"requests":[]}'
sim_call GET /v1/ping
equals "reset clears the rate bucket" "$SIM_STATUS" 200
sim_call GET '/v1/contacts/search?phone_number=%2B33600000000'
contains "reset restores the seeded contacts (created one gone)" "$SIM_BODY" '"total":0'
sim_fault '{"kind":"status_before","status":503}' >/dev/null
sim_reset
sim_call GET /v1/ping
equals "reset clears the fault queue" "$SIM_STATUS" 200
s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/nothing")
equals "an unknown control: 404" "$s" 404
s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/requests" -X DELETE)
equals "a control with the wrong method: 404" "$s" 404
# in_flight: how many requests were in progress when one arrived, itself included. Two
# requests held 1.5 s each by a delay, sent together: the second arrives while the first waits.
sim_reset
sim_fault '{"path":"/v1/ping","kind":"delay","delay_ms":1500,"count":2}' >/dev/null
SIM_AUTH="Authorization: Basic $(printf 'myid:mysecret' | base64)"
curl -s -o /dev/null -H "$SIM_AUTH" "$SIM_URL/v1/ping" &
first=$!
sleep 0.3
curl -s -o /dev/null -H "$SIM_AUTH" "$SIM_URL/v1/ping"
wait "$first"
order=$(sim_requests | grep -o '"in_flight":[0-9]*' | tr '\n' ' ')
equals "in_flight counts the requests in progress at arrival" "$order" '"in_flight":1 "in_flight":2 '
tap_done
