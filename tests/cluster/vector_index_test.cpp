// FAISS-backed VectorIndex and the approximate k-NN graph against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "cluster_test_util.h"
#include "common/temp_dir.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/vector_index.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

using testing::make_blobs;

std::vector<std::int64_t> ids_for(std::size_t n, std::int64_t base) {
    std::vector<std::int64_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = base + static_cast<std::int64_t>(i) * 3;
    return v;
}

// `search --index auto`: HNSW from exact_below rows on, but only when FAISS is built in;
// without it the search stays exact instead of failing on the HNSW constructor.
TEST(AutoIndexKind, HnswOnlyWithFaissAndEnoughRows) {
    EXPECT_EQ(auto_index_kind(19999, 20000, true), std::nullopt);
    EXPECT_EQ(auto_index_kind(20000, 20000, true), IndexKind::kHnsw);
    EXPECT_EQ(auto_index_kind(1000000, 20000, true), IndexKind::kHnsw);
    EXPECT_EQ(auto_index_kind(20000, 20000, false), std::nullopt);
    EXPECT_EQ(auto_index_kind(1000000, 20000, false), std::nullopt);
    EXPECT_EQ(auto_index_kind(5, 0, false), std::nullopt);
    // What the CLI does with this build: the choice never names an index that cannot be made.
    if (const auto k = auto_index_kind(50000, 20000, VectorIndex::available()))
        EXPECT_NO_THROW(VectorIndex(8, VectorIndexOptions{*k}));
}

class FlatIndex : public ::testing::TestWithParam<Metric> {};

