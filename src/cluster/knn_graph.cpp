#include "faceatlas/cluster/knn_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "cluster/distance_blocks.h"
#include "faceatlas/cluster/vector_index.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void KnnOptions::validate() const {
    if (k < 1 || block_rows < 1 || block_cols < 1 || nprobe < 1 || ef_search < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k-NN graph: k and block sizes must be >= 1 (k = " + std::to_string(k) + ")",
                    "KnnOptions", "set k to the number of neighbours wanted per point");
    }
}

namespace {

// n nodes with k empty neighbour slots each (index -1, distance +inf).
KnnGraph empty_knn_graph(std::size_t n, int k) {
    KnnGraph g;
    g.num_nodes = n;
    g.k = k;
    g.indices.assign(n * static_cast<std::size_t>(k), -1);
    g.distances.assign(n * static_cast<std::size_t>(k), std::numeric_limits<float>::infinity());
    return g;
}

bool faiss_metric(Metric m) {
    return m == Metric::kEuclidean || m == Metric::kSquaredEuclidean || m == Metric::kCosine;
}

// Approximate graph: index every row under its row number, ask for k + 1 neighbours, drop self
// (or, when the index missed it, the farthest), in query batches to bound scratch memory.
KnnGraph build_knn_graph_faiss(const MatrixView& x, const KnnOptions& options, KnnMethod method) {
    if (!faiss_metric(options.metric)) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string("approximate k-NN graph: metric ") + to_string(options.metric) +
                        " is not supported",
                    "KnnOptions", "use euclidean, sqeuclidean or cosine, or KnnMethod::kExact");
    }
    const std::size_t n = x.rows;
    const auto k = static_cast<std::size_t>(options.k);
    KnnGraph g = empty_knn_graph(n, options.k);
    if (n == 0) return g;
    VectorIndexOptions vo;
    vo.kind = method == KnnMethod::kHnsw ? IndexKind::kHnsw : IndexKind::kIvfFlat;
    vo.metric = options.metric == Metric::kCosine ? Metric::kCosine : Metric::kEuclidean;
    vo.nprobe = options.nprobe;
    vo.hnsw_ef_search = options.ef_search;
    vo.seed = options.seed;
    VectorIndex index(x.cols, vo);
    {
        std::vector<std::int64_t> ids(n);
        std::iota(ids.begin(), ids.end(), std::int64_t{0});
        index.add(x, ids);
    }
    const std::size_t kq = k + 1;
    const std::size_t batch = 16384;
    std::vector<std::int64_t> ids(batch * kq);
    std::vector<float> dist(batch * kq);
    for (std::size_t r0 = 0; r0 < n; r0 += batch) {
        const std::size_t nr = std::min(batch, n - r0);
        index.search(MatrixView{x.row(r0), nr, x.cols}, static_cast<int>(kq), ids.data(),
                     dist.data());
        for (std::size_t r = 0; r < nr; ++r) {
            const auto self = static_cast<std::int64_t>(r0 + r);
            std::size_t m = 0;
            for (std::size_t t = 0; t < kq && m < k; ++t) {
                const std::int64_t j = ids[r * kq + t];
                if (j < 0 || j == self) continue;
                float d = dist[r * kq + t];
                if (options.metric == Metric::kSquaredEuclidean) d *= d;
                g.indices[(r0 + r) * k + m] = static_cast<int>(j);
                g.distances[(r0 + r) * k + m] = d;
                ++m;
            }
        }
    }
    return g;
}

}  // namespace

KnnMethod resolve_knn_method(const KnnOptions& options, std::size_t n) {
    if (options.method != KnnMethod::kAuto) return options.method;
    if (n >= options.approximate_min_rows && VectorIndex::available() &&
        faiss_metric(options.metric)) {
        return KnnMethod::kIvf;
    }
    return KnnMethod::kExact;
}

KnnGraph build_knn_graph(const MatrixView& x, const KnnOptions& options) {
    options.validate();
    check_matrix(x, "build_knn_graph");
    const KnnMethod method = resolve_knn_method(options, x.rows);
    if (method != KnnMethod::kExact) return build_knn_graph_faiss(x, options, method);
    const std::size_t n = x.rows;
    const auto k = static_cast<std::size_t>(options.k);
    KnnGraph g = empty_knn_graph(n, options.k);
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
                g.distances[at] =
                    options.metric == Metric::kEuclidean ? std::sqrt(heap[t].first) : heap[t].first;
            }
        }
    }
    return g;
}

}  // namespace faceatlas::cluster
