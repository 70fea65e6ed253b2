#!/usr/bin/python3
"""Chooses the age/gender crops, faceres top-L and the fusion of face-api and faceres on a seeded
dev half of utkface-dev and reports every variant on the other half and on all faces.

  bench/attr_crops_experiment MODEL_DIR exp.csv IMAGES...   # per-image outputs of each variant
  /usr/bin/python3 scripts/attr_fusion_fit.py labels.csv exp.csv [more exp csv...]

Scores: MAE, Adience nearest-band accuracy (eval/age_bands.h rule), within 5 years, gender
accuracy (male iff p > 0.5) and balanced accuracy; "adults" = true age >= 18.
"""
import csv
import sys

import numpy as np

BANDS = [(0, 2), (4, 6), (8, 13), (15, 20), (25, 32), (38, 43), (48, 53), (60, np.inf)]
SEED = 20240611


def band(a):
    a = np.asarray(a, dtype=float)
    d = np.stack([np.maximum(np.maximum(lo - a, 0), a - hi) for lo, hi in BANDS], axis=-1)
    return np.argmin(d, axis=-1)  # first minimum = lower band on ties


def age_scores(t, p):
    return dict(mae=float(np.mean(np.abs(t - p))), band=float(np.mean(band(t) == band(p))),
                within5=float(np.mean(np.abs(t - p) <= 5)))


def gender_scores(male, p):
    pred = p > 0.5
    acc = float(np.mean(pred == male))
    bacc = float((np.mean(pred[male]) + np.mean(~pred[~male])) / 2)
    return dict(acc=acc, bacc=bacc)


def top_l(probs, l):
    idx = np.argsort(-probs, axis=1, kind="stable")[:, :l]
    p = np.take_along_axis(probs, idx, axis=1)
    return 1 + (p * idx).sum(1) / p.sum(1)


