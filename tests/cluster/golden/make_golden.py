#!/usr/bin/python3
"""Writes the golden fixtures for tests/cluster from scipy and scikit-learn.

Run with the system interpreter (it has numpy/scipy/sklearn):
    /usr/bin/python3 tests/cluster/golden/make_golden.py
Data are seeded float32 sets; every value is written as the exact float32 number so the C++
tests cluster bit-identical inputs. Output: tests/cluster/golden/*.json (small, committed).
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.cluster import DBSCAN, KMeans
from sklearn.mixture import GaussianMixture

OUT = os.path.dirname(os.path.abspath(__file__))


def f32(a):
    return np.asarray(a, dtype=np.float32)


def as_list(a):
    return np.asarray(a, dtype=np.float64).tolist()


def blobs(rng, centers, n_per, scale):
    xs = [rng.normal(c, scale, size=(n_per, len(c))) for c in centers]
    return f32(np.concatenate(xs))


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def hierarchy():
    rng = np.random.default_rng(7)
    centers = rng.normal(0, 4, size=(3, 4))
    x = blobs(rng, centers, 10, 1.0)
    rng.shuffle(x)
    x = f32(x)
    xd = x.astype(np.float64)
    cases = []
    metrics = ["euclidean", "sqeuclidean", "cosine", "cityblock"]
    for metric in metrics:
        for method in ["single", "complete", "average", "weighted", "centroid", "median", "ward"]:
            if method in ("centroid", "median", "ward") and metric != "euclidean":
                continue  # scipy: these methods need Euclidean observations
            z = linkage(xd, method=method, metric=metric)
            heights = np.sort(np.unique(z[:, 2]))
            thresholds = [float(heights[len(heights) // 4]), float(heights[len(heights) // 2]),
                          float(heights[-3]), float(heights[-1] * 2), 0.0]
            cuts = [{"t": t, "labels": fcluster(z, t, criterion="distance").tolist()}
                    for t in thresholds]
            # k >= N - 1 is left out: scipy < 1.11 starts its threshold search one step too high
            # there (gives N - 2 clusters); we follow the fixed behaviour (scipy >= 1.11).
            maxclust = [{"k": k, "labels": fcluster(z, k, criterion="maxclust").tolist()}
                        for k in (1, 2, 3, 5, 8, 20, 28)]
            cases.append({"method": method, "metric": metric, "Z": as_list(z),
                          "distance_cuts": cuts, "maxclust_cuts": maxclust})
    # A precomputed condensed matrix that is not a Euclidean one (e.g. a composite distance).
    m = 25
    y = f32(rng.uniform(0.1, 10.0, size=m * (m - 1) // 2))
    condensed = []
    for method in ["single", "complete", "average", "weighted", "centroid", "median", "ward"]:
        z = linkage(y.astype(np.float64), method=method)
        condensed.append({"method": method, "Z": as_list(z)})
    write("hierarchy.json", {
        "scipy": scipy.__version__,
        "x": as_list(x), "cases": cases,
        "condensed_n": m, "condensed": as_list(y), "condensed_cases": condensed,
    })


def dbscan():
    rng = np.random.default_rng(11)
    centers = [[0, 0], [3, 3], [0, 4]]
    x = np.concatenate([blobs(rng, centers, 50, 0.35), f32(rng.uniform(-2, 5, size=(40, 2)))])
    x = f32(x[rng.permutation(len(x))])
    cases = []
    for eps, ms in [(0.3, 5), (0.5, 10), (0.2, 3), (0.4, 1), (0.7, 20)]:
        labels = DBSCAN(eps=eps, min_samples=ms).fit(x.astype(np.float64)).labels_
        cases.append({"eps": eps, "min_samples": ms, "metric": "euclidean",
                      "labels": labels.tolist()})
    # Cosine on 8-d directions.
    dirs = rng.normal(0, 1, size=(4, 8))
    xc = f32(np.concatenate([d + rng.normal(0, 0.15, size=(30, 8)) for d in dirs]))
    ccases = []
    for eps, ms in [(0.02, 4), (0.05, 5)]:
        labels = DBSCAN(eps=eps, min_samples=ms, metric="cosine").fit(
            xc.astype(np.float64)).labels_
        ccases.append({"eps": eps, "min_samples": ms, "metric": "cosine",
                       "labels": labels.tolist()})
    write("dbscan.json", {"sklearn": sklearn.__version__, "x": as_list(x), "cases": cases,
                          "x_cosine": as_list(xc), "cosine_cases": ccases})


def kmeans_gmm():
    rng = np.random.default_rng(3)
    centers = rng.normal(0, 10, size=(5, 8))
    x = blobs(rng, centers, 60, 1.0)
    x = f32(x[rng.permutation(len(x))])
    km = KMeans(n_clusters=5, n_init=10, random_state=0).fit(x.astype(np.float64))
    kmeans = {"k": 5, "labels": km.labels_.tolist(), "inertia": float(km.inertia_),
              "centers": as_list(km.cluster_centers_)}
    # GMM: 3 blobs with different shapes in 3-d.
    g_centers = [[0, 0, 0], [6, 0, 2], [0, 7, -3]]
    xs = []
    for c, s in zip(g_centers, [0.5, 1.0, 1.5]):
        a = rng.normal(0, 1, size=(3, 3)) * 0.3 + np.eye(3)
        xs.append(rng.normal(0, s, size=(100, 3)) @ a + c)
    xg = f32(np.concatenate(xs))
    xg = f32(xg[rng.permutation(len(xg))])
    gmm = []
    for cov in ["full", "diag"]:
        g = GaussianMixture(n_components=3, covariance_type=cov, random_state=0).fit(
            xg.astype(np.float64))
        gmm.append({"covariance": cov, "labels": g.predict(xg.astype(np.float64)).tolist(),
                    "score": float(g.score(xg.astype(np.float64))),
                    "bic": float(g.bic(xg.astype(np.float64))),
                    "weights": as_list(g.weights_), "means": as_list(g.means_)})
    write("kmeans_gmm.json", {"sklearn": sklearn.__version__, "x": as_list(x), "kmeans": kmeans,
                              "x_gmm": as_list(xg), "gmm": gmm})


if __name__ == "__main__":
    hierarchy()
    dbscan()
    kmeans_gmm()
