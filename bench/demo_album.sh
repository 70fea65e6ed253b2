#!/usr/bin/env bash
# bench/demo_album.sh DIR: the demo album of the benchmarks in DIR: the six face-api demo photos
# (models/vendor/face-api/demo/sample*.jpg, 22 faces) as 10 distinct copies each (a different
# byte pair appended after the JPEG end marker, so every copy has its own content hash and is
# scanned): 60 photos, 220 faces.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
for copy in $(seq 0 9); do
  for f in "$root"/models/vendor/face-api/demo/sample*.jpg; do
    out="$1/$(basename "$f" .jpg)_$copy.jpg"
    cp "$f" "$out"
    printf '%02d' "$copy" >>"$out"
  done
done
