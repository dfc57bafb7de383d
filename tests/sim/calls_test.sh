#!/bin/sh
# calls_test.sh - aircall-sim: /v1/calls, /v1/calls/search and /v1/calls/:id
# (docs/aircall-api.md "Calls").
. tests/lib/preamble.sh
sim_start --rate-limit 0

# ids VALUES: the top-level call ids of a calls page, in order.
ids() { printf %s "$1" | grep -o '{"id":[0-9]*,"sid"' | sed 's/[^0-9]//g'; }
# field NAME BODY: every value of a numeric field.
field() { printf %s "$2" | grep -o "\"$1\":[0-9]*" | sed 's/.*://'; }
sorted() { printf '%s\n' "$1" | sort -n -c 2>/dev/null; }
sorted_desc() { printf '%s\n' "$1" | sort -n -r -c 2>/dev/null; }

# One call carries every field docs/aircall-api.md lists, and no from/to.
sim_call GET /v1/calls/12345
equals "GET /v1/calls/12345 answers 200" "$SIM_STATUS" 200
contains "one call is {\"call\": {...}}" "$SIM_BODY" '{"call":{"id":12345,'
for f in id sid direct_link direction status missed_call_reason started_at answered_at ended_at \
  duration raw_digits recording voicemail asset archived cost user assigned_to number contact \
  teams transferred_by transferred_to comments tags participants; do
  contains "call field $f is present" "$SIM_BODY" "\"$f\":"
done
lacks "a call has no from field" "$SIM_BODY" '"from":'
lacks "a call has no to field" "$SIM_BODY" '"to":'
contains "call 12345 is inbound" "$SIM_BODY" '"direction":"inbound"'
lacks "call 12345 was answered (answered_at not null)" "$SIM_BODY" '"answered_at":null'
contains "call 12345 has a user (abridged)" "$SIM_BODY" '"user":{"id":1001,'
contains "call 12345 has a number with display digits" "$SIM_BODY" '"digits":"+33 1 76 11 11 11"'
lacks "the number inside a call has no users" "$SIM_BODY" '"users":'
lacks "the user inside a call drops substatus" "$SIM_BODY" '"substatus"'
lacks "the user inside a call drops wrap_up_time" "$SIM_BODY" '"wrap_up_time"'
contains "contact is null without fetch_contact" "$SIM_BODY" '"contact":null'
contains "tags carry id, name, created_at, tagged_by" "$SIM_BODY" '"tags":[{"id":545,"name":"VIP","created_at":'
raw=$(printf %s "$SIM_BODY" | sed 's/.*"raw_digits":"\([^"]*\)".*/\1/')
e164="+$(printf %s "$raw" | tr -cd 0-9)"

