#include "faceatlas/eval/silhouette.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

constexpr const char* kContext = "silhouette";

// Scored rows and their dense cluster ids after noise handling.
struct Plan {
    std::vector<std::size_t> rows;  // original row index per scored item
    std::vector<int> cluster;       // dense cluster id per scored item
    std::vector<double> sizes;      // members per cluster
};

Plan make_plan(const std::vector<int>& labels, const SilhouetteOptions& o) {
    Plan p;
    std::vector<int> kept;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (o.noise == NoiseHandling::kExclude && labels[i] == o.noise_label) continue;
        p.rows.push_back(i);
        kept.push_back(labels[i]);
    }
    if (o.noise == NoiseHandling::kSingletons) {
        int next = 0;
        for (int v : kept) next = std::max(next, v + 1);
        for (int& v : kept) {
            if (v == o.noise_label) v = next++;
        }
    }
    std::size_t k = 0;
    p.cluster = densify_labels(kept, &k);
    p.sizes.assign(k, 0.0);
    for (int c : p.cluster) p.sizes[static_cast<std::size_t>(c)] += 1.0;
    if (k < 2 || k + 1 > p.rows.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "number of clusters is " + std::to_string(k) + " for " +
                        std::to_string(p.rows.size()) +
                        " scored items; valid values are 2 to n_items - 1",
                    kContext, "the silhouette is undefined for one cluster or all singletons");
    }
    return p;
}

// Runs the blocked O(N^2) pass. dist(a, b) takes positions in plan.rows.
template <typename Dist>
SilhouetteResult run(const Plan& plan, std::size_t n_rows, const SilhouetteOptions& o,
                     const Dist& dist) {
    const std::size_t n = plan.rows.size();
    const std::size_t k = plan.sizes.size();
    const std::size_t block = o.block_rows;
    const std::size_t n_blocks = (n + block - 1) / block;
    std::vector<double> sil(n, 0.0);
    std::atomic<std::size_t> next_block{0};

    auto worker = [&]() {
        std::vector<double> sums(block * k);
        for (std::size_t b = next_block++; b < n_blocks; b = next_block++) {
            const std::size_t i0 = b * block;
            const std::size_t i1 = std::min(n, i0 + block);
            std::fill(sums.begin(), sums.end(), 0.0);
            // Tiles of j keep a few rows hot in cache while every row of the block visits them.
            constexpr std::size_t kTile = 32;
            for (std::size_t j0 = 0; j0 < n; j0 += kTile) {
                const std::size_t j1 = std::min(n, j0 + kTile);
                for (std::size_t i = i0; i < i1; ++i) {
                    double* row_sums = &sums[(i - i0) * k];
                    for (std::size_t j = j0; j < j1; ++j) {
                        if (j == i) continue;
                        row_sums[static_cast<std::size_t>(plan.cluster[j])] += dist(i, j);
                    }
                }
            }
            for (std::size_t i = i0; i < i1; ++i) {
                const double* row_sums = &sums[(i - i0) * k];
                const auto own = static_cast<std::size_t>(plan.cluster[i]);
                if (plan.sizes[own] <= 1.0) {
                    sil[i] = 0.0;  // sklearn: 0/0 intra distance -> nan_to_num -> 0
                    continue;
                }
                const double intra = row_sums[own] / (plan.sizes[own] - 1.0);
                double inter = std::numeric_limits<double>::infinity();
                for (std::size_t c = 0; c < k; ++c) {
                    if (c != own) inter = std::min(inter, row_sums[c] / plan.sizes[c]);
                }
                const double denom = std::max(intra, inter);
                sil[i] = denom > 0.0 ? (inter - intra) / denom : 0.0;
            }
        }
    };

    unsigned threads = o.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                      : static_cast<unsigned>(o.threads);
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, n_blocks));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();

    SilhouetteResult r;
    r.samples.assign(n_rows, std::numeric_limits<double>::quiet_NaN());
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        r.samples[plan.rows[i]] = sil[i];
        sum += sil[i];
    }
    r.score = sum / static_cast<double>(n);
    r.n_scored = n;
    r.n_clusters = k;
    return r;
}

