#!/usr/bin/python3
"""Generate the golden fixtures for tests/eval from scikit-learn / scipy.

Run with the system interpreter that has numpy/scipy/sklearn:
    /usr/bin/python3 tests/eval/golden/make_golden.py
Writes clustering.json, silhouette.json, roc.json, assignment.json, classification.json next to
this file. Everything is seeded; re-running reproduces the committed files.
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn import metrics
from sklearn.metrics import cluster as skc

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.simplefilter("ignore")


def expand_unsorted(pred):
    """Each -1 becomes a fresh label (same rule as faceatlas::eval::expand_unsorted)."""
    pred = list(pred)
    nxt = max([p + 1 for p in pred] + [0])
    out = []
    for p in pred:
        if p == -1:
            out.append(nxt)
            nxt += 1
        else:
            out.append(p)
    return out


def sk_or_error(fn, *args, **kw):
    try:
        return float(fn(*args, **kw))
    except ValueError as e:
        return "error: " + str(e).splitlines()[0]


def clustering_case(name, truth, pred):
    truth = [int(v) for v in truth]
    pred = [int(v) for v in pred]
    p = expand_unsorted(pred)
    t = np.asarray(truth, dtype=np.int64)
    p = np.asarray(p, dtype=np.int64)
    h, c, v = skc.homogeneity_completeness_v_measure(t, p)
    return {
        "name": name,
        "truth": truth,
        "pred": pred,
        "ARI": sk_or_error(metrics.adjusted_rand_score, t, p),
        "AMI": sk_or_error(metrics.adjusted_mutual_info_score, t, p),
        "NMI": sk_or_error(metrics.normalized_mutual_info_score, t, p),
        "MI": sk_or_error(metrics.mutual_info_score, t, p),
        "homogeneity": float(h),
        "completeness": float(c),
        "v_measure": float(v),
    }


def make_clustering(rng):
    cases = []
    for n, n_true, n_pred, unsorted in [
        (10, 3, 4, 0.0), (50, 5, 8, 0.1), (200, 20, 25, 0.0), (200, 40, 30, 0.2),
        (1000, 100, 120, 0.05), (2000, 300, 250, 0.0), (2000, 700, 900, 0.1), (500, 2, 2, 0.0),
    ]:
        truth = rng.integers(0, n_true, size=n)
        # A noisy copy of the truth: realistic scores, not only ~0 for random labels.
        pred = np.where(rng.random(n) < 0.7, truth % n_pred, rng.integers(0, n_pred, size=n))
        pred = np.where(rng.random(n) < unsorted, -1, pred)
        cases.append(clustering_case(f"random_n{n}_c{n_true}_k{n_pred}", truth, pred))
        cases.append(clustering_case(f"independent_n{n}", truth, rng.integers(0, n_pred, size=n)))
    # Sizes skewed like face collections: a few big identities, many small ones.
    sizes = [60, 40, 25] + [5] * 20 + [2] * 30 + [1] * 40
    truth = np.repeat(np.arange(len(sizes)), sizes)
    pred = truth.copy()
    pred[rng.random(len(truth)) < 0.15] = -1
    merge = rng.random(len(truth)) < 0.05
    pred[merge] = 0
    cases.append(clustering_case("skewed_sizes", truth, pred))
    # Degenerate cases.
    cases.append(clustering_case("empty", [], []))
    cases.append(clustering_case("n1", [7], [3]))
    cases.append(clustering_case("n1_unsorted", [7], [-1]))
    cases.append(clustering_case("n2_same", [0, 0], [1, 1]))
    cases.append(clustering_case("n2_split", [0, 0], [0, 1]))
    cases.append(clustering_case("one_cluster_both", [4] * 12, [9] * 12))
    cases.append(clustering_case("singletons_both", list(range(12)), list(range(12))))
    cases.append(clustering_case("truth_one_pred_singletons", [0] * 12, list(range(12))))
    cases.append(clustering_case("truth_singletons_pred_one", list(range(12)), [0] * 12))
    cases.append(clustering_case("all_unsorted", [0, 0, 1, 1, 2, 2], [-1] * 6))
    cases.append(clustering_case("perfect_relabelled", [0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9]))
    cases.append(clustering_case("sklearn_doc_negative_ari", [0, 0, 1, 1], [0, 1, 0, 1]))
    return cases


def silhouette_case(name, X, labels, rng=None):
    X = np.asarray(X, dtype=np.float64)
    labels = [int(v) for v in labels]
    lab = np.asarray(labels)
    out = {"name": name, "X": X.tolist(), "labels": labels}
    for metric in ("euclidean", "cosine", "manhattan"):
        res = {}
        # noise = singletons (faceatlas default): each -1 its own cluster
        res["singletons"] = sk_or_error(metrics.silhouette_score, X,
                                        np.asarray(expand_unsorted(labels)), metric=metric)
        keep = lab != -1
        res["exclude"] = sk_or_error(metrics.silhouette_score, X[keep], lab[keep], metric=metric)
        res["as_label"] = sk_or_error(metrics.silhouette_score, X, lab, metric=metric)
        res["samples_singletons"] = (
            metrics.silhouette_samples(X, np.asarray(expand_unsorted(labels)), metric=metric).tolist()
            if isinstance(res["singletons"], float) else None)
        out[metric] = res
    return out


def make_silhouette(rng):
    cases = []
    for n, d, k in [(30, 3, 3), (120, 8, 6), (300, 16, 12)]:
        centers = rng.normal(0, 3, size=(k, d))
        labels = rng.integers(0, k, size=n)
        X = centers[labels] + rng.normal(0, 1.0, size=(n, d))
        X = X.astype(np.float32).astype(np.float64)  # exactly representable as float
        labels = labels.copy()
        labels[rng.random(n) < 0.1] = -1
        # a true singleton cluster
        labels[0] = k + 5
        cases.append(silhouette_case(f"blobs_n{n}_d{d}_k{k}", X, labels))
    X = rng.normal(size=(8, 2)).astype(np.float32).astype(np.float64)
    cases.append(silhouette_case("duplicate_points", np.vstack([X, X]), [0] * 8 + [1] * 8))
    cases.append(silhouette_case("one_label_error", X, [0] * 8))
    cases.append(silhouette_case("all_singletons_error", X, list(range(8))))
    Xz = X.copy()
    Xz[3] = 0.0  # zero vector: cosine distance 1 to everything (sklearn normalize leaves it 0)
    cases.append(silhouette_case("zero_row_cosine", Xz, [0, 0, 0, 1, 1, 1, 2, 2]))
    return cases


def make_roc(rng):
    cases = []
    for n, ties in [(20, False), (200, True), (1000, False), (1000, True), (5, True)]:
        y = rng.integers(0, 2, size=n)
        y[0], y[1] = 0, 1
        s = rng.normal(size=n) + 1.2 * y
        if ties:
            s = np.round(s, 1)
        fpr, tpr, thr = metrics.roc_curve(y, s, drop_intermediate=False)
        cases.append({
            "name": f"roc_n{n}_{'ties' if ties else 'noties'}",
            "same": y.tolist(), "score": s.tolist(),
            "auc": float(metrics.roc_auc_score(y, s)),
            "auc_distance": float(metrics.roc_auc_score(y, -s)),
            "fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr[1:].tolist(),
        })
    cases.append({"name": "one_class_error", "same": [1, 1, 1], "score": [0.1, 0.2, 0.3],
                  "auc": sk_or_error(metrics.roc_auc_score, [1, 1, 1], [0.1, 0.2, 0.3])})
    return cases


def make_assignment(rng):
    cases = []
    for r, c, integer in [(1, 1, True), (3, 5, True), (5, 3, True), (6, 6, True), (10, 10, False),
                          (50, 30, False), (30, 50, False), (4, 4, True), (80, 80, True)]:
        if integer:
            cost = rng.integers(0, 10, size=(r, c)).astype(np.float64)  # many ties
        else:
            cost = rng.normal(size=(r, c))
        row, col = linear_sum_assignment(cost)
        rowm, colm = linear_sum_assignment(cost, maximize=True)
        cases.append({"name": f"lsa_{r}x{c}_{'int' if integer else 'real'}",
                      "cost": cost.tolist(),
                      "min_cost": float(cost[row, col].sum()),
                      "max_cost": float(cost[rowm, colm].sum())})
    return cases


def make_classification(rng):
    cases = []
    for n, k in [(50, 3), (400, 7)]:
        y = rng.integers(0, k, size=n)
        p = np.where(rng.random(n) < 0.6, y, rng.integers(0, k + 1, size=n))  # extra class in pred
        labels = sorted(set(y.tolist()) | set(p.tolist()))
        cases.append({
            "name": f"cls_n{n}_k{k}", "truth": y.tolist(), "pred": p.tolist(),
            "accuracy": float(metrics.accuracy_score(y, p)),
            "balanced_accuracy": float(metrics.balanced_accuracy_score(y, p)),
            "labels": labels,
            "confusion": metrics.confusion_matrix(y, p, labels=labels).tolist(),
            "recall_per_class": metrics.recall_score(y, p, labels=labels, average=None,
                                                     zero_division=0).tolist(),
        })
    ages = rng.uniform(0, 90, size=100)
    pred_ages = ages + rng.normal(0, 6, size=100)
    cases.append({"name": "ages", "truth": ages.tolist(), "pred": pred_ages.tolist(),
                  "mae": float(metrics.mean_absolute_error(ages, pred_ages))})
    return cases


def write(name, obj):
    meta = {"generator": "tests/eval/golden/make_golden.py", "sklearn": sklearn.__version__,
            "scipy": scipy.__version__, "numpy": np.__version__}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"meta": meta, "cases": obj}, f, separators=(",", ":"))
        f.write("\n")


def main():
    write("clustering.json", make_clustering(np.random.default_rng(1)))
    write("silhouette.json", make_silhouette(np.random.default_rng(2)))
    write("roc.json", make_roc(np.random.default_rng(3)))
    write("assignment.json", make_assignment(np.random.default_rng(4)))
    write("classification.json", make_classification(np.random.default_rng(5)))


if __name__ == "__main__":
    main()
