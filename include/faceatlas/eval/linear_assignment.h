// Optimal one-to-one assignment (Hungarian / Kuhn-Munkres) and the best-matching accuracy of
// clusters to labels built on it.
//
// linear_sum_assignment mirrors scipy.optimize.linear_sum_assignment: for an R x C cost
// matrix it picks min(R, C) cells, no two in the same row or column, with the minimum (or,
// with maximize, maximum) total cost. Result pairs are sorted by row. On ties the chosen cells
// may differ from scipy's, the total cost does not. Algorithm: shortest augmenting paths with
// row/column potentials, O(min(R,C)^2 * max(R,C)).
// Requires cost.size() == rows * cols and finite costs (scipy treats +inf as "forbidden"; here
// it is a faceatlas::Error, use a large finite penalty instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace faceatlas::eval {

struct Assignment {
    std::vector<int> rows;  // ascending
    std::vector<int> cols;  // cols[k] is assigned to rows[k]
    double cost = 0.0;      // sum of the chosen cells
};

// `cost` is row-major rows x cols. rows or cols == 0 gives an empty assignment.
Assignment linear_sum_assignment(const std::vector<double>& cost, std::size_t rows,
                                 std::size_t cols, bool maximize = false);

// Best-matching accuracy ("clustering accuracy", ACC): the fraction of items whose predicted
// cluster is mapped to their label under the one-to-one cluster -> label mapping that
// maximises the number of such items. With more clusters than labels the extra clusters stay
// unmapped (their items count as wrong), and vice versa. Labels are taken as given (expand
// kUnsorted first to treat unsorted faces as singletons). Use it for sub-discrimination: how
// well clusters line up with an attribute (gender, age band, family member).
// Requires truth.size() == predicted.size(); empty input gives accuracy 1.
struct ClusterLabelMatch {
    double accuracy = 1.0;
    std::int64_t matched = 0;                  // items on mapped (cluster, label) cells
    std::vector<std::pair<int, int>> mapping;  // (cluster, label), ascending cluster
};
ClusterLabelMatch best_match_accuracy(const std::vector<int>& truth,
                                      const std::vector<int>& predicted);

}  // namespace faceatlas::eval
