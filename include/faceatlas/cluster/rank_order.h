// Rank-order clustering for faces:
//   exact:       Zhu, Wen & Sun, "A rank-order distance based clustering algorithm for face
//                tagging", CVPR 2011 (iterative cluster-level merging).
//   approximate: Otto, Wang & Jain, "Clustering millions of faces by identity", TPAMI 2018
//                (one pass over a top-k nearest-neighbour list).
#pragma once

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

struct RankOrderOptions {
    // t: clusters merge when the symmetric rank-order distance D^R < threshold ...
    double threshold = 14.0;
    // ... and the normalised distance D^N = d(Ci,Cj) / phi(Ci,Cj) < normalized_threshold (1 in
    // the paper), phi being the mean distance of the members to their `norm_neighbors` nearest
    // faces.
    double normalized_threshold = 1.0;
    int norm_neighbors = 9;
    Metric metric = Metric::kEuclidean;
    int max_iterations = 100;          // merge rounds; the loop stops earlier when nothing merges
    bool singletons_are_noise = true;  // the paper's "un-grouped" cluster -> kNoise
    // ensures: throws faceatlas::Error unless threshold > 0, normalized_threshold > 0,
    //          norm_neighbors >= 1, max_iterations >= 1.
    void validate() const;
};

// requires: x finite; options valid (else throws faceatlas::Error).
// ensures: Zhu et al.'s Algorithm 1: start from singletons; each round, every cluster pair with
//          D^R < threshold and D^N < normalized_threshold is a candidate; candidates are merged
//          transitively; cluster distance = closest member pair; repeat until no merge. Faces
//          left alone are kNoise (the paper's "un-grouped" cluster).
//          Exact: ranks come from full cluster-level orders (only the top
//          max(2t, t^2/4) + 1 entries are needed, provably). Memory: N^2 floats (dense
//          distance matrix), so meant for N up to ~20k.
Clustering rank_order_cluster(const MatrixView& x, const RankOrderOptions& options);

struct ApproxRankOrderOptions {
    // Merge a pair (a, b) when b is in a's top-k list and D_m(a, b) < threshold.
    double threshold = 1.6;
    bool singletons_are_noise = true;  // points merged with nobody -> kNoise
    // ensures: throws faceatlas::Error unless threshold > 0.
    void validate() const;
};

// requires: graph from build_knn_graph (k = the paper's top-k; Otto et al. use ~200).
// ensures: Otto et al.'s approximate rank-order clustering: with O_a(b) the rank of b in a's list
//          (a itself is rank 0, absent = k + 1) and f_a(i) a's i-th neighbour,
//          d_m(a,b) = sum_{i=0}^{min(O_a(b), k)} [f_a(i) not in b's top-k list],
//          D_m(a,b) = (d_m(a,b) + d_m(b,a)) / min(O_a(b), O_b(a)); pairs below threshold are
//          merged transitively (one pass). Singletons are kNoise. Memory O(N k).
Clustering approximate_rank_order_cluster(const KnnGraph& graph,
                                          const ApproxRankOrderOptions& options);

}  // namespace faceatlas::cluster
