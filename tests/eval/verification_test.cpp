// ROC / AUC against sklearn, TAR@FAR and 10-fold accuracy on hand-checked examples.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/eval.h"
#include "faceatlas/eval/roc.h"
#include "faceatlas/eval/verification_accuracy.h"
#include "golden.h"

namespace faceatlas::eval {
namespace {

std::vector<bool> to_bool(const std::vector<int>& v) { return {v.begin(), v.end()}; }

TEST(Roc, MatchesSklearnGoldens) {
    for (const auto& c : test::load_golden("roc.json")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const auto scores = c.at("score").get<std::vector<double>>();
        const auto same = to_bool(c.at("same").get<std::vector<int>>());
        if (test::golden_is_error(c.at("auc"))) {
            EXPECT_THROW(roc_auc(scores, same), Error);
            continue;
        }
        EXPECT_NEAR(roc_auc(scores, same), c.at("auc").get<double>(), test::kGoldenTol);
        std::vector<double> dist;
        for (double s : scores) dist.push_back(2.0 - s);
        // Distances that order pairs like the similarities give the same AUC.
        EXPECT_NEAR(roc_auc(dist, same, ScoreKind::kDistance), c.at("auc").get<double>(),
                    test::kGoldenTol);
        EXPECT_NEAR(roc_auc(scores, same, ScoreKind::kDistance), c.at("auc_distance").get<double>(),
                    test::kGoldenTol);

        const RocCurve curve = roc_curve(scores, same);
        const auto fpr = c.at("fpr").get<std::vector<double>>();
        const auto tpr = c.at("tpr").get<std::vector<double>>();
        const auto thr = c.at("thresholds").get<std::vector<double>>();
        ASSERT_EQ(curve.points.size(), fpr.size());
        EXPECT_TRUE(std::isinf(curve.points[0].threshold));
        for (std::size_t k = 0; k < fpr.size(); ++k) {
            EXPECT_NEAR(curve.points[k].fpr, fpr[k], 1e-15);
            EXPECT_NEAR(curve.points[k].tpr, tpr[k], 1e-15);
            if (k > 0) {
                EXPECT_EQ(curve.points[k].threshold, thr[k - 1]);
            }
        }
    }
}

// same: 0.9 0.8 0.7 0.4   different: 0.75 0.5 0.3 0.2 0.1
const std::vector<double> kScores = {0.9, 0.8, 0.7, 0.4, 0.75, 0.5, 0.3, 0.2, 0.1};
const std::vector<bool> kSame = {true, true, true, true, false, false, false, false, false};

TEST(Roc, HandCheckedAucAndTarAtFar) {
    // 17 of the 20 (same, different) pairs are ordered correctly.
    EXPECT_DOUBLE_EQ(roc_auc(kScores, kSame), 17.0 / 20.0);
    const RocCurve c = roc_curve(kScores, kSame);
    // FAR <= 0.2 allows one of five false accepts: threshold 0.7 accepts 0.9 0.8 0.75 0.7.
    TarAtFar t = tar_at_far(c, 0.2);
    EXPECT_DOUBLE_EQ(t.threshold, 0.7);
    EXPECT_DOUBLE_EQ(t.far, 0.2);
    EXPECT_DOUBLE_EQ(t.tar, 0.75);
    // FAR = 1e-3 with five different pairs means no false accept: threshold 0.8.
    t = tar_at_far(c, 1e-3);
    EXPECT_DOUBLE_EQ(t.threshold, 0.8);
    EXPECT_DOUBLE_EQ(t.far, 0.0);
    EXPECT_DOUBLE_EQ(t.tar, 0.5);
    t = tar_at_far(c, 1.0);
    EXPECT_DOUBLE_EQ(t.tar, 1.0);
    // The same trials as distances give the same operating points.
    std::vector<double> d;
    for (double s : kScores) d.push_back(1.0 - s);
    t = tar_at_far(roc_curve(d, kSame, ScoreKind::kDistance), 0.2);
    EXPECT_NEAR(t.threshold, 0.3, 1e-15);
    EXPECT_DOUBLE_EQ(t.tar, 0.75);
    EXPECT_THROW(tar_at_far(c, 1.5), Error);
}

TEST(Roc, BadInputIsError) {
    EXPECT_THROW(roc_curve({0.1, 0.2}, {true}), Error);
    EXPECT_THROW(roc_curve({0.1, NAN}, {true, false}), Error);
    EXPECT_THROW(roc_curve({0.1, 0.2}, {false, false}), Error);
}

TEST(VerificationAccuracy, HandCheckedTenFold) {
    // Ten folds of two pairs: a same pair at 0.8 and a different pair at 0.2, except fold 3 whose
    // same pair scores 0.1. Every training set is best split at 0.5 (17/18 or 18/18 right), so
    // folds != 3 score 1.0 and fold 3 scores 0.5: mean 0.95, population std 0.15.
    std::vector<double> s;
    std::vector<bool> y;
    std::vector<int> f;
    for (int k = 0; k < 10; ++k) {
        s.push_back(k == 3 ? 0.1 : 0.8);
        y.push_back(true);
        f.push_back(k);
        s.push_back(0.2);
        y.push_back(false);
        f.push_back(k);
    }
    const CrossValidatedAccuracy r = kfold_accuracy(s, y, f);
    ASSERT_EQ(r.folds.size(), 10u);
    for (const auto& fa : r.folds) {
        EXPECT_DOUBLE_EQ(fa.threshold, 0.5);
        EXPECT_DOUBLE_EQ(fa.accuracy, fa.fold == 3 ? 0.5 : 1.0);
        EXPECT_DOUBLE_EQ(fa.train_accuracy, fa.fold == 3 ? 1.0 : 17.0 / 18.0);
        EXPECT_EQ(fa.n_pairs, 2u);
    }
    EXPECT_NEAR(r.mean, 0.95, 1e-15);
    EXPECT_NEAR(r.std, 0.15, 1e-15);

    std::vector<double> d;
    for (double v : s) d.push_back(1.0 - v);
    const CrossValidatedAccuracy rd = kfold_accuracy(d, y, f, ScoreKind::kDistance);
    EXPECT_NEAR(rd.mean, 0.95, 1e-15);
    EXPECT_NEAR(rd.folds[0].threshold, 0.5, 1e-15);
}

TEST(VerificationAccuracy, BestThresholdTiesArePermissive) {
    // Accepting only 0.9 or accepting 0.9 and 0.6 both give 2/3 right; the permissive one wins.
    const ThresholdAccuracy t = best_threshold({0.9, 0.6, 0.3}, {true, false, true});
    EXPECT_DOUBLE_EQ(t.accuracy, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(t.threshold, -std::numeric_limits<double>::infinity());
    EXPECT_DOUBLE_EQ(accuracy_at_threshold({0.9, 0.6, 0.3}, {true, false, true}, 0.75), 2.0 / 3.0);
}

TEST(VerificationAccuracy, FoldsAndErrors) {
    EXPECT_EQ(contiguous_folds(6, 3), (std::vector<int>{0, 0, 1, 1, 2, 2}));
    EXPECT_EQ(contiguous_folds(5, 2), (std::vector<int>{0, 0, 0, 1, 1}));
    EXPECT_THROW(contiguous_folds(2, 3), Error);
    EXPECT_THROW(kfold_accuracy({0.1, 0.2}, {true, false}, {0, 0}), Error);   // 1 fold
    EXPECT_THROW(kfold_accuracy({0.1, 0.2}, {true, false}, {0, -1}), Error);  // no fold
    EXPECT_THROW(kfold_accuracy({0.1, 0.2}, {true, false}, {0, 2}), Error);   // fold 1 empty
}

}  // namespace
}  // namespace faceatlas::eval
