#!/usr/bin/env bash
# Trains the head configurations compared in docs/ATTRIBUTES.md on one data folder (features
# computed once, then read from the cache) and prints the markdown tables.
#   tools/experiments/compare_heads.sh FACEATLAS_BIN DATA_DIR CACHE_DIR OUT_DIR [SEED]
set -euo pipefail
fa="$1"; data="$2"; cache="$3"; out="$4"; seed="${5:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
for cfg in "faceres cosine adadelta" "faceres bce adadelta" "faceres cosine adam" "faceres bce adam" \
           "dlib cosine adadelta" "dlib bce adam"; do
  set -- $cfg
  name="$1_$2_$3"
  /usr/bin/time -f "$name %e s wall %U s user" "$fa" --models "${FACEATLAS_MODELS:-models/vendor}" train attributes \
    --data "$data" --out "$out/$name.fam" --cache "$cache" --backbone "$1" --loss "$2" --optimizer "$3" \
    --epochs "${EPOCHS:-40}" --patience "${PATIENCE:-5}" --seed "$seed" --report "$out/$name.json" --quiet 2>> "$out/times.txt"
done
/usr/bin/python3 "$here/attribute_tables.py" "$out"/*.json
