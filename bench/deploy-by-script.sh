#!/usr/bin/env bash
# The plain-script baseline: for each "target-folder port" line on stdin, at the given parallelism,
# copy the release, check its SHA-256 on the target side, switch `current`, render the configuration,
# restart the app and poll its health check; the same work Gantry's benchmark model does.
set -euo pipefail
src="$1" digest="$2" parallel="$3"
export src digest
one() {
  set -euo pipefail
  target="$1" port="$2"
  release="$target/releases/1.0.0"
  mkdir -p "$release"
  cp -r "$src/." "$release/"
  [ "$(sha256sum "$release/payload.bin" | cut -d' ' -f1)" = "$digest" ] || { echo "digest mismatch on $target" >&2; exit 1; }
  chmod +x "$release"/bin/*.sh
  ln -sfn releases/1.0.0 "$target/current.tmp" && mv -T "$target/current.tmp" "$target/current"
  sed -e "s/\${port}/$port/" -e "s/\${version}/1.0.0/" "$release/config/app.properties.tmpl" > "$release/app.properties"
  GANTRY_TARGET_DIR="$target" "$target/current/bin/restart.sh" >/dev/null
  for _ in $(seq 1200); do
    curl -fs "http://127.0.0.1:$port/health" | grep -q UP && return 0
    sleep 0.05
  done
  echo "health check failed on $target" >&2
  exit 1
}
export -f one
xargs -P "$parallel" -L 1 bash -c 'one "$0" "$1"'
