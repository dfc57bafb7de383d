#!/bin/sh
# directory_test.sh - aircall-sim: users v1 and v2, numbers, tags, ping, company and
# integrations/me (docs/aircall-api.md "Users", "Numbers", "Identity").
. tests/lib/preamble.sh
sim_start --rate-limit 0 --bearer tok=acme --basic id:sec=acme
SIM_AUTH='Authorization: Bearer tok'

sim_call GET /v1/users/1001
equals "GET /v1/users/:id answers 200" "$SIM_STATUS" 200
contains "one user is {\"user\": {...}}" "$SIM_BODY" '{"user":{"id":1001,'
for f in id direct_link name email available availability_status substatus created_at time_zone \
  language wrap_up_time numbers; do
  contains "v1 user field $f is present" "$SIM_BODY" "\"$f\":"
done
lacks "a v1 user has no first_name" "$SIM_BODY" '"first_name"'
lacks "a v1 user has no last_name" "$SIM_BODY" '"last_name"'
contains "a user's created_at is an ISO-8601 string" "$SIM_BODY" '"created_at":"2019-'

sim_call GET /v2/users/1001
equals "GET /v2/users/:id answers 200" "$SIM_STATUS" 200
for f in id name email direct_link language created_at time_zone state wrap_up_time extension \
  availability_status available default_number_id substatus; do
  contains "v2 user field $f is present" "$SIM_BODY" "\"$f\":"
done
lacks "a v2 user has no first_name" "$SIM_BODY" '"first_name"'
lacks "a v2 user has no last_name" "$SIM_BODY" '"last_name"'
lacks "a v2 user has no numbers" "$SIM_BODY" '"numbers"'
email=$(printf %s "$SIM_BODY" | sed 's/.*"email":"\([^"]*\)".*/\1/')

sim_table <<T
GET /v2/users/:email finds the user by email|GET|/v2/users/$email|200|{"user":{"id":1001,
GET /v2/users/:id for an unknown id: 404|GET|/v2/users/99999|404|"error":"Not Found"
GET /v1/users/:id for an unknown id: 404|GET|/v1/users/99999|404|"error":"Not Found"
GET /v1/users lists v1 users|GET|/v1/users|200|{"users":[{"id":1001,
GET /v1/users has at least 60 users by default|GET|/v1/users|200|"total":60,
GET /v2/users lists v2 users|GET|/v2/users?per_page=50|200|"default_number_id":
GET /v1/numbers lists numbers|GET|/v1/numbers|200|"total":6,
numbers show digits in display format|GET|/v1/numbers/2001|200|"digits":"+33 1 76 11 11 11"
a number is {"number": {...}}|GET|/v1/numbers/2001|200|{"number":{"id":2001,
a full number lists its users|GET|/v1/numbers/2001|200|"users":[{
a number has no "number" field|GET|/v1/numbers|200|!"number":
unknown number: 404|GET|/v1/numbers/1|404|"error":"Not Found"
GET /v1/tags: {"tags":[{id,name,color,description}],"meta"}|GET|/v1/tags|200|{"tags":[{"id":545,"name":"VIP","color":"#f5a623","description":"Key accounts"},
tag 678 exists|GET|/v1/tags|200|{"id":678,"name":"Sales lead"
GET /v1/ping: {"ping":"pong"}|GET|/v1/ping|200|{"ping":"pong"}
GET /v1/company: name, users_count, numbers_count|GET|/v1/company|200|{"company":{"name":"acme","users_count":60,"numbers_count":6}}
GET /v1/integrations/me with a bearer token|GET|/v1/integrations/me|200|{"integration":{"name":
integration user is the installing admin, a full v1 user|GET|/v1/integrations/me|200|"user":{"id":1001,
T
sim_call GET /v1/numbers/2001
for f in id direct_link name digits created_at country time_zone open availability_status is_ivr \
  live_recording_activated priority messages; do
  contains "number field $f is present" "$SIM_BODY" "\"$f\":"
done
sim_call GET /v1/integrations/me
for f in name custom_name logo company_id status active number_ids numbers_count user; do
  contains "integration field $f is present" "$SIM_BODY" "\"$f\":"
done
SIM_AUTH="Authorization: Basic $(printf 'id:sec' | base64)"
sim_table <<'T'
integrations/me with Basic credentials: 403 with an application error|GET|/v1/integrations/me|403|"troubleshoot":"integrations/me answers OAuth access tokens only
T

# Names: two words mostly, at least one three-word name and one single word.
names=$(for p in 1 2; do curl -s -H "$SIM_AUTH" "$SIM_URL/v2/users?per_page=50&page=$p" | grep -o '"name":"[^"]*"' | sed 's/"name":"//; s/"$//'; done)
n=$(printf '%s\n' "$names" | grep -c .)
check "at least 60 user names" test "$n" -ge 60
w1=$(printf '%s\n' "$names" | awk 'NF == 1' | wc -l)
w3=$(printf '%s\n' "$names" | awk 'NF == 3' | wc -l)
w2=$(printf '%s\n' "$names" | awk 'NF == 2' | wc -l)
check "at least one one-word user name" test "$w1" -ge 1
check "at least one three-word user name" test "$w3" -ge 1
check "most user names have two words" test "$w2" -ge 50
tap_done
