#!/usr/bin/python3
"""Explores learned age/gender heads on what a catalog stores (docs/QUALITY.md, "Attributes").

  /usr/bin/python3 scripts/age_gender_head_explore.py CATALOG.db labels.csv

Features per face: faceres 1024-d feature, dlib 128-d, face-api age and gender logit, faceres
age distribution (100 bins) and gender logit. Split by file with a seeded permutation (the same
rule as scripts/attr_fusion_fit.py, seed 20240611): models fit on the dev half are scored on the
test half (held-out), and the all-faces numbers are cross-fitted (each half predicted by the
model fit on the other).
"""
import csv
import os
import sqlite3
import sys

import numpy as np

BANDS = [(0, 2), (4, 6), (8, 13), (15, 20), (25, 32), (38, 43), (48, 53), (60, np.inf)]
SEED = 20240611


def band(a):
    a = np.asarray(a, dtype=float)
    d = np.stack([np.maximum(np.maximum(lo - a, 0), a - hi) for lo, hi in BANDS], axis=-1)
    return np.argmin(d, axis=-1)


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def top_l(probs, l):
    idx = np.argsort(-probs, axis=1, kind="stable")[:, :l]
    p = np.take_along_axis(probs, idx, axis=1)
    return 1 + (p * idx).sum(1) / p.sum(1)


def load(db, labels_csv):
    labels = {r["file"]: r for r in csv.DictReader(open(labels_csv))}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT p.path, f.w*f.h, f.age, f.male_prob, f.age_faceres, f.age_probs, f.male_prob_faceres,"
        " f.embedding_dlib, f.embedding_faceres FROM faces f JOIN photos p ON p.id = f.photo_id"
        " WHERE p.status = 'ok'").fetchall()
    best = {}
    for r in rows:  # largest face per file
        f = os.path.basename(r[0])
        if f in labels and (f not in best or r[1] > best[f][1]):
            best[f] = r
    files = sorted(best)
    r = [best[f] for f in files]
    d = dict(
        files=files,
        age=np.array([float(labels[f]["age"]) for f in files]),
        male=np.array([labels[f]["gender"] == "male" for f in files]),
        fa_age=np.array([x[2] for x in r]),
        fa_male=np.array([x[3] for x in r]),
        fr_age=np.array([x[4] for x in r]),
        fr_probs=np.stack([np.frombuffer(x[5], np.float32) for x in r]).astype(float),
        fr_male=np.array([x[6] for x in r]),
        dlib=np.stack([np.frombuffer(x[7], np.float32) for x in r]).astype(float),
        faceres=np.stack([np.frombuffer(x[8], np.float32) for x in r]).astype(float),
    )
    return d


def halves(files):
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(len(files))  # files are sorted
    dev = np.zeros(len(files), bool)
    dev[perm[: len(files) // 2]] = True
    return dev


def scores(age, male, pa, pm, sel):
    e = np.abs(age[sel] - pa[sel])
    pred = pm[sel] > 0.5
    m = male[sel]
    return (f"MAE {e.mean():5.2f} band {np.mean(band(age[sel]) == band(pa[sel])):.3f} "
            f"w5 {np.mean(e <= 5):.3f} | gender {np.mean(pred == m):.4f} "
            f"bacc {(np.mean(pred[m]) + np.mean(~pred[~m])) / 2:.4f}")


def main():
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler
    d = load(sys.argv[1], sys.argv[2])
    age, male = d["age"], d["male"]
    n = len(age)
    dev = halves(d["files"])
    test = ~dev
    adult = age >= 18
    allsel = np.ones(n, bool)
    print(f"{n} faces: dev {dev.sum()}, test {test.sum()}, adults {adult.sum()}")

    def report(name, pa_x, pm_x, pa_h=None, pm_h=None):
        # pa_x/pm_x: cross-fitted predictions (every face predicted by a model not fit on it)
        print(f"{name:40s} held-out  {scores(age, male, pa_x, pm_x, test)}")
        print(f"{'':40s} xfit all  {scores(age, male, pa_x, pm_x, allsel)}")
        print(f"{'':40s} xfit adlt {scores(age, male, pa_x, pm_x, adult)}")

    fr5 = top_l(d["fr_probs"], 5)
    fused_age = 0.85 * d["fa_age"] + 0.15 * fr5
    fused_m = 1 / (1 + np.exp(-(0.975 * logit(d["fa_male"]) + 0.025 * logit(d["fr_male"]))))
    for nm, pa, pm in (("faceapi", d["fa_age"], d["fa_male"]), ("faceres top3", top_l(d["fr_probs"], 3), d["fr_male"]),
                       ("fused (fixed weights)", fused_age, fused_m)):
        print(f"{nm:40s} test      {scores(age, male, pa, pm, test)}")
        print(f"{'':40s} all       {scores(age, male, pa, pm, allsel)}")
        print(f"{'':40s} adults    {scores(age, male, pa, pm, adult)}")

    small = np.stack([d["fa_age"], logit(d["fa_male"]), fr5, logit(d["fr_male"])], 1)
    feats = {
        "small(4)": small,
        "small+frprobs": np.hstack([small, d["fr_probs"]]),
        "faceres1024": d["faceres"],
        "dlib128": d["dlib"],
        "small+frprobs+faceres": np.hstack([small, d["fr_probs"], d["faceres"]]),
        "small+frprobs+dlib": np.hstack([small, d["fr_probs"], d["dlib"]]),
        "all": np.hstack([small, d["fr_probs"], d["faceres"], d["dlib"]]),
    }
    folds = [(dev, test), (test, dev)]
    only = sys.argv[3].split(",") if len(sys.argv) > 3 else None
    for fname, X in feats.items():
        if only and fname not in only:
            continue
        for C in (0.01, 0.1, 1.0):
            for alpha in (1.0, 10.0, 100.0):
                pa = np.zeros(n)
                pm = np.zeros(n)
                for tr, te in folds:
                    sc = StandardScaler().fit(X[tr])
                    Xt, Xe = sc.transform(X[tr]), sc.transform(X[te])
                    pm[te] = LogisticRegression(C=C, max_iter=3000).fit(Xt, male[tr]).predict_proba(Xe)[:, 1]
                    # age regressed in log space: errors of children weigh as much as they are
                    r = Ridge(alpha=alpha).fit(Xt, np.log1p(age[tr]))
                    pa[te] = np.expm1(r.predict(Xe))
                report(f"{fname} C={C} a={alpha}", pa, pm)


if __name__ == "__main__":
    main()
