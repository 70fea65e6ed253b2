#!/usr/bin/python3
"""Explores learned age/gender heads on what a catalog stores (docs/QUALITY.md, "Attributes").

  /usr/bin/python3 scripts/age_gender_head_explore.py CATALOG.db labels.csv

Features per face: face-api age and gender logit, faceres top-5 age and gender logit (and the
logs of both ages), faceres log age distribution (100 bins), dlib 128-d, faceres 1024-d feature.
Heads: ridge / Huber regression for age, L2 logistic regression for gender, standardised inputs. Split by file with a seeded permutation (the same
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


def main():
    from sklearn.linear_model import HuberRegressor, LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler
    d = load(sys.argv[1], sys.argv[2])
    age, male = d["age"], d["male"]
    n = len(age)
    dev = halves(d["files"])
    test, adult = ~dev, age >= 18
    folds = [(dev, test), (test, dev)]
    print(f"{n} faces: dev {dev.sum()}, test {test.sum()}, adults {adult.sum()}")
    fr5 = top_l(d["fr_probs"], 5)

    def xfit(X, fit_predict):
        # Every face is predicted by the model fit on the other half.
        p = np.zeros(n)
        for tr, te in folds:
            sc = StandardScaler().fit(X[tr])
            p[te] = fit_predict(sc.transform(X[tr]), tr, sc.transform(X[te]))
        return p

    def age_row(name, p):
        e = np.abs(age - p)
        print(f"age    {name:44s} held-out MAE {e[test].mean():.3f}  cross-fitted all {e.mean():.3f}"
              f"  adults {e[adult].mean():.3f}  band {np.mean(band(age) == band(p)):.3f}")

    def gender_row(name, p):
        ok = (p > 0.5) == male
        print(f"gender {name:44s} held-out acc {ok[test].mean():.4f}  cross-fitted all {ok.mean():.4f}"
              f"  adults {ok[adult].mean():.4f}")

    # The nets and the fixed fusion (no fitting: plain numbers on the test half and on all).
    fused_age = 0.85 * d["fa_age"] + 0.15 * fr5
    fused_m = 1 / (1 + np.exp(-(0.975 * logit(d["fa_male"]) + 0.025 * logit(d["fr_male"]))))
    for name, pa, pm in (("faceapi (no fit)", d["fa_age"], d["fa_male"]),
                         ("faceres top-3 (no fit)", top_l(d["fr_probs"], 3), d["fr_male"]),
                         ("fused, fixed weights (no fit)", fused_age, fused_m)):
        age_row(name, pa)
        gender_row(name, pm)
    # The fusion weights refitted on the dev half (same grid as attr_fusion_fit.py).
    ws = np.round(np.linspace(0, 1, 41), 3)
    wa = min(ws, key=lambda w: np.mean(np.abs(age[dev] - (w * d["fa_age"] + (1 - w) * fr5)[dev])))
    lf, lr = logit(d["fa_male"]), logit(d["fr_male"])
    wg = max(ws, key=lambda w: np.mean(((w * lf + (1 - w) * lr)[dev] > 0) == male[dev]))
    age_row(f"fused, refit on dev: w_age={wa}", wa * d["fa_age"] + (1 - wa) * fr5)
    gender_row(f"fused, refit on dev: w_gender={wg}", 1 / (1 + np.exp(-(wg * lf + (1 - wg) * lr))))

    small = np.stack([d["fa_age"], logit(d["fa_male"]), fr5, logit(d["fr_male"]),
                      np.log1p(np.clip(d["fa_age"], 0, None)), np.log1p(fr5)], 1)
    lp = np.log(np.clip(d["fr_probs"], 1e-6, 1))
    feats = {"nets(6)": small, "nets+faceres_logprobs(106)": np.hstack([small, lp]),
             "nets+dlib(134)": np.hstack([small, d["dlib"]]),
             "nets+faceres1024(1030)": np.hstack([small, d["faceres"]]),
             "nets+logprobs+faceres+dlib(1258)": np.hstack([small, lp, d["faceres"], d["dlib"]])}
    for fname, X in feats.items():
        for a in (1, 10, 100, 1000):
            age_row(f"{fname} ridge a={a}",
                    xfit(X, lambda Xt, tr, Xe: Ridge(alpha=a).fit(Xt, age[tr]).predict(Xe)))
        if X.shape[1] <= 200:
            age_row(f"{fname} huber",
                    xfit(X, lambda Xt, tr, Xe: HuberRegressor(alpha=1, max_iter=2000).fit(Xt, age[tr]).predict(Xe)))
        for C in (0.003, 0.03, 0.1, 1.0):
            gender_row(f"{fname} logistic C={C}",
                       xfit(X, lambda Xt, tr, Xe: LogisticRegression(C=C, max_iter=5000)
                            .fit(Xt, male[tr]).predict_proba(Xe)[:, 1]))


if __name__ == "__main__":
    main()
