#include "faceatlas/eval/linear_assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/contingency.h"

namespace faceatlas::eval {

Assignment linear_sum_assignment(const std::vector<double>& cost, std::size_t rows,
                                 std::size_t cols, bool maximize) {
    if (cost.size() != rows * cols) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::to_string(cost.size()) + " costs for a " + std::to_string(rows) + " x " +
                        std::to_string(cols) + " matrix",
                    "linear_sum_assignment", "pass rows * cols values, row-major");
    }
    for (double c : cost) {
        if (!std::isfinite(c)) {
            throw Error(ErrorCode::kInvalidArgument, "cost matrix contains NaN or infinity",
                        "linear_sum_assignment", "use a large finite penalty for forbidden cells");
        }
    }
    Assignment out;
    if (rows == 0 || cols == 0) return out;
    // Solve with n <= m rows on the short side; a(i, j) is 1-based as in the classic layout.
    const bool transposed = rows > cols;
    const std::size_t n = transposed ? cols : rows;
    const std::size_t m = transposed ? rows : cols;
    const double sign = maximize ? -1.0 : 1.0;
    auto a = [&](std::size_t i, std::size_t j) {
        return sign *
               (transposed ? cost[(j - 1) * cols + (i - 1)] : cost[(i - 1) * cols + (j - 1)]);
    };
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0), minv(m + 1);
    std::vector<std::size_t> p(m + 1, 0), way(m + 1, 0);
    std::vector<char> used(m + 1);
    for (std::size_t i = 1; i <= n; ++i) {
        p[0] = i;
        std::size_t j0 = 0;
        std::fill(minv.begin(), minv.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[j0] = 1;
            const std::size_t i0 = p[j0];
            double delta = inf;
            std::size_t j1 = 0;
            for (std::size_t j = 1; j <= m; ++j) {
                if (used[j]) continue;
                const double cur = a(i0, j) - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (std::size_t j = 0; j <= m; ++j) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            const std::size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<std::pair<int, int>> pairs;
    for (std::size_t j = 1; j <= m; ++j) {
        if (p[j] == 0) continue;
        const int r = static_cast<int>(p[j] - 1);
        const int c = static_cast<int>(j - 1);
        pairs.emplace_back(transposed ? c : r, transposed ? r : c);
    }
    std::sort(pairs.begin(), pairs.end());
    for (const auto& [r, c] : pairs) {
        out.rows.push_back(r);
        out.cols.push_back(c);
        out.cost += cost[static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(c)];
    }
    return out;
}

ClusterLabelMatch best_match_accuracy(const std::vector<int>& truth,
                                      const std::vector<int>& predicted) {
    const Contingency c = make_contingency(truth, predicted);
    ClusterLabelMatch r;
    if (c.n == 0) return r;
    // Rows = clusters, cols = labels, maximise matched items.
    std::vector<double> table(c.n_cols() * c.n_rows(), 0.0);
    for (const auto& cell : c.cells) {
        table[static_cast<std::size_t>(cell.col) * c.n_rows() +
              static_cast<std::size_t>(cell.row)] = static_cast<double>(cell.count);
    }
    const Assignment a = linear_sum_assignment(table, c.n_cols(), c.n_rows(), true);
    std::vector<int> labels(truth), clusters(predicted);
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    std::sort(clusters.begin(), clusters.end());
    clusters.erase(std::unique(clusters.begin(), clusters.end()), clusters.end());
    for (std::size_t k = 0; k < a.rows.size(); ++k) {
        r.mapping.emplace_back(clusters[static_cast<std::size_t>(a.rows[k])],
                               labels[static_cast<std::size_t>(a.cols[k])]);
    }
    r.matched = static_cast<std::int64_t>(std::llround(a.cost));
    r.accuracy = static_cast<double>(r.matched) / static_cast<double>(c.n);
    return r;
}

}  // namespace faceatlas::eval
