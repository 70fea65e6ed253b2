#include "faceatlas/cluster/knn_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cluster/distance_blocks.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void KnnOptions::validate() const {
    if (k < 1 || block_rows < 1 || block_cols < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k-NN graph: k and block sizes must be >= 1 (k = " + std::to_string(k) + ")",
                    "KnnOptions", "set k to the number of neighbours wanted per point");
    }
}

KnnGraph build_knn_graph(const MatrixView& x, const KnnOptions& options) {
    options.validate();
    check_matrix(x, "build_knn_graph");
    const std::size_t n = x.rows;
    const auto k = static_cast<std::size_t>(options.k);
    KnnGraph g;
    g.num_nodes = n;
    g.k = options.k;
    g.indices.assign(n * k, -1);
    g.distances.assign(n * k, std::numeric_limits<float>::infinity());
    if (n == 0) return g;
    // Rank Euclidean neighbours by squared distance (no sqrt per pair); sqrt the k kept.
    const Metric rank_metric =
        options.metric == Metric::kEuclidean ? Metric::kSquaredEuclidean : options.metric;
    const std::vector<double> sq = detail::row_sq_norms(x);
    const std::size_t br = std::min(options.block_rows, n);
    const std::size_t bc = std::min(options.block_cols, n);
    std::vector<float> block(br * bc);
    using Entry = std::pair<float, int>;  // (distance, index): lexicographic = tie by index
    std::vector<Entry> heaps(br * k);
    std::vector<std::size_t> heap_size(br);
    for (std::size_t r0 = 0; r0 < n; r0 += br) {
        const std::size_t nr = std::min(br, n - r0);
        std::fill(heap_size.begin(), heap_size.end(), 0);
        for (std::size_t c0 = 0; c0 < n; c0 += bc) {
            const std::size_t nc = std::min(bc, n - c0);
            detail::distance_block(x, r0, nr, x, c0, nc, rank_metric, sq, sq, block.data());
#pragma omp parallel for schedule(static)
            for (long long ri = 0; ri < static_cast<long long>(nr); ++ri) {
                const auto r = static_cast<std::size_t>(ri);
                Entry* heap = heaps.data() + r * k;
                std::size_t& hs = heap_size[r];
                const float* row = block.data() + r * nc;
                const std::size_t self = r0 + r;
                for (std::size_t c = 0; c < nc; ++c) {
                    const std::size_t j = c0 + c;
                    if (j == self) continue;
                    const Entry e{row[c], static_cast<int>(j)};
                    if (hs < k) {
                        heap[hs++] = e;
                        std::push_heap(heap, heap + hs);
                    } else if (e < heap[0]) {
                        std::pop_heap(heap, heap + k);
                        heap[k - 1] = e;
                        std::push_heap(heap, heap + k);
                    }
                }
            }
        }
        for (std::size_t r = 0; r < nr; ++r) {
            Entry* heap = heaps.data() + r * k;
            const std::size_t hs = heap_size[r];
            std::sort_heap(heap, heap + hs);
            for (std::size_t t = 0; t < hs; ++t) {
                const std::size_t at = (r0 + r) * k + t;
                g.indices[at] = heap[t].second;
                g.distances[at] = options.metric == Metric::kEuclidean ? std::sqrt(heap[t].first)
                                                                        : heap[t].first;
            }
        }
    }
    return g;
}

}  // namespace faceatlas::cluster
