#!/bin/sh
# dataset_test.sh - aircall-sim: the deterministic per-company data set and the anchors the
# seed examples need (docs/SPEC.md §7, the simulator's issue).
. tests/lib/preamble.sh
A='Authorization: Bearer a'
B='Authorization: Bearer b'
# all AUTH PATH: every page of a list at 50 a page, one JSON body per line, ports removed.
all() {
  _p=1
  while :; do
    _b=$(curl -s -H "$1" "$SIM_URL$2?per_page=50&page=$_p")
    printf '%s\n' "$_b" | sed 's/127\.0\.0\.1:[0-9]*/HOST/g'
    case "$_b" in *'"next_page_link":null'*) break ;; esac
    _p=$((_p + 1))
  done
}

sim_start --seed 7 --bearer a=alpha --bearer b=beta
calls_a1=$(all "$A" /v1/calls)
contacts_a1=$(all "$A" /v1/contacts)
calls_b=$(all "$B" /v1/calls)
sim_stop
sim_start --seed 7 --bearer a=alpha --bearer b=beta
calls_a2=$(all "$A" /v1/calls)
contacts_a2=$(all "$A" /v1/contacts)
users_a=$(all "$A" /v2/users)
numbers_a=$(all "$A" /v1/numbers)
check "same seed, same calls" test "$calls_a1" = "$calls_a2"
check "same seed, same contacts" test "$contacts_a1" = "$contacts_a2"
check "each company has its own data set" test "$calls_a1" != "$calls_b"
sim_stop
sim_start --seed 8 --bearer a=alpha
calls_a8=$(all "$A" /v1/calls)
check "another seed, other data" test "$calls_a1" != "$calls_a8"
sim_stop

# The default data set (seed 1).
sim_start --rate-limit 0 --bearer a=alpha
calls=$(all "$A" /v1/calls)
contacts=$(all "$A" /v1/contacts)
users=$(all "$A" /v2/users)
numbers=$(all "$A" /v1/numbers)
total() { printf '%s\n' "$1" | head -n 1 | grep -o '"total":[0-9]*' | sed 's/.*://'; }
equals "500 calls by default" "$(total "$calls")" 500
equals "200 contacts by default" "$(total "$contacts")" 200
equals "60 users by default" "$(total "$users")" 60
equals "6 numbers by default" "$(total "$numbers")" 6
cnt() { printf '%s' "$1" | grep -o "$2" | wc -l; }
check "calls in both directions: inbound" test "$(cnt "$calls" '"direction":"inbound"')" -gt 0
check "calls in both directions: outbound" test "$(cnt "$calls" '"direction":"outbound"')" -gt 0
check "anonymous callers (raw_digits \"anonymous\")" test "$(cnt "$calls" '"raw_digits":"anonymous"')" -gt 0
check "tagged calls with 2 or more tags" test "$(cnt "$calls" '"tags":\[{[^]]*"tagged_by"[^]]*"tagged_by"')" -gt 0
check "transferred calls" test "$(cnt "$calls" '"transferred_to":{"id"')" -gt 0
check "missed calls with missed_call_reason" test "$(cnt "$calls" '"missed_call_reason":"[a-z_]*"')" -gt 0
check "missed calls have no answered_at" test "$(cnt "$calls" '"answered_at":null')" -gt 0
check "calls without a user (user null)" test "$(cnt "$calls" '"user":null')" -gt 0
check "a call id above 2^32" test "$(cnt "$calls" '{"id":42949[0-9]\{5\},"sid"')" -gt 0
nids=$(printf '%s' "$numbers" | grep -o '{"id":[0-9]*,"direct_link":"http://HOST/v1/numbers' | sed 's/{"id":\([0-9]*\),.*/\1/' | sort -u | tr '\n' ' ')
cids=$(printf '%s' "$calls" | grep -o '"number":{"id":[0-9]*' | sed 's/.*://' | sort -u | tr '\n' ' ')
others=$(for i in $cids; do case " $nids" in *" $i "*) ;; *) echo "$i" ;; esac; done)
equals "every call's number is one of the company's numbers" "$others" ""
window=$(printf '%s' "$calls" | grep -o '"started_at":[0-9]*' | sed 's/.*://' | awk '$1 < 1759276800 || $1 >= 1774992000' | wc -l)
equals "every call starts in the fixed window 2025-10-01 .. 2026-04-01" "$window" 0

# Johns: at least 3, each with first and last name and a phone number.
johns=$(printf '%s\n' "$contacts" | sed 's/},{"id"/}\n{"id"/g' | grep '"first_name":"John"')
n=$(printf '%s\n' "$johns" | grep -c .)
check "at least 3 contacts named John (got $n)" test "$n" -ge 3
equals "every John has a last name" "$(printf '%s\n' "$johns" | grep -c '"last_name":null')" 0
equals "every John has a phone number" "$(printf '%s\n' "$johns" | grep -c '"phone_numbers":\[\]')" 0

# Anchors through the command line: small data sets keep them.
sim_stop
sim_start --calls 8 --contacts 4 --users 4 --numbers 1 --bearer a=alpha
for p in /v1/calls/12345 /v1/contacts/5678; do
  s=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$SIM_URL$p")
  equals "$p exists with the smallest data set" "$s" 200
done
b=$(curl -s -H "$A" "$SIM_URL/v1/contacts?per_page=50")
check "three Johns with the smallest data set" test "$(cnt "$b" '"first_name":"John"')" -ge 3
tap_done
