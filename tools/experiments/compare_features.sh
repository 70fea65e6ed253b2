#!/usr/bin/env bash
# Trains heads on faceres-blocks feature variants (docs/ATTRIBUTES.md), one run at a time (the
# features are extracted once per padding and then read from the cache), and prints the tables.
#   EPOCHS=15 PATIENCE=3 THREADS=2 tools/experiments/compare_features.sh FACEATLAS_BIN DATA_DIR CACHE_DIR OUT_DIR \
#       LOSS OPTIMIZER SPEC [SPEC...]
# A SPEC is a --features value; append "+augN" to train with N augmented copies.
set -uo pipefail
fa="$1"; data="$2"; cache="$3"; out="$4"; loss="$5"; opt="$6"; shift 6
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
reports=()
for item in "$@"; do
  spec="${item%%+aug*}"; copies=0
  [[ "$item" == *+aug* ]] && copies="${item##*+aug}"
  name="$(echo "${spec}_aug${copies}_${loss}_${opt}" | tr ',@' '-_')"
  /usr/bin/time -f "$name %e s wall %U s user" "$fa" --models "${FACEATLAS_MODELS:-models/vendor}" train attributes \
    --data "$data" --out "$out/$name.fam" --cache "$cache" --backbone faceres-blocks --features "$spec" \
    --augment-copies "$copies" --loss "$loss" --optimizer "$opt" --epochs "${EPOCHS:-15}" \
    --patience "${PATIENCE:-3}" --seed "${SEED:-1}" --torch-threads "${THREADS:-2}" \
    --report "$out/$name.json" > "$out/$name.log" 2>> "$out/times.txt" && reports+=("$out/$name.json")
done
/usr/bin/python3 "$here/attribute_tables.py" "${reports[@]}"
