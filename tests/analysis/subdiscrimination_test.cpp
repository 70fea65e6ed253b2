#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "faceatlas/analysis/identification.h"
#include "faceatlas/analysis/subdiscrimination.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/linear_assignment.h"

namespace faceatlas::analysis {
namespace {

// 2-d data: the x axis separates "tone" (2 groups, far apart), the y axis "gender" (close);
// a third column is noise. k = 2 must follow tone, k = 4 must be explained by tone and gender.
struct Synthetic {
    cluster::Matrix x;
    LabelColumn tone, gender, noise;
};

Synthetic make_synthetic(std::size_t n) {
    std::mt19937_64 rng(3);
    std::normal_distribution<float> nd(0, 0.3f);
    Synthetic s;
    s.x = cluster::Matrix(n, 2);
    std::vector<std::string> tone, gender, noise;
    for (std::size_t i = 0; i < n; ++i) {
        const int t = static_cast<int>(i % 2), g = static_cast<int>((i / 2) % 2);
        s.x(i, 0) = t * 10.0f + nd(rng);
        s.x(i, 1) = g * 3.0f + nd(rng);
        tone.push_back(t ? "dark" : "light");
        gender.push_back(g ? "m" : "f");
        noise.push_back(std::to_string(rng() % 3));
    }
    s.tone = make_label_column("tone", tone);
    s.gender = make_label_column("gender", gender);
    s.noise = make_label_column("noise", noise);
    return s;
}

TEST(Subdiscrimination, HierarchyOnSyntheticData) {
    const auto s = make_synthetic(200);
    SubdiscriminationOptions o;
    o.ks = {2, 4};
    o.seeds = 3;
    const auto r = subdiscriminate(s.x, {s.tone, s.gender, s.noise}, o);
    ASSERT_EQ(r.best_by_k.size(), 2u);
    EXPECT_EQ(r.best_by_k[0], "tone");
    ASSERT_EQ(r.models.size(), 2u);
    EXPECT_EQ(r.models[0].k(), 2);
    for (const auto& e : r.rows) {
        if (e.k == 2 && e.column == "tone") {
            EXPECT_DOUBLE_EQ(e.accuracy.mean, 1.0);
            EXPECT_DOUBLE_EQ(e.purity.mean, 1.0);
            EXPECT_NEAR(e.ami.mean, 1.0, 1e-9);
            EXPECT_EQ(e.accuracy.per_seed.size(), 3u);
        }
        if (e.k == 2 && e.column == "gender") EXPECT_NEAR(e.accuracy.mean, 0.5, 0.05);
        if (e.k == 4 && e.column != "noise") EXPECT_DOUBLE_EQ(e.purity.mean, 1.0) << e.column;
        if (e.column == "noise") EXPECT_LT(e.ami.mean, 0.05);
        EXPECT_EQ(e.labelled, 200u);
    }
}

TEST(Subdiscrimination, MissingLabelsAreLeftOut) {
    auto s = make_synthetic(100);
    std::vector<std::string> partial;
    for (std::size_t i = 0; i < 100; ++i)
        partial.push_back(i < 40 ? s.tone.values[static_cast<std::size_t>(s.tone.labels[i])] : "");
    const auto col = make_label_column("tone40", partial);
    SubdiscriminationOptions o;
    o.ks = {2};
    o.seeds = 1;
    const auto r = subdiscriminate(s.x, {col}, o);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0].labelled, 40u);
    EXPECT_DOUBLE_EQ(r.rows[0].accuracy.mean, 1.0);
}

TEST(Subdiscrimination, HungarianMatchingKnownAnswer) {
    // Clusters 0,1,2 map to labels 2,0,1 except two errors: accuracy 8/10.
    const std::vector<int> truth{2, 2, 2, 0, 0, 0, 1, 1, 1, 1};
    const std::vector<int> pred{0, 0, 1, 1, 1, 1, 2, 2, 2, 0};
    const auto m = eval::best_match_accuracy(truth, pred);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.8);
}

TEST(Subdiscrimination, BadInput) {
    const auto s = make_synthetic(10);
    SubdiscriminationOptions o;
    o.ks = {11};  // more groups than faces
    EXPECT_THROW(subdiscriminate(s.x, {}, o), Error);
    o.ks = {0};
    EXPECT_THROW(subdiscriminate(s.x, {}, o), Error);
    o.ks = {2};
    LabelColumn short_col = make_label_column("x", {"a", "b"});
    EXPECT_THROW(subdiscriminate(s.x, {short_col}, o), Error);
    cluster::Matrix bad = s.x;
    bad(4, 1) = std::nanf("");
    EXPECT_THROW(subdiscriminate(bad, {}, o), Error);
}

TEST(Subdiscrimination, GmmModelsAssignLikeTheirFit) {
    const auto s = make_synthetic(120);
    SubdiscriminationOptions o;
    o.algorithm = cluster::CentroidAlgorithm::kGmm;
    o.ks = {2};
    o.seeds = 2;
    const auto r = subdiscriminate(s.x, {s.tone}, o);
    EXPECT_DOUBLE_EQ(r.rows[0].accuracy.mean, 1.0);
    EXPECT_EQ(r.models[0].weights.size(), 2u);
}

TEST(Identification, NearestNeighbourByHand) {
    // Person 0 at x ~ 0, person 1 at x ~ 10, person 2 has one photo (never enters at R = 1).
    cluster::Matrix x(7, 1);
    const float v[] = {0, 0.5f, 1, 10, 10.5f, 11, 50};
    for (std::size_t i = 0; i < 7; ++i) x(i, 0) = v[i];
    const std::vector<int> id{0, 0, 0, 1, 1, 1, 2};
    IdentificationOptions o;
    o.gallery_sizes = {1, 2, 3};
    o.splits = 4;
    const auto rows = identification_accuracy(x, id, o);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].persons, 2u);
    EXPECT_EQ(rows[0].gallery, 2u);
    EXPECT_EQ(rows[0].probes, 4u);
    EXPECT_DOUBLE_EQ(rows[0].mean, 1.0);
    EXPECT_DOUBLE_EQ(rows[0].std, 0.0);
    EXPECT_EQ(rows[1].probes, 2u);
    EXPECT_EQ(rows[2].persons, 0u);  // nobody has more than 3 photos
    EXPECT_TRUE(std::isnan(rows[2].mean));
}

TEST(Identification, OverlappingPersonsGiveChanceLevelAndSeedsMatter) {
    std::mt19937_64 rng(1);
    std::normal_distribution<float> nd;
    const std::size_t n = 400;
    cluster::Matrix x(n, 4);
    std::vector<int> id(n);
    for (std::size_t i = 0; i < n; ++i) {
        id[i] = static_cast<int>(i % 20);
        for (std::size_t j = 0; j < 4; ++j) x(i, j) = nd(rng);  // identity carries no signal
    }
    IdentificationOptions o;
    o.gallery_sizes = {5};
    o.splits = 10;
    const auto r = identification_accuracy(x, id, o)[0];
    EXPECT_NEAR(r.mean, 1.0 / 20, 0.03);
    EXPECT_GT(r.std, 0.0);
    EXPECT_EQ(r.per_split.size(), 10u);
    o.gallery_sizes = {0};
    EXPECT_THROW(identification_accuracy(x, id, o), Error);
}

}  // namespace
}  // namespace faceatlas::analysis
