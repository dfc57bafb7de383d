#!/bin/sh
# contacts_test.sh - aircall-sim: contacts list, search, get, create, update by POST,
# phone_details/email_details and delete (docs/aircall-api.md "Contacts").
. tests/lib/preamble.sh
sim_start --rate-limit 0
num() { printf %s "$2" | grep -o "\"$1\":[0-9]*" | head -n 1 | sed 's/.*://'; }

sim_call GET /v1/contacts/5678
equals "GET /v1/contacts/5678 answers 200" "$SIM_STATUS" 200
contains "one contact is {\"contact\": {...}}" "$SIM_BODY" '{"contact":{"id":5678,'
for f in id direct_link first_name last_name company_name information is_shared created_at \
  updated_at phone_numbers emails; do
  contains "contact field $f is present" "$SIM_BODY" "\"$f\":"
done
lacks "contact 5678 has a first name" "$SIM_BODY" '"first_name":null'
lacks "contact 5678 has a last name" "$SIM_BODY" '"last_name":null'
contains "phone_numbers entries are {id, label, value}" "$SIM_BODY" '"phone_numbers":[{"id":'
phone=$(printf %s "$SIM_BODY" | sed 's/.*"phone_numbers":\[{"id":[0-9]*,"label":"[^"]*","value":"\([^"]*\)".*/\1/')
e164=$(printf %s "$phone" | tr -cd 0-9)

sim_table <<T
contacts list|GET|/v1/contacts|200|"total":200,
contacts are shared|GET|/v1/contacts|200|"is_shared":true
unknown contact: 404|GET|/v1/contacts/1|404|"error":"Not Found"
q is not a parameter: ignored on /v1/contacts|GET|/v1/contacts?q=John|200|"total":200,
q is not a parameter: ignored on /v1/contacts/search|GET|/v1/contacts/search?q=zzzz|200|"total":200,
search by phone_number in E.164 finds the stored display value|GET|/v1/contacts/search?phone_number=%2B$e164|200|"id":5678,
search by phone_number compares digits only|GET|/v1/contacts/search?phone_number=$e164|200|"id":5678,
search by an unknown phone_number finds nothing|GET|/v1/contacts/search?phone_number=%2B10000000000|200|"total":0
phone_number is ignored on /v1/contacts|GET|/v1/contacts?phone_number=%2B10000000000|200|"total":200,
order_by must be created_at or updated_at|GET|/v1/contacts?order_by=name|400|"error":"Bad Request"
an ISO from is refused|GET|/v1/contacts?from=2025-01-01|400|"error":"Bad Request"
T

# order and order_by: created_at ascending by default; updated_at and desc on request.
nums() { printf %s "$2" | grep -o "\"$1\":[0-9]*" | sed 's/.*://'; }
sim_call GET '/v1/contacts?per_page=50'
printf '%s\n' "$(nums created_at "$SIM_BODY")" | sort -n -c 2>/dev/null &&
  ok "contacts are in created_at order by default" || not_ok "contacts are in created_at order by default"
sim_call GET '/v1/contacts?per_page=50&order_by=updated_at&order=desc'
printf '%s\n' "$(nums updated_at "$SIM_BODY")" | sort -n -r -c 2>/dev/null &&
  ok "order_by=updated_at&order=desc sorts by updated_at, newest first" ||
  not_ok "order_by=updated_at&order=desc sorts by updated_at, newest first"
sim_call GET '/v1/contacts?per_page=50&order=desc'
printf '%s\n' "$(nums created_at "$SIM_BODY")" | sort -n -r -c 2>/dev/null &&
  ok "order=desc sorts by created_at, newest first" || not_ok "order=desc sorts by created_at, newest first"
sim_call GET '/v1/contacts?from=1743465600&to=1746057599&per_page=50'
out=$(nums created_at "$SIM_BODY" | awk '$1 < 1743465600 || $1 > 1746057599' | wc -l)
equals "from/to keep only contacts created inside the window" "$out" 0
lacks "from/to narrow the list" "$SIM_BODY" '"total":200,'

# email search: take the email of the first contact that has one.
sim_call GET '/v1/contacts?per_page=50'
email=$(printf %s "$SIM_BODY" | grep -o '"emails":\[{"id":[0-9]*,"label":"[^"]*","value":"[^"]*"' | head -n 1 | sed 's/.*"value":"//; s/"$//')
sim_call GET "/v1/contacts/search?email=$email"
contains "search by email finds the contact" "$SIM_BODY" "\"value\":\"$email\""
lacks "search by email does not answer everyone" "$SIM_BODY" '"total":200,'
sim_call GET "/v1/contacts?email=$email"
contains "email is ignored on /v1/contacts" "$SIM_BODY" '"total":200,'

