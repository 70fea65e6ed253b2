// Exact k-nearest-neighbour graph in O(N * k) memory (blocked GEMM distances, O(N^2 d) time).
// Rank-order, DBSCAN and chinese whispers use it at scales where N^2 memory is impossible.
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

struct KnnGraph {
    std::size_t num_nodes = 0;
    int k = 0;
    // Row i (k entries): the k nearest other points of i by (distance, index), ascending. The
    // point itself is never listed. Rows are padded with index -1 / distance +inf when N - 1 < k.
    std::vector<int> indices;
    std::vector<float> distances;

    const int* neighbors(std::size_t i) const { return indices.data() + i * k; }
    const float* neighbor_distances(std::size_t i) const { return distances.data() + i * k; }
};

struct KnnOptions {
    int k = 10;                          // neighbours per point (self excluded)
    Metric metric = Metric::kEuclidean;
    std::size_t block_rows = 2048;       // query rows per GEMM block
    std::size_t block_cols = 8192;       // database rows per GEMM block (scratch = rows*cols*4 B)
    // ensures: throws faceatlas::Error unless k >= 1 and both block sizes >= 1.
    void validate() const;
};

// requires: x finite (else throws faceatlas::Error); options valid.
// ensures: the exact k-NN graph (distances in float; ordering ties broken by smaller index).
//          Memory: N*k*(4+4) bytes + block_rows*block_cols*4 bytes scratch.
KnnGraph build_knn_graph(const MatrixView& x, const KnnOptions& options);

}  // namespace faceatlas::cluster
