#!/bin/sh
# lists_test.sh - aircall-sim: list envelopes, meta, page links, per_page bounds and the
# 10,000-record cap (docs/aircall-api.md "Envelopes and pagination").
. tests/lib/preamble.sh
sim_start --calls 10100 --rate-limit 0
U=$SIM_URL
CAP='{"error":"Bad Request","data":null,"message":"BAD_REQUEST","errors":"Your query is limited to 10k results and pagination is out of bound, please use timestamps or other filters.","troubleshoot":"BAD_REQUEST","success":false}'

sim_table <<T
a list is {"<plural>": [...], "meta": {...}}|GET|/v1/users|200|{"users":[{
meta.count is the items on this page (default per_page 20)|GET|/v1/users|200|"meta":{"count":20,
meta.total counts every match|GET|/v1/users|200|"total":60,
meta.current_page defaults to 1|GET|/v1/users|200|"current_page":1,
meta.per_page defaults to 20|GET|/v1/users|200|"per_page":20,
next_page_link is absolute|GET|/v1/users|200|"next_page_link":"$U/v1/users?page=2&per_page=20"
previous_page_link is null on page 1|GET|/v1/users|200|"previous_page_link":null
links keep the other query parameters as sent|GET|/v1/users?order=asc&per_page=20&page=2|200|"next_page_link":"$U/v1/users?order=asc&page=3&per_page=20","previous_page_link":"$U/v1/users?order=asc&page=1&per_page=20"
next_page_link is null on the last page|GET|/v1/users?page=3|200|"next_page_link":null
the last page of 60 users in 50s holds 10|GET|/v1/users?page=2&per_page=50|200|"count":10,
a page past the end is empty, not an error|GET|/v1/users?page=9|200|{"users":[],
per_page 50 is accepted|GET|/v1/calls?per_page=50|200|"per_page":50,
per_page 1 is accepted|GET|/v1/calls?per_page=1|200|"count":1,
per_page 51 is refused with 400|GET|/v1/calls?per_page=51|400|"error":"Bad Request"
per_page 0 is refused with 400|GET|/v1/calls?per_page=0|400|"troubleshoot":"per_page
per_page that is not a number: 400|GET|/v1/calls?per_page=ten|400|"error":"Bad Request"
page 0 is refused with 400|GET|/v1/calls?page=0|400|"troubleshoot":"page
page -1 is refused with 400|GET|/v1/calls?page=-1|400|"error":"Bad Request"
10k cap: page=200&per_page=50 (records 9950..9999) works|GET|/v1/calls?page=200&per_page=50|200|"current_page":200
10k cap: page=201&per_page=50 answers the exact 400 body|GET|/v1/calls?page=201&per_page=50|400|$CAP
10k cap: page=500&per_page=20 works|GET|/v1/calls?page=500&per_page=20|200|"count":20
10k cap: page=501&per_page=20 is refused|GET|/v1/calls?page=501&per_page=20|400|$CAP
10k cap: page=10000&per_page=1 works|GET|/v1/calls?page=10000&per_page=1|200|"count":1
10k cap: page=10001&per_page=1 is refused|GET|/v1/calls?page=10001&per_page=1|400|$CAP
10k cap applies to /calls/search too|GET|/v1/calls/search?page=201&per_page=50|400|$CAP
10k cap applies to contacts too|GET|/v1/contacts?page=201&per_page=50|400|$CAP
meta.total may exceed 10,000|GET|/v1/calls?page=200&per_page=50|200|"total":10100,
no next_page_link where the next page would pass the cap|GET|/v1/calls?page=200&per_page=50|200|"next_page_link":null
a huge page number is the cap's 400, not a crash|GET|/v1/calls?page=99999999999999999999|400|"error":"Bad Request"
contacts list envelope|GET|/v1/contacts|200|{"contacts":[{
numbers list envelope|GET|/v1/numbers|200|{"numbers":[{
tags list envelope|GET|/v1/tags|200|{"tags":[{
v2 users list envelope with the same six-field meta|GET|/v2/users|200|"meta":{"count":20,"total":60,"current_page":1,"per_page":20,"next_page_link":"$U/v2/users?page=2&per_page=20","previous_page_link":null}
T
tap_done
