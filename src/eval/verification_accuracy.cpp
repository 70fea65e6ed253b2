#include "faceatlas/eval/verification_accuracy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

constexpr const char* kContext = "verification accuracy";

void check_sizes(const std::vector<double>& scores, const std::vector<bool>& same) {
    if (scores.size() != same.size() || scores.empty()) {
        throw Error(
            ErrorCode::kInvalidArgument,
            std::to_string(scores.size()) + " scores and " + std::to_string(same.size()) + " flags",
            kContext, "pass a non-empty list of scores with one same/different flag each");
    }
    for (double s : scores) {
        if (!std::isfinite(s)) {
            throw Error(ErrorCode::kInvalidArgument, "a score is not finite", kContext,
                        "drop pairs whose embedding failed");
        }
    }
}

bool accepts(double score, double threshold, ScoreKind kind) {
    return kind == ScoreKind::kSimilarity ? score >= threshold : score <= threshold;
}

}  // namespace

ThresholdAccuracy best_threshold(const std::vector<double>& scores, const std::vector<bool>& same,
                                 ScoreKind kind) {
    check_sizes(scores, same);
    // Work in "similarity" orientation: v = sign * score, accept iff v >= t'.
    const double sign = kind == ScoreKind::kSimilarity ? 1.0 : -1.0;
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return sign * scores[a] > sign * scores[b]; });
    std::int64_t n_diff = 0;
    for (bool s : same) n_diff += s ? 0 : 1;
    const double n = static_cast<double>(scores.size());
    const double inf = std::numeric_limits<double>::infinity();

    // Accept nothing: every different pair is right.
    std::int64_t correct = n_diff;
    std::int64_t best_correct = correct;
    double best_t = inf;  // in v units
    for (std::size_t k = 0; k < order.size(); ++k) {
        correct += same[order[k]] ? 1 : -1;
        const bool last_of_value =
            k + 1 == order.size() || scores[order[k + 1]] != scores[order[k]];
        if (!last_of_value) continue;
        const double v = sign * scores[order[k]];
        const double t = k + 1 == order.size() ? -inf : 0.5 * (v + sign * scores[order[k + 1]]);
        if (correct >= best_correct) {  // >=: ties go to the more permissive threshold
            best_correct = correct;
            best_t = t;
        }
    }
    return {sign * best_t, static_cast<double>(best_correct) / n};
}

double accuracy_at_threshold(const std::vector<double>& scores, const std::vector<bool>& same,
                             double threshold, ScoreKind kind) {
    check_sizes(scores, same);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        correct += accepts(scores[i], threshold, kind) == same[i] ? 1 : 0;
    }
    return static_cast<double>(correct) / static_cast<double>(scores.size());
}

CrossValidatedAccuracy kfold_accuracy(const std::vector<double>& scores,
                                      const std::vector<bool>& same, const std::vector<int>& folds,
                                      ScoreKind kind) {
    check_sizes(scores, same);
    if (folds.size() != scores.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::to_string(folds.size()) + " fold ids for " +
                        std::to_string(scores.size()) + " pairs",
                    kContext, "pass one fold id per pair, or use contiguous_folds()");
    }
    int n_folds = 0;
    for (int f : folds) {
        if (f < 0) {
            throw Error(ErrorCode::kInvalidArgument, "negative fold id", kContext,
                        "pairs read without a header have no folds: use contiguous_folds()");
        }
        n_folds = std::max(n_folds, f + 1);
    }
    if (n_folds < 2) {
        throw Error(ErrorCode::kInvalidArgument, "cross-validation needs at least 2 folds",
                    kContext, "LFW uses 10");
    }
    CrossValidatedAccuracy r;
    for (int k = 0; k < n_folds; ++k) {
        std::vector<double> train_s, test_s;
        std::vector<bool> train_y, test_y;
        for (std::size_t i = 0; i < scores.size(); ++i) {
            (folds[i] == k ? test_s : train_s).push_back(scores[i]);
            (folds[i] == k ? test_y : train_y).push_back(same[i]);
        }
        if (test_s.empty()) {
            throw Error(ErrorCode::kInvalidArgument, "fold " + std::to_string(k) + " is empty",
                        kContext, "fold ids must be 0..n_folds-1 with every fold used");
        }
        const ThresholdAccuracy t = best_threshold(train_s, train_y, kind);
        FoldAccuracy fa;
        fa.fold = k;
        fa.threshold = t.threshold;
        fa.train_accuracy = t.accuracy;
        fa.accuracy = accuracy_at_threshold(test_s, test_y, t.threshold, kind);
        fa.n_pairs = test_s.size();
        r.folds.push_back(fa);
    }
    for (const auto& f : r.folds) r.mean += f.accuracy;
    r.mean /= static_cast<double>(n_folds);
    for (const auto& f : r.folds) r.std += (f.accuracy - r.mean) * (f.accuracy - r.mean);
    r.std = std::sqrt(r.std / static_cast<double>(n_folds));
    return r;
}

std::vector<int> contiguous_folds(std::size_t n, int n_folds) {
    if (n_folds < 1 || static_cast<std::size_t>(n_folds) > n) {
        throw Error(ErrorCode::kInvalidArgument,
                    "cannot split " + std::to_string(n) + " pairs into " + std::to_string(n_folds) +
                        " folds",
                    kContext, "need 1 <= n_folds <= number of pairs");
    }
    std::vector<int> f(n);
    for (std::size_t i = 0; i < n; ++i) {
        f[i] = static_cast<int>(i * static_cast<std::size_t>(n_folds) / n);
    }
    return f;
}

}  // namespace faceatlas::eval
