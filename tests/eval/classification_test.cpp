// Classification, age bands and assignment against sklearn/scipy goldens and brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/age_bands.h"
#include "faceatlas/eval/classification.h"
#include "faceatlas/eval/linear_assignment.h"
#include "golden.h"

namespace faceatlas::eval {
namespace {

TEST(Classification, MatchesSklearnGoldens) {
    for (const auto& c : test::load_golden("classification.json")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        if (c.contains("mae")) {
            const auto t = c.at("truth").get<std::vector<double>>();
            const auto p = c.at("pred").get<std::vector<double>>();
            EXPECT_NEAR(mean_absolute_error(t, p), c.at("mae").get<double>(), test::kGoldenTol);
            continue;
        }
        const auto t = c.at("truth").get<std::vector<int>>();
        const auto p = c.at("pred").get<std::vector<int>>();
        EXPECT_NEAR(accuracy(t, p), c.at("accuracy").get<double>(), test::kGoldenTol);
        EXPECT_NEAR(balanced_accuracy(t, p), c.at("balanced_accuracy").get<double>(),
                    test::kGoldenTol);
        const ConfusionMatrix cm = confusion_matrix(t, p);
        EXPECT_EQ(cm.labels, c.at("labels").get<std::vector<int>>());
        const auto want = c.at("confusion").get<std::vector<std::vector<std::int64_t>>>();
        for (std::size_t i = 0; i < cm.labels.size(); ++i) {
            for (std::size_t j = 0; j < cm.labels.size(); ++j) EXPECT_EQ(cm.at(i, j), want[i][j]);
        }
        // sklearn lists every label (0 recall for pred-only labels); ours lists truth classes.
        const auto recall = c.at("recall_per_class").get<std::vector<double>>();
        for (const auto& r : per_class_recall(t, p)) {
            const auto k =
                std::find(cm.labels.begin(), cm.labels.end(), r.label) - cm.labels.begin();
            EXPECT_NEAR(r.recall, recall[static_cast<std::size_t>(k)], test::kGoldenTol);
        }
    }
}

TEST(Classification, ErrorsAndExplicitLabels) {
    EXPECT_THROW(accuracy({}, {}), Error);
    EXPECT_THROW(accuracy({1}, {1, 2}), Error);
    EXPECT_THROW(mean_absolute_error({1.0}, {NAN}), Error);
    const ConfusionMatrix cm = confusion_matrix({0, 1, 2}, {0, 2, 2}, {2, 0});
    EXPECT_EQ(cm.at(0, 0), 1);  // truth 2 -> pred 2
    EXPECT_EQ(cm.at(1, 1), 1);  // truth 0 -> pred 0; the truth-1 item is ignored
    EXPECT_EQ(std::accumulate(cm.counts.begin(), cm.counts.end(), std::int64_t{0}), 2);
    EXPECT_THROW(confusion_matrix({0}, {0}, {1, 1}), Error);
}

TEST(AgeBands, NearestBandWithTiesToLower) {
    const std::vector<std::pair<double, int>> cases = {
        {0, 0},  {2, 0},  {3, 0},  {2.6, 0}, {3.5, 1},  {4, 1},  {7, 1},  {8, 2},  {14, 2},
        {15, 3}, {22, 3}, {23, 4}, {35, 4},  {36, 5},   {45, 5}, {46, 6}, {56, 6}, {57, 7},
        {60, 7}, {99, 7}, {-1, 0}, {24, 4},  {21.5, 3}, {33, 4}, {54, 6}, {47, 6}};
    for (const auto& [age, band] : cases) EXPECT_EQ(adience_band(age), band) << age;
    EXPECT_EQ(adience_band_name(0), "0-2");
    EXPECT_EQ(adience_band_name(7), "60+");
    EXPECT_THROW(adience_band(NAN), Error);
    EXPECT_THROW(adience_band_name(8), Error);
    // truth bands: 0-2, 25-32, 60+, 8-13 ; predictions: 3 (0-2), 40 (38-43), 70 (60+), 20 (15-20)
    EXPECT_DOUBLE_EQ(band_accuracy({1, 30, 65, 10}, {3, 40, 70, 20}), 0.5);
    EXPECT_DOUBLE_EQ(within_accuracy({1, 30, 65, 10}, {3, 40, 70, 20}), 0.5);  // 2 and 5 are in
    EXPECT_DOUBLE_EQ(within_accuracy({1, 30, 65, 10}, {3, 40, 70, 20}, 10.0), 1.0);
}

double brute_force_min(const std::vector<double>& cost, std::size_t r, std::size_t c) {
    // All injections of the short side into the long side.
    const bool t = r > c;
    const std::size_t n = t ? c : r, m = t ? r : c;
    std::vector<int> perm(m);
    std::iota(perm.begin(), perm.end(), 0);
    double best = 1e300;
    do {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto j = static_cast<std::size_t>(perm[i]);
            s += t ? cost[j * c + i] : cost[i * c + j];
        }
        best = std::min(best, s);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

TEST(LinearAssignment, MatchesScipyGoldens) {
    for (const auto& c : test::load_golden("assignment.json")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const auto m = c.at("cost").get<std::vector<std::vector<double>>>();
        std::vector<double> flat;
        for (const auto& row : m) flat.insert(flat.end(), row.begin(), row.end());
        const std::size_t r = m.size(), cols = m[0].size();
        const Assignment a = linear_sum_assignment(flat, r, cols);
        EXPECT_NEAR(a.cost, c.at("min_cost").get<double>(), test::kGoldenTol);
        EXPECT_NEAR(linear_sum_assignment(flat, r, cols, true).cost, c.at("max_cost").get<double>(),
                    test::kGoldenTol);
        ASSERT_EQ(a.rows.size(), std::min(r, cols));
        EXPECT_TRUE(std::is_sorted(a.rows.begin(), a.rows.end()));
        std::vector<int> cs(a.cols);
        std::sort(cs.begin(), cs.end());
        EXPECT_TRUE(std::adjacent_find(cs.begin(), cs.end()) == cs.end());
    }
}

TEST(LinearAssignment, MatchesBruteForceOnSmallRandomMatrices) {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> v(0, 4);
    for (std::size_t r = 1; r <= 5; ++r) {
        for (std::size_t c = 1; c <= 5; ++c) {
            std::vector<double> cost(r * c);
            for (auto& x : cost) x = v(rng);
            EXPECT_DOUBLE_EQ(linear_sum_assignment(cost, r, c).cost, brute_force_min(cost, r, c))
                << r << "x" << c;
        }
    }
    EXPECT_TRUE(linear_sum_assignment({}, 0, 3).rows.empty());
    EXPECT_THROW(linear_sum_assignment({1, 2, 3}, 2, 2), Error);
    EXPECT_THROW(linear_sum_assignment({1, INFINITY}, 1, 2), Error);
}

TEST(BestMatchAccuracy, MapsClustersOneToOne) {
    // Clusters 7 and 8 are both mostly "0"; only one can take it.
    const std::vector<int> truth = {0, 0, 0, 0, 1, 1, 0, 2};
    const std::vector<int> pred = {7, 7, 7, 8, 8, 8, 9, 9};
    const ClusterLabelMatch m = best_match_accuracy(truth, pred);
    // 7->0 (3), 8->1 (2), 9->2 (1) = 6 of 8.
    EXPECT_EQ(m.matched, 6);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
    EXPECT_EQ(m.mapping, (std::vector<std::pair<int, int>>{{7, 0}, {8, 1}, {9, 2}}));
    EXPECT_DOUBLE_EQ(best_match_accuracy({}, {}).accuracy, 1.0);
}

}  // namespace
}  // namespace faceatlas::eval
