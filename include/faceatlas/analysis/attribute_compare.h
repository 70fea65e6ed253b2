// Which clustering of the attribute vectors is best? For every k in [k_min, k_max]: k-means,
// agglomerative clustering with every valid linkage x metric pair, and DBSCAN, each scored by
// the mean silhouette (eval::silhouette) in the metric it clustered with.
//
// analysis/ is the one module allowed to use both cluster/ and eval/ (cluster/ never depends on
// eval/). No OpenCV, no catalog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/cluster/matrix.h"

namespace faceatlas::analysis {

struct AttributeCompareOptions {
    int k_min = 2;
    int k_max = 20;
    int kmeans_n_init = 10;
    std::uint64_t seed = 0;
    bool agglomerative = true;
    bool dbscan = true;
    int dbscan_min_samples = 5;
    // DBSCAN has no k: it runs over `dbscan_eps_steps` eps values spread between the 2nd and
    // 98th percentile of the distances to the min_samples-th neighbour; for each k the eps whose
    // run found exactly k clusters (best silhouette if several) is reported, none if no eps did.
    int dbscan_eps_steps = 40;
    std::vector<double> dbscan_eps;  // explicit eps values instead of the percentile grid
    // Faces beyond this are subsampled (seeded, uniformly) before anything runs: the
    // agglomerative methods need N^2 / 2 floats per metric.
    std::size_t max_rows = 8000;
    // ensures: throws faceatlas::Error unless 2 <= k_min <= k_max, n_init >= 1,
    //          min_samples >= 1, eps_steps >= 1, max_rows >= 3.
    void validate() const;
};

struct AttributeCompareEntry {
    std::string algorithm;             // "kmeans", "agglomerative", "dbscan"
    std::string linkage;               // agglomerative: scipy method name; else ""
    std::string metric;                // "euclidean", "cosine", "cityblock"
    int k = 0;                         // requested number of clusters
    int clusters = 0;                  // clusters found (may be < k for agglomerative ties)
    std::optional<double> silhouette;  // none when undefined (fewer than 2 clusters)
    std::optional<double> eps;         // dbscan only
    std::size_t noise = 0;             // dbscan: points labelled noise (excluded from silhouette)
};

struct AttributeCompareResult {
    std::size_t rows = 0;  // faces clustered (after subsampling)
    bool sampled = false;
    std::vector<AttributeCompareEntry> entries;  // by k, then algorithm, linkage, metric
};

// requires: x finite with x.rows >= 3; options valid (else throws faceatlas::Error).
// ensures: see above; k values above x.rows - 1 are skipped (silhouette needs k < N).
AttributeCompareResult compare_attribute_clusterings(const cluster::MatrixView& x,
                                                     const AttributeCompareOptions& options);

}  // namespace faceatlas::analysis
