// Clustering scores against scikit-learn goldens and naive O(N^2) references.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/clustering_scores.h"
#include "faceatlas/eval/contingency.h"
#include "faceatlas/eval/labels.h"
#include "faceatlas/eval/mutual_information.h"
#include "faceatlas/eval/purity.h"
#include "golden.h"

namespace faceatlas::eval {
namespace {

using test::kGoldenTol;

// BCubed straight from the definition, every item against every item.
void naive_bcubed(const std::vector<int>& t, const std::vector<int>& p, double& prec, double& rec) {
    const std::size_t n = t.size();
    prec = rec = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double both = 0, same_p = 0, same_t = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const bool sp = p[i] == p[j], st = t[i] == t[j];
            both += sp && st;
            same_p += sp;
            same_t += st;
        }
        prec += both / same_p;
        rec += both / same_t;
    }
    prec /= static_cast<double>(n);
    rec /= static_cast<double>(n);
}

// Pair decisions straight from the definition.
void naive_pairwise(const std::vector<int>& t, const std::vector<int>& p, double& prec,
                    double& rec) {
    double tp = 0, pred_pairs = 0, true_pairs = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        for (std::size_t j = i + 1; j < t.size(); ++j) {
            tp += p[i] == p[j] && t[i] == t[j];
            pred_pairs += p[i] == p[j];
            true_pairs += t[i] == t[j];
        }
    }
    prec = pred_pairs == 0 ? 1.0 : tp / pred_pairs;
    rec = true_pairs == 0 ? 1.0 : tp / true_pairs;
}

double naive_purity(const std::vector<int>& t, const std::vector<int>& p) {
    std::map<int, std::map<int, int>> counts;
    for (std::size_t i = 0; i < t.size(); ++i) ++counts[p[i]][t[i]];
    double sum = 0;
    for (auto& [cl, m] : counts) {
        int best = 0;
        for (auto& [lab, c] : m) best = std::max(best, c);
        sum += best;
    }
    return t.empty() ? 1.0 : sum / static_cast<double>(t.size());
}

TEST(ClusteringScores, MatchesSklearnGoldens) {
    const auto cases = test::load_golden("clustering.json");
    ASSERT_GT(cases.size(), 20u);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const auto truth = c.at("truth").get<std::vector<int>>();
        const auto pred = c.at("pred").get<std::vector<int>>();
        const ClusteringScores s = score_clustering(truth, pred);
        EXPECT_NEAR(s.ARI, c.at("ARI").get<double>(), kGoldenTol);
        EXPECT_NEAR(s.AMI, c.at("AMI").get<double>(), kGoldenTol);
        EXPECT_NEAR(s.NMI, c.at("NMI").get<double>(), kGoldenTol);
        EXPECT_NEAR(s.homogeneity, c.at("homogeneity").get<double>(), kGoldenTol);
        EXPECT_NEAR(s.completeness, c.at("completeness").get<double>(), kGoldenTol);
        EXPECT_NEAR(s.v_measure, c.at("v_measure").get<double>(), kGoldenTol);
        const Contingency ct = make_contingency(truth, expand_unsorted(pred));
        if (test::golden_is_error(c.at("MI"))) {
            EXPECT_TRUE(truth.empty());  // sklearn's mutual_info_score fails on empty input
            EXPECT_EQ(mutual_information(ct), 0.0);
        } else {
            EXPECT_NEAR(mutual_information(ct), c.at("MI").get<double>(), kGoldenTol);
        }

        const std::vector<int> expanded = expand_unsorted(pred);
        double bp = 1, br = 1, pp = 1, pr = 1;
        if (!truth.empty()) naive_bcubed(truth, expanded, bp, br);
        naive_pairwise(truth, expanded, pp, pr);
        EXPECT_NEAR(s.bcubed_precision, bp, 1e-12);
        EXPECT_NEAR(s.bcubed_recall, br, 1e-12);
        EXPECT_NEAR(s.bcubed_f, bp + br == 0 ? 0.0 : 2 * bp * br / (bp + br), 1e-12);
        EXPECT_NEAR(s.pairwise_precision, pp, 1e-12);
        EXPECT_NEAR(s.pairwise_recall, pr, 1e-12);
        EXPECT_NEAR(s.pairwise_f, pp + pr == 0 ? 0.0 : 2 * pp * pr / (pp + pr), 1e-12);
        EXPECT_NEAR(s.purity, naive_purity(truth, expanded), 1e-12);
        EXPECT_EQ(s.n_faces, static_cast<std::int64_t>(truth.size()));
    }
}

