#!/usr/bin/env python3
"""The events benchmark's webhook receiver: a threaded HTTP server on loopback that checks each delivery's
Gantry-Signature (HMAC-SHA256 of "t." + body with the secret, time within 5 minutes), answers 204, and
counts unique event ids (Gantry-Event-Id). Prints its port, then "bad N" for refused signatures on demand.
GET /count answers "unique total bad first_epoch last_epoch"; POST /reset starts the count again.

Run: events-receiver.py SECRET
"""
import hashlib
import hmac
import http.server
import sys
import threading
import time

SECRET = sys.argv[1].encode()
lock = threading.Lock()
state = {"ids": set(), "total": 0, "bad": 0, "first": 0.0, "last": 0.0}


def valid(header, body):
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or abs(time.time() - int(parts["t"])) > 300:
        return False
    mac = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts["v1"])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/reset":
            with lock:
                state.update(ids=set(), total=0, bad=0, first=0.0, last=0.0)
            self.answer(204)
            return
        ok = valid(self.headers.get("Gantry-Signature"), body)
        with lock:
            if not ok:
                state["bad"] += 1
            else:
                now = time.time()
                state["total"] += 1
                if not state["ids"]:
                    state["first"] = now
                state["ids"].add(self.headers.get("Gantry-Event-Id"))
                state["last"] = now
        self.answer(204 if ok else 401)

    def do_GET(self):
        with lock:
            text = "%d %d %d %.3f %.3f" % (len(state["ids"]), state["total"], state["bad"], state["first"],
                                           state["last"])
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
