#include "faceatlas/eval/contingency.h"

#include <algorithm>
#include <string>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/labels.h"

namespace faceatlas::eval {

Contingency make_contingency(const std::vector<int>& truth, const std::vector<int>& predicted) {
    if (truth.size() != predicted.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "truth has " + std::to_string(truth.size()) + " labels but prediction has " +
                        std::to_string(predicted.size()),
                    "contingency", "pass one predicted label per ground-truth item");
    }
    Contingency c;
    c.n = static_cast<std::int64_t>(truth.size());
    std::size_t n_rows = 0;
    std::size_t n_cols = 0;
    const std::vector<int> rows = densify_labels(truth, &n_rows);
    const std::vector<int> cols = densify_labels(predicted, &n_cols);
    c.row_sums.assign(n_rows, 0);
    c.col_sums.assign(n_cols, 0);
    std::vector<std::uint64_t> keys(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
        ++c.row_sums[static_cast<std::size_t>(rows[i])];
        ++c.col_sums[static_cast<std::size_t>(cols[i])];
        keys[i] = (static_cast<std::uint64_t>(rows[i]) << 32) | static_cast<std::uint32_t>(cols[i]);
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < keys.size();) {
        std::size_t j = i;
        while (j < keys.size() && keys[j] == keys[i]) ++j;
        c.cells.push_back({static_cast<int>(keys[i] >> 32), static_cast<int>(keys[i] & 0xffffffffu),
                           static_cast<std::int64_t>(j - i)});
        i = j;
    }
    return c;
}

}  // namespace faceatlas::eval
