#include "faceatlas/eval/roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

constexpr const char* kContext = "roc";

}  // namespace

RocCurve roc_curve(const std::vector<double>& scores, const std::vector<bool>& same,
                   ScoreKind kind) {
    if (scores.size() != same.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::to_string(scores.size()) + " scores but " + std::to_string(same.size()) +
                        " same/different flags",
                    kContext, "pass one flag per scored pair");
    }
    RocCurve curve;
    curve.kind = kind;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (!std::isfinite(scores[i])) {
            throw Error(ErrorCode::kInvalidArgument,
                        "score " + std::to_string(i) + " is not finite", kContext,
                        "drop pairs whose embedding failed");
        }
        (same[i] ? curve.n_same : curve.n_different) += 1;
    }
    if (curve.n_same == 0 || curve.n_different == 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "only one class present (" + std::to_string(curve.n_same) + " same, " +
                        std::to_string(curve.n_different) + " different pairs)",
                    kContext, "ROC/AUC need both same-identity and different-identity pairs");
    }
    // Strictest first: descending similarity, ascending distance.
    const double sign = kind == ScoreKind::kSimilarity ? 1.0 : -1.0;
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return sign * scores[a] > sign * scores[b]; });
    const double inf = std::numeric_limits<double>::infinity();
    curve.points.push_back({sign * inf, 0, 0, 0.0, 0.0});
    std::int64_t tp = 0, fp = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        (same[order[k]] ? tp : fp) += 1;
        const bool last_of_value =
            k + 1 == order.size() || scores[order[k + 1]] != scores[order[k]];
        if (last_of_value) {
            curve.points.push_back(
                {scores[order[k]], fp, tp,
                 static_cast<double>(fp) / static_cast<double>(curve.n_different),
                 static_cast<double>(tp) / static_cast<double>(curve.n_same)});
        }
    }
    return curve;
}

double roc_auc(const RocCurve& curve) {
    double area = 0.0;
    for (std::size_t k = 1; k < curve.points.size(); ++k) {
        const RocPoint& a = curve.points[k - 1];
        const RocPoint& b = curve.points[k];
        area += (b.fpr - a.fpr) * (b.tpr + a.tpr) * 0.5;
    }
    return area;
}

double roc_auc(const std::vector<double>& scores, const std::vector<bool>& same, ScoreKind kind) {
    return roc_auc(roc_curve(scores, same, kind));
}

TarAtFar tar_at_far(const RocCurve& curve, double far_target) {
    if (!(far_target >= 0.0 && far_target <= 1.0)) {
        throw Error(ErrorCode::kInvalidArgument, "FAR target must be in [0, 1]", kContext,
                    "e.g. 1e-3");
    }
    TarAtFar r;
    r.far_target = far_target;
    // Points are sorted by fpr; the last one within the budget has the highest tpr.
    for (const RocPoint& p : curve.points) {
        if (static_cast<double>(p.false_accepts) >
            far_target * static_cast<double>(curve.n_different)) {
            break;
        }
        r.threshold = p.threshold;
        r.far = p.fpr;
        r.tar = p.tpr;
    }
    return r;
}

}  // namespace faceatlas::eval
