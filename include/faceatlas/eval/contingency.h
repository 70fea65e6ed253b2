// Sparse contingency table between two labelings: the count of items per (class, cluster).
//
// Every pair-counting and information-theoretic clustering score is a function of this table,
// so it is built once (O(N log N)) and the scores cost O(non-zero cells).
#pragma once

#include <cstdint>
#include <vector>

namespace faceatlas::eval {

struct ContingencyCell {
    int row;             // class index, 0..n_rows-1
    int col;             // cluster index, 0..n_cols-1
    std::int64_t count;  // > 0
};

struct Contingency {
    std::int64_t n = 0;                  // number of items
    std::vector<std::int64_t> row_sums;  // class sizes a_i (all > 0)
    std::vector<std::int64_t> col_sums;  // cluster sizes b_j (all > 0)
    std::vector<ContingencyCell> cells;  // non-zero cells, sorted by (row, col)

    std::size_t n_rows() const { return row_sums.size(); }
    std::size_t n_cols() const { return col_sums.size(); }
};

// Requires: truth.size() == predicted.size() (else faceatlas::Error kInvalidArgument).
// Rows are the distinct truth values in ascending order, columns the distinct predicted values in
// ascending order. Labels are taken as given: expand kUnsorted first if it should be singletons.
Contingency make_contingency(const std::vector<int>& truth, const std::vector<int>& predicted);

}  // namespace faceatlas::eval
