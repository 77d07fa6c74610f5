"""Times console pages over HTTP as a signed-in person (run by bench/console.sh).

Arguments: server-url admin-token requests page... where page is label=path. Signs in with the token (the
CSRF token read from GET /sign-in first, the session kept in a cookie), warms each page up (10 requests), then times
`requests` GETs of each and prints the median and 90th percentile. A page that answers 404 is reported as
missing and left out.
"""
import http.cookiejar
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

server, token, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
pages = [a.split("=", 1) for a in sys.argv[4:]]
WARM_UP = 10  # requests per page before timing: the server's code compiled, as in steady use
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

form = opener.open(server + "/sign-in").read().decode()
csrf = re.search(r'name="(_csrf)" value="([^"]+)"', form)
body = urllib.parse.urlencode({csrf.group(1): csrf.group(2), "token": token}).encode()
signed = opener.open(urllib.request.Request(server + "/sign-in", data=body))
if "/sign-in" in signed.geturl():
    sys.exit("sign-in refused: " + signed.geturl())


def get(path):
    start = time.perf_counter()
    with opener.open(server + path) as r:
        data = r.read()
        if "/sign-in" in r.geturl():
            sys.exit("signed out while timing " + path)
    return (time.perf_counter() - start) * 1000, len(data)


for label, path in pages:
    try:
        for _ in range(WARM_UP):
            get(path)
    except urllib.error.HTTPError as e:
        print(f"  {label:<34} {path}: HTTP {e.code} -- {'not built in this tree' if e.code == 404 else 'error'}; skipped")
        continue
    times, size = [], 0
    for _ in range(requests):
        t, size = get(path)
        times.append(t)
    times.sort()
    p90 = times[max(0, int(round(0.9 * len(times))) - 1)]
    print(f"  {label:<34} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms   ({size / 1024:,.0f} KiB, {requests} requests)")
