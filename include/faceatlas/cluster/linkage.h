// Agglomerative hierarchical clustering (Müllner, "Modern hierarchical, agglomerative clustering
// algorithms", arXiv:1109.2378), producing scipy.cluster.hierarchy.linkage-compatible output.
//
// Algorithms (as in scipy/fastcluster):
//   single                       Prim's MST on the condensed matrix, O(N^2) time, O(N) extra.
//   complete, average, weighted,
//   ward                         nearest-neighbour chain, O(N^2) time, in place on the matrix.
//   centroid, median             generic algorithm (not reducible), O(N^2) typical, O(N^3) worst.
// Memory: the condensed matrix (4 bytes per pair, float) + O(N); Lance-Williams updates are
// evaluated in double and stored as float.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class LinkageMethod {
    kSingle,    // min pair distance
    kComplete,  // max pair distance
    kAverage,   // UPGMA: mean pair distance
    kWeighted,  // WPGMA: (d(x,i) + d(y,i)) / 2
    kCentroid,  // UPGMC: distance between centroids (Euclidean input only)
    kMedian,    // WPGMC (Euclidean input only)
    kWard,      // Ward's minimum variance, scipy's (non-squared) scale (Euclidean input only)
};

const char* to_string(LinkageMethod method);
// ensures: parses scipy's method names; anything else throws faceatlas::Error.
LinkageMethod linkage_method_from_string(std::string_view name);

// One merge, as one row of scipy's linkage matrix Z. Node ids: 0..N-1 are observations, N + i is
// the cluster made by step i.
struct LinkageStep {
    int a = 0;            // smaller node id
    int b = 0;            // larger node id
    double distance = 0;  // merge height
    int size = 0;         // observations under the new node
};

// A dendrogram: N - 1 steps in scipy's order (sorted by height for single/complete/average/
// weighted/ward; in merge order for centroid/median, whose heights need not be monotone).
struct Linkage {
    std::size_t num_observations = 0;
    std::vector<LinkageStep> steps;
};

struct LinkageOptions {
    LinkageMethod method = LinkageMethod::kAverage;  // default: UPGMA
    Metric metric = Metric::kEuclidean;              // used when clustering raw vectors
    // ensures: throws faceatlas::Error when centroid/median/ward is paired with a non-Euclidean
    //          metric (scipy raises the same).
    void validate() const;
};

// requires: x finite (NaN/Inf throws faceatlas::Error); options.validate() passes.
// ensures: result.num_observations == x.rows, result.steps.size() == max(x.rows, 1) - 1, equal
//          to scipy.cluster.hierarchy.linkage(x, method, metric) up to ties and float rounding.
//          N == 0 returns an empty Linkage; N == 1 one with no steps.
Linkage linkage(const MatrixView& x, const LinkageOptions& options);

// Clusters a precomputed condensed distance matrix (e.g. composite distances built by the
// caller). Pass an rvalue (std::move) to avoid a copy: the algorithms work in place.
// requires: distances hold no NaN (CondensedMatrix guarantees it; +inf is allowed).
// ensures: as scipy.cluster.hierarchy.linkage(y, method) for the condensed y.
Linkage linkage(CondensedMatrix distances, LinkageMethod method);

// ensures: for each observation pair the cophenetic distance (height of the first merge that
//          joins them), condensed, as scipy's cophenet. Used to compare dendrograms under ties.
CondensedMatrix cophenetic_distances(const Linkage& tree);

}  // namespace faceatlas::cluster
