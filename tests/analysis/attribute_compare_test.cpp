// compare_attribute_clusterings against scipy/sklearn (tests/analysis/golden/make_attr_compare.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "faceatlas/analysis/attribute_compare.h"
#include "faceatlas/cluster/matrix.h"
#include "faceatlas/core/error.h"

namespace faceatlas::analysis {
namespace {

nlohmann::json golden() {
    std::ifstream in(std::string(FACEATLAS_SOURCE_DIR) +
                     "/tests/analysis/golden/attr_compare.json");
    return nlohmann::json::parse(in);
}

cluster::Matrix matrix(const nlohmann::json& rows) {
    cluster::Matrix m(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[0].size(); ++j) m(i, j) = rows[i][j].get<float>();
    return m;
}

TEST(AttributeCompare, AgglomerativeSilhouettesMatchScipySklearn) {
    const auto g = golden();
    const auto x = matrix(g["x"]);
    AttributeCompareOptions o;
    o.k_min = 2;
    o.k_max = 5;
    o.dbscan_eps = {0.8, 1.0, 1.5};
    const auto r = compare_attribute_clusterings(x, o);
    int checked = 0;
    for (const auto& want : g["agglomerative"]) {
        const AttributeCompareEntry* got = nullptr;
        for (const auto& e : r.entries) {
            if (e.algorithm == "agglomerative" && e.linkage == want["linkage"] &&
                e.metric == want["metric"] && e.k == want["k"])
                got = &e;
        }
        ASSERT_NE(got, nullptr) << want.dump();
        EXPECT_EQ(got->clusters, want["clusters"].get<int>()) << want.dump();
        ASSERT_TRUE(got->silhouette.has_value()) << want.dump();
        EXPECT_NEAR(*got->silhouette, want["silhouette"].get<double>(), 1e-5) << want.dump();
        ++checked;
    }
    EXPECT_EQ(checked, 15 * 4);  // 4 linkages x 3 metrics + 3 Euclidean-only, k = 2..5
}

TEST(AttributeCompare, DbscanPicksBestEpsPerKAndMatchesSklearn) {
    const auto g = golden();
    const auto x = matrix(g["x"]);
    AttributeCompareOptions o;
    o.k_min = 2;
    o.k_max = 5;
    o.agglomerative = false;
    o.dbscan_eps = {0.8, 1.0, 1.5};
    const auto r = compare_attribute_clusterings(x, o);
    std::vector<AttributeCompareEntry> db;
    for (const auto& e : r.entries)
        if (e.algorithm == "dbscan") db.push_back(e);
    ASSERT_EQ(db.size(), 2u);  // eps 0.8 -> 2 clusters; eps 1.0 and 1.5 -> 3 clusters
    const auto& d = g["dbscan"];
    EXPECT_EQ(db[0].k, 2);
    EXPECT_DOUBLE_EQ(*db[0].eps, 0.8);
    EXPECT_EQ(db[0].noise, d[0]["noise"].get<std::size_t>());
    EXPECT_NEAR(*db[0].silhouette, d[0]["silhouette"].get<double>(), 1e-5);
    EXPECT_EQ(db[1].k, 3);
    EXPECT_DOUBLE_EQ(*db[1].eps, 1.0);  // 0.698 (eps 1.0) beats 0.662 (eps 1.5)
    EXPECT_NEAR(*db[1].silhouette, d[1]["silhouette"].get<double>(), 1e-5);
}

TEST(AttributeCompare, KMeansSilhouettesMatchSklearn) {
    // sklearn KMeans(k, n_init=10, random_state=0) + silhouette_score on the same data: for
    // k = 2, 3 the optimum is unique, so both find the same partition. Two of the three blobs
    // lie close together, so k = 2 scores best (0.671 vs 0.662).
    const auto x = matrix(golden()["x"]);
    AttributeCompareOptions o;
    o.k_min = 2;
    o.k_max = 6;
    o.agglomerative = false;
    o.dbscan = false;
    const auto r = compare_attribute_clusterings(x, o);
    ASSERT_EQ(r.entries.size(), 5u);
    EXPECT_EQ(r.entries[0].k, 2);
    EXPECT_NEAR(*r.entries[0].silhouette, 0.6709305872397829, 1e-5);
    EXPECT_NEAR(*r.entries[1].silhouette, 0.6618507711414108, 1e-5);
    for (const auto& e : r.entries) {
        if (e.k > 3) EXPECT_LT(*e.silhouette, 0.55);
    }
}

TEST(AttributeCompare, BadInput) {
    cluster::Matrix two(2, 3, 1.0f);
    EXPECT_THROW(compare_attribute_clusterings(two, {}), Error);  // fewer than 3 rows
    AttributeCompareOptions o;
    o.k_min = 5;
    o.k_max = 3;
    cluster::Matrix x(10, 2);
    for (std::size_t i = 0; i < 10; ++i) x(i, 0) = static_cast<float>(i);
    EXPECT_THROW(compare_attribute_clusterings(x, o), Error);
    x(3, 1) = std::nanf("");
    EXPECT_THROW(compare_attribute_clusterings(x, {}), Error);
}

TEST(AttributeCompare, KAboveRowsIsSkippedNotAnError) {
    cluster::Matrix x(6, 1);
    for (std::size_t i = 0; i < 6; ++i) x(i, 0) = static_cast<float>(i * i);
    AttributeCompareOptions o;
    o.k_min = 2;
    o.k_max = 20;
    const auto r = compare_attribute_clusterings(x, o);
    for (const auto& e : r.entries) EXPECT_LE(e.k, 5);
}

}  // namespace
}  // namespace faceatlas::analysis
