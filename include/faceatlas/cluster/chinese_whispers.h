// Chinese whispers graph clustering (Biemann 2006), with dlib's semantics
// (dlib/clustering/chinese_whispers.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

// Undirected weighted edge; a == b is a self-loop (dlib's face example adds one per node).
struct WeightedEdge {
    int a = 0;
    int b = 0;
    double weight = 1.0;
};

enum class EdgeWeight {
    kUnit,    // every edge weighs 1 (dlib's face clustering example)
    kLinear,  // 1 - distance / threshold (closer pairs vote louder)
};

struct ChineseWhispersOptions {
    double threshold = 0.6;  // edge when distance < threshold (0.6: dlib face descriptors)
    int iterations = 100;    // dlib: iterations * N random node updates
    std::uint64_t seed = 0;  // RNG seed for the random node order (std::mt19937_64)
    Metric metric = Metric::kEuclidean;
    EdgeWeight weight = EdgeWeight::kUnit;
    bool self_loops = true;  // add (i, i) with weight 1, as dlib's example
    // ensures: throws faceatlas::Error unless threshold > 0 and iterations >= 1.
    void validate() const;
};

// requires: 0 <= a, b < num_nodes and weight finite for every edge (else throws).
// ensures: labels start as node ids; iterations * num_nodes times a node drawn uniformly at
//          random takes the label with the largest summed edge weight among its neighbours (ties
//          -> smallest label; a node without edges keeps its label). Labels renumbered by first
//          appearance. Same seed, same result.
Clustering chinese_whispers(const std::vector<WeightedEdge>& edges, std::size_t num_nodes,
                            int iterations, std::uint64_t seed);

// ensures: chinese whispers on the exact threshold graph of x (blocked search, memory O(edges)).
Clustering chinese_whispers(const MatrixView& x, const ChineseWhispersOptions& options);

// ensures: chinese whispers on the k-NN graph edges with distance < threshold (symmetrised),
//          memory O(N k). Equal to the exact version when no point has k neighbours below the
//          threshold.
Clustering chinese_whispers(const KnnGraph& graph, const ChineseWhispersOptions& options);

// ensures: the undirected threshold-graph edges (i < j, plus self-loops if asked) of x.
std::vector<WeightedEdge> threshold_graph(const MatrixView& x,
                                          const ChineseWhispersOptions& options);

}  // namespace faceatlas::cluster
