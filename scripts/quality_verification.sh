#!/bin/bash
# Reproduces docs/QUALITY.md (verification on faces-dev): pair draws, people split, scans, scores.
# usage: scripts/quality_verification.sh [OUT_DIR]   (FA=path/to/faceatlas, DATA=../shared/data)
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")/.." && pwd)
FA=${FA:-$here/build/tools/faceatlas/faceatlas}
D=$(cd "${DATA:-$here/../shared/data}/faces-dev" && pwd)
OUT=${1:-$here/build/quality}
mkdir -p "$OUT" && cd "$OUT"

# People split: identities in byte order, even ranks (0, 2, ...) tune the settings, odd ranks
# are held out. Pairs: 600 = 10 folds x (30 same + 30 different), `eval pairs` protocol.
tail -n +2 "$D/labels.csv" | cut -d, -f2 | sort -u > people.txt
awk 'NR % 2 == 1' people.txt > people_tune.txt
awk 'NR % 2 == 0' people.txt > people_test.txt
for s in tune test; do
    awk -F, -v OFS=, 'NR == FNR {keep[$1] = 1; next} FNR == 1 {print "file,identity"; next}
                      ($2 in keep) {print $1, $2}' people_$s.txt "$D/labels.csv" > labels_$s.csv
done
"$FA" eval pairs --truth "$D/labels.csv" --seed 0 --out pairs_official.txt  # all people
"$FA" eval pairs --truth labels_tune.csv --seed 1 --out pairs_tune.txt
"$FA" eval pairs --truth labels_test.csv --seed 2 --out pairs_test.txt

# One catalog per setting (the whole of faces-dev; --quiet scans print nothing).
scan() { local name=$1; shift; [ -f "$name.db" ] || "$FA" scan --crops "$D/images" --catalog "$name.db" --quiet "$@"; }
scan default
scan noalign --no-align
for p in 10 20 30; do scan crop_pad_0.$p --crop-padding 0.$p; done
for p in 10 40 60; do scan faceres_pad_0.$p --faceres-chip-padding 0.$p; done

for db in default noalign crop_pad_0.10 crop_pad_0.20 crop_pad_0.30 faceres_pad_0.10 faceres_pad_0.40 faceres_pad_0.60; do
    for pairs in tune official test; do
        for e in dlib faceres; do
            printf '%-18s %-9s %-8s ' "$db" "$pairs" "$e"
            "$FA" eval verification --catalog "$db.db" --pairs pairs_$pairs.txt --embedding $e --json | tr -d '\n '
            echo
        done
    done
done
