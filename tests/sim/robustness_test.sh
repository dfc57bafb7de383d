#!/bin/sh
# robustness_test.sh - aircall-sim never crashes on bad input: malformed JSON, huge query
# strings and bodies, unknown parameters, odd methods and paths; keep-alive and concurrent
# clients work.
. tests/lib/preamble.sh
sim_start --rate-limit 0
A='Authorization: Bearer sim-token'
big=$tmp/big

sim_table <<'T'
a truncated JSON body: 400|POST|/v1/contacts|400|"error":"Bad Request"|{"first_name":"A","phone_numbers":[
a JSON string body: 400|POST|/v1/contacts|400|"error":"Bad Request"|"just a string"
a JSON number body: 400|POST|/v1/contacts|400|"error":"Bad Request"|42
deeply nested JSON: 400 or 422, no crash|POST|/v1/contacts|400||[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
phone entries that are not objects: 422|POST|/v1/contacts|422|"phone_numbers"|{"phone_numbers":[1,2,3]}
phone values that are numbers: 422|POST|/v1/contacts|422|"phone_numbers"|{"phone_numbers":[{"label":"W","value":33612345678}]}
first_name that is a number: 400|POST|/v1/contacts|400|"troubleshoot":"first_name must be a string"|{"first_name":5,"phone_numbers":[{"label":"W","value":"+33612345678"}]}
update with a body that is not JSON: 400|POST|/v1/contacts/5678|400|"error":"Bad Request"|}{
phone_details with an empty object: 422|POST|/v1/contacts/5678/phone_details|422|"success":false|{}
unknown parameters everywhere are ignored|GET|/v1/calls?a=1&b=&=c&&d&%ZZ=%G1|200|"total":500,
a query with a broken percent escape|GET|/v1/contacts?order=%|400|"error":"Bad Request"
an id too long for 64 bits|GET|/v1/calls/99999999999999999999999|404|"error":"Not Found"
a zero id|GET|/v1/calls/0|404|"error":"Not Found"
a negative per_page|GET|/v1/users?per_page=-5|400|"error":"Bad Request"
T

# A huge query string (100 KB of unknown parameters).
q=$(head -c 120000 /dev/zero | tr '\0' 'a')
s=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$SIM_URL/v1/calls?x=$q&per_page=1")
check "a 120 KB query string is answered (got $s)" test "$s" = 200 -o "$s" = 414 -o "$s" = 431
# A 1 MB header (from a file: an argument that long is more than the kernel passes).
printf 'X-Big: %s\n' "$(head -c 1000000 /dev/zero | tr '\0' 'a')" >"$big"
s=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -H @"$big" "$SIM_URL/v1/calls")
check "a 1 MB header is refused, not a crash (got $s)" test "$s" = 414 -o "$s" = 431 -o "$s" = 400
# Many repeated tags[] parameters.
q=$(i=0; while [ $i -lt 500 ]; do printf 'tags[]=%d&' $i; i=$((i + 1)); done)
s=$(curl -g -s -o /dev/null -w '%{http_code}' -H "$A" "$SIM_URL/v1/calls/search?${q}per_page=1")
equals "500 repeated tags[] parameters: 200" "$s" 200
# A 2 MB body is refused with 413.
head -c 2000000 /dev/zero | tr '\0' 'x' >"$big"
s=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -H 'Content-Type: application/json' --data-binary @"$big" "$SIM_URL/v1/contacts")
equals "a 2 MB body: 413" "$s" 413
# Binary garbage with NUL bytes.
printf '{"first_name":"\000\001\377","phone_numbers":[{"label":"W","value":"+33"}]}' >"$big"
s=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -H 'Content-Type: application/json' --data-binary @"$big" "$SIM_URL/v1/contacts")
check "a body with NUL bytes is answered (got $s)" test "$s" = 400 -o "$s" = 422 -o "$s" = 201
# Odd methods.
for m in PATCH OPTIONS TRACE FOO; do
  s=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "$A" "$SIM_URL/v1/calls")
  check "method $m is answered, not a crash (got $s)" test "$s" = 404 -o "$s" = 405 -o "$s" = 501
done
s=$(curl -s -o /dev/null -w '%{http_code}' -I -H "$A" "$SIM_URL/v1/ping")
check "HEAD is answered (got $s)" test "$s" != 000
s=$(curl --path-as-is -s -o /dev/null -w '%{http_code}' -H "$A" "$SIM_URL/v1/../v1/ping")
equals "dot segments are not routes" "$s" 404
# A request line that is not HTTP.
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --request-target 'garbage target' "$SIM_URL/")
check "a malformed request target is answered or closed, not a crash (got $s)" test -n "$s"

# Concurrent clients (20 at once, 10 requests each) with keep-alive.
i=0
pids=""
while [ $i -lt 20 ]; do
  (
    urls=""
    j=0
    while [ $j -lt 10 ]; do urls="$urls -o /dev/null $SIM_URL/v1/calls/12345"; j=$((j + 1)); done
    curl -s -w '%{http_code}\n' -H "$A" $urls
  ) >"$big.$i" &
  pids="$pids $!"
  i=$((i + 1))
done
for p in $pids; do wait "$p"; done
n=$(cat "$big".* | grep -c '^200$')
rm -f "$big".*
equals "200 concurrent keep-alive requests all answer 200" "$n" 200

s=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/__sim/health")
equals "the simulator is alive after all of it" "$s" 200
sim_call GET /v1/calls/12345
equals "and still answers the API" "$SIM_STATUS" 200
# Writes, faults left queued and resets before the stop, so a sanitizer build (which exits
# non-zero on a leak) checks that all of them free what they allocate.
sim_call POST /v1/contacts '{"first_name":"Leak","phone_numbers":[{"label":"W","value":"+33600000077"}],"emails":[{"label":"W","value":"l@k.example"}]}'
equals "a create before the stop: 201" "$SIM_STATUS" 201
sim_call POST /v1/contacts/5678/phone_details '{"label":"X","value":"+33600000078"}'
sim_call DELETE /v1/contacts/5678
sim_reset
sim_call POST /v1/contacts/5678/email_details '{"label":"X","value":"x@k.example"}'
equals "a sub-resource write after a reset: 201" "$SIM_STATUS" 201
sim_fault '{"kind":"status_before","path":"/nowhere","headers":{"X-A":"b"},"body":"x"}' >/dev/null
pid=$SIM_PID
sim_stop
equals "and stops cleanly (status 0)" "$SIM_RC" 0
tap_done
