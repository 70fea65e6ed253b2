#include "faceatlas/cluster/kmeans.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "cluster/distance_blocks.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void KMeansOptions::validate() const {
    if (k < 1 || n_init < 1 || max_iter < 1 || !(tol >= 0)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k-means: need k >= 1, n_init >= 1, max_iter >= 1, tol >= 0 (k = " +
                        std::to_string(k) + ")",
                    "KMeansOptions", "fix the option values");
    }
}

namespace {

// Squared distances of `n_query` rows of q to every row of x, into out (n_query x n).
void sq_dist_to_all(const MatrixView& q, const std::vector<double>& q_sq, const MatrixView& x,
                    const std::vector<double>& x_sq, std::vector<float>& out) {
    out.resize(q.rows * x.rows);
    detail::distance_block(q, 0, q.rows, x, 0, x.rows, Metric::kSquaredEuclidean, q_sq, x_sq,
                           out.data());
}

double sq_dist(const float* a, const float* b, std::size_t d) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) {
        const double t = static_cast<double>(a[j]) - b[j];
        s += t * t;
    }
    return s;
}

// Assigns each point to its nearest centre (GEMM, in row chunks). Returns per-point squared
// distance to the assigned centre (float GEMM value).
void assign(const MatrixView& x, const std::vector<double>& x_sq, const Matrix& centers,
            std::vector<int>& labels, std::vector<float>& dist) {
    const std::size_t n = x.rows;
    const std::size_t k = centers.rows();
    const std::vector<double> c_sq = detail::row_sq_norms(centers);
    const std::size_t chunk = std::max<std::size_t>(1, (1u << 22) / std::max<std::size_t>(k, 1));
    std::vector<float> block;
    for (std::size_t r0 = 0; r0 < n; r0 += chunk) {
        const std::size_t nr = std::min(chunk, n - r0);
        block.resize(nr * k);
        detail::distance_block(x, r0, nr, centers, 0, k, Metric::kSquaredEuclidean, x_sq, c_sq,
                               block.data());
#pragma omp parallel for schedule(static)
        for (long long ri = 0; ri < static_cast<long long>(nr); ++ri) {
            const auto r = static_cast<std::size_t>(ri);
            const float* row = block.data() + r * k;
            std::size_t best = 0;
            for (std::size_t c = 1; c < k; ++c) {
                if (row[c] < row[best]) best = c;
            }
            labels[r0 + r] = static_cast<int>(best);
            dist[r0 + r] = row[best];
        }
    }
}

struct Run {
    Matrix centers;
    std::vector<int> labels;
    double inertia = std::numeric_limits<double>::infinity();
    int iterations = 0;
};

Run lloyd(const MatrixView& x, const std::vector<double>& x_sq, Matrix centers, int max_iter,
          double tol_abs) {
    const std::size_t n = x.rows;
    const std::size_t d = x.cols;
    const std::size_t k = centers.rows();
    Run run;
    std::vector<int> labels(n, -1);
    std::vector<int> old_labels(n, -1);
    std::vector<float> dist(n);
    std::vector<double> sums(k * d);
    std::vector<std::size_t> counts(k);
    bool strict = false;
    int it = 0;
    for (; it < max_iter; ++it) {
        assign(x, x_sq, centers, labels, dist);
        std::fill(sums.begin(), sums.end(), 0.0);
        std::fill(counts.begin(), counts.end(), 0);
        for (std::size_t i = 0; i < n; ++i) {
            const auto c = static_cast<std::size_t>(labels[i]);
            ++counts[c];
            const float* r = x.row(i);
            double* s = sums.data() + c * d;
            for (std::size_t j = 0; j < d; ++j) s[j] += r[j];
        }
        // Empty clusters take the points farthest from their centres (as sklearn).
        std::vector<std::size_t> empty;
        for (std::size_t c = 0; c < k; ++c) {
            if (counts[c] == 0) empty.push_back(c);
        }
        if (!empty.empty()) {
            std::vector<std::size_t> order(n);
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + static_cast<long>(empty.size()),
                              order.end(),
                              [&](std::size_t a, std::size_t b) { return dist[a] > dist[b]; });
            for (std::size_t e = 0; e < empty.size(); ++e) {
                const std::size_t i = order[e];
                const auto old = static_cast<std::size_t>(labels[i]);
                const std::size_t c = empty[e];
                const float* r = x.row(i);
                for (std::size_t j = 0; j < d; ++j) {
                    sums[old * d + j] -= r[j];
                    sums[c * d + j] = r[j];
                }
                --counts[old];
                counts[c] = 1;
                labels[i] = static_cast<int>(c);
            }
        }
        double shift = 0;
        for (std::size_t c = 0; c < k; ++c) {
            if (counts[c] == 0) continue;
            float* cr = centers.row(c);
            for (std::size_t j = 0; j < d; ++j) {
                const double v = sums[c * d + j] / static_cast<double>(counts[c]);
                shift += (v - cr[j]) * (v - cr[j]);
                cr[j] = static_cast<float>(v);
            }
        }
        if (labels == old_labels) {
            strict = true;
            ++it;
            break;
        }
        if (shift <= tol_abs) {
            ++it;
            break;
        }
        old_labels = labels;
    }
    if (!strict) assign(x, x_sq, centers, labels, dist);  // labels consistent with centres
    run.inertia = 0;
    for (std::size_t i = 0; i < n; ++i) {
        run.inertia += sq_dist(x.row(i), centers.row(static_cast<std::size_t>(labels[i])), d);
    }
    run.centers = std::move(centers);
    run.labels = std::move(labels);
    run.iterations = std::min(it, max_iter);
    return run;
}

}  // namespace

