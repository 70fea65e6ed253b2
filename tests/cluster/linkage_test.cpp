#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cluster_test_util.h"
#include "faceatlas/cluster/cannot_link.h"
#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

using testing::expect_linkage_equal;
using testing::labels_from_json;
using testing::load_golden;
using testing::matrix_from_json;

constexpr LinkageMethod kAllMethods[] = {LinkageMethod::kSingle,   LinkageMethod::kComplete,
                                         LinkageMethod::kAverage,  LinkageMethod::kWeighted,
                                         LinkageMethod::kCentroid, LinkageMethod::kMedian,
                                         LinkageMethod::kWard};

TEST(LinkageGolden, EveryMethodAndMetricMatchesScipyRowByRow) {
    const auto g = load_golden("hierarchy.json");
    const Matrix x = matrix_from_json(g["x"]);
    int checked = 0;
    for (const auto& c : g["cases"]) {
        LinkageOptions opt;
        opt.method = linkage_method_from_string(c["method"].get<std::string>());
        opt.metric = metric_from_string(c["metric"].get<std::string>());
        const std::string what =
            c["method"].get<std::string>() + "/" + c["metric"].get<std::string>();
        expect_linkage_equal(linkage(x, opt), c["Z"], what);
        ++checked;
    }
    EXPECT_EQ(checked, 19);  // 4 methods x 4 metrics + centroid/median/ward x euclidean
}

TEST(LinkageGolden, DistanceAndMaxclustCutsMatchFcluster) {
    const auto g = load_golden("hierarchy.json");
    const Matrix x = matrix_from_json(g["x"]);
    for (const auto& c : g["cases"]) {
        LinkageOptions opt;
        opt.method = linkage_method_from_string(c["method"].get<std::string>());
        opt.metric = metric_from_string(c["metric"].get<std::string>());
        const std::string what =
            c["method"].get<std::string>() + "/" + c["metric"].get<std::string>();
        const Linkage z = linkage(x, opt);
        for (const auto& cut : c["distance_cuts"]) {
            const double t = cut["t"].get<double>();
            // Thresholds equal to a merge height: use scipy's own heights so float rounding of
            // ours cannot flip the <= comparison.
            Linkage zs = z;
            for (std::size_t k = 0; k < zs.steps.size(); ++k) zs.steps[k].distance = c["Z"][k][2];
            const Clustering got = cut_by_distance(zs, t);
            const std::vector<int> want = labels_from_json(cut["labels"], -1);
            EXPECT_EQ(got.labels, want) << what << " t=" << t;
        }
        for (const auto& cut : c["maxclust_cuts"]) {
            const int k = cut["k"].get<int>();
            const Clustering got = cut_by_count(z, k);
            const std::vector<int> want = labels_from_json(cut["labels"], -1);
            EXPECT_TRUE(same_partition(got.labels, want)) << what << " k=" << k;
            EXPECT_EQ(got.labels, want) << what << " k=" << k;
            EXPECT_LE(got.num_clusters, k);
        }
    }
}

TEST(LinkageCut, MaxclustAtLeastNMinusOneGivesSingletonsOrOneMerge) {
    const Matrix x = testing::make_blobs(10, 3, 2, 1.0f, 3.0f, 4);
    const Linkage z = linkage(x, {});
    EXPECT_EQ(cut_by_count(z, 10).num_clusters, 10);
    EXPECT_EQ(cut_by_count(z, 50).num_clusters, 10);
    EXPECT_EQ(cut_by_count(z, 9).num_clusters, 9);
    for (int k = 1; k <= 10; ++k) {
        // No ties in random data: exactly k clusters, and nested (each cut refines the next).
        EXPECT_EQ(cut_by_count(z, k).num_clusters, k);
    }
}

TEST(LinkageGolden, PrecomputedCondensedMatrixMatchesScipy) {
    const auto g = load_golden("hierarchy.json");
    const std::size_t n = g["condensed_n"].get<std::size_t>();
    std::vector<float> y;
    for (const auto& v : g["condensed"]) y.push_back(static_cast<float>(v.get<double>()));
    for (const auto& c : g["condensed_cases"]) {
        const LinkageMethod m = linkage_method_from_string(c["method"].get<std::string>());
        expect_linkage_equal(linkage(CondensedMatrix(n, y), m), c["Z"],
                             "condensed/" + c["method"].get<std::string>());
    }
}