# Create.
NEW='{"first_name":"Jane","last_name":"Smith","company_name":"Acme Corp","phone_numbers":[{"label":"Work","value":"+33612345678"},{"label":"Mobile","value":"+33698765432"}],"emails":[{"label":"Work","value":"jane.smith@acme.example"}]}'
sim_call POST /v1/contacts "$NEW"
equals "POST /v1/contacts answers 201" "$SIM_STATUS" 201
contains "create answers {\"contact\": {...}}" "$SIM_BODY" '{"contact":{"id":'
contains "create keeps the values as given" "$SIM_BODY" '"value":"+33612345678"'
id1=$(num id "$SIM_BODY")
sim_call POST /v1/contacts "$NEW"
id2=$(num id "$SIM_BODY")
check "the same POST twice makes two contacts (no upsert)" test "$id1" != "$id2"
sim_call GET "/v1/contacts/$id1"
contains "a created contact can be read back" "$SIM_BODY" '"first_name":"Jane","last_name":"Smith"'
sim_call GET '/v1/contacts/search?phone_number=%2B33612345678'
contains "a created contact is found by its phone number" "$SIM_BODY" '"total":2,'

phones21=$(i=0; printf '['; while [ $i -lt 21 ]; do [ $i -gt 0 ] && printf ,; printf '{"label":"L","value":"+3361234%04d"}' $i; i=$((i+1)); done; printf ']')
emails21=$(i=0; printf '['; while [ $i -lt 21 ]; do [ $i -gt 0 ] && printf ,; printf '{"label":"L","value":"a%d@b.example"}' $i; i=$((i+1)); done; printf ']')
phones20=$(i=0; printf '['; while [ $i -lt 20 ]; do [ $i -gt 0 ] && printf ,; printf '{"label":"L","value":"+3361234%04d"}' $i; i=$((i+1)); done; printf ']')
sim_table <<T
create without phone_numbers: 422|POST|/v1/contacts|422|"errors":{"phone_numbers":|{"first_name":"A"}
create with an empty phone_numbers: 422|POST|/v1/contacts|422|"success":false|{"first_name":"A","phone_numbers":[]}
create with only an email: 422|POST|/v1/contacts|422|"error":"Unprocessable Entity"|{"first_name":"A","emails":[{"label":"W","value":"a@b.example"}]}
create with a blank phone value: 422|POST|/v1/contacts|422|"phone_numbers"|{"phone_numbers":[{"label":"Work","value":""}]}
create with a phone without label: 422|POST|/v1/contacts|422|"phone_numbers"|{"phone_numbers":[{"value":"+33612345678"}]}
create with 21 phone numbers: 422|POST|/v1/contacts|422|"is too long (maximum is 20)"|{"phone_numbers":$phones21}
create with 20 phone numbers: 201|POST|/v1/contacts|201|{"contact":|{"phone_numbers":$phones20}
create with 21 emails: 422|POST|/v1/contacts|422|"errors":{"emails":|{"phone_numbers":[{"label":"W","value":"+33612345678"}],"emails":$emails21}
create with phone_numbers not an array: 400|POST|/v1/contacts|400|"error":"Bad Request"|{"phone_numbers":"+33612345678"}
create with a body that is not JSON: 400|POST|/v1/contacts|400|"error":"Bad Request"|first_name=Jane
create with a JSON array body: 400|POST|/v1/contacts|400|"error":"Bad Request"|[1,2]
create with names optional: 201|POST|/v1/contacts|201|"first_name":null|{"phone_numbers":[{"label":"W","value":"+33600000001"}]}
T

# Update is POST /v1/contacts/:id; a blank field is refused; PUT is not a route.
sim_table <<'T'
update by POST changes company_name and information|POST|/v1/contacts/5678|200|"company_name":"New Corp","information":"VIP client - priority support"|{"company_name":"New Corp","information":"VIP client - priority support"}
update keeps the names|GET|/v1/contacts/5678|200|"company_name":"New Corp"
update with a blank first_name: 400|POST|/v1/contacts/5678|400|"troubleshoot":"first_name can't be blank|{"first_name":""}
update with a whitespace last_name: 400|POST|/v1/contacts/5678|400|"error":"Bad Request"|{"last_name":"  "}
update with null information: 400 (a field cannot be cleared)|POST|/v1/contacts/5678|400|"error":"Bad Request"|{"information":null}
update of an unknown contact: 404|POST|/v1/contacts/1|404|"error":"Not Found"|{"first_name":"X"}
update with PUT: 404 {"message":"Not Found"}|PUT|/v1/contacts/5678|404|{"message":"Not Found"}|{"first_name":"X"}
T

# phone_details and email_details.
sim_call POST /v1/contacts/5678/phone_details '{"label":"Office","value":"+33 1 23 45 67 89"}'
equals "POST phone_details answers 201" "$SIM_STATUS" 201
contains "POST phone_details answers the contact with the new phone" "$SIM_BODY" '"label":"Office","value":"+33 1 23 45 67 89"'
pid=$(printf %s "$SIM_BODY" | grep -o '"id":[0-9]*,"label":"Office"' | sed 's/"id":\([0-9]*\),.*/\1/')
sim_call PUT "/v1/contacts/5678/phone_details/$pid" '{"label":"Desk"}'
equals "PUT phone_details answers 200" "$SIM_STATUS" 200
contains "PUT phone_details changes the label" "$SIM_BODY" "{\"id\":$pid,\"label\":\"Desk\",\"value\":\"+33 1 23 45 67 89\"}"
sim_call DELETE "/v1/contacts/5678/phone_details/$pid"
equals "DELETE phone_details answers 204" "$SIM_STATUS" 204
equals "DELETE phone_details has no body" "$SIM_BODY" ""
sim_call GET /v1/contacts/5678
lacks "the deleted phone is gone" "$SIM_BODY" "\"id\":$pid,"
sim_call DELETE "/v1/contacts/5678/phone_details/$pid"
equals "DELETE of an unknown phone_details: 404" "$SIM_STATUS" 404
sim_call POST /v1/contacts/5678/email_details '{"label":"Work","value":"new@acme.example"}'
equals "POST email_details answers 201" "$SIM_STATUS" 201
eid=$(printf %s "$SIM_BODY" | grep -o '"id":[0-9]*,"label":"Work","value":"new@acme.example"' | sed 's/"id":\([0-9]*\),.*/\1/')
sim_call PUT "/v1/contacts/5678/email_details/$eid" '{"value":"newer@acme.example"}'
equals "PUT email_details answers 200" "$SIM_STATUS" 200
contains "PUT email_details changes the value" "$SIM_BODY" '"value":"newer@acme.example"'
sim_call DELETE "/v1/contacts/5678/email_details/$eid"
equals "DELETE email_details answers 204" "$SIM_STATUS" 204
sim_call POST /v1/contacts/5678/phone_details '{"label":"","value":"+33100000000"}'
equals "POST phone_details with a blank label: 422" "$SIM_STATUS" 422
sim_call POST "/v1/contacts" '{"phone_numbers":[{"label":"Only","value":"+33100000009"}]}'
single=$(num id "$SIM_BODY")
only=$(printf %s "$SIM_BODY" | grep -o '"phone_numbers":\[{"id":[0-9]*' | sed 's/.*://')
sim_call DELETE "/v1/contacts/$single/phone_details/$only"
equals "deleting a contact's last phone number is refused with 422" "$SIM_STATUS" 422
sim_call POST "/v1/contacts/$single/phone_details" '{"label":"Two","value":"+33100000010"}'
i=1
while [ $i -lt 19 ]; do sim_call POST "/v1/contacts/$single/phone_details" "{\"label\":\"N$i\",\"value\":\"+3310000$i\"}"; i=$((i + 1)); done
equals "phone_details up to 20 phones: 201" "$SIM_STATUS" 201
sim_call POST "/v1/contacts/$single/phone_details" '{"label":"N21","value":"+33100000021"}'
equals "a 21st phone through phone_details: 422" "$SIM_STATUS" 422

# Delete.
sim_call DELETE "/v1/contacts/$id1"
equals "DELETE /v1/contacts/:id answers 204" "$SIM_STATUS" 204
equals "DELETE /v1/contacts/:id has no body" "$SIM_BODY" ""
sim_call GET "/v1/contacts/$id1"
equals "a deleted contact is gone (404)" "$SIM_STATUS" 404
sim_call DELETE "/v1/contacts/$id1"
equals "deleting it again: 404" "$SIM_STATUS" 404

# Reset restores the seeded contacts.
sim_reset
sim_call GET /v1/contacts/5678
lacks "reset restores contact 5678" "$SIM_BODY" '"company_name":"New Corp"'
sim_call GET "/v1/contacts/$id2"
equals "reset removes created contacts" "$SIM_STATUS" 404
tap_done
