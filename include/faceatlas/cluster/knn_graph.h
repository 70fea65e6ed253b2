// k-nearest-neighbour graph in O(N * k) memory: exact (blocked GEMM distances, O(N^2 d) time)
// or, for large N, approximate through a FAISS index (IVF-flat or HNSW, vector_index.h).
// Rank-order, DBSCAN and chinese whispers use it at scales where N^2 memory is impossible.
#pragma once

#include <cstddef>
#include <cstdint>
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

enum class KnnMethod {
    kAuto,   // exact below approximate_min_rows, kIvf at or above (when built with FAISS and the
             // metric is Euclidean, squared Euclidean or cosine; otherwise exact)
    kExact,  // blocked GEMM, O(N^2 d)
    kIvf,    // FAISS IVF-flat: 4 sqrt(N) lists, `nprobe` probed per query
    kHnsw,   // FAISS HNSW (M = 32, efSearch = max(ef_search, k + 1)); non-deterministic build
};

struct KnnOptions {
    int k = 10;  // neighbours per point (self excluded)
    Metric metric = Metric::kEuclidean;
    std::size_t block_rows = 2048;  // query rows per GEMM block
    std::size_t block_cols = 8192;  // database rows per GEMM block (scratch = rows*cols*4 B)
    KnnMethod method = KnnMethod::kAuto;
    std::size_t approximate_min_rows = 200000;  // kAuto switches to kIvf from this N on
    int nprobe = 16;                            // kIvf: lists probed per query (recall vs. time)
    int ef_search = 64;                         // kHnsw: search beam
    std::uint64_t seed = 0;                     // kIvf: seeds the coarse k-means
    // ensures: throws faceatlas::Error unless k >= 1, both block sizes >= 1, nprobe >= 1 and
    //          ef_search >= 1.
    void validate() const;
};

// ensures: the method build_knn_graph will use for n rows (kAuto resolved).
KnnMethod resolve_knn_method(const KnnOptions& options, std::size_t n);

// requires: x finite (else throws faceatlas::Error); options valid; kIvf/kHnsw need a FAISS
//           build (else throws kUnsupported) and a Euclidean/squared Euclidean/cosine metric.
// ensures: kExact: the exact k-NN graph (distances in float; ordering ties broken by smaller
//          index). Memory: N*k*(4+4) bytes + block_rows*block_cols*4 bytes scratch.
//          kIvf/kHnsw: an approximate graph with the same layout (rows sorted by (distance,
//          index), self excluded); memory: the index (N*d*4 bytes + ids) + N*k*8 bytes.
KnnGraph build_knn_graph(const MatrixView& x, const KnnOptions& options);

}  // namespace faceatlas::cluster
