// DBSCAN, k-means, GMM (sklearn golden values), k-NN graph, chinese whispers and rank-order.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "cluster_test_util.h"
#include "faceatlas/cluster/chinese_whispers.h"
#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/rank_order.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

using testing::labels_from_json;
using testing::load_golden;
using testing::make_blobs;
using testing::matrix_from_json;

// ---------------------------------------------------------------- distances / k-NN graph

TEST(Distance, PairwiseBlocksMatchDoubleReference) {
    const Matrix x = make_blobs(70, 33, 3, 1.0f, 2.0f, 1);
    const Matrix y = make_blobs(50, 33, 2, 1.0f, 2.0f, 2);
    for (Metric m :
         {Metric::kEuclidean, Metric::kSquaredEuclidean, Metric::kCosine, Metric::kManhattan}) {
        const Matrix d = pairwise_distances(x, y, m);
        for (std::size_t i = 0; i < x.rows(); ++i) {
            for (std::size_t j = 0; j < y.rows(); ++j) {
                const double ref = distance(x.row(i), y.row(j), x.cols(), m);
                EXPECT_NEAR(d(i, j), ref, 1e-4 * std::max(1.0, ref)) << to_string(m);
            }
        }
    }
}

TEST(KnnGraph, ExactBlockedEqualsBruteForce) {
    const Matrix x = make_blobs(500, 16, 6, 1.0f, 3.0f, 3);
    KnnOptions opt;
    opt.k = 7;
    opt.block_rows = 64;  // several row and column blocks
    opt.block_cols = 100;
    const KnnGraph g = build_knn_graph(x, opt);
    ASSERT_EQ(g.indices.size(), 500u * 7);
    for (std::size_t i = 0; i < x.rows(); ++i) {
        std::vector<std::pair<double, int>> all;
        for (std::size_t j = 0; j < x.rows(); ++j) {
            if (j != i) all.emplace_back(distance(x.row(i), x.row(j), 16, Metric::kEuclidean), j);
        }
        std::sort(all.begin(), all.end());
        for (int t = 0; t < 7; ++t) {
            EXPECT_EQ(g.neighbors(i)[t], all[static_cast<std::size_t>(t)].second) << i;
            EXPECT_NEAR(g.neighbor_distances(i)[t], all[static_cast<std::size_t>(t)].first, 1e-3);
        }
    }
}

TEST(KnnGraph, PadsWhenFewerPointsThanK) {
    const Matrix x = make_blobs(3, 4, 1, 1.0f, 1.0f, 4);
    KnnOptions opt;
    opt.k = 5;
    const KnnGraph g = build_knn_graph(x, opt);
    EXPECT_EQ(g.neighbors(0)[1] >= 0, true);
    EXPECT_EQ(g.neighbors(0)[2], -1);
    EXPECT_TRUE(std::isinf(g.neighbor_distances(0)[4]));
    opt.k = 0;
    EXPECT_THROW(build_knn_graph(x, opt), Error);
}

// ---------------------------------------------------------------- DBSCAN

TEST(Dbscan, MatchesSklearnLabelsExactly) {
    const auto g = load_golden("dbscan.json");
    const Matrix x = matrix_from_json(g["x"]);
    for (const auto& c : g["cases"]) {
        DbscanOptions opt;
        opt.eps = c["eps"].get<double>();
        opt.min_samples = c["min_samples"].get<int>();
        const Clustering got = dbscan(x, opt);
        const std::vector<int> want = labels_from_json(c["labels"]);
        // sklearn numbers clusters in discovery order too, so labels are identical.
        EXPECT_EQ(got.labels, want) << "eps " << opt.eps << " min_samples " << opt.min_samples;
        EXPECT_TRUE(same_partition(got.labels, want));
    }
    const Matrix xc = matrix_from_json(g["x_cosine"]);
    for (const auto& c : g["cosine_cases"]) {
        DbscanOptions opt;
        opt.eps = c["eps"].get<double>();
        opt.min_samples = c["min_samples"].get<int>();
        opt.metric = Metric::kCosine;
        EXPECT_EQ(dbscan(xc, opt).labels, labels_from_json(c["labels"])) << "cosine " << opt.eps;
    }
}

