#include "faceatlas/eval/verification.h"

#include <cmath>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

void check_lengths(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.empty() || a.size() != b.size()) {
        throw Error(
            ErrorCode::kInvalidArgument,
            "embeddings of length " + std::to_string(a.size()) + " and " + std::to_string(b.size()),
            "verification distance", "compare two embeddings of the same model");
    }
}

}  // namespace

VerificationReport evaluate_verification(const std::vector<double>& scores,
                                         const std::vector<bool>& same,
                                         const std::vector<int>& folds, ScoreKind kind,
                                         double far_target) {
    VerificationReport r;
    const auto cv = kfold_accuracy(scores, same, folds, kind);
    r.accuracy = cv.mean;
    r.accuracy_std = cv.std;
    r.folds = cv.folds;
    r.threshold = best_threshold(scores, same, kind).threshold;
    const auto roc = roc_curve(scores, same, kind);
    r.auc = roc_auc(roc);
    r.far_target = far_target;
    r.tar_at_far = tar_at_far(roc, far_target).tar;
    r.n_pairs = scores.size();
    return r;
}

double euclidean_distance(const std::vector<float>& a, const std::vector<float>& b) {
    check_lengths(a, b);
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        s += d * d;
    }
    return std::sqrt(s);
}

double cosine_distance(const std::vector<float>& a, const std::vector<float>& b) {
    check_lengths(a, b);
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    if (aa == 0.0 || bb == 0.0) return 1.0;
    return 1.0 - ab / std::sqrt(aa * bb);
}

}  // namespace faceatlas::eval