// Fast paths (MST, NN-chain, generic) against the naive O(N^3) algorithm, via cophenetic
// distances (independent of row order among equal heights) and the sorted heights.
TEST(LinkageReference, FastPathsEqualNaiveOnRandomData) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        const Matrix x = testing::make_blobs(120, 6, 5, 1.0f, 3.0f, seed);
        for (LinkageMethod m : kAllMethods) {
            const CondensedMatrix d = condensed_distances(x, Metric::kEuclidean);
            const Linkage fast = linkage(d, m);
            const Linkage naive = testing::naive_linkage(d, m);
            ASSERT_EQ(fast.steps.size(), naive.steps.size());
            std::vector<double> hf, hn;
            for (const auto& s : fast.steps) hf.push_back(s.distance);
            for (const auto& s : naive.steps) hn.push_back(s.distance);
            std::sort(hf.begin(), hf.end());
            std::sort(hn.begin(), hn.end());
            for (std::size_t k = 0; k < hf.size(); ++k) {
                EXPECT_NEAR(hf[k], hn[k], 1e-4 * std::max(1.0, hn[k])) << to_string(m);
            }
            const CondensedMatrix cf = cophenetic_distances(fast);
            const CondensedMatrix cn = cophenetic_distances(naive);
            double worst = 0;
            for (std::size_t k = 0; k < cf.num_pairs(); ++k) {
                worst = std::max(worst, std::abs(double(cf.data()[k]) - cn.data()[k]) /
                                            std::max(1.0, double(cn.data()[k])));
            }
            EXPECT_LT(worst, 1e-4) << to_string(m) << " seed " << seed;
        }
    }
}

TEST(LinkageReference, MonotoneMethodsAreSortedAndSizesAddUp) {
    const Matrix x = testing::make_blobs(300, 16, 7, 1.0f, 2.0f, 9);
    for (LinkageMethod m : kAllMethods) {
        const Linkage z = linkage(x, {m, Metric::kEuclidean});
        ASSERT_EQ(z.steps.size(), 299u);
        EXPECT_EQ(z.steps.back().size, 300);
        for (std::size_t k = 0; k < z.steps.size(); ++k) {
            EXPECT_LT(z.steps[k].a, z.steps[k].b);
            EXPECT_LT(z.steps[k].b, static_cast<int>(300 + k));
            if (k > 0 && m != LinkageMethod::kCentroid && m != LinkageMethod::kMedian) {
                EXPECT_GE(z.steps[k].distance, z.steps[k - 1].distance);
            }
        }
    }
}

TEST(LinkageDegenerate, EmptySingleAndIdenticalPoints) {
    const Matrix empty(0, 4);
    const Linkage z0 = linkage(empty, {});
    EXPECT_EQ(z0.num_observations, 0u);
    EXPECT_TRUE(z0.steps.empty());
    EXPECT_TRUE(cut_by_distance(z0, 1.0).labels.empty());

    const Matrix one(1, 4, 0.5f);
    const Linkage z1 = linkage(one, {});
    EXPECT_TRUE(z1.steps.empty());
    EXPECT_EQ(cut_by_distance(z1, 1.0).labels, std::vector<int>{0});
    EXPECT_EQ(cut_by_count(z1, 3).labels, std::vector<int>{0});

    const Matrix same(6, 3, 2.0f);
    for (LinkageMethod m : kAllMethods) {
        const Linkage z = linkage(same, {m, Metric::kEuclidean});
        ASSERT_EQ(z.steps.size(), 5u);
        for (const auto& s : z.steps) EXPECT_EQ(s.distance, 0.0) << to_string(m);
        EXPECT_EQ(cut_by_distance(z, 0.0).num_clusters, 1);
        EXPECT_EQ(cut_by_count(z, 2).num_clusters, 1);  // ties: scipy gives fewer clusters too
    }
}

TEST(LinkageDegenerate, BadInputsThrow) {
    Matrix x(4, 2, 1.0f);
    x(2, 1) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(linkage(x, {}), Error);
    x(2, 1) = std::numeric_limits<float>::infinity();
    EXPECT_THROW(linkage(x, {}), Error);
    const Matrix ok(4, 2, 1.0f);
    EXPECT_THROW(linkage(ok, {LinkageMethod::kWard, Metric::kCosine}), Error);
    EXPECT_THROW(CondensedMatrix(4, std::vector<float>(5, 1.0f)), Error);
    EXPECT_THROW(CondensedMatrix(3, std::vector<float>{1.0f, -1.0f, 2.0f}), Error);
    const Linkage z = linkage(ok, {});
    EXPECT_THROW(cut_by_count(z, 0), Error);
    EXPECT_THROW(linkage_method_from_string("upgma"), Error);
}

