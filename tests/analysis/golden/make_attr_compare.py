# Golden values for tests/analysis/attribute_compare_test.cpp:
# scipy linkage + fcluster(maxclust) labels and sklearn silhouette per (method, metric, k), and
# sklearn DBSCAN silhouettes (noise excluded) for given eps.
# Run: /usr/bin/python3 make_attr_compare.py > attr_compare.json
import json
import numpy as np
from scipy.cluster.hierarchy import linkage, fcluster
from scipy.spatial.distance import pdist
from sklearn.cluster import DBSCAN
from sklearn.metrics import silhouette_score

rng = np.random.default_rng(7)
centers = rng.normal(size=(3, 4)) * 3
x = np.vstack([c + rng.normal(size=(15, 4)) * 0.6 for c in centers]).astype(np.float32)
out = {"x": x.tolist(), "agglomerative": [], "dbscan": []}
metrics = {"euclidean": "euclidean", "cosine": "cosine", "cityblock": "manhattan"}
for method in ["single", "complete", "average", "weighted", "centroid", "median", "ward"]:
    for metric in (["euclidean", "cosine", "cityblock"] if method in ("single", "complete", "average", "weighted") else ["euclidean"]):
        z = linkage(pdist(x.astype(np.float64), metric), method)
        for k in range(2, 6):
            labels = fcluster(z, k, criterion="maxclust")
            n = len(set(labels))
            s = silhouette_score(x.astype(np.float64), labels, metric=metrics[metric]) if 2 <= n <= len(x) - 1 else None
            out["agglomerative"].append({"linkage": method, "metric": metric, "k": k, "clusters": n, "silhouette": s})
for eps in [0.8, 1.0, 1.5]:
    labels = DBSCAN(eps=eps, min_samples=5).fit(x.astype(np.float64)).labels_
    keep = labels >= 0
    n = len(set(labels[keep]))
    s = silhouette_score(x[keep].astype(np.float64), labels[keep]) if 2 <= n <= keep.sum() - 1 else None
    out["dbscan"].append({"eps": eps, "clusters": n, "noise": int((~keep).sum()), "silhouette": s})
print(json.dumps(out))