TEST(Dbscan, KnnGraphVariantEqualsExactWhenKIsLargeEnough) {
    const auto g = load_golden("dbscan.json");
    const Matrix x = matrix_from_json(g["x"]);
    KnnOptions ko;
    ko.k = static_cast<int>(x.rows()) - 1;  // every neighbour listed: exact
    const KnnGraph graph = build_knn_graph(x, ko);
    for (const auto& c : g["cases"]) {
        DbscanOptions opt;
        opt.eps = c["eps"].get<double>();
        opt.min_samples = c["min_samples"].get<int>();
        EXPECT_TRUE(same_partition(dbscan(graph, opt).labels, labels_from_json(c["labels"])));
    }
}

TEST(Dbscan, BorderPointGoesToFirstCoreClusterInIndexOrder) {
    // 1-d, eps 0.45, min_samples 4: B = indices 0..3, A = 4..7, border point 0.6 (index 8) is
    // 0.4 from a core point of each (and not core itself): it joins B, found first.
    Matrix x(9, 1);
    const float v[] = {1.0f, 1.07f, 1.1f, 1.15f, 0.0f, 0.05f, 0.1f, 0.2f, 0.6f};
    for (int i = 0; i < 9; ++i) x(static_cast<std::size_t>(i), 0) = v[i];
    DbscanOptions opt;
    opt.eps = 0.45;
    opt.min_samples = 4;
    const Clustering c = dbscan(x, opt);
    EXPECT_EQ(c.labels, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 0}));
    EXPECT_EQ(c.num_clusters, 2);
}

TEST(Dbscan, DegenerateInputs) {
    DbscanOptions opt;
    EXPECT_TRUE(dbscan(Matrix(0, 3), opt).labels.empty());
    EXPECT_EQ(dbscan(Matrix(1, 3), opt).labels, std::vector<int>{kNoise});
    opt.min_samples = 1;
    EXPECT_EQ(dbscan(Matrix(1, 3), opt).labels, std::vector<int>{0});
    const Matrix same(10, 3, 1.0f);
    opt.min_samples = 5;
    EXPECT_EQ(dbscan(same, opt).num_clusters, 1);
    opt.eps = 0;
    EXPECT_THROW(dbscan(same, opt), Error);
    opt.eps = -1;
    EXPECT_THROW(dbscan(same, opt), Error);
    opt.eps = 0.5;
    opt.min_samples = 0;
    EXPECT_THROW(dbscan(same, opt), Error);
    Matrix bad(3, 2, 0.0f);
    bad(1, 1) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(dbscan(bad, DbscanOptions{}), Error);
}

// ---------------------------------------------------------------- k-means

TEST(KMeans, WellSeparatedBlobsMatchSklearn) {
    const auto g = load_golden("kmeans_gmm.json");
    const Matrix x = matrix_from_json(g["x"]);
    KMeansOptions opt;
    opt.k = g["kmeans"]["k"].get<int>();
    opt.n_init = 10;
    opt.seed = 42;
    const KMeansResult r = kmeans(x, opt);
    EXPECT_TRUE(same_partition(r.clustering.labels, labels_from_json(g["kmeans"]["labels"])));
    const double want = g["kmeans"]["inertia"].get<double>();
    EXPECT_NEAR(r.inertia, want, 1e-4 * want);
    EXPECT_EQ(r.centers.rows(), 5u);
    // Each of our centres equals one of sklearn's.
    for (std::size_t c = 0; c < 5; ++c) {
        double best = 1e30;
        for (const auto& sc : g["kmeans"]["centers"]) {
            double s = 0;
            for (std::size_t j = 0; j < x.cols(); ++j) {
                s += std::pow(r.centers(c, j) - sc[j].get<double>(), 2);
            }
            best = std::min(best, s);
        }
        EXPECT_LT(best, 1e-6);
    }
}

TEST(KMeans, SeedingIsDeterministicAndLabelsMatchCenters) {
    const Matrix x = make_blobs(400, 10, 4, 1.0f, 2.0f, 5);
    KMeansOptions opt;
    opt.k = 4;
    opt.seed = 7;
    const KMeansResult a = kmeans(x, opt);
    const KMeansResult b = kmeans(x, opt);
    EXPECT_EQ(a.clustering.labels, b.clustering.labels);
    EXPECT_EQ(a.inertia, b.inertia);
    double inertia = 0;
    for (std::size_t i = 0; i < x.rows(); ++i) {
        double best = 1e30;
        int arg = -1;
        for (std::size_t c = 0; c < 4; ++c) {
            const double d = distance(x.row(i), a.centers.row(c), 10, Metric::kSquaredEuclidean);
            if (d < best) {
                best = d;
                arg = static_cast<int>(c);
            }
        }
        EXPECT_EQ(a.clustering.labels[i], arg);
        inertia += best;
    }
    EXPECT_NEAR(a.inertia, inertia, 1e-6 * inertia);
}

