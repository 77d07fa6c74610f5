#!/bin/sh
# Asks the running app for its home page and checks it names this release's version.
set -eu
RELEASE=$(cd "$(dirname "$0")/.." && pwd -P)
PORT=$(sed -n 's/^port=//p' "$RELEASE/app.properties")
VERSION=$(sed -n 's/^version=//p' "$RELEASE/app.properties")
python3 - "$PORT" "$VERSION" <<'PY'
import sys, urllib.request
port, version = sys.argv[1], sys.argv[2]
page = urllib.request.urlopen("http://127.0.0.1:%s/" % port, timeout=5).read().decode("utf-8")
if version not in page:
    sys.exit("the home page does not name version %s: %s" % (version, page))
print("home page names version %s" % version)
PY
