#!/usr/bin/env python3
"""Identity-clustering quality with the real CLI (docs/QUALITY.md, "Identity clustering").

faces-dev: identities sorted by name and split alternately into half A (calibration) and
half B (held out). For every algorithm x embedding the threshold maximising BCubed F on half A
alone is chosen from a grid; it is then reported on all faces and on half B alone.
fiw-dev: each family clustered separately (same-photo cannot-link on), metrics averaged over
families, thresholds as calibrated on faces-dev (no tuning on fiw).

Usage: scripts/identity_clustering_quality.py --cli build/tools/faceatlas/faceatlas \
          --faces-dev-db /work/catalogs/faces-dev.db --fiw-db /work/catalogs/fiw-dev.db \
          --data ../shared/data --work /tmp/idq [--skip-calibration] [--skip-fiw]
Catalogs are copied into --work; the originals are never written. Standard library only.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys

LINKAGE = ["single", "average", "complete", "weighted", "median", "centroid", "ward"]
THRESHOLD_ALGOS = LINKAGE + ["dbscan", "chinese-whispers"]
KEYS = ["K", "C", "K_over_C", "ARI", "AMI", "NMI", "homogeneity", "completeness", "v_measure",
        "bcubed_precision", "bcubed_recall", "bcubed_f", "pairwise_precision", "pairwise_recall",
        "pairwise_f", "purity"]


def grid(algo, emb):
    if algo == "rank-order":
        return [float(t) for t in (4, 8, 11, 14, 17, 20, 25, 30)]
    lo, hi = (0.35, 0.70) if emb == "dlib" else (0.20, 0.55)
    n = int(round((hi - lo) / 0.025))
    return [round(lo + 0.025 * i, 4) for i in range(n + 1)]


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cluster(cli, db, algo, emb, threshold=None):
    cmd = [cli, "cluster", "--catalog", db, "--algo", algo, "--embedding", emb, "--json"]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    return run(cmd)


def score(cli, db, truth):
    return run([cli, "eval", "clusters", "--catalog", db, "--truth", truth, "--json"])


def reset_persons(db):
    con = sqlite3.connect(db)
    con.execute("UPDATE faces SET person_id = NULL")
    con.execute("DELETE FROM persons")
    con.execute("DELETE FROM cluster_runs") if has_table(con, "cluster_runs") else None
    con.commit()
    con.close()


def has_table(con, name):
    return con.execute("SELECT count(*) FROM sqlite_master WHERE name=?", (name,)).fetchone()[0] > 0


def restrict(db, keep_basenames):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, path FROM photos").fetchall()
    for pid, path in rows:
        st = "ok" if os.path.basename(path) in keep_basenames else "deleted"
        con.execute("UPDATE photos SET status=? WHERE id=?", (st, pid))
    con.commit()
    con.close()


def write_truth(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "identity"])
        for r in rows:
            w.writerow([r["file"], r["identity"]])


def fmt_row(name, emb, t, s, extra=""):
    return (f"| {name} | {emb} | {t} | {s['K']} | {s['C']} | {s['K_over_C']:.3f} | {s['ARI']:.3f} | "
            f"{s['AMI']:.3f} | {s['NMI']:.3f} | {s['homogeneity']:.3f} | {s['completeness']:.3f} | "
            f"{s['bcubed_precision']:.3f} | {s['bcubed_recall']:.3f} | {s['bcubed_f']:.3f} | "
            f"{s['pairwise_precision']:.3f} | {s['pairwise_recall']:.3f} | {s['pairwise_f']:.3f} | "
            f"{s['purity']:.3f} |{extra}")


HEADER = ("| algorithm | embedding | threshold | K | C | K/C | ARI | AMI | NMI | H | C-ness | "
          "BCubed P | BCubed R | BCubed F | pair P | pair R | pair F | purity |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--faces-dev-db", required=True)
    ap.add_argument("--fiw-db")
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--skip-calibration", action="store_true",
                    help="use the CLI defaults instead of sweeping half A")
    ap.add_argument("--skip-fiw", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-faces-dev", action="store_true", help="fiw-dev only")
    ap.add_argument("--algos", default=",".join(LINKAGE + ["rank-order", "dbscan", "chinese-whispers",
                                                           "kmeans", "gmm"]))
    ap.add_argument("--fiw-algos", default="single,average,complete,weighted,median,rank-order")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    algos = a.algos.split(",")
    out = []

    labels = list(csv.DictReader(open(os.path.join(a.data, "faces-dev", "labels.csv"))))
    names = sorted({r["identity"] for r in labels})
    half = {n: i % 2 for i, n in enumerate(names)}
    rows = {"all": labels, "A": [r for r in labels if half[r["identity"]] == 0],
            "B": [r for r in labels if half[r["identity"]] == 1]}
    dbs, truths = {}, {}
    for part, rs in rows.items():
        dbs[part] = os.path.join(a.work, f"faces-dev-{part}.db")
        shutil.copyfile(a.faces_dev_db, dbs[part])
        restrict(dbs[part], {r["file"] for r in rs})
        truths[part] = os.path.join(a.work, f"faces-dev-{part}.csv")
        write_truth(truths[part], rs)
    print(f"faces-dev: A {len(rows['A'])} faces / {len({r['identity'] for r in rows['A']})} ids, "
          f"B {len(rows['B'])} faces / {len({r['identity'] for r in rows['B']})} ids", file=sys.stderr)

    chosen = {}
    calib_lines = ["| algorithm | embedding | threshold (best BCubed F on half A) | BCubed F on A | "
                   "AMI on A |", "|---|---|---|---|---|"]

    def calibrate(task):
        algo, emb = task
        db = os.path.join(a.work, f"calib-{algo}-{emb}.db")
        shutil.copyfile(dbs["A"], db)
        best = None
        for t in grid(algo, emb):
            reset_persons(db)
            cluster(a.cli, db, algo, emb, t)
            s = score(a.cli, db, truths["A"])
            if best is None or s["bcubed_f"] > best[1]["bcubed_f"]:
                best = (t, s)
        os.remove(db)
        print(f"calibrated {algo}/{emb}: {best[0]} F={best[1]['bcubed_f']:.4f}", file=sys.stderr, flush=True)
        return task, best

    tasks = [(algo, emb) for emb in ["dlib", "faceres"] for algo in algos
             if not a.skip_calibration and not a.skip_faces_dev and algo in THRESHOLD_ALGOS + ["rank-order"]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for (algo, emb), best in pool.map(calibrate, tasks):
            chosen[(algo, emb)] = best[0]
            calib_lines.append(f"| {algo} | {emb} | {best[0]} | {best[1]['bcubed_f']:.3f} | "
                               f"{best[1]['AMI']:.3f} |")
    out += ["### Calibration (half A of faces-dev)", "", *calib_lines, ""]

    for part in ([] if a.skip_faces_dev else ["all", "B"]):
        out += [f"### faces-dev, {'all 1,960 faces' if part == 'all' else 'held-out half B'}", "",
                HEADER + " seconds |", "|" + "---|" * 19]
        for emb in ["dlib", "faceres"]:
            for algo in algos:
                reset_persons(dbs[part])
                c = cluster(a.cli, dbs[part], algo, emb, chosen.get((algo, emb)))
                s = score(a.cli, dbs[part], truths[part])
                out.append(fmt_row(algo, emb, c["params"]["threshold"], s, f" {c['seconds']:.2f} |"))
                print(out[-1], file=sys.stderr)
        out.append("")

    if not a.skip_fiw and a.fiw_db:
        flabels = list(csv.DictReader(open(os.path.join(a.data, "fiw-dev", "labels.csv"))))
        fams = sorted({r["family"] for r in flabels})
        db = os.path.join(a.work, "fiw-dev.db")
        shutil.copyfile(a.fiw_db, db)
        out += ["### fiw-dev, per family (mean over families; same-photo cannot-link on)", "",
                "| algorithm | embedding | threshold | families | K/C | ARI | AMI | NMI | BCubed F | "
                "pair F | purity | cannot-link splits |", "|" + "---|" * 12]
        per_fam = {}

        def family(fam):
            rs = [r for r in flabels if r["family"] == fam]
            truth = os.path.join(a.work, f"fiw-{fam}.csv")
            write_truth(truth, rs)
            fdb = os.path.join(a.work, f"fiw-{fam}.db")
            shutil.copyfile(db, fdb)
            keep = {r["file"] for r in rs}
            con = sqlite3.connect(fdb)
            con.execute("PRAGMA foreign_keys=ON")
            for pid, path in con.execute("SELECT id, path FROM photos").fetchall():
                if os.path.basename(path) not in keep:
                    con.execute("DELETE FROM photos WHERE id=?", (pid,))
            con.commit()
            con.execute("VACUUM")
            con.close()
            res = {}
            for emb in ["dlib", "faceres"]:
                for algo in a.fiw_algos.split(","):
                    reset_persons(fdb)
                    c = cluster(a.cli, fdb, algo, emb, chosen.get((algo, emb)))
                    res[(algo, emb)] = (score(a.cli, fdb, truth), c)
            os.remove(fdb)
            return res

        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            for res in pool.map(family, fams):
                for k, v in res.items():
                    per_fam.setdefault(k, []).append(v)
        for (algo, emb), lst in per_fam.items():
            m = {k: statistics.mean(s[k] for s, _ in lst) for k in KEYS}
            splits = sum(c["cannot_link_splits"] for _, c in lst)
            out.append(f"| {algo} | {emb} | {lst[0][1]['params']['threshold']} | {len(lst)} | "
                       f"{m['K_over_C']:.3f} | {m['ARI']:.3f} | {m['AMI']:.3f} | {m['NMI']:.3f} | "
                       f"{m['bcubed_f']:.3f} | {m['pairwise_f']:.3f} | {m['purity']:.3f} | {splits} |")
            print(out[-1], file=sys.stderr)
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