TEST(KMeans, DegenerateInputs) {
    const Matrix x = make_blobs(5, 2, 1, 1.0f, 1.0f, 6);
    KMeansOptions opt;
    opt.k = 6;
    EXPECT_THROW(kmeans(x, opt), Error);  // k > N
    EXPECT_THROW(kmeans(Matrix(0, 2), opt), Error);
    opt.k = 0;
    EXPECT_THROW(kmeans(x, opt), Error);
    opt.k = 1;
    const KMeansResult one = kmeans(Matrix(1, 2, 3.0f), opt);
    EXPECT_EQ(one.clustering.labels, std::vector<int>{0});
    EXPECT_EQ(one.inertia, 0.0);
    opt.k = 3;
    const KMeansResult same = kmeans(Matrix(8, 2, 1.0f), opt);  // all identical points
    EXPECT_EQ(same.inertia, 0.0);
    EXPECT_EQ(same.clustering.labels.size(), 8u);
    Matrix bad(4, 2, 0.0f);
    bad(0, 0) = std::numeric_limits<float>::infinity();
    opt.k = 2;
    EXPECT_THROW(kmeans(bad, opt), Error);
}

// ---------------------------------------------------------------- GMM

TEST(GaussianMixture, FullAndDiagonalMatchSklearn) {
    const auto g = load_golden("kmeans_gmm.json");
    const Matrix x = matrix_from_json(g["x_gmm"]);
    for (const auto& c : g["gmm"]) {
        GmmOptions opt;
        opt.n_components = 3;
        opt.covariance =
            c["covariance"] == "full" ? CovarianceType::kFull : CovarianceType::kDiagonal;
        opt.seed = 1;
        const GaussianMixture gm = GaussianMixture::fit(x, opt);
        const std::string what = c["covariance"].get<std::string>();
        EXPECT_TRUE(gm.converged()) << what;
        EXPECT_TRUE(same_partition(gm.predict(x), labels_from_json(c["labels"]))) << what;
        EXPECT_NEAR(gm.score(x), c["score"].get<double>(), 1e-4) << what;
        const double bic = c["bic"].get<double>();
        EXPECT_NEAR(gm.bic(x), bic, 1e-4 * std::abs(bic)) << what;
        // Weights and means equal up to component order.
        for (int k = 0; k < 3; ++k) {
            double best = 1e30;
            for (int s = 0; s < 3; ++s) {
                double dm = std::abs(gm.weights()[static_cast<std::size_t>(k)] -
                                     c["weights"][s].get<double>());
                for (int j = 0; j < 3; ++j) {
                    dm += std::abs(
                        gm.means()[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)] -
                        c["means"][s][j].get<double>());
                }
                best = std::min(best, dm);
            }
            EXPECT_LT(best, 1e-3) << what;
        }
        const std::vector<double> p = gm.predict_proba(x);
        for (std::size_t i = 0; i < x.rows(); ++i) {
            EXPECT_NEAR(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2], 1.0, 1e-9);
        }
    }
}

TEST(GaussianMixture, DegenerateInputs) {
    GmmOptions opt;
    opt.n_components = 4;
    EXPECT_THROW(GaussianMixture::fit(make_blobs(3, 2, 1, 1.0f, 1.0f, 1), opt), Error);
    opt.n_components = 1;
    opt.reg_covar = -1;
    EXPECT_THROW(GaussianMixture::fit(make_blobs(10, 2, 1, 1.0f, 1.0f, 1), opt), Error);
    opt.reg_covar = 1e-6;
    // All identical points: reg_covar keeps the covariance positive definite.
    const GaussianMixture gm = GaussianMixture::fit(Matrix(10, 2, 1.0f), opt);
    EXPECT_TRUE(std::isfinite(gm.score(Matrix(10, 2, 1.0f))));
    EXPECT_THROW(gm.score(Matrix(2, 3, 0.0f)), Error);  // wrong dimension
}

