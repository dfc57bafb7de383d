#!/bin/sh
# auth_test.sh - aircall-sim: the command line, credentials and the edge answers
# (docs/aircall-api.md "Transport and auth", docs/SPEC.md §7).
. tests/lib/preamble.sh

# The command line.
out=$("$BUILD/aircall-sim" --bogus 2>&1)
equals "an unknown option exits with status 2" "$?" 2
contains "an unknown option is named" "$out" "unknown option --bogus"
out=$("$BUILD/aircall-sim" --calls 3 2>&1)
contains "--calls below its minimum is refused with the range" "$out" "--calls needs an integer between 8"
out=$("$BUILD/aircall-sim" --bearer nocompany 2>&1)
contains "--bearer without =COMPANY is refused" "$out" "--bearer TOKEN=COMPANY expected"
out=$("$BUILD/aircall-sim" --calls=3 2>&1)
contains "--calls=3 is --calls 3 (getopt_long's form)" "$out" "--calls needs an integer between 8"
out=$("$BUILD/aircall-sim" --port 2>&1)
equals "an option without its value exits with status 2" "$?" 2
contains "and says the value is missing" "$out" "--port needs an integer between 0 and 65535 (got nothing)"
out=$("$BUILD/aircall-sim" stray 2>&1)
contains "a word that is no option is named" "$out" "unknown option stray"
out=$("$BUILD/aircall-sim" --version)
contains "--version prints the version" "$out" "aircall-sim "
out=$("$BUILD/aircall-sim" --help)
contains "--help prints the usage" "$out" "usage: aircall-sim"

sim_start --bearer tok-a=alpha --bearer tok-a2=alpha --bearer tok-b=beta \
  --basic id-a:sec-a=alpha --basic id-b:sec-b=beta --basic 'id-c:s:c=beta'
case "$SIM_URL" in http://127.0.0.1:[0-9]*) ok "prints listening on http://127.0.0.1:PORT" ;;
*) not_ok "prints listening on http://127.0.0.1:PORT" "got: $SIM_URL" ;; esac

# A port that is taken is refused, not shared with the running simulator.
port=${SIM_URL##*:}
out=$(timeout 5 "$BUILD/aircall-sim" --port "$port" 2>&1)
equals "a port in use exits with status 1" "$?" 1
contains "a port in use is named, with the fix" "$out" "cannot listen on 127.0.0.1:$port"
contains "a port in use suggests --port 0" "$out" "try --port 0"

basic_a="Authorization: Basic $(printf 'id-a:sec-a' | base64)"
basic_bad="Authorization: Basic $(printf 'id-a:wrong' | base64)"

SIM_AUTH=
sim_table <<'T'
no Authorization header: 401 {"message":"Unauthorized"}|GET|/v1/ping|401|{"message":"Unauthorized"}
no Authorization header on a list: 401|GET|/v1/calls|401|{"message":"Unauthorized"}
T
SIM_AUTH='Authorization: Bearer wrong'
sim_table <<'T'
unknown bearer token: 403 {"message":"Forbidden"}|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH='Authorization: Token tok-a'
sim_table <<'T'
unknown scheme: 403|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH='Authorization: Basic !!!not-base64'
sim_table <<'T'
malformed Basic value: 403|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH=$basic_bad
sim_table <<'T'
Basic with a wrong secret: 403|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH=$basic_a
sim_table <<'T'
Basic api_id:api_token: 200 {"ping":"pong"}|GET|/v1/ping|200|{"ping":"pong"}
Basic credentials reach the company they name|GET|/v1/company|200|"name":"alpha"
T
SIM_AUTH="Authorization: Basic $(printf 'id-c:s:c' | base64)"
sim_table <<'T'
a Basic secret may hold a colon (the id ends at the first one)|GET|/v1/company|200|"name":"beta"
T
SIM_AUTH="Authorization: Basic $(printf 'id-c:s' | base64)"
sim_table <<'T'
a Basic secret cut at its colon is refused|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH="Authorization: Basic $(printf 'id-a' | base64)"
sim_table <<'T'
a Basic value without a colon is refused|GET|/v1/ping|403|{"message":"Forbidden"}
T
SIM_AUTH='Authorization: Bearer tok-a'
sim_table <<'T'
Bearer token: 200 {"ping":"pong"}|GET|/v1/ping|200|{"ping":"pong"}
bearer token reaches its company|GET|/v1/company|200|"name":"alpha"
unknown path: 404 {"message":"Not Found"}|GET|/v1/nothing-here|404|{"message":"Not Found"}
there is no /v1/me|GET|/v1/me|404|{"message":"Not Found"}
there is no /v1/users/me|GET|/v1/users/me|404|"error":"Not Found"
a trailing slash is not a route|GET|/v1/calls/|404|{"message":"Not Found"}
unknown version|GET|/v3/users|404|{"message":"Not Found"}
PUT /v1/contacts/:id is not a route: 404 {"message":"Not Found"}|PUT|/v1/contacts/5678|404|{"message":"Not Found"}|{"first_name":"X"}
DELETE on a list is not a route|DELETE|/v1/calls|404|{"message":"Not Found"}
T
SIM_AUTH='Authorization: Bearer tok-a2'
sim_table <<'T'
a second token of the same company reaches it|GET|/v1/company|200|"name":"alpha"
T
SIM_AUTH='Authorization: Bearer tok-b'
sim_table <<'T'
another company's token reaches that company|GET|/v1/company|200|"name":"beta"
T
SIM_AUTH='authorization: bearer tok-b'
sim_table <<'T'
header name and scheme are case-insensitive|GET|/v1/ping|200|pong
T

# Stops cleanly on SIGTERM.
pid=$SIM_PID
sim_stop
equals "SIGTERM stops the simulator with status 0" "$SIM_RC" 0
if kill -0 "$pid" 2>/dev/null; then not_ok "the process is gone after SIGTERM"; else ok "the process is gone after SIGTERM"; fi

# Defaults when no credential is given, and SIGINT.
sim_start
SIM_AUTH='Authorization: Bearer sim-token'
sim_table <<'T'
default bearer sim-token is company acme|GET|/v1/company|200|"name":"acme"
T
SIM_AUTH="Authorization: Basic $(printf 'sim-id:sim-secret' | base64)"
sim_table <<'T'
default Basic sim-id:sim-secret is company acme|GET|/v1/company|200|"name":"acme"
T
kill -INT "$SIM_PID"
wait "$SIM_PID"
equals "SIGINT stops the simulator with status 0" "$?" 0
SIM_PID=
tap_done
