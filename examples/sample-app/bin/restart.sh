#!/bin/sh
# Stops whatever version runs on this target and starts this release.
set -eu
BIN=$(dirname "$0")
"$BIN/stop.sh"
"$BIN/start.sh"