// ---------------------------------------------------------------- chinese whispers

TEST(ChineseWhispers, SeparatesBlobsAndIsDeterministic) {
    std::vector<int> truth;
    const Matrix x = make_blobs(300, 8, 5, 0.05f, 1.0f, 8, &truth);
    ChineseWhispersOptions opt;
    opt.threshold = 0.5;
    const Clustering a = chinese_whispers(x, opt);
    EXPECT_TRUE(same_partition(a.labels, truth));
    EXPECT_EQ(chinese_whispers(x, opt).labels, a.labels);
    // The k-NN graph version gives the same edges when k covers every within-threshold pair.
    KnnOptions ko;
    ko.k = 100;
    EXPECT_TRUE(same_partition(chinese_whispers(build_knn_graph(x, ko), opt).labels, truth));
}

TEST(ChineseWhispers, DlibSemanticsOnTinyGraphs) {
    // Two triangles joined by nothing: two clusters; an isolated node keeps its own label.
    const std::vector<WeightedEdge> edges{{0, 1, 1}, {1, 2, 1}, {0, 2, 1},
                                          {3, 4, 1}, {4, 5, 1}, {3, 5, 1}};
    const Clustering c = chinese_whispers(edges, 7, 100, 1);
    EXPECT_TRUE(same_partition(c.labels, {0, 0, 0, 1, 1, 1, 2}));
    EXPECT_EQ(c.num_clusters, 3);
    EXPECT_THROW(chinese_whispers({{0, 9, 1}}, 3, 10, 0), Error);
    EXPECT_TRUE(chinese_whispers({}, 0, 10, 0).labels.empty());
    ChineseWhispersOptions bad;
    bad.threshold = 0;
    EXPECT_THROW(chinese_whispers(Matrix(2, 2, 0.0f), bad), Error);
}

// ---------------------------------------------------------------- rank-order

// Zhu et al.'s Algorithm 1 written plainly: full cluster-level order lists, every pair scored.
std::vector<int> naive_rank_order(const Matrix& x, const RankOrderOptions& o) {
    const std::size_t n = x.rows();
    std::vector<std::vector<double>> d(n, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            d[i][j] = distance(x.row(i), x.row(j), x.cols(), o.metric);
    std::vector<double> phi(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> r = d[i];
        r.erase(r.begin() + static_cast<long>(i));
        std::sort(r.begin(), r.end());
        const std::size_t k =
            std::min<std::size_t>(static_cast<std::size_t>(o.norm_neighbors), r.size());
        double s = 0;
        for (std::size_t t = 0; t < k; ++t) s += r[t];
        phi[i] = k ? s / static_cast<double>(k) : 0;
    }
    std::vector<std::vector<int>> clusters;
    for (std::size_t i = 0; i < n; ++i) clusters.push_back({static_cast<int>(i)});
    while (clusters.size() > 1) {
        const std::size_t m = clusters.size();
        std::vector<std::vector<double>> cd(m, std::vector<double>(m, 0));
        for (std::size_t a = 0; a < m; ++a)
            for (std::size_t b = 0; b < m; ++b) {
                if (a == b) continue;
                double best = 1e300;
                for (int i : clusters[a])
                    for (int j : clusters[b])
                        best = std::min(
                            best, d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]);
                cd[a][b] = best;
            }
        // order[a]: clusters by (distance, smallest member id), self first; rank[a][b].
        std::vector<std::vector<std::size_t>> order(m);
        std::vector<std::vector<long long>> rank(m, std::vector<long long>(m));
        for (std::size_t a = 0; a < m; ++a) {
            order[a].resize(m);
            for (std::size_t b = 0; b < m; ++b) order[a][b] = b;
            std::sort(order[a].begin(), order[a].end(), [&](std::size_t p, std::size_t q) {
                const double dp = p == a ? -1 : cd[a][p], dq = q == a ? -1 : cd[a][q];
                if (dp != dq) return dp < dq;
                return clusters[p][0] < clusters[q][0];
            });
            for (std::size_t r = 0; r < m; ++r) rank[a][order[a][r]] = static_cast<long long>(r);
        }
        std::vector<int> group(m);
        for (std::size_t a = 0; a < m; ++a) group[a] = static_cast<int>(a);
        std::function<int(int)> find = [&](int v) {
            return group[static_cast<std::size_t>(v)] == v
                       ? v
                       : find(group[static_cast<std::size_t>(v)]);
        };
        bool merged = false;
        for (std::size_t a = 0; a < m; ++a)
            for (std::size_t b = a + 1; b < m; ++b) {
                long long dab = 0, dba = 0;
                for (long long i = 0; i <= rank[a][b]; ++i)
                    dab += rank[b][order[a][static_cast<std::size_t>(i)]];
                for (long long i = 0; i <= rank[b][a]; ++i)
                    dba += rank[a][order[b][static_cast<std::size_t>(i)]];
                const double dr = static_cast<double>(dab + dba) /
                                  static_cast<double>(std::min(rank[a][b], rank[b][a]));
                double ps = 0;
                for (int i : clusters[a]) ps += phi[static_cast<std::size_t>(i)];
                for (int i : clusters[b]) ps += phi[static_cast<std::size_t>(i)];
                const double dn =
                    cd[a][b] / (ps / static_cast<double>(clusters[a].size() + clusters[b].size()));
                if (dr < o.threshold && dn < o.normalized_threshold) {
                    group[static_cast<std::size_t>(find(static_cast<int>(b)))] =
                        find(static_cast<int>(a));
                    merged = true;
                }
            }
        if (!merged) break;
        std::map<int, std::vector<int>> next;
        for (std::size_t a = 0; a < m; ++a) {
            auto& g = next[find(static_cast<int>(a))];
            g.insert(g.end(), clusters[a].begin(), clusters[a].end());
        }
        clusters.clear();
        for (auto& [r, g] : next) {
            std::sort(g.begin(), g.end());
            clusters.push_back(g);
        }
        std::sort(clusters.begin(), clusters.end());
    }
    std::vector<int> labels(n, kNoise);
    for (std::size_t c = 0; c < clusters.size(); ++c)
        if (clusters[c].size() > 1)
            for (int i : clusters[c]) labels[static_cast<std::size_t>(i)] = static_cast<int>(c);
    return labels;
}

