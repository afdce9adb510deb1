#!/usr/bin/env python3
"""test/fake_connect_api.py: plays Heroku Connect's API for
test/hcguard_connect.sh, over plain HTTP on 127.0.0.1.

    python3 test/fake_connect_api.py SCENARIOS.json TOKEN PORTFILE LOG FIRST LAST

Binds the first free port in FIRST..LAST, writes it to PORTFILE (the test
waits for that file), and serves until killed:

    GET /connections?app=APP[&resource_name=R]   discovery: SCENARIOS["apps"][APP]
    GET /api/v3/connections/ID?deep=true        the connection document:
                                                SCENARIOS["connections"][ID]

Every request must carry "Authorization: Bearer TOKEN", or the answer is
401.  An app's entry is {"results": [...]} (discovery's answer, "{base}" in
any string replaced by this server's http://127.0.0.1:PORT), optionally
with "delay" (seconds to sleep first) or "status" (answer that instead).  A
connection's entry is {"documents": [...]}: each detail request answers the
next document, the last one again once all were answered (Connect moving
through its states between polls); "delay" and "status" as for apps.
{"same_as": ID2} answers ID2's documents, counting its own requests.

LOG gets a line per request: the path, whether the token matched, and the
Accept and Heroku-Client headers (never the Authorization header itself).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

scenarios_file, token, port_file, log_file, first, last = sys.argv[1:7]
with open(scenarios_file, encoding="utf-8") as f:
    scenarios = json.load(f)
served = {}  # connection id -> number of documents answered
lock = threading.Lock()


def substitute(value, base):
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [substitute(v, base) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, base) for k, v in value.items()}
    return value


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body, indent=2).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to do

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        authorized = self.headers.get("Authorization") == "Bearer " + token
        with lock, open(log_file, "a", encoding="utf-8") as log:
            log.write("%s token=%s accept=%s client=%s\n" % (
                self.path, "ok" if authorized else "refused",
                self.headers.get("Accept"), self.headers.get("Heroku-Client")))
        if not authorized:
            return self.answer(401, {"id": "unauthorized",
                                     "message": "Invalid credentials provided."})
        base = "http://127.0.0.1:%d" % self.server.server_port
        if url.path == "/connections":
            entry = scenarios["apps"].get(query.get("app", [""])[0])
            if entry is None:
                return self.answer(200, {"results": [], "count": 0,
                                         "next": None, "previous": None})
            body = {"results": entry["results"], "count": len(entry["results"]),
                    "next": None, "previous": None}
            wanted = query.get("resource_name")
            if wanted:
                body["results"] = [r for r in body["results"]
                                   if r.get("resource_name") == wanted[0]]
                body["count"] = len(body["results"])
        elif url.path.startswith("/api/v3/connections/"):
            entry = scenarios["connections"].get(url.path.rsplit("/", 1)[1])
            if entry is None:
                return self.answer(404, {"id": "not_found", "message": "Not found."})
            with lock:
                n = served.get(url.path, 0)
                served[url.path] = n + 1
            docs = scenarios["connections"][entry.get("same_as", url.path.rsplit("/", 1)[1])]["documents"]
            body = docs[min(n, len(docs) - 1)]
        else:
            return self.answer(404, {"id": "not_found", "message": "Not found."})
        time.sleep(entry.get("delay", 0))
        self.answer(entry.get("status", 200), substitute(body, base))


for port in range(int(first), int(last) + 1):
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        break
    except OSError:
        continue
else:
    sys.exit("no free port in %s..%s" % (first, last))
server.daemon_threads = True
with open(port_file + ".tmp", "w", encoding="utf-8") as f:
    f.write("%d\n" % server.server_port)
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
