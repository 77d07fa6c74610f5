"""A tiny web application for trying Gantry: it says which version it is and whether it is healthy.

Reads app.properties (port, version, and optionally host and fail) from the path given as its only
argument, or from the folder it lives in. With fail=true, /health answers 500, so a deployment can be
seen failing its verification and rolling back.
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read_properties(path):
    props = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                props[key.strip()] = value.strip()
    return props


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "app.properties")
    props = read_properties(path)
    version = props.get("version", "unknown")
    failing = props.get("fail", "false").lower() == "true"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/health":
                status, body = (500, "DOWN version=%s\n" % version) if failing else (200, "UP version=%s\n" % version)
                content_type = "text/plain; charset=utf-8"
            elif self.path == "/":
                status = 200
                body = ("<!doctype html><title>Sample app %s</title>"
                        "<h1>Sample app</h1><p>This is version <b>%s</b>.</p>\n" % (version, version))
                content_type = "text/html; charset=utf-8"
            else:
                status, body, content_type = 404, "not found\n", "text/plain; charset=utf-8"
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    server = ThreadingHTTPServer((props.get("host", "127.0.0.1"), int(props["port"])), Handler)
    print("sample app version %s listening on port %s" % (version, props["port"]), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