TEST(RankOrder, ExactEqualsNaiveAlgorithmAndGroupsBlobs) {
    for (std::uint64_t seed : {10u, 12u, 13u}) {
        std::vector<int> truth;
        const Matrix x = make_blobs(150, 16, 6, 0.5f, 1.5f, seed, &truth);
        for (double t : {4.0, 14.0, 30.0}) {
            RankOrderOptions opt;
            opt.threshold = t;
            const Clustering c = rank_order_cluster(x, opt);
            EXPECT_TRUE(same_partition(c.labels, naive_rank_order(x, opt))) << seed << " t=" << t;
        }
        const Clustering c = rank_order_cluster(x, {});
        EXPECT_GT(adjusted_rand_index(c.labels, truth), 0.8) << seed;
    }
    EXPECT_THROW(rank_order_cluster(Matrix(3, 2, 0.0f), RankOrderOptions{.threshold = 0}), Error);
    EXPECT_TRUE(rank_order_cluster(Matrix(0, 4), {}).labels.empty());
    EXPECT_EQ(rank_order_cluster(Matrix(1, 4), {}).labels, std::vector<int>{kNoise});
    EXPECT_EQ(rank_order_cluster(Matrix(5, 4, 1.0f), {}).num_clusters, 1);  // identical points
}

TEST(RankOrder, ApproximateOnKnnGraphGroupsBlobs) {
    std::vector<int> truth;
    const Matrix x = make_blobs(600, 16, 6, 0.3f, 3.0f, 11, &truth);
    KnnOptions ko;
    ko.k = 20;
    const Clustering c = approximate_rank_order_cluster(build_knn_graph(x, ko), {});
    // Approximate rank-order favours precision: every found cluster is pure.
    for (const auto& members : c.members()) {
        std::set<int> t;
        for (int i : members) t.insert(truth[static_cast<std::size_t>(i)]);
        EXPECT_EQ(t.size(), 1u);
    }
    EXPECT_GT(adjusted_rand_index(c.labels, truth), 0.9);
    EXPECT_THROW(
        approximate_rank_order_cluster(KnnGraph{}, ApproxRankOrderOptions{.threshold = -1}), Error);
}

}  // namespace
}  // namespace faceatlas::cluster
