#!/usr/bin/python3
"""Times scipy / scikit-learn on the synthetic data bench/bench_cluster.cpp uses.

Run with the system interpreter (numpy/scipy/sklearn):
    /usr/bin/python3 bench/cluster_vs_scipy.py linkage        # average linkage, N = 5k, 10k, 20k
    /usr/bin/python3 bench/cluster_vs_scipy.py large          # N = 200k: k-NN graph, DBSCAN on it,
                                                              # k-means, chinese whispers (python)
    /usr/bin/python3 bench/cluster_vs_scipy.py one TASK N     # one measurement (used internally)
Each measurement runs in a fresh process; its peak RSS comes from os.wait4.
Data recipe (same as the C++ bench, independent RNG): N/20 centres ~ N(0, 1)^128, each point =
a random centre + N(0, 0.35^2) noise, float32.
"""
import os
import subprocess
import sys
import time

import numpy as np

DIM = 128


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 1, size=(max(1, n // 20), DIM))
    pick = rng.integers(0, len(centers), size=n)
    return (centers[pick] + 0.35 * rng.normal(0, 1, size=(n, DIM))).astype(np.float32)


def chinese_whispers(neighbors, dists, threshold, iterations, seed=0):
    """dlib's chinese whispers on the symmetrised k-NN threshold graph, plain python."""
    n = len(neighbors)
    adj = [[i] for i in range(n)]  # self-loop, as dlib's face example
    for i in range(n):
        for j, d in zip(neighbors[i], dists[i]):
            if d < threshold and j != i:
                adj[i].append(int(j))
                adj[int(j)].append(i)
    adj = [sorted(set(a) - {i}) + [i] for i, a in enumerate(adj)]
    labels = list(range(n))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=n * iterations)
    for idx in picks:
        counts = {}
        for j in adj[idx]:
            lj = labels[j]
            counts[lj] = counts.get(lj, 0) + 1
        labels[idx] = max(sorted(counts), key=lambda l: counts[l])
    return labels


def run_one(task, n):
    x = make_data(n)
    t0 = time.perf_counter()
    out = {}
    if task == "linkage":
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import pdist
        y = pdist(x.astype(np.float64))
        t1 = time.perf_counter()
        linkage(y, method="average")
        out = {"pdist_s": t1 - t0, "linkage_s": time.perf_counter() - t1}
    elif task == "knn":
        from sklearn.neighbors import NearestNeighbors
        g = NearestNeighbors(n_neighbors=10, algorithm="brute").fit(x).kneighbors_graph(
            mode="distance")
        out = {"knn_s": time.perf_counter() - t0}
        import scipy.sparse
        scipy.sparse.save_npz(f"/tmp/faceatlas_knn_{n}.npz", g)
    elif task == "dbscan_knn":
        import scipy.sparse
        from sklearn.cluster import DBSCAN
        g = scipy.sparse.load_npz(f"/tmp/faceatlas_knn_{n}.npz")
        t0 = time.perf_counter()
        labels = DBSCAN(eps=7.0, min_samples=5, metric="precomputed").fit(g).labels_
        out = {"dbscan_s": time.perf_counter() - t0, "clusters": int(labels.max() + 1)}
    elif task == "kmeans":
        from sklearn.cluster import KMeans
        km = KMeans(n_clusters=100, n_init=1, max_iter=100, random_state=0).fit(x)
        out = {"kmeans_s": time.perf_counter() - t0, "iterations": int(km.n_iter_)}
    elif task.startswith("cw"):
        import scipy.sparse
        iterations = int(task[2:] or 100)
        g = scipy.sparse.load_npz(f"/tmp/faceatlas_knn_{n}.npz").tocsr()
        nb = [g.indices[g.indptr[i]:g.indptr[i + 1]] for i in range(n)]
        ds = [g.data[g.indptr[i]:g.indptr[i + 1]] for i in range(n)]
        t0 = time.perf_counter()
        labels = chinese_whispers(nb, ds, 7.0, iterations)
        out = {"cw_s": time.perf_counter() - t0, "iterations": iterations,
               "clusters": len(set(labels))}
    print(out, flush=True)


def measure(task, n):
    p = subprocess.Popen([sys.executable, __file__, "one", task, str(n)], stdout=subprocess.PIPE,
                         text=True)
    t0 = time.perf_counter()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    res = p.stdout.read().strip()
    print(f"{task:12s} N={n:7d} wall={wall:8.2f}s peak_rss={usage.ru_maxrss / 1024:8.1f} MiB "
          f"{res}", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "linkage"
    if mode == "one":
        run_one(sys.argv[2], int(sys.argv[3]))
    elif mode == "linkage":
        for n in (5000, 10000, 20000):
            measure("linkage", n)
    elif mode == "large":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
        measure("knn", n)
        measure("dbscan_knn", n)
        measure("kmeans", n)
        measure("cw5", n)  # 5 iterations; scale x20 for dlib's 100 (marked as extrapolated)
    else:
        sys.exit(__doc__)
