#include "faceatlas/eval/bcubed.h"

namespace faceatlas::eval {

BCubedScores bcubed_scores(const Contingency& c) {
    BCubedScores s;
    if (c.n == 0) return s;
    double p = 0.0;
    double r = 0.0;
    for (const auto& cell : c.cells) {
        const double sq = static_cast<double>(cell.count) * static_cast<double>(cell.count);
        p += sq / static_cast<double>(c.col_sums[static_cast<std::size_t>(cell.col)]);
        r += sq / static_cast<double>(c.row_sums[static_cast<std::size_t>(cell.row)]);
    }
    const double n = static_cast<double>(c.n);
    s.precision = p / n;
    s.recall = r / n;
    s.f = s.precision + s.recall == 0.0 ? 0.0
                                        : 2.0 * s.precision * s.recall / (s.precision + s.recall);
    return s;
}

}  // namespace faceatlas::eval
