#!/usr/bin/env bash
# Start-up, model loading and peak RSS of two faceatlas binaries side by side (issue 11).
#
#   bench/startup_models.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Each row runs OLD then NEW (alternating, ROUNDS times, default 2; the median wall time and the
# largest peak RSS are printed), with /usr/bin/time, each scan into a new catalog:
#   --version; info on a one-photo catalog;
#   scan ONE photo (face-api demo sample1.jpg) --threads 1 / 8;
#   scan SIX photos (sample1..6.jpg) --threads 1 / 2 / 8;
#   scan the demo album x10 (60 distinct photos, as bench/scan_throughput.sh) --threads 2.
# NEW's `scan --json` summary says how many weight files it parsed and how long that took.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
old="$1" new="$2" rounds="${3:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
demo="$root/models/vendor/face-api/demo"
mkdir -p "$work/one" "$work/six"
cp "$demo/sample1.jpg" "$work/one/"
cp "$demo"/sample*.jpg "$work/six/"
bash "$root/bench/demo_album.sh" "$work/album"
"$new" scan "$work/one" --catalog "$work/small.db" --quiet >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# run LABEL BIN ARGS...: one timed run; prints "wall rss_kb [parsed parse_s photos_per_s]".
run() {
  local bin="$1"; shift
  rm -f "$work"/c.db*
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$bin" "$@" >"$work/out.txt" 2>"$work/err.txt" \
    || { cat "$work/err.txt" >&2; return 1; }
  local t; t="$(tail -1 "$work/time.txt")"
  local extra=""
  if grep -q '"summary"' "$work/out.txt"; then
    extra="$(/usr/bin/python3 - "$work/out.txt" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
print(s.get("model_files_parsed", "-"), round(s.get("model_parse_seconds", 0), 2) if "model_parse_seconds" in s else "-",
      round(s["photos"] / s["seconds"], 2) if s["seconds"] > 0 else 0)
PY
)"
  fi
  echo "$t $extra"
}

row() {
  local label="$1"; shift
  local o=() n=()
  for r in $(seq 1 "$rounds"); do
    o+=("$(run "$old" "$@")")
    n+=("$(run "$new" "$@")")
  done
  /usr/bin/python3 - "$label" "$(printf '%s;' "${o[@]}")" "$(printf '%s;' "${n[@]}")" <<'PY'
import statistics, sys
label = sys.argv[1]
def parse(s):
    return [r.split() for r in s.split(";") if r.strip()]
def cell(rows):
    wall = statistics.median(float(r[0]) for r in rows)
    rss = max(int(r[1]) for r in rows) / 1024
    out = f"{wall:.2f} s, {rss:.0f} MiB"
    if len(rows[0]) >= 5:
        out += f", {statistics.median(float(r[4]) for r in rows):.2f} photos/s"
    return out, rows[-1]
oc, _ = cell(parse(sys.argv[2]))
nc, last = cell(parse(sys.argv[3]))
parsed = f"{last[2]} files in {last[3]} s" if len(last) >= 4 and last[2] != "-" else ""
print(f"| {label} | {oc} | {nc} | {parsed} |")
PY
}

echo "| command | old | new | new: weights parsed |"
echo "|---|---:|---:|---|"
row '`--version`' --version
row '`info` (one-photo catalog)' info --catalog "$work/small.db"
row '`scan` 1 photo `--threads 1`' scan "$work/one" --catalog "$work/c.db" --threads 1 --json
row '`scan` 1 photo `--threads 8`' scan "$work/one" --catalog "$work/c.db" --threads 8 --json
row '`scan` 6 photos `--threads 1`' scan "$work/six" --catalog "$work/c.db" --threads 1 --json
row '`scan` 6 photos `--threads 2`' scan "$work/six" --catalog "$work/c.db" --threads 2 --json
row '`scan` 6 photos `--threads 8`' scan "$work/six" --catalog "$work/c.db" --threads 8 --json
row '`scan` 60 photos `--threads 2`' scan "$work/album" --catalog "$work/c.db" --threads 2 --json
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
