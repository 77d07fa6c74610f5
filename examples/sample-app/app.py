"""A tiny web application for trying Gantry: it says which version it is and whether it is healthy.

Reads app.properties (port, version, and optionally host and fail) from the path given as its only
argument, or from the folder it lives in. With fail=true, /health answers 500, so a deployment can be
seen failing its verification and rolling back. With error_share=S (0 to 1), that share of the requests
to / answer 500, as a version with a bug would: /metrics shows them to Prometheus (text format) as
sample_app_errors_total beside sample_app_requests_total, so a canary's metric analysis can catch it.
"""
import os
import sys
import threading
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
    error_share = float(props.get("error_share", "0"))
    if not 0 <= error_share <= 1:
        raise SystemExit("error_share must be from 0 to 1, not %s" % error_share)
    counts = {"requests": 0, "errors": 0, "pages": 0}
    lock = threading.Lock()

    def page_fails():
        # every request to / whose number crosses a multiple of 1/error_share fails: exactly that share, evenly
        with lock:
            counts["pages"] += 1
            n = counts["pages"]
        return int(n * error_share) > int((n - 1) * error_share)

    def metrics():
        with lock:
            requests, errors = counts["requests"], counts["errors"]
        label = 'version="%s"' % version.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return ("# HELP sample_app_requests_total Requests answered.\n"
                "# TYPE sample_app_requests_total counter\n"
                "sample_app_requests_total{%s} %d\n"
                "# HELP sample_app_errors_total Requests answered with a server error (5xx).\n"
                "# TYPE sample_app_errors_total counter\n"
                "sample_app_errors_total{%s} %d\n" % (label, requests, label, errors))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/health":
                status, body = (500, "DOWN version=%s\n" % version) if failing else (200, "UP version=%s\n" % version)
                content_type = "text/plain; charset=utf-8"
            elif self.path == "/" and page_fails():
                status, body, content_type = 500, "error\n", "text/plain; charset=utf-8"
            elif self.path == "/":
                status = 200
                body = ("<!doctype html><title>Sample app %s</title>"
                        "<h1>Sample app</h1><p>This is version <b>%s</b>.</p>\n" % (version, version))
                content_type = "text/html; charset=utf-8"
            elif self.path == "/metrics":
                # the scrape itself is not counted: the counters are the application's traffic
                status, body, content_type = 200, metrics(), "text/plain; version=0.0.4; charset=utf-8"
            else:
                status, body, content_type = 404, "not found\n", "text/plain; charset=utf-8"
            if self.path != "/metrics":
                with lock:
                    counts["requests"] += 1
                    counts["errors"] += 1 if status >= 500 else 0
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
