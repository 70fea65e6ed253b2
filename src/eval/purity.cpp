#include "faceatlas/eval/purity.h"

#include <algorithm>

namespace faceatlas::eval {

double purity(const Contingency& c) {
    if (c.n == 0) return 1.0;
    std::vector<std::int64_t> best(c.n_cols(), 0);
    for (const auto& cell : c.cells) {
        auto& b = best[static_cast<std::size_t>(cell.col)];
        b = std::max(b, cell.count);
    }
    std::int64_t sum = 0;
    for (auto b : best) sum += b;
    return static_cast<double>(sum) / static_cast<double>(c.n);
}

std::vector<ClusterPurity> per_cluster_purity(const std::vector<int>& truth,
                                              const std::vector<int>& predicted) {
    const Contingency c = make_contingency(truth, predicted);
    std::vector<int> row_values(truth);
    std::sort(row_values.begin(), row_values.end());
    row_values.erase(std::unique(row_values.begin(), row_values.end()), row_values.end());
    std::vector<int> col_values(predicted);
    std::sort(col_values.begin(), col_values.end());
    col_values.erase(std::unique(col_values.begin(), col_values.end()), col_values.end());

    std::vector<ClusterPurity> out(c.n_cols());
    for (std::size_t j = 0; j < out.size(); ++j) {
        out[j].cluster = col_values[j];
        out[j].size = c.col_sums[j];
    }
    // Cells are sorted by row, so the first maximum seen is the smallest truth label.
    for (const auto& cell : c.cells) {
        auto& o = out[static_cast<std::size_t>(cell.col)];
        if (cell.count > o.majority_count) {
            o.majority_count = cell.count;
            o.majority = row_values[static_cast<std::size_t>(cell.row)];
        }
    }
    for (auto& o : out)
        o.purity = static_cast<double>(o.majority_count) / static_cast<double>(o.size);
    return out;
}

}  // namespace faceatlas::eval
