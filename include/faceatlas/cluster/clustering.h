// The typed result every flat clustering algorithm returns, and label-permutation-invariant
// comparisons (clusterings are equal when they group the same points, whatever the numbering).
#pragma once

#include <cstddef>
#include <vector>

namespace faceatlas::cluster {

// Label of points that belong to no cluster (DBSCAN noise, rank-order "un-grouped").
inline constexpr int kNoise = -1;

struct Clustering {
    // labels[i] in [0, num_clusters) or kNoise.
    std::vector<int> labels;
    int num_clusters = 0;

    std::size_t size() const { return labels.size(); }
    // Number of points labelled kNoise.
    std::size_t num_noise() const;
    // members()[c] lists the points of cluster c in increasing index order.
    std::vector<std::vector<int>> members() const;
};

// ensures: returns a Clustering whose labels are `labels` renumbered 0, 1, 2, ... in order of
//          first appearance (negative labels become kNoise); num_clusters = distinct non-noise
//          labels. Two labelings of the same partition give identical results.
Clustering make_clustering(const std::vector<int>& labels);

// requires: a.size() == b.size() (else throws faceatlas::Error).
// ensures: true iff there is a bijection between the label values of a and b mapping a[i] to
//          b[i] for every i, with kNoise mapped to kNoise (noise must match exactly).
bool same_partition(const std::vector<int>& a, const std::vector<int>& b);

// requires: a.size() == b.size() (else throws faceatlas::Error).
// ensures: the adjusted Rand index (Hubert & Arabie 1985) as in sklearn's
//          adjusted_rand_score; kNoise is treated as one ordinary label. 1.0 for identical
//          partitions (and for two single-cluster / all-singleton partitions).
double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace faceatlas::cluster