TEST(LinkageCondensed, InfiniteDistancesMergeLast) {
    // Two groups that may never merge: complete linkage keeps them apart below +inf.
    CondensedMatrix d(4, std::numeric_limits<float>::infinity());
    d.at(0, 1) = 1.0f;
    d.at(2, 3) = 2.0f;
    for (LinkageMethod m : {LinkageMethod::kSingle, LinkageMethod::kComplete,
                            LinkageMethod::kAverage, LinkageMethod::kWeighted}) {
        const Linkage z = linkage(d, m);
        ASSERT_EQ(z.steps.size(), 3u);
        EXPECT_EQ(z.steps[0].distance, 1.0);
        EXPECT_EQ(z.steps[1].distance, 2.0);
        EXPECT_TRUE(std::isinf(z.steps[2].distance)) << to_string(m);
        EXPECT_TRUE(same_partition(cut_by_distance(z, 1e30).labels, {0, 0, 1, 1}));
    }
}

TEST(CannotLink, SplitsOnlyWhereConstraintsForce) {
    // Members 10..15 on a line; 10 and 15 appear in the same photo.
    const std::vector<int> members{10, 11, 12, 13, 14, 15};
    auto dist = [](int a, int b) { return std::abs(a - b) * 1.0; };
    auto same_photo = [](int a, int b) { return (a == 10 && b == 15) || (a == 15 && b == 10); };
    const auto parts = split_cannot_link(members, dist, same_photo);
    ASSERT_EQ(parts.size(), 2u);
    for (const auto& p : parts) {
        const bool has10 = std::count(p.begin(), p.end(), 10) > 0;
        const bool has15 = std::count(p.begin(), p.end(), 15) > 0;
        EXPECT_FALSE(has10 && has15);
    }
    EXPECT_EQ(parts[0].size() + parts[1].size(), 6u);
    // No constraints: the cluster stays whole.
    const auto whole = split_cannot_link(members, dist, [](int, int) { return false; });
    ASSERT_EQ(whole.size(), 1u);
    EXPECT_EQ(whole[0], members);
    // A finite max_distance also splits far members.
    CannotLinkOptions opt;
    opt.max_distance = 1.5;
    EXPECT_EQ(split_cannot_link(
                  members, dist, [](int, int) { return false; }, opt)
                  .size(),
              3u);
}

TEST(CannotLink, PairListOverloadOnVectors) {
    const Matrix x = testing::make_blobs(12, 4, 1, 0.1f, 1.0f, 5);
    std::vector<int> members(12);
    for (int i = 0; i < 12; ++i) members[i] = i;
    const std::vector<std::pair<int, int>> pairs{{0, 1}, {1, 2}, {0, 2}};
    const auto parts = split_cannot_link(members, x, Metric::kEuclidean, pairs);
    EXPECT_EQ(parts.size(), 3u);  // 0, 1, 2 pairwise forbidden -> at least 3 parts
    for (const auto& p : parts) {
        int n012 = 0;
        for (int v : p) n012 += v <= 2;
        EXPECT_LE(n012, 1);
    }
    EXPECT_THROW(split_cannot_link({0, 99}, x, Metric::kEuclidean, pairs), Error);
}

TEST(ClusteringHelpers, PartitionEqualityAndAri) {
    EXPECT_TRUE(same_partition({0, 0, 1, 2}, {5, 5, 3, 9}));
    EXPECT_FALSE(same_partition({0, 0, 1, 2}, {5, 5, 3, 3}));
    EXPECT_FALSE(same_partition({0, -1}, {0, 1}));
    EXPECT_DOUBLE_EQ(adjusted_rand_index({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
    // sklearn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
    EXPECT_NEAR(adjusted_rand_index({0, 0, 1, 1}, {0, 0, 1, 2}), 0.5714285714285715, 1e-12);
    EXPECT_THROW(same_partition({0}, {0, 1}), Error);
    const Clustering c = make_clustering({7, 7, -3, 2});
    EXPECT_EQ(c.labels, (std::vector<int>{0, 0, kNoise, 1}));
    EXPECT_EQ(c.num_clusters, 2);
    EXPECT_EQ(c.num_noise(), 1u);
}

}  // namespace
}  // namespace faceatlas::cluster
