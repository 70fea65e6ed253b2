// k-means: k-means++ seeding (Arthur & Vassilvitskii 2007, scikit-learn's greedy variant with
// 2 + floor(ln k) local trials) and Lloyd iterations with GEMM distances.
#pragma once

#include <cstdint>
#include <random>

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

struct KMeansOptions {
    int k = 8;               // clusters
    int n_init = 10;         // restarts with different seeds; the lowest inertia wins
    int max_iter = 300;      // Lloyd iterations per restart
    double tol = 1e-4;       // stop when the centre shift^2 sum <= tol * mean feature variance
    std::uint64_t seed = 0;  // RNG seed (std::mt19937_64)
    // ensures: throws faceatlas::Error unless k >= 1, n_init >= 1, max_iter >= 1, tol >= 0.
    void validate() const;
};

struct KMeansResult {
    Clustering clustering;  // labels 0..k-1, in the order of `centers` rows
    Matrix centers;         // k x d
    double inertia = 0;     // sum of squared distances to the assigned centre
    int iterations = 0;     // Lloyd iterations of the winning restart
};

// requires: x finite, options valid, k <= x.rows (else throws faceatlas::Error).
// ensures: the best of n_init runs (k-means++ seeding, Lloyd until tol or max_iter); labels are
//          consistent with the returned centres; an emptied cluster is re-seeded with the point
//          farthest from its centre (as sklearn).
KMeansResult kmeans(const MatrixView& x, const KMeansOptions& options);

// requires: 1 <= k <= x.rows.
// ensures: k centres chosen by greedy k-means++ (first centre uniform; then 2 + floor(ln k)
//          candidates drawn proportionally to D^2, keeping the one that lowers the potential
//          most). Deterministic for a given rng state.
Matrix kmeans_plusplus(const MatrixView& x, int k, std::mt19937_64& rng);

}  // namespace faceatlas::cluster
