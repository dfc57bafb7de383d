# py_client.py - a usual scripting client: Python's http.client on one kept connection and
# json.loads of each answer, reading what a caller would use (each call's id and number).
# usage: python3 bench/py_client.py URL N TOKEN
import http.client
import json
import sys
import urllib.parse

url, n, token = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection(url.hostname, url.port)
target = url.path + ("?" + url.query if url.query else "")
headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
failed = 0
for _ in range(n):
    conn.request("GET", target, headers=headers)
    r = conn.getresponse()
    body = json.loads(r.read())
    calls = [body["call"]] if "call" in body else body.get("calls", [])
    for c in calls:
        _ = (c["id"], c.get("raw_digits"), c.get("number", {}).get("digits"))
    if r.status != 200 or not calls:
        failed += 1
sys.exit(1 if failed else 0)
