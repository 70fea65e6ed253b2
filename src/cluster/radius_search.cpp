#include "cluster/radius_search.h"

#include <algorithm>
#include <cmath>

#include "cluster/distance_blocks.h"

namespace faceatlas::cluster::detail {

NeighborLists radius_neighbors(const MatrixView& x, Metric metric, double radius, bool inclusive,
                               std::size_t block_rows) {
    const std::size_t n = x.rows;
    NeighborLists out;
    out.offsets.assign(n + 1, 0);
    if (n == 0) return out;
    // Euclidean is searched on squared distances against radius^2.
    const bool euclid = metric == Metric::kEuclidean;
    const Metric block_metric = euclid ? Metric::kSquaredEuclidean : metric;
    const double r = euclid ? radius * radius : radius;
    const std::vector<double> sq = row_sq_norms(x);
    const std::size_t br = std::min(block_rows, n);
    const std::size_t bc = std::min<std::size_t>(std::max<std::size_t>(1, (1u << 23) / br), n);
    std::vector<float> block(br * bc);
    std::vector<std::vector<std::pair<int, float>>> found(br);
    for (std::size_t r0 = 0; r0 < n; r0 += br) {
        const std::size_t nr = std::min(br, n - r0);
        for (auto& f : found) f.clear();
        for (std::size_t c0 = 0; c0 < n; c0 += bc) {
            const std::size_t nc = std::min(bc, n - c0);
            distance_block(x, r0, nr, x, c0, nc, block_metric, sq, sq, block.data());
#pragma omp parallel for schedule(dynamic, 16)
            for (long long ri = 0; ri < static_cast<long long>(nr); ++ri) {
                const auto i = static_cast<std::size_t>(ri);
                const float* row = block.data() + i * nc;
                const std::size_t self = r0 + i;
                for (std::size_t c = 0; c < nc; ++c) {
                    const std::size_t j = c0 + c;
                    if (j == self) continue;
                    const double v = row[c];
                    // Float GEMM rounding margin (relative to the norms involved).
                    double margin = 1e-6 * std::max(1.0, r);
                    if (metric == Metric::kEuclidean || metric == Metric::kSquaredEuclidean) {
                        margin += 1e-5 * (sq[self] + sq[j]);
                    } else if (metric == Metric::kCosine) {
                        margin += 1e-5;
                    } else {
                        margin += 1e-5 * std::max(v, r);
                    }
                    if (v > r + margin) continue;
                    bool keep = inclusive ? v <= r : v < r;
                    double dist = v;
                    if (v >= r - margin) {
                        const double e = distance(x.row(self), x.row(j), x.cols, metric);
                        keep = inclusive ? e <= radius : e < radius;
                        dist = euclid ? e * e : e;
                    }
                    if (keep) {
                        found[i].emplace_back(static_cast<int>(j),
                                              static_cast<float>(euclid ? std::sqrt(dist) : dist));
                    }
                }
            }
        }
        for (std::size_t i = 0; i < nr; ++i) {
            out.offsets[r0 + i + 1] = found[i].size();
            for (const auto& [j, d] : found[i]) {
                out.indices.push_back(j);
                out.distances.push_back(d);
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) out.offsets[i + 1] += out.offsets[i];
    return out;
}

}  // namespace faceatlas::cluster::detail
