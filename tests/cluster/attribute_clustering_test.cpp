#include <gtest/gtest.h>

#include <cmath>

#include "cluster_test_util.h"
#include "faceatlas/cluster/attribute_clustering.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

AttributeTable table() {
    AttributeTable t({10, 11, 12, 13, 14, 15});
    t.add_column("age", {20, 22, 21, 60, 62, 61});
    t.add_column("male_prob", {0.9f, 0.1f, 0.8f, 0.2f, 0.95f, 0.05f});
    return t;
}

TEST(AttributeClustering, SelectStandardizesAndWeights) {
    AttributeSelection s;
    s.attributes = {"age", "male_prob"};
    s.weights = {{"age", 2.0}};
    const auto r = select_attributes(table(), s);
    ASSERT_EQ(r.x.rows(), 6u);
    EXPECT_NEAR(r.mean[0], 41.0, 1e-9);
    // population sd of ages = sqrt(mean((a - 41)^2))
    double ss = 0;
    for (double a : {20, 22, 21, 60, 62, 61}) ss += (a - 41) * (a - 41);
    EXPECT_NEAR(r.scale[0], std::sqrt(ss / 6), 1e-9);
    EXPECT_NEAR(r.x(0, 0), (20 - 41) / std::sqrt(ss / 6) * 2, 1e-5);
    EXPECT_FLOAT_EQ(r.raw(3, 0), 60.f);
    double col_mean = 0;
    for (std::size_t i = 0; i < 6; ++i) col_mean += r.x(i, 1);
    EXPECT_NEAR(col_mean, 0, 1e-5);
}

TEST(AttributeClustering, AgeSplitsWhenAgeIsSelectedGenderWhenGenderIs) {
    const auto t = table();
    AttributeClusterOptions o;
    o.k = 2;
    AttributeSelection s;
    s.attributes = {"age"};
    auto c = cluster_attributes(select_attributes(t, s).x, o);
    EXPECT_TRUE(same_partition(c.labels, {0, 0, 0, 1, 1, 1}));
    s.attributes = {"male_prob"};
    c = cluster_attributes(select_attributes(t, s).x, o);
    EXPECT_TRUE(same_partition(c.labels, {0, 1, 0, 1, 0, 1}));
    // A large weight on gender makes it dominate age.
    s.attributes = {"age", "male_prob"};
    s.weights = {{"male_prob", 10.0}};
    for (auto algo : {AttributeAlgorithm::kKMeans, AttributeAlgorithm::kAgglomerative}) {
        o.algorithm = algo;
        c = cluster_attributes(select_attributes(t, s).x, o);
        EXPECT_TRUE(same_partition(c.labels, {0, 1, 0, 1, 0, 1})) << to_string(algo);
    }
    const auto prof = cluster_profiles(select_attributes(t, s).raw, c);
    ASSERT_EQ(prof.size(), 2u);
    EXPECT_EQ(prof[0].size, 3u);
}

TEST(AttributeClustering, NamedAttributesAndMissingValues) {
    AttributeTable t = table();
    const std::size_t skipped = t.add_named({{10, "smiling", 0.9f},
                                             {12, "smiling", 0.1f},
                                             {99, "smiling", 1.f},
                                             {11, "eyeglasses", 0.3f}});
    EXPECT_EQ(skipped, 1u);
    ASSERT_TRUE(t.column("smiling"));
    EXPECT_TRUE(std::isnan(t.at(1, *t.column("smiling"))));
    AttributeSelection s;
    s.attributes = {"age", "smiling"};
    const auto r = select_attributes(t, s);
    EXPECT_EQ(r.face_ids, (std::vector<std::int64_t>{10, 12}));
    EXPECT_EQ(r.dropped.size(), 4u);
    s.missing = MissingValues::kError;
    EXPECT_THROW(select_attributes(t, s), Error);
}

TEST(AttributeClustering, Parsing) {
    EXPECT_EQ(parse_attribute_list("age, male_prob"),
              (std::vector<std::string>{"age", "male_prob"}));
    EXPECT_THROW(parse_attribute_list("age,,x"), Error);
    const auto w = parse_attribute_weights("age=2,male_prob=0.5");
    ASSERT_EQ(w.size(), 2u);
    EXPECT_DOUBLE_EQ(w[1].second, 0.5);
    EXPECT_THROW(parse_attribute_weights("age=x"), Error);
    EXPECT_THROW(parse_attribute_weights("age"), Error);
}

TEST(AttributeClustering, BadInput) {
    const auto t = table();
    AttributeSelection s;
    s.attributes = {"nope"};
    EXPECT_THROW(select_attributes(t, s), Error);
    s.attributes = {"age"};
    s.weights = {{"age", -1.0}};
    EXPECT_THROW(select_attributes(t, s), Error);
    s.weights = {{"male_prob", 2.0}};  // not selected
    EXPECT_THROW(select_attributes(t, s), Error);
    const Matrix x = select_attributes(t, {}).x;
    AttributeClusterOptions o;
    o.k = 7;  // > 6 faces
    EXPECT_THROW(cluster_attributes(x, o), Error);
    o.k = 2;
    o.algorithm = AttributeAlgorithm::kDbscan;
    o.eps = 0;
    EXPECT_THROW(cluster_attributes(x, o), Error);
    o.eps = -1;
    EXPECT_THROW(cluster_attributes(x, o), Error);
    o.eps = 1.0;
    o.min_samples = 2;
    EXPECT_NO_THROW(cluster_attributes(x, o));
    o.algorithm = AttributeAlgorithm::kAgglomerative;
    o.linkage = LinkageMethod::kWard;
    o.metric = Metric::kCosine;
    EXPECT_THROW(cluster_attributes(x, o), Error);
    EXPECT_THROW(AttributeTable({1, 1}), Error);
}

}  // namespace
}  // namespace faceatlas::cluster