// sum_c f(a[c], b[c]) in double with eight independent partial sums: without -ffast-math the
// compiler may not reorder one running sum, and the dependency chain would cap the speed at
// one element per add latency. Eight chains let it pipeline and pair them into SIMD registers.
template <typename T, typename F>
inline double reduce8(const T* a, const T* b, std::size_t n, F f) {
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        for (std::size_t k = 0; k < 8; ++k) {
            acc[k] += f(static_cast<double>(a[c + k]), static_cast<double>(b[c + k]));
        }
    }
    for (; c < n; ++c) acc[0] += f(static_cast<double>(a[c]), static_cast<double>(b[c]));
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

template <typename T>
SilhouetteResult silhouette_rows(std::span<const T> data, std::size_t rows, std::size_t cols,
                                 const std::vector<int>& labels, const SilhouetteOptions& o) {
    o.validate();
    if (data.size() != rows * cols || labels.size() != rows || cols == 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "data has " + std::to_string(data.size()) + " values for " +
                        std::to_string(rows) + " x " + std::to_string(cols) + " and " +
                        std::to_string(labels.size()) + " labels",
                    kContext, "pass rows*cols values (cols > 0) and one label per row");
    }
    for (T v : data) {
        if (!std::isfinite(static_cast<double>(v))) {
            throw Error(ErrorCode::kInvalidArgument, "data contains NaN or infinity", kContext,
                        "drop or repair non-finite embeddings first");
        }
    }
    const Plan plan = make_plan(labels, o);
    const std::size_t n = plan.rows.size();
    auto row = [&](std::size_t i) { return data.data() + plan.rows[i] * cols; };

    switch (o.metric) {
        case DistanceMetric::kEuclidean:
            return run(plan, rows, o, [&](std::size_t i, std::size_t j) {
                return std::sqrt(reduce8(row(i), row(j), cols, [](double a, double b) {
                    const double d = a - b;
                    return d * d;
                }));
            });
        case DistanceMetric::kManhattan:
            return run(plan, rows, o, [&](std::size_t i, std::size_t j) {
                return reduce8(row(i), row(j), cols,
                               [](double a, double b) { return std::abs(a - b); });
            });
        case DistanceMetric::kCosine: {
            std::vector<double> inv_norm(n, 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                const double s =
                    reduce8(row(i), row(i), cols, [](double a, double b) { return a * b; });
                inv_norm[i] = s > 0.0 ? 1.0 / std::sqrt(s) : 0.0;
            }
            return run(plan, rows, o, [&](std::size_t i, std::size_t j) {
                const double s =
                    reduce8(row(i), row(j), cols, [](double a, double b) { return a * b; });
                return std::clamp(1.0 - s * inv_norm[i] * inv_norm[j], 0.0, 2.0);
            });
        }
    }
    throw Error(ErrorCode::kInternal, "unknown distance metric", kContext);
}

}  // namespace

void SilhouetteOptions::validate() const {
    if (block_rows == 0) {
        throw Error(ErrorCode::kInvalidArgument, "block_rows must be >= 1", kContext,
                    "use the default 64");
    }
    if (threads < 0) {
        throw Error(ErrorCode::kInvalidArgument, "threads must be >= 0", kContext,
                    "0 means one per hardware thread");
    }
}

SilhouetteResult silhouette(std::span<const float> data, std::size_t rows, std::size_t cols,
                            const std::vector<int>& labels, const SilhouetteOptions& options) {
    return silhouette_rows(data, rows, cols, labels, options);
}

SilhouetteResult silhouette(std::span<const double> data, std::size_t rows, std::size_t cols,
                            const std::vector<int>& labels, const SilhouetteOptions& options) {
    return silhouette_rows(data, rows, cols, labels, options);
}

SilhouetteResult silhouette(const DistanceFn& distance, std::size_t rows,
                            const std::vector<int>& labels, const SilhouetteOptions& options) {
    options.validate();
    if (labels.size() != rows || !distance) {
        throw Error(ErrorCode::kInvalidArgument, "need one label per row and a distance function",
                    kContext, "labels.size() must equal rows");
    }
    const Plan plan = make_plan(labels, options);
    return run(plan, rows, options,
               [&](std::size_t i, std::size_t j) { return distance(plan.rows[i], plan.rows[j]); });
}

}  // namespace faceatlas::eval
