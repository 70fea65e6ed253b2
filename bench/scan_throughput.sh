#!/usr/bin/env bash
# Scan throughput on real multi-face photos, faceatlas beside face-api's own JS pipeline.
#
#   bench/scan_throughput.sh [BUILD_DIR] [ROUNDS]
#
# Album: the six face-api demo photos (models/vendor/face-api/demo/sample*.jpg, 22 faces) as 10
# distinct copies each (a different byte appended after the JPEG end marker, so every copy has
# its own content hash and is scanned): 60 photos, 220 faces. Each round runs, one after the
# other on the otherwise idle machine:
#   faceatlas scan ALBUM --catalog fresh.db --threads $(nproc) --json   (everything: walk, hash,
#       EXIF, decode, all six networks incl. faceres, thumbnails, SQLite)
#   node tests/parity/bench.mjs --backends wasm --pipeline-only --pipeline-runs 1 --pipeline-dir ALBUM
#       (detectAllFaces + landmarks + descriptors + age/gender + expressions, tfjs-wasm,
#        photos pre-decoded and not timed)
# and prints per round and the medians: photos/s, faces/s, CPU seconds, and the ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
rounds="${2:-3}"
bin="$build/tools/faceatlas/faceatlas"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
album="$work/album"
bash "$root/bench/demo_album.sh" "$album"
[ -d "$root/tests/parity/node_modules" ] || (cd "$root/tests/parity" && npm ci --silent --no-audit --no-fund)
echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
cpp_rates=() js_rates=()
for r in $(seq 1 "$rounds"); do
  rm -f "$work"/c.db*
  /usr/bin/time -f '%U %S %M' -o "$work/time.txt" \
    "$bin" scan "$album" --catalog "$work/c.db" --threads "$(nproc)" --json >"$work/scan.jsonl"
  read -r user sys rss <"$work/time.txt"
  summary="$(grep '"summary"' "$work/scan.jsonl" | tail -1)"
  secs="$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$summary")"
  faces="$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["faces"])' "$summary")"
  cpp="$(/usr/bin/python3 -c "print(60/$secs)")"
  (cd "$root/tests/parity" && node bench.mjs --backends wasm --pipeline-only --pipeline-runs 1 \
      --pipeline-dir "$album" --json-out "$work/js.json" >/dev/null)
  js="$(/usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["pipeline"]; print(p["photos_per_s"], p["faces"], p["cpu_ms_per_pass"]["median"]/1000)' "$work/js.json")"
  read -r js_rate js_faces js_cpu <<<"$js"
  printf 'round %d: faceatlas %.2f photos/s (%s faces in %.2f s, CPU %.1f s, peak RSS %d MiB) | face-api JS %.3f photos/s (%s faces, CPU %.1f s) | ratio %.2fx\n' \
    "$r" "$cpp" "$faces" "$secs" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$js_rate" "$js_faces" "$js_cpu" \
    "$(/usr/bin/python3 -c "print($cpp/$js_rate)")"
  cpp_rates+=("$cpp") js_rates+=("$js_rate")
done
/usr/bin/python3 - "${cpp_rates[*]}" "${js_rates[*]}" <<'PY'
import statistics, sys
c = [float(x) for x in sys.argv[1].split()]; j = [float(x) for x in sys.argv[2].split()]
mc, mj = statistics.median(c), statistics.median(j)
print(f"median: faceatlas {mc:.2f} photos/s ({mc*220/60:.1f} faces/s), face-api JS {mj:.3f} photos/s ({mj*220/60:.2f} faces/s), ratio {mc/mj:.2f}x")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
