// The attribute head on small synthetic feature sets: learns, folds exactly into the
// LibTorch-free model, is deterministic, splits by identity, refuses bad training sets.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/train/attribute_trainer.h"

namespace fa = faceatlas;
using fa::train::LabelledFeatures;
using fa::train::TrainOptions;

namespace {

// n samples of 128-d features (the dlib size) driven by `attrs` latent factors; attribute k is
// present when factor k exceeds 0.4 k; identities of 3 samples.
LabelledFeatures synthetic(std::size_t n = 300, int attrs = 3, std::uint64_t seed = 7) {
    LabelledFeatures d;
    d.dim = 128;
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.f, 1.f);
    for (int k = 0; k < attrs; ++k) d.names.push_back("attr" + std::to_string(k));
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<float> latent(static_cast<std::size_t>(attrs));
        for (auto& v : latent) v = g(rng);
        // Every feature carries one latent factor plus noise; attribute k thresholds factor k.
        for (int j = 0; j < d.dim; ++j)
            d.x.push_back(3.f + 2.f * latent[static_cast<std::size_t>(j % attrs)] + g(rng));
        for (int k = 0; k < attrs; ++k)
            d.y.push_back(latent[static_cast<std::size_t>(k)] + 0.1f * g(rng) > 0.4f * k ? 1 : 0);
        d.group.push_back(static_cast<std::int64_t>(i / 3));
    }
    return d;
}

TrainOptions small_options() {
    TrainOptions o;
    o.backbone = fa::attr::kBackboneDlib;
    o.epochs = 15;
    o.hidden = 32;
    o.batch_size = 32;
    o.threads = 1;
    o.patience = 15;
    return o;
}

}  // namespace

TEST(SplitByGroup, NoIdentityOnBothSidesAndFractionRespected) {
    std::vector<std::int64_t> groups;
    for (int i = 0; i < 1000; ++i) groups.push_back(i % 137);
    const auto val = fa::train::split_by_group(groups, 0.2, 3);
    std::set<std::int64_t> in_val, in_train;
    std::size_t nval = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        (val[i] ? in_val : in_train).insert(groups[i]);
        nval += val[i];
    }
    for (auto g : in_val) EXPECT_EQ(in_train.count(g), 0u) << g;
    EXPECT_GE(nval, 200u);
    EXPECT_LT(nval, 200u + 8u);  // at most one group (<= 8 samples) past the target
    EXPECT_NE(val, fa::train::split_by_group(groups, 0.2, 4));  // the seed matters
}

class HeadTraining
    : public ::testing::TestWithParam<std::pair<fa::train::LossKind, fa::train::OptimizerKind>> {};

TEST_P(HeadTraining, LearnsSeparableAttributes) {
    auto o = small_options();
    o.loss = GetParam().first;
    o.optimizer = GetParam().second;
    const auto r = fa::train::train_head(synthetic(), o.backbone, o);
    ASSERT_EQ(r.scores.size(), 3u);
    EXPECT_GT(r.mean_balanced_accuracy(), 0.85);
    EXPECT_GT(r.train_samples, 200u);
    EXPECT_EQ(r.train_samples + r.val_samples, 300u);
    // The folded model (plain C++) agrees with LibTorch's eval-mode head at the best epoch:
    // the epoch report's accuracy at 0.5 came from LibTorch, the scores from the folded model.
    const auto& best = r.epochs[static_cast<std::size_t>(r.best_epoch - 1)];
    EXPECT_NEAR(best.val_accuracy, r.mean_accuracy_at_half(), 1e-9);
    EXPECT_NEAR(best.val_balanced_accuracy, r.mean_balanced_accuracy_at_half(), 1e-9);
}

INSTANTIATE_TEST_SUITE_P(
    LossesAndOptimizers, HeadTraining,
    ::testing::Values(std::pair{fa::train::LossKind::kCosine, fa::train::OptimizerKind::kAdaDelta},
                      std::pair{fa::train::LossKind::kBce, fa::train::OptimizerKind::kAdam},
                      std::pair{fa::train::LossKind::kBce, fa::train::OptimizerKind::kAdaDelta}));

TEST(HeadTraining, DeterministicWithSeed) {
    auto o = small_options();
    o.epochs = 3;
    const auto a = fa::train::train_head(synthetic(), o.backbone, o);
    const auto b = fa::train::train_head(synthetic(), o.backbone, o);
    ASSERT_EQ(a.model.layers.size(), b.model.layers.size());
    EXPECT_EQ(a.model.layers[0].weight, b.model.layers[0].weight);
    EXPECT_EQ(a.model.layers[1].bias, b.model.layers[1].bias);
    o.seed = 2;
    const auto c = fa::train::train_head(synthetic(), o.backbone, o);
    EXPECT_NE(a.model.layers[0].weight, c.model.layers[0].weight);
}

TEST(HeadTraining, EpochCallbackSeesEveryEpochAndCanStop) {
    auto o = small_options();
    o.epochs = 5;
    int calls = 0;
    const auto r =
        fa::train::train_head(synthetic(), o.backbone, o, [&](const fa::train::EpochReport& e) {
            EXPECT_EQ(e.epoch, ++calls);
            EXPECT_GT(e.train_loss, -2.0);
            return e.epoch < 2;
        });
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(r.epochs.size(), 2u);
}

TEST(HeadTraining, OneClassTrainingSetIsRefused) {
    auto d = synthetic();
    for (std::size_t i = 0; i < d.size(); ++i) d.y[i * 3 + 1] = 0;  // attr1 never present
    try {
        fa::train::train_head(d, fa::attr::kBackboneDlib, small_options());
        FAIL() << "expected an error";
    } catch (const fa::Error& e) {
        EXPECT_EQ(e.code(), fa::ErrorCode::kUnsupported);
        EXPECT_NE(e.message().find("attr1"), std::string::npos) << e.message();
    }
}

TEST(HeadTraining, EmptyTrainingSetIsRefused) {
    LabelledFeatures d;
    d.dim = 128;
    d.names = {"a"};
    try {
        fa::train::train_head(d, fa::attr::kBackboneDlib, small_options());
        FAIL() << "expected an error";
    } catch (const fa::Error& e) {
        EXPECT_EQ(e.code(), fa::ErrorCode::kCorruptData);
    }
    // One identity only: nothing left for one side of the split.
    auto one = synthetic(30);
    std::fill(one.group.begin(), one.group.end(), 1);
    EXPECT_THROW(fa::train::train_head(one, fa::attr::kBackboneDlib, small_options()), fa::Error);
}
