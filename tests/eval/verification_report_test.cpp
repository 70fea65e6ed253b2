// evaluate_verification() bundles the primitives; the distances match their definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/verification.h"

namespace faceatlas::eval {
namespace {

TEST(VerificationReport, DistancesMatchTheirDefinitions) {
    EXPECT_DOUBLE_EQ(euclidean_distance({0.f, 3.f}, {4.f, 0.f}), 5.0);
    EXPECT_NEAR(cosine_distance({1.f, 0.f}, {0.f, 2.f}), 1.0, 1e-12);
    EXPECT_NEAR(cosine_distance({1.f, 1.f}, {2.f, 2.f}), 0.0, 1e-12);
    EXPECT_NEAR(cosine_distance({1.f, 0.f}, {-3.f, 0.f}), 2.0, 1e-12);
    EXPECT_DOUBLE_EQ(cosine_distance({0.f, 0.f}, {1.f, 0.f}), 1.0);
    EXPECT_THROW(euclidean_distance({1.f}, {1.f, 2.f}), Error);
    EXPECT_THROW(cosine_distance({}, {}), Error);
}

TEST(VerificationReport, EqualsThePrimitivesItIsBuiltFrom) {
    // Distances: same pairs small, one overlap per fold.
    const std::vector<double> d{0.1, 0.2, 0.9, 0.3, 0.5, 0.8, 0.45, 0.7, 0.25, 0.6, 0.95, 0.4};
    const std::vector<bool> same{true, true,  false, true, false, false,
                                 true, false, true,  true, false, false};
    const std::vector<int> folds{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    const auto r = evaluate_verification(d, same, folds, ScoreKind::kDistance, 1e-3);
    const auto cv = kfold_accuracy(d, same, folds, ScoreKind::kDistance);
    EXPECT_DOUBLE_EQ(r.accuracy, cv.mean);
    EXPECT_DOUBLE_EQ(r.accuracy_std, cv.std);
    EXPECT_EQ(r.folds.size(), 3u);
    EXPECT_DOUBLE_EQ(r.threshold, best_threshold(d, same, ScoreKind::kDistance).threshold);
    EXPECT_DOUBLE_EQ(r.auc, roc_auc(d, same, ScoreKind::kDistance));
    // FAR 0: accept below the smallest different distance (0.4): same pairs 0.1 0.2 0.25 0.3.
    EXPECT_DOUBLE_EQ(r.tar_at_far, 4.0 / 6.0);
    EXPECT_EQ(r.n_pairs, d.size());
    // Hand count for AUC: of 36 (same, different) pairs, 3 are misordered: (0.45, 0.4),
    // (0.6, 0.5), (0.6, 0.4).
    EXPECT_NEAR(r.auc, 33.0 / 36.0, 1e-12);
}

}  // namespace
}  // namespace faceatlas::eval
