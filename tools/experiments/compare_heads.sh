#!/usr/bin/env bash
# Trains the head configurations compared in docs/ATTRIBUTES.md on one data folder (features
# computed once, then read from the cache), two at a time with one LibTorch thread each, and
# prints the markdown tables.
#   EPOCHS=40 PATIENCE=5 tools/experiments/compare_heads.sh FACEATLAS_BIN DATA_DIR CACHE_DIR OUT_DIR [SEED]
set -uo pipefail
fa="$1"; data="$2"; cache="$3"; out="$4"; seed="${5:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
run() {
  local name="$1_$2_$3"
  /usr/bin/time -f "$name %e s wall %U s user" "$fa" --models "${FACEATLAS_MODELS:-models/vendor}" train attributes \
    --data "$data" --out "$out/$name.fam" --cache "$cache" --backbone "$1" --loss "$2" --optimizer "$3" \
    --epochs "${EPOCHS:-40}" --patience "${PATIENCE:-5}" --seed "$seed" --torch-threads 1 \
    --report "$out/$name.json" > "$out/$name.log" 2>> "$out/times.txt"
}
run faceres cosine adadelta & run faceres bce adadelta & wait
run faceres cosine adam & run faceres bce adam & wait
run dlib cosine adadelta & run dlib bce adam & wait
/usr/bin/python3 "$here/attribute_tables.py" "$out"/faceres_cosine_adadelta.json "$out"/faceres_bce_adadelta.json \
  "$out"/faceres_cosine_adam.json "$out"/faceres_bce_adam.json "$out"/dlib_cosine_adadelta.json "$out"/dlib_bce_adam.json