TEST(ClusteringScores, CountsAndUnsortedAreSingletons) {
    const std::vector<int> truth = {0, 0, 0, 1, 1, 2};
    const std::vector<int> pred = {5, 5, -1, 7, 7, -1};
    const ClusteringScores s = score_clustering(truth, pred);
    EXPECT_EQ(s.C, 3);
    EXPECT_EQ(s.K, 4);  // clusters 5, 7 + two unsorted singletons
    EXPECT_EQ(s.n_unsorted, 2);
    EXPECT_DOUBLE_EQ(s.K_over_C, 4.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.bcubed_precision, 1.0);
    EXPECT_DOUBLE_EQ(s.pairwise_precision, 1.0);
    // true pairs: 3 in class 0 + 1 in class 1; found: (0,1) and (3,4)
    EXPECT_DOUBLE_EQ(s.pairwise_recall, 0.5);
    EXPECT_DOUBLE_EQ(s.purity, 1.0);
}

TEST(ClusteringScores, StringTruthEqualsIntTruth) {
    const std::vector<std::string> names = {"ann", "bob", "ann", "cy", "bob"};
    const std::vector<int> ids = {4, 1, 4, 9, 1};
    const std::vector<int> pred = {0, 1, 0, 1, -1};
    const nlohmann::json a = score_clustering(names, pred);
    const nlohmann::json b = score_clustering(ids, pred);
    EXPECT_EQ(a, b);
    EXPECT_TRUE(a.contains("bcubed_f"));
    EXPECT_TRUE(a.contains("K_over_C"));
}

TEST(ClusteringScores, IndependentOfLabelNumbering) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> d(0, 9);
    std::vector<int> truth(300), pred(300);
    for (auto& v : truth) v = d(rng);
    for (auto& v : pred) v = d(rng);
    std::vector<int> pred2(pred), truth2(truth);
    for (auto& v : pred2) v = 100 - 3 * v;
    for (auto& v : truth2) v = v * 7 + 11;
    const nlohmann::json a = score_clustering(truth, pred);
    const nlohmann::json b = score_clustering(truth2, pred2);
    for (auto& [k, v] : a.items()) EXPECT_NEAR(v.get<double>(), b.at(k).get<double>(), 1e-12) << k;
}

TEST(ClusteringScores, EmptyInputMirrorsSklearn) {
    const ClusteringScores s = score_clustering(std::vector<int>{}, std::vector<int>{});
    EXPECT_EQ(s.n_faces, 0);
    EXPECT_EQ(s.K, 0);
    EXPECT_EQ(s.C, 0);
    EXPECT_EQ(s.K_over_C, 1.0);
    EXPECT_EQ(s.ARI, 1.0);
    EXPECT_EQ(s.AMI, 1.0);
    EXPECT_EQ(s.bcubed_f, 1.0);
    EXPECT_EQ(s.purity, 1.0);
}

TEST(ClusteringScores, LengthMismatchIsError) {
    try {
        score_clustering(std::vector<int>{1, 2}, std::vector<int>{1});
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    }
}

TEST(ClusteringScores, LargeInputIsFastAndSane) {
    // 200k faces, 20k identities: AMI must stay cheap thanks to the size-grouped EMI.
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> id(0, 19999);
    std::vector<int> truth(200000), pred(200000);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        truth[i] = id(rng);
        pred[i] = (rng() % 10 == 0) ? kUnsorted : truth[i];
    }
    const ClusteringScores s = score_clustering(truth, pred);
    EXPECT_DOUBLE_EQ(s.bcubed_precision, 1.0);
    EXPECT_GT(s.AMI, 0.5);
    EXPECT_LT(s.AMI, 1.0);
}

TEST(PerClusterPurity, MajorityAndTies) {
    const std::vector<int> truth = {1, 1, 2, 3, 3, 2, 2};
    const std::vector<int> pred = {0, 0, 0, 4, 4, 9, 9};
    const auto pc = per_cluster_purity(truth, pred);
    ASSERT_EQ(pc.size(), 3u);
    EXPECT_EQ(pc[0].cluster, 0);
    EXPECT_EQ(pc[0].majority, 1);
    EXPECT_DOUBLE_EQ(pc[0].purity, 2.0 / 3.0);
    EXPECT_EQ(pc[1].majority, 3);
    EXPECT_EQ(pc[2].majority, 2);
    const std::vector<int> tie_truth = {5, 3};
    const auto tie = per_cluster_purity(tie_truth, {0, 0});
    EXPECT_EQ(tie[0].majority, 3);  // smallest label wins ties
    EXPECT_DOUBLE_EQ(tie[0].purity, 0.5);
}

TEST(Labels, EncodeAndExpand) {
    const auto enc = encode_labels({"b", "a", "b"});
    EXPECT_EQ(enc.ids, (std::vector<int>{0, 1, 0}));
    EXPECT_EQ(enc.names, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(expand_unsorted({-1, 3, -1, 0}), (std::vector<int>{4, 3, 5, 0}));
    EXPECT_EQ(expand_unsorted({-1, -1}), (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace faceatlas::eval