sim_table <<T
fetch_contact=true fills contact|GET|/v1/calls/12345?fetch_contact=true|200|"contact":{"id":
an unknown call id: 404|GET|/v1/calls/999|404|"error":"Not Found"
a call id that is not a number: 404|GET|/v1/calls/abc|404|"error":"Not Found"
call ids are 64-bit: the newest call has an id above 2^32|GET|/v1/calls?order=desc&per_page=1|200|{"calls":[{"id":42949
an ISO from is refused with 400|GET|/v1/calls?from=2026-01-01T00:00:00Z|400|"troubleshoot":"from must be a UNIX timestamp
an ISO to is refused with 400|GET|/v1/calls?to=2026-01-31|400|"troubleshoot":"to must be a UNIX timestamp
order must be asc or desc|GET|/v1/calls?order=newest|400|"error":"Bad Request"
from/to select nothing outside the data window|GET|/v1/calls?from=1700000000&to=1700000100|200|"total":0
unknown parameters are ignored|GET|/v1/calls?foo=bar&number_id=2001|200|"total":500,
fetch_short_urls and fetch_call_timeline are accepted|GET|/v1/calls?fetch_short_urls=true&fetch_call_timeline=true|200|"total":500,
direction is ignored on /v1/calls|GET|/v1/calls?direction=inbound|200|"total":500,
user_id is ignored on /v1/calls|GET|/v1/calls?user_id=1001|200|"total":500,
phone_number is ignored on /v1/calls|GET|/v1/calls?phone_number=%2B33176111111|200|"total":500,
tags[] is ignored on /v1/calls|GET|/v1/calls?tags[]=545|200|"total":500,
/v1/calls/search without filters lists every call|GET|/v1/calls/search|200|"total":500,
direction must be inbound or outbound on search|GET|/v1/calls/search?direction=sideways|400|"error":"Bad Request"
user_id must be an integer on search|GET|/v1/calls/search?user_id=abc|400|"error":"Bad Request"
a comma-joined tags[] value matches nothing|GET|/v1/calls/search?tags[]=545,678|200|"total":0
a tag name in tags[] matches nothing|GET|/v1/calls/search?tags[]=VIP|200|"total":0
phone_number finds call 12345 by its caller, in E.164|GET|/v1/calls/search?phone_number=$(printf %s "$e164" | sed 's/+/%2B/')&per_page=50|200|"id":12345,
T

# Default order is ascending by started_at; desc reverses it.
sim_call GET '/v1/calls?per_page=50'
sorted "$(field started_at "$SIM_BODY")" && ok "order is asc by started_at by default" || not_ok "order is asc by started_at by default"
sim_call GET '/v1/calls?per_page=50&order=desc'
sorted_desc "$(field started_at "$SIM_BODY")" && ok "order=desc sorts newest first" || not_ok "order=desc sorts newest first"

# from and to are UNIX seconds on started_at, inclusive.
from=1767225600 to=1767830400
sim_call GET "/v1/calls?from=$from&to=$to&per_page=50"
bad=$(field started_at "$SIM_BODY" | awk -v f=$from -v t=$to '$1 < f || $1 > t' | wc -l)
n=$(field started_at "$SIM_BODY" | wc -l)
equals "from/to keep only calls started inside the window" "$bad" 0
check "from/to window is not empty" test "$n" -gt 0

# Search filters: direction, user_id, phone_number on either side, tags[] with AND.
sim_call GET '/v1/calls/search?direction=outbound&per_page=50'
lacks "direction=outbound keeps only outbound calls" "$SIM_BODY" '"direction":"inbound"'
contains "direction=outbound finds some" "$SIM_BODY" '"direction":"outbound"'
sim_call GET '/v1/calls/search?user_id=1001&per_page=50'
others=$(printf %s "$SIM_BODY" | grep -o '"user":{"id":[0-9]*' | grep -vc '"id":1001$')
equals "user_id=1001 keeps only calls handled by user 1001" "$others" 0
contains "user_id=1001 finds some" "$SIM_BODY" '"user":{"id":1001,'
sim_call GET '/v1/calls/search?phone_number=%2B33176111111&per_page=50'
n=$(printf %s "$SIM_BODY" | grep -o '"number":{"id":[0-9]*' | wc -l)
m=$(printf %s "$SIM_BODY" | grep -o '"number":{"id":2001' | wc -l)
equals "phone_number matches the company number side (number.digits)" "$n" "$m"
check "phone_number on the number side finds calls" test "$n" -gt 0
sim_call GET '/v1/calls/search?phone_number=33%201%2076%2011%2011%2011&per_page=1'
contains "phone_number compares digits only" "$SIM_BODY" '"number":{"id":2001'
sim_call GET '/v1/calls/search?tags[]=545&tags[]=678&per_page=50'
n=$(ids "$SIM_BODY" | wc -l)
check "tags[]=545&tags[]=678 finds the calls carrying both" test "$n" -gt 0
without=0
for id in $(ids "$SIM_BODY"); do
  sim_call GET "/v1/calls/$id"
  case "$SIM_BODY" in *'"id":545,"name"'*'"id":678,"name"'* | *'"id":678,"name"'*'"id":545,"name"'*) ;;
  *) without=$((without + 1)) ;; esac
done
equals "every call found by tags[]=545&tags[]=678 carries both tags (AND)" "$without" 0
sim_call GET '/v1/calls/search?tags[]=545&per_page=1'
t545=$(field total "$SIM_BODY")
check "one tag finds more calls than two tags (AND, not OR)" test "$t545" -gt "$n"

# AND holds for any number of tags[]: repeating one id is harmless, and an id past however
# many the simulator keeps is never dropped (a call carries at most three tags).
dup=$(i=0; while [ $i -lt 16 ]; do printf 'tags[]=545&'; i=$((i + 1)); done)
sim_call GET "/v1/calls/search?${dup}per_page=1"
equals "tags[]=545 sixteen times is tags[]=545" "$(field total "$SIM_BODY")" "$t545"
sim_call GET "/v1/calls/search?${dup}tags[]=99999&per_page=1"
equals "an unknown 17th tag id after 16 repeats still takes part in the AND" "$(field total "$SIM_BODY")" 0
many=$(i=0; while [ $i -lt 17 ]; do printf 'tags[]=%d&' $((545 + i)); i=$((i + 1)); done)
sim_call GET "/v1/calls/search?${many}per_page=1"
equals "17 distinct tag ids match nothing" "$(field total "$SIM_BODY")" 0
sim_table <<'T'
a signed tags[] value is not a plain id|GET|/v1/calls/search?tags[]=%2B545|200|"total":0
a tags[] value with a leading space is not a plain id|GET|/v1/calls/search?tags[]=%20545|200|"total":0
T
tap_done