Matrix kmeans_plusplus(const MatrixView& x, int k, std::mt19937_64& rng) {
    check_matrix(x, "kmeans_plusplus");
    if (k < 1 || static_cast<std::size_t>(k) > x.rows) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k-means++: k = " + std::to_string(k) + " but there are " +
                        std::to_string(x.rows) + " points",
                    "kmeans_plusplus", "use 1 <= k <= number of points");
    }
    const std::size_t n = x.rows;
    const std::size_t d = x.cols;
    const auto kk = static_cast<std::size_t>(k);
    const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
    const std::vector<double> x_sq = detail::row_sq_norms(x);
    Matrix centers(kk, d);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::size_t first = pick(rng);
    std::copy(x.row(first), x.row(first) + d, centers.row(0));
    std::vector<double> closest(n);
    std::vector<float> dist;
    sq_dist_to_all({x.row(first), 1, d}, {x_sq[first]}, x, x_sq, dist);
    for (std::size_t i = 0; i < n; ++i) closest[i] = dist[i];
    double pot = std::accumulate(closest.begin(), closest.end(), 0.0);
    std::vector<double> cumsum(n);
    Matrix cand(static_cast<std::size_t>(trials), d);
    std::vector<double> cand_sq(static_cast<std::size_t>(trials));
    std::vector<std::size_t> cand_ids(static_cast<std::size_t>(trials));
    for (std::size_t c = 1; c < kk; ++c) {
        std::partial_sum(closest.begin(), closest.end(), cumsum.begin());
        for (int t = 0; t < trials; ++t) {
            const double v = unit(rng) * pot;
            auto it = std::lower_bound(cumsum.begin(), cumsum.end(), v);  // searchsorted 'left'
            std::size_t id = static_cast<std::size_t>(it - cumsum.begin());
            id = std::min(id, n - 1);
            cand_ids[static_cast<std::size_t>(t)] = id;
            std::copy(x.row(id), x.row(id) + d, cand.row(static_cast<std::size_t>(t)));
            cand_sq[static_cast<std::size_t>(t)] = x_sq[id];
        }
        sq_dist_to_all(cand, cand_sq, x, x_sq, dist);
        std::size_t best = 0;
        double best_pot = std::numeric_limits<double>::infinity();
        for (std::size_t t = 0; t < static_cast<std::size_t>(trials); ++t) {
            double p = 0;
            for (std::size_t i = 0; i < n; ++i) p += std::min<double>(closest[i], dist[t * n + i]);
            if (p < best_pot) {
                best_pot = p;
                best = t;
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            closest[i] = std::min<double>(closest[i], dist[best * n + i]);
        }
        pot = best_pot;
        std::copy(cand.row(best), cand.row(best) + d, centers.row(c));
    }
    return centers;
}

KMeansResult kmeans(const MatrixView& x, const KMeansOptions& options) {
    options.validate();
    check_matrix(x, "kmeans");
    if (static_cast<std::size_t>(options.k) > x.rows) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k-means: k = " + std::to_string(options.k) +
                        " exceeds the number of points (" + std::to_string(x.rows) + ")",
                    "KMeansOptions::k", "use k <= number of points");
    }
    const std::size_t n = x.rows;
    const std::size_t d = x.cols;
    // sklearn's tolerance: relative to the mean per-feature variance.
    double mean_var = 0;
    for (std::size_t j = 0; j < d; ++j) {
        double m = 0, m2 = 0;
        for (std::size_t i = 0; i < n; ++i) m += x(i, j);
        m /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) m2 += (x(i, j) - m) * (x(i, j) - m);
        mean_var += m2 / static_cast<double>(n);
    }
    mean_var /= static_cast<double>(d);
    const double tol_abs = options.tol * mean_var;
    const std::vector<double> x_sq = detail::row_sq_norms(x);
    std::mt19937_64 rng(options.seed);
    Run best;
    for (int init = 0; init < options.n_init; ++init) {
        Run r = lloyd(x, x_sq, kmeans_plusplus(x, options.k, rng), options.max_iter, tol_abs);
        if (r.inertia < best.inertia) best = std::move(r);
    }
    KMeansResult out;
    out.clustering.labels = std::move(best.labels);
    out.clustering.num_clusters = options.k;
    out.centers = std::move(best.centers);
    out.inertia = best.inertia;
    out.iterations = best.iterations;
    return out;
}

}  // namespace faceatlas::cluster
