// The report's view builders (eval_view, subdiscrimination_view, attribute_view) on small
// synthetic data, and their JSON round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/temp_dir.h"
#include "faceatlas/analysis/attribute_view.h"
#include "faceatlas/analysis/eval_view.h"
#include "faceatlas/analysis/subdiscrimination_view.h"
#include "faceatlas/analysis/view_file.h"
#include "faceatlas/cluster/clustering.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/labels.h"

namespace faceatlas::analysis {
namespace {

namespace fs = std::filesystem;

// 3 people x 4 faces: person 10 = Alice, person 20 = Bob + Carol merged, Dave split over 30,
// 31 and one unsorted face.
std::vector<EvalFace> merged_and_split() {
    std::vector<EvalFace> f;
    std::int64_t id = 100;
    for (int i = 0; i < 4; ++i) f.push_back({id++, "Alice", 10});
    for (int i = 0; i < 4; ++i) f.push_back({id++, "Bob", 20});
    for (int i = 0; i < 3; ++i) f.push_back({id++, "Carol", 20});
    f.push_back({id++, "Dave", 30});
    f.push_back({id++, "Dave", 30});
    f.push_back({id++, "Dave", 31});
    f.push_back({id++, "Dave", std::nullopt});
    return f;
}

eval::ClusteringScores scores_of(const std::vector<EvalFace>& faces) {
    std::vector<std::string> truth;
    std::vector<int> pred;
    for (const auto& f : faces) {
        truth.push_back(f.identity);
        pred.push_back(f.person_id ? static_cast<int>(*f.person_id) : eval::kUnsorted);
    }
    return eval::score_clustering(truth, pred);
}

TEST(EvalView, AMergeOfTwoKnownPeopleIsTheWorstMergeAndTheSplitIsFound) {
    const auto faces = merged_and_split();
    EvalViewOptions o;
    o.sample_faces = 2;
    const auto v = build_eval_view(faces, scores_of(faces), o);
    EXPECT_EQ(v.faces_scored, 15);
    EXPECT_EQ(v.unsorted, 1);
    ASSERT_EQ(v.merges.size(), 1u);
    const auto& m = v.merges[0];
    EXPECT_EQ(m.person_id, 20);
    EXPECT_EQ(m.faces, 7);
    EXPECT_EQ(m.wrong_faces, 3);
    ASSERT_EQ(m.parts.size(), 2u);
    EXPECT_EQ(m.parts[0].identity, "Bob");
    EXPECT_EQ(m.parts[0].faces, 4);
    EXPECT_EQ(m.parts[1].identity, "Carol");
    EXPECT_EQ(m.parts[1].sample_faces, (std::vector<std::int64_t>{108, 109}));
    ASSERT_EQ(v.splits.size(), 1u);
    const auto& s = v.splits[0];
    EXPECT_EQ(s.identity, "Dave");
    EXPECT_EQ(s.outside_faces, 2);  // one in person 31, one unsorted
    ASSERT_EQ(s.parts.size(), 3u);
    EXPECT_EQ(s.parts[0].person_id, 30);
    EXPECT_EQ(s.parts[1].person_id, 31);
    EXPECT_FALSE(s.parts[2].person_id.has_value());  // unsorted last
    // The metric table carries what eval clusters computes.
    const auto sc = scores_of(faces);
    bool ari = false;
    for (const auto& e : v.metrics)
        if (e.name == "ARI") {
            ari = true;
            EXPECT_DOUBLE_EQ(e.value, sc.ARI);
        }
    EXPECT_TRUE(ari);
    EXPECT_EQ(v.metrics.size(), 16u);
}

TEST(EvalView, WorstFirstCappedAndIndependentOfPersonNumbering) {
    auto faces = merged_and_split();
    // A second, smaller merge: Erin's one face in Alice's person.
    faces.push_back({200, "Erin", 10});
    EvalViewOptions o;
    o.max_cases = 1;
    auto v = build_eval_view(faces, scores_of(faces), o);
    ASSERT_EQ(v.merges.size(), 1u);
    EXPECT_EQ(v.merges[0].person_id, 20);  // 3 wrong faces beat 1
    for (auto& f : faces)
        if (f.person_id) f.person_id = 1000 - *f.person_id;
    v = build_eval_view(faces, scores_of(faces), o);
    EXPECT_EQ(v.merges[0].person_id, 980);
    EXPECT_EQ(v.merges[0].parts[1].identity, "Carol");
    o.sample_faces = 0;
    EXPECT_THROW(build_eval_view(faces, scores_of(faces), o), Error);
}

TEST(EvalView, PerfectClusteringHasNoCases) {
    std::vector<EvalFace> faces{{1, "a", 1}, {2, "a", 1}, {3, "b", 2}};
    const auto v = build_eval_view(faces, scores_of(faces));
    EXPECT_TRUE(v.merges.empty());
    EXPECT_TRUE(v.splits.empty());
}

TEST(EvalView, JsonRoundTripAndFormatChecks) {
    const auto faces = merged_and_split();
    auto v = build_eval_view(faces, scores_of(faces));
    v.truth = "labels.csv";
    const nlohmann::json j = v;
    EXPECT_EQ(j["format"], "faceatlas-eval");
    EXPECT_EQ(j["version"], kEvalViewVersion);
    const auto back = j.get<EvalView>();
    EXPECT_EQ(nlohmann::json(back), j);
    auto bad = j;
    bad["version"] = 1;
    EXPECT_THROW(bad.get<EvalView>(), Error);
    bad = j;
    bad.erase("merges");
    EXPECT_THROW(bad.get<EvalView>(), nlohmann::json::exception);
    bad = j;
    bad["merges"][0]["parts"][0]["faces"] = "many";
    EXPECT_THROW(bad.get<EvalView>(), nlohmann::json::exception);
}

TEST(SubdiscriminationView, SizesNearestFacesAndMajorities) {
    // Two tight blobs, 6 and 4 points; point 0 and 6 sit exactly on the blob centres.
    cluster::Matrix x(10, 2);
    std::vector<std::string> tone;
    for (std::size_t i = 0; i < 10; ++i) {
        const bool b = i >= 6;
        const float off = (i == 0 || i == 6) ? 0.0f : 0.1f * static_cast<float>(i % 3 + 1);
        x(i, 0) = (b ? 10.0f : 0.0f) + off;
        x(i, 1) = off;
        tone.push_back(b ? (i == 9 ? "light" : "dark") : "light");
    }
    std::vector<std::int64_t> ids;
    for (std::int64_t i = 0; i < 10; ++i) ids.push_back(500 + i);
    SubdiscriminationOptions o;
    o.ks = {2};
    o.seeds = 2;
    const std::vector<LabelColumn> cols{make_label_column("tone", tone)};
    const auto r = subdiscriminate(x, cols, o);
    const auto v = build_subdiscrimination_view(r, x, ids, cols, 3);
    ASSERT_EQ(v.runs.size(), 1u);
    ASSERT_EQ(v.runs[0].groups.size(), 2u);
    std::vector<std::int64_t> sizes{v.runs[0].groups[0].size, v.runs[0].groups[1].size};
    std::sort(sizes.begin(), sizes.end());
    EXPECT_EQ(sizes, (std::vector<std::int64_t>{4, 6}));
    for (const auto& g : v.runs[0].groups) {
        ASSERT_EQ(g.nearest_faces.size(), 3u);
        ASSERT_EQ(g.majority.size(), 1u);
        if (g.size == 4) {
            EXPECT_EQ(g.majority[0].value, "dark");
            EXPECT_DOUBLE_EQ(g.majority[0].share, 0.75);
        } else {
            EXPECT_EQ(g.majority[0].value, "light");
            EXPECT_DOUBLE_EQ(g.majority[0].share, 1.0);
        }
    }
    EXPECT_EQ(v.accuracy.size(), 1u);
    EXPECT_EQ(v.best_by_k, (std::vector<std::string>{"tone"}));
    const nlohmann::json j = v;
    EXPECT_EQ(nlohmann::json(j.get<SubdiscriminationView>()), j);
    EXPECT_THROW(build_subdiscrimination_view(r, x, {1, 2}, cols), Error);
}

cluster::AttributeTable expression_table() {
    // 6 faces: faces 1-4 happy (argmax), 5-6 neutral; male_prob high for 1-3; one trained
    // attribute "Eyeglasses" present on face 1 only; face 6 has no expression scores.
    cluster::AttributeTable t({1, 2, 3, 4, 5, 6});
    const float nan = std::nanf("");
    t.add_column("age", {20, 22, 24, 60, 62, 64});
    t.add_column("male_prob", {0.9f, 0.8f, 0.7f, 0.1f, 0.2f, 0.3f});
    t.add_column("expression_neutral", {0.1f, 0.2f, 0.1f, 0.3f, 0.9f, nan});
    t.add_column("expression_happy", {0.9f, 0.8f, 0.9f, 0.7f, 0.1f, nan});
    t.add_named({{1, "Eyeglasses", 0.9f}, {2, "Eyeglasses", 0.1f}});
    return t;
}

TEST(AttributeView, OccurrenceSharesMatchTheCounts) {
    const auto t = expression_table();
    const auto occ = attribute_occurrence(t, {0, 1, 2, 3, 4, 5}, 0.3);
    ASSERT_EQ(occ.size(), 4u);
    EXPECT_EQ(occ[0].name, "neutral");
    EXPECT_DOUBLE_EQ(occ[0].share, 1.0 / 5);  // face 6 has no scores
    EXPECT_FALSE(occ[0].prominent);
    EXPECT_EQ(occ[1].name, "happy");
    EXPECT_DOUBLE_EQ(occ[1].share, 4.0 / 5);
    EXPECT_TRUE(occ[1].prominent);
    EXPECT_EQ(occ[2].name, "male");
    EXPECT_DOUBLE_EQ(occ[2].share, 0.5);
    EXPECT_EQ(occ[3].name, "Eyeglasses");
    EXPECT_DOUBLE_EQ(occ[3].share, 0.5);  // of the 2 faces that carry it
}

TEST(AttributeView, GroupsOfAClusteringAndWeights) {
    const auto t = expression_table();
    cluster::AttributeSelection sel;
    sel.attributes = {"age", "male_prob"};
    const auto s = cluster::select_attributes(t, sel);
    EXPECT_FALSE(has_weights(s));
    cluster::Clustering c;
    c.labels = {0, 0, 0, 1, 1, cluster::kNoise};
    c.num_clusters = 2;
    const auto p = describe_attribute_clustering(t, s, c, "kmeans", "k=2");
    ASSERT_EQ(p.groups.size(), 3u);
    EXPECT_EQ(p.groups[0].size, 3);  // largest first
    EXPECT_EQ(p.groups[0].faces, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(p.groups[2].cluster, cluster::kNoise);  // noise last
    EXPECT_EQ(p.groups[0].mean[0].first, "age");
    EXPECT_NEAR(p.groups[0].mean[0].second, 22.0, 1e-6);
    for (const auto& a : p.groups[0].occurrence)
        if (a.name == "male") {
            EXPECT_DOUBLE_EQ(a.share, 1.0);
        }
    EXPECT_EQ(p.noise, 1);
    sel.weights = {{"male_prob", 3.0}};
    EXPECT_TRUE(has_weights(cluster::select_attributes(t, sel)));

    AttributeView v;
    v.clustering = p;
    const nlohmann::json j = v;
    EXPECT_TRUE(j["compare"].is_null());
    EXPECT_EQ(nlohmann::json(j.get<AttributeView>()), j);
}

TEST(ViewFile, WritesAtomicallyAndReadsBack) {
    const faceatlas::testing::TempDir tmp("view_file");
    const fs::path dir = tmp.path();
    const fs::path p = view_path(dir / "cat.db", "eval.json");
    EXPECT_EQ(p.filename(), "cat.db.eval.json");
    write_view_file(p, nlohmann::json{{"a", 1}});
    write_view_file(p, nlohmann::json{{"a", 2}});
    EXPECT_EQ((*read_view_file(p))["a"], 2);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 1u);  // no temporary left behind
    std::ofstream(dir / "broken.json") << "{nope";
    EXPECT_FALSE(read_view_file(dir / "broken.json"));
    EXPECT_FALSE(read_view_file(dir / "absent.json"));
    EXPECT_THROW(write_view_file(dir / "no/such/dir/x.json", nlohmann::json::object()), Error);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace faceatlas::analysis