TEST_P(FlatIndex, EqualsBruteForce) {
    if (!VectorIndex::available()) GTEST_SKIP() << "built without FAISS";
    const Matrix x = make_blobs(300, 16, 5, 1.0f, 4.0f, 11);
    const Matrix q = make_blobs(20, 16, 5, 1.5f, 4.0f, 12);
    const auto ids = ids_for(300, 1000);
    VectorIndexOptions o;
    o.metric = GetParam();
    VectorIndex index(16, o);
    index.add(x, ids);
    const auto res = index.search(q, 7);
    ASSERT_EQ(res.size(), 20u);
    for (std::size_t i = 0; i < q.rows(); ++i) {
        std::vector<std::pair<double, std::int64_t>> all;
        for (std::size_t j = 0; j < x.rows(); ++j) {
            all.emplace_back(distance(q.row(i), x.row(j), 16, GetParam()), ids[j]);
        }
        std::sort(all.begin(), all.end());
        ASSERT_EQ(res[i].size(), 7u);
        for (std::size_t t = 0; t < 7; ++t) {
            EXPECT_EQ(res[i][t].id, all[t].second) << "query " << i << " rank " << t;
            EXPECT_NEAR(res[i][t].distance, all[t].first, 1e-4 * (1 + all[t].first));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Metrics, FlatIndex,
                         ::testing::Values(Metric::kEuclidean, Metric::kCosine));

TEST(VectorIndex, IncrementalAddSaveLoad) {
    if (!VectorIndex::available()) GTEST_SKIP() << "built without FAISS";
    const Matrix x = make_blobs(200, 8, 4, 1.0f, 4.0f, 5);
    const auto ids = ids_for(200, 7);
    VectorIndex index(8, {});
    index.add(MatrixView{x.data(), 120, 8}, {ids.begin(), ids.begin() + 120});
    EXPECT_EQ(index.size(), 120u);
    EXPECT_TRUE(index.contains(ids[0]));
    EXPECT_FALSE(index.contains(ids[150]));
    const faceatlas::testing::TempDir tmp("vector_index");
    const auto path = tmp / "index.faiss";
    index.save(path);
    VectorIndex back = VectorIndex::load(path);
    EXPECT_EQ(back.size(), 120u);
    EXPECT_EQ(back.ids(), index.ids());
    back.add(MatrixView{x.row(120), 80, 8}, {ids.begin() + 120, ids.end()});
    EXPECT_EQ(back.size(), 200u);
    // The full incremental index answers like one built at once.
    VectorIndex once(8, {});
    once.add(x, ids);
    const auto a = back.search(x, 5);
    const auto b = once.search(x, 5);
    for (std::size_t i = 0; i < x.rows(); ++i) {
        for (std::size_t t = 0; t < 5; ++t) EXPECT_EQ(a[i][t].id, b[i][t].id);
        EXPECT_EQ(a[i][0].id, ids[i]);  // each vector finds itself first
    }
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + ".json");
}

TEST(VectorIndex, BadInput) {
    if (!VectorIndex::available()) GTEST_SKIP() << "built without FAISS";
    VectorIndex index(4, {});
    Matrix x(3, 4, 1.0f);
    EXPECT_THROW(index.add(x, {1, 2}), Error);     // ids vs rows
    EXPECT_THROW(index.add(x, {1, 1, 2}), Error);  // duplicate id
    index.add(x, {1, 2, 3});
    EXPECT_THROW(index.add(Matrix(1, 4, 0.f), {2}), Error);  // already indexed
    EXPECT_THROW(index.add(Matrix(1, 5, 0.f), {9}), Error);  // dimension
    Matrix nan(1, 4, 0.f);
    nan(0, 2) = std::nanf("");
    EXPECT_THROW(index.add(nan, {9}), Error);
    EXPECT_THROW(index.search(nan, 1), Error);
    EXPECT_THROW(index.search(x, 0), Error);
    VectorIndexOptions o;
    o.metric = Metric::kManhattan;
    EXPECT_THROW(VectorIndex(4, o), Error);
    EXPECT_THROW(VectorIndex::load("/nonexistent/faceatlas.faiss"), Error);
    // Fewer stored vectors than k: padded.
    const auto r = index.search(x, 10);
    EXPECT_EQ(r[0].size(), 3u);
}

TEST(ApproximateKnnGraph, HighRecallAndExactLayout) {
    if (!VectorIndex::available()) GTEST_SKIP() << "built without FAISS";
    const Matrix x = make_blobs(4000, 32, 40, 1.0f, 6.0f, 9);
    KnnOptions exact;
    exact.k = 10;
    exact.method = KnnMethod::kExact;
    const KnnGraph e = build_knn_graph(x, exact);
    for (KnnMethod m : {KnnMethod::kIvf, KnnMethod::kHnsw}) {
        KnnOptions a = exact;
        a.method = m;
        a.nprobe = 8;
        const KnnGraph g = build_knn_graph(x, a);
        ASSERT_EQ(g.indices.size(), e.indices.size());
        std::size_t hit = 0;
        for (std::size_t i = 0; i < x.rows(); ++i) {
            std::unordered_set<int> want(e.neighbors(i), e.neighbors(i) + 10);
            for (int t = 0; t < 10; ++t) {
                EXPECT_NE(g.neighbors(i)[t], static_cast<int>(i));  // self excluded
                if (t > 0) EXPECT_LE(g.neighbor_distances(i)[t - 1], g.neighbor_distances(i)[t]);
                hit += want.count(g.neighbors(i)[t]);
            }
        }
        EXPECT_GT(static_cast<double>(hit) / (10.0 * x.rows()), 0.95) << static_cast<int>(m);
    }
}

TEST(ApproximateKnnGraph, AutoStaysExactBelowThreshold) {
    KnnOptions o;
    EXPECT_EQ(resolve_knn_method(o, 1000), KnnMethod::kExact);
    o.metric = Metric::kManhattan;
    EXPECT_EQ(resolve_knn_method(o, 10'000'000), KnnMethod::kExact);  // FAISS has no L1 here
    if (VectorIndex::available()) {
        o.metric = Metric::kEuclidean;
        EXPECT_EQ(resolve_knn_method(o, o.approximate_min_rows), KnnMethod::kIvf);
    }
    o.method = KnnMethod::kIvf;
    o.metric = Metric::kManhattan;
    const Matrix x = make_blobs(50, 4, 2, 1.0f, 3.0f, 1);
    EXPECT_THROW(build_knn_graph(x, o), Error);
}

}  // namespace
}  // namespace faceatlas::cluster
