#include "faceatlas/eval/pair_counting.h"

namespace faceatlas::eval {
namespace {

__extension__ using Int128 = __int128;

std::int64_t pairs_of(std::int64_t k) { return k * (k - 1) / 2; }

}  // namespace

PairCounts pair_counts(const Contingency& c) {
    PairCounts p;
    std::int64_t same_cluster = 0;
    std::int64_t same_class = 0;
    for (const auto& cell : c.cells) p.tp += pairs_of(cell.count);
    for (auto b : c.col_sums) same_cluster += pairs_of(b);
    for (auto a : c.row_sums) same_class += pairs_of(a);
    p.fp = same_cluster - p.tp;
    p.fn = same_class - p.tp;
    p.tn = pairs_of(c.n) - p.tp - p.fp - p.fn;
    return p;
}

PairwiseScores pairwise_scores(const Contingency& c) {
    const PairCounts p = pair_counts(c);
    PairwiseScores s;
    s.precision =
        p.tp + p.fp == 0 ? 1.0 : static_cast<double>(p.tp) / static_cast<double>(p.tp + p.fp);
    s.recall =
        p.tp + p.fn == 0 ? 1.0 : static_cast<double>(p.tp) / static_cast<double>(p.tp + p.fn);
    s.f = s.precision + s.recall == 0.0 ? 0.0
                                        : 2.0 * s.precision * s.recall / (s.precision + s.recall);
    return s;
}

double adjusted_rand_index(const Contingency& c) {
    // sklearn counts ordered pairs (its pair_confusion_matrix is twice these); the factor cancels.
    const PairCounts p = pair_counts(c);
    if (p.fn == 0 && p.fp == 0) return 1.0;
    const Int128 tp = p.tp, fp = p.fp, fn = p.fn, tn = p.tn;
    const Int128 num = 2 * (tp * tn - fn * fp);
    const Int128 den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
    return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace faceatlas::eval
