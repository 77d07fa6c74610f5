#!/usr/bin/env bash
# Metrics benchmark. Run: bench/metrics.sh [sizes] [databases] [h2 sizes]
#   defaults: 100000,1000000  postgresql,h2  100000
# (H2's 1,000,000 run, bench/metrics.sh 1000000 h2 1000000, is left out by default: generating the
# records and the hand-written value stream SQL take many minutes there.)
# Generates that many deployments with their records (bench/metrics-generate.sql) in a new database
# (PostgreSQL at 127.0.0.1:5432, database test, a fresh schema; H2 in a temporary file), then times
# how long the reports' facts of the 90 days take to work out (once per ended deployment), then the
# 90-day KPI, DORA and value stream reports as the server computes them next to the hand-written SQL
# of bench/metrics-baseline.sql over the raw records (median of 5 runs after a warm-up), and checks
# they agree.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${1:-100000,1000000}"
databases="${2:-postgresql,h2}"
h2_sizes="${3:-100000}"
. "$root/.ci/jdk.sh"
gantry_find_jdk
cd "$root"
./mvnw -q -B test-compile >&2
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
cp="target/test-classes:target/classes:$(cat "$cp_file")"

echo "Gantry metrics benchmark ($(nproc) cores); reports over the last 90 days of 720 days of records"
for db in ${databases//,/ }; do
  n="$sizes"; [ "$db" = h2 ] && n="$h2_sizes"
  "$JAVA_HOME/bin/java" -Xmx2g -cp "$cp" io.gantry.metrics.MetricsBenchmark "$db" "$n" "$root/bench" \
    2> >(grep -v -e '^SLF4J' -e 'flyway' >&2) | grep --line-buffered -v -e ' INFO ' -e ' WARN ' -e '^  schema '
done
