// DBSCAN (Ester et al. 1996) with scikit-learn's semantics.
#pragma once

#include <cstddef>

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

struct DbscanOptions {
    double eps = 0.5;     // neighbourhood radius: neighbours have distance <= eps
    int min_samples = 5;  // a core point has >= min_samples neighbours, itself included
    Metric metric = Metric::kEuclidean;
    std::size_t block_rows = 2048;  // radius search block (query rows per GEMM)
    // ensures: throws faceatlas::Error unless eps > 0 (and finite), min_samples >= 1,
    //          block_rows >= 1.
    void validate() const;
};

// requires: x finite; options valid (else throws faceatlas::Error).
// ensures: sklearn.cluster.DBSCAN(eps, min_samples, metric).fit(x).labels_: clusters are grown
//          from core points in increasing index order; a border point joins the first cluster
//          that reaches it; noise is kNoise. Neighbours by exact blocked search (GEMM, then
//          candidates within 1e-4 relative of eps re-checked in double). Memory: the total
//          number of eps-neighbour pairs (like sklearn).
Clustering dbscan(const MatrixView& x, const DbscanOptions& options);

// requires: graph built with the same metric; options valid.
// ensures: DBSCAN where each point's neighbourhood is the part of its k-NN list within eps,
//          symmetrised (a in N(b) <=> b in N(a)). Equal to the exact result when every point
//          has fewer than k neighbours within eps; otherwise an approximation (core status is
//          still exact when k >= min_samples - 1). Memory O(N k).
Clustering dbscan(const KnnGraph& graph, const DbscanOptions& options);

}  // namespace faceatlas::cluster