def dev_split(files):
    """The dev half: a seeded permutation (SEED) of the files in name order, first half."""
    rng = np.random.default_rng(SEED)
    order = sorted(range(len(files)), key=lambda i: files[i])
    perm = rng.permutation(len(order))
    dev = np.zeros(len(files), bool)
    dev[[order[i] for i in perm[: len(order) // 2]]] = True
    return dev


def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def main():
    labels = {r["file"]: r for r in csv.DictReader(open(sys.argv[1]))}
    rows = []
    header = None
    for path in sys.argv[2:]:
        with open(path) as f:
            rd = csv.reader(f)
            h = next(rd)
            header = header or h
            assert h == header
            rows += list(rd)
    col = {n: i for i, n in enumerate(header)}
    files = [r[0] for r in rows]
    data = np.array([[float(x) for x in r[1:]] for r in rows])
    get = lambda n: data[:, col[n] - 1]
    age = np.array([float(labels[f]["age"]) for f in files])
    male = np.array([labels[f]["gender"] == "male" for f in files])
    dev = dev_split(files)
    test = ~dev
    adult = age >= 18
    print(f"{len(files)} images: dev {dev.sum()}, test {test.sum()}, adults {adult.sum()}")

    fa_names = [n[:-4] for n in header if n.startswith("fa_") and n.endswith("_age")]
    fr_names = sorted({n.rsplit("_", 1)[0] for n in header if n.startswith("fr_") and n.endswith("_male")})
    ages, males = {}, {}
    for n in fa_names:
        ages[n] = get(n + "_age")
        males[n] = get(n + "_male")
    probs = {}
    for n in fr_names:
        probs[n] = np.stack([get(f"{n}_a{i}") for i in range(100)], axis=1)
        males[n] = get(n + "_male")
        for l in (1, 2, 3, 4, 5, 100):
            ages[f"{n}_top{l}"] = top_l(probs[n], l)

    def row(name, a=None, m=None):
        out = f"{name:28s}"
        for sel_name, sel in (("dev", dev), ("test", test), ("all", np.ones_like(dev)), ("adult", adult)):
            if a is not None:
                s = age_scores(age[sel], a[sel])
                out += f" | {sel_name} MAE {s['mae']:5.2f} band {s['band']:.3f} w5 {s['within5']:.3f}"
            if m is not None:
                g = gender_scores(male[sel], m[sel])
                out += f" | {sel_name} acc {g['acc']:.4f} bacc {g['bacc']:.4f}"
        print(out)

    print("\n== age ==")
    for n, a in ages.items():
        row(n, a=a)
    print("\n== gender ==")
    for n, m in males.items():
        row(n, m=m)

    # Fusion: best single crop of each model on dev, then a weight grid fitted on dev.
    fa_best = min(fa_names, key=lambda n: np.mean(np.abs(age[dev] - ages[n][dev])))
    fr_age_best = min([k for k in ages if k.startswith("fr_")], key=lambda n: np.mean(np.abs(age[dev] - ages[n][dev])))
    fa_g_best = max(fa_names, key=lambda n: np.mean((males[n][dev] > 0.5) == male[dev]))
    fr_g_best = max(fr_names, key=lambda n: np.mean((males[n][dev] > 0.5) == male[dev]))
    print(f"\ndev-best: age face-api {fa_best}, faceres {fr_age_best}; gender face-api {fa_g_best}, faceres {fr_g_best}")
    ws = np.round(np.linspace(0, 1, 21), 2)
    best_w = min(ws, key=lambda w: np.mean(np.abs(age[dev] - (w * ages[fa_best][dev] + (1 - w) * ages[fr_age_best][dev]))))
    fused_age = best_w * ages[fa_best] + (1 - best_w) * ages[fr_age_best]
    print(f"\nage fusion: w_faceapi = {best_w} (dev MAE grid)")
    row(f"fused age w={best_w}", a=fused_age)
    for w in (0.5,):
        row(f"fused age w={w}", a=w * ages[fa_best] + (1 - w) * ages[fr_age_best])
    lf, lr = logit(males[fa_g_best]), logit(males[fr_g_best])
    best_g = max(ws, key=lambda w: np.mean(((w * lf + (1 - w) * lr)[dev] > 0) == male[dev]))
    fused_male = 1 / (1 + np.exp(-(best_g * lf + (1 - best_g) * lr)))
    print(f"\ngender fusion (weighted logit mean = weighted product rule): w_faceapi = {best_g}")
    row(f"fused male w={best_g}", m=fused_male)
    row("fused male mean prob", m=(males[fa_g_best] + males[fr_g_best]) / 2)
    row("fused male logit 0.5", m=1 / (1 + np.exp(-(lf + lr) / 2)))


if __name__ == "__main__" and sys.argv[1] != "--stack":
    main()


def stacking(argv):
    """Second look: are two models with several crops able to reach the goal? Linear stacking of
    every variant (ages: least squares; gender: logistic regression on logits), fitted on dev."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    labels = {r["file"]: r for r in csv.DictReader(open(argv[1]))}
    rows, header = [], None
    for path in argv[2:]:
        with open(path) as f:
            rd = csv.reader(f)
            h = next(rd)
            header = header or h
            rows += [r for r in rd if len(r) == len(header)]
    col = {n: i for i, n in enumerate(header)}
    files = [r[0] for r in rows]
    data = np.array([[float(x) for x in r[1:]] for r in rows])
    get = lambda n: data[:, col[n] - 1]
    age = np.array([float(labels[f]["age"]) for f in files])
    male = np.array([labels[f]["gender"] == "male" for f in files])
    dev = dev_split(files)
    test = ~dev
    fa = [n[:-4] for n in header if n.startswith("fa_") and n.endswith("_age")]
    fr = sorted({n.rsplit("_", 1)[0] for n in header if n.startswith("fr_") and n.endswith("_male")})
    A = np.stack([get(n + "_age") for n in fa] + [top_l(np.stack([get(f"{n}_a{i}") for i in range(100)], 1), 3) for n in fr], 1)
    G = np.stack([logit(get(n + "_male")) for n in fa + fr], 1)
    for name, cols in (("default crops (fa_aligned, fr_p0.25)", [0, len(fa)]), ("all crops", list(range(A.shape[1])))):
        lr = LinearRegression().fit(A[dev][:, cols], age[dev])
        pa = lr.predict(A[:, cols])
        lg = LogisticRegression(C=1.0, max_iter=1000).fit(G[dev][:, cols], male[dev])
        pg = lg.predict_proba(G[:, cols])[:, 1]
        for sel_name, sel in (("test", test), ("all", np.ones_like(dev)), ("adult", age >= 18)):
            s = age_scores(age[sel], pa[sel])
            g = gender_scores(male[sel], pg[sel])
            print(f"stack {name:38s} {sel_name:5s} MAE {s['mae']:.2f} band {s['band']:.3f} w5 {s['within5']:.3f}"
                  f" | gender acc {g['acc']:.4f} bacc {g['bacc']:.4f}")
        print("   age coef", np.round(lr.coef_, 3), round(float(lr.intercept_), 3), " gender coef", np.round(lg.coef_, 3), np.round(lg.intercept_, 3))


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--stack":
    stacking(sys.argv[1:])
