// cluster-attributes, subdiscriminate, classify, search and eval identification through the real
// CLI on a catalog of 40 faces-dev crops (4 persons x 10 photos) scanned once with `faceatlas
// scan`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/csv.h"

namespace fs = std::filesystem;

#include "common/cli.h"
#include "common/require_input.h"
#include "common/temp_dir.h"

namespace {

using faceatlas::testing::CliRun;
// stdout, then stderr, in `out`.
CliRun cli(const std::string& args) { return faceatlas::testing::run_cli_merged(args); }

nlohmann::json last_json(const std::string& out) {
    nlohmann::json j;
    std::istringstream is(out);
    for (std::string line; std::getline(is, line);) {
        if (!line.empty() && (line[0] == '{' || line[0] == '[')) j = nlohmann::json::parse(line);
    }
    return j;
}

class AnalysisCli : public ::testing::Test {
  protected:
    static inline fs::path dir_;
    static inline std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    static inline std::string db_;
    static inline std::string labels_;
    static inline std::map<std::string, std::string> identity_;  // file -> identity

    static void SetUpTestSuite() {
        const fs::path data = fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev";
        if (!fs::exists(data / "labels.csv")) return;
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("analysis_cli");
        dir_ = tmp_->path();
        fs::create_directories(dir_ / "crops");
        const auto t = faceatlas::read_csv(data / "labels.csv");
        std::map<std::string, std::vector<std::string>> by_id;
        for (const auto& r : t.rows) by_id[r[1]].push_back(r[0]);
        std::ofstream lab(dir_ / "labels.csv");
        lab << "file,identity,emotion\n";
        int persons = 0;
        for (const auto& [id, files] : by_id) {
            if (files.size() < 10 || persons == 4) continue;
            ++persons;
            for (std::size_t i = 0; i < 10; ++i) {
                fs::copy_file(data / "images" / files[i], dir_ / "crops" / files[i]);
                identity_[files[i]] = id;
                lab << files[i] << "," << id << "," << (i % 2 ? "happy" : "neutral") << "\n";
            }
        }
        // One label row for a file that is not in the catalog.
        lab << "not_scanned.jpg,Nobody,neutral\n";
        lab.close();
        labels_ = (dir_ / "labels.csv").string();
        db_ = (dir_ / "cat.db").string();
        const CliRun scan =
            cli("scan --crops " + (dir_ / "crops").string() + " --catalog " + db_ + " --quiet");
        ASSERT_EQ(scan.code, 0) << scan.out;
    }

    void SetUp() override {
        if (db_.empty()) FACEATLAS_MISSING_INPUT() << "faces-dev not available";
    }
};

TEST_F(AnalysisCli, ClusterAttributes) {
    CliRun r = cli("cluster-attributes --catalog " + db_ +
                   " --attrs age_faceres,male_prob_faceres --k 3 --json");
    ASSERT_EQ(r.code, 0) << r.out;
    auto j = last_json(r.out);
    EXPECT_EQ(j["faces"], 40);
    EXPECT_EQ(j["labels"].size(), 40u);
    EXPECT_EQ(j["clusters"].size(), 3u);
    // k-means on a single attribute splits it into ranges: cluster means are distinct.
    r = cli("cluster-attributes --catalog " + db_ + " --attrs age --k 2 --json");
    j = last_json(r.out);
    ASSERT_EQ(j["clusters"].size(), 2u);
    EXPECT_NE(j["clusters"][0]["mean"]["age"], j["clusters"][1]["mean"]["age"]);

    const std::string out = (dir_ / "cmp.json").string();
    r = cli("cluster-attributes --catalog " + db_ + " --compare k=2..4 --compare-out " + out);
    ASSERT_EQ(r.code, 0) << r.out;
    std::ifstream in(out);
    const auto doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc["format"], "faceatlas-attr-clusters");
    EXPECT_EQ(doc["version"], 2);
    EXPECT_TRUE(doc["compare_unweighted"].is_null());  // no --weights: no baseline
    std::set<std::string> algos;
    for (const auto& e : doc["compare"]["entries"]) {
        algos.insert(e["algorithm"].get<std::string>());
        EXPECT_GE(e["k"].get<int>(), 2);
        EXPECT_LE(e["k"].get<int>(), 4);
        if (!e["silhouette"].is_null()) {
            EXPECT_GE(e["silhouette"].get<double>(), -1.0);
            EXPECT_LE(e["silhouette"].get<double>(), 1.0);
        }
    }
    EXPECT_TRUE(algos.count("kmeans") && algos.count("agglomerative"));
    // Default output path: next to the catalog.
    r = cli("cluster-attributes --catalog " + db_ + " --attrs age,male_prob --compare 2..3");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(fs::exists(db_ + ".attr_clusters.json"));
}

TEST_F(AnalysisCli, ClusterAttributesBadInput) {
    EXPECT_EQ(cli("cluster-attributes --catalog " + db_ + " --k 41").code, 2);  // k > faces
    EXPECT_EQ(cli("cluster-attributes --catalog " + db_ + " --algo dbscan --eps 0").code, 2);
    EXPECT_EQ(cli("cluster-attributes --catalog " + db_ + " --algo dbscan --eps -1").code, 2);
    const CliRun r = cli("cluster-attributes --catalog " + db_ + " --attrs nope");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("known attributes"), std::string::npos) << r.out;
    EXPECT_EQ(cli("cluster-attributes --catalog " + db_ + " --weights age=x").code, 2);
    EXPECT_EQ(cli("cluster-attributes --catalog " + db_ + " --compare 5..2").code, 2);
    EXPECT_EQ(cli("cluster-attributes --catalog /nonexistent.db").code, 1);
    EXPECT_EQ(
        cli("cluster-attributes --catalog " + db_ + " --algo dbscan --eps 1.5 --min-samples 3")
            .code,
        0);
}

TEST_F(AnalysisCli, SubdiscriminateClassifyRoundTrip) {
    const std::string cents = (dir_ / "c.json").string();
    CliRun r = cli("subdiscriminate --catalog " + db_ + " --k 2,4 --seeds 2 --labels " + labels_ +
                   " --save " + cents + " --json");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto j = last_json(r.out);
    EXPECT_EQ(j["faces"], 40);
    EXPECT_EQ(j["unmatched_label_rows"], 1);
    // 4 persons, k = 4: identity explains the split (dlib separates 4 people).
    bool found = false;
    for (const auto& row : j["rows"]) {
        if (row["k"] == 4 && row["column"] == "identity") {
            found = true;
            EXPECT_GT(row["purity"]["mean"].get<double>(), 0.9);
            EXPECT_EQ(row["accuracy"]["per_seed"].size(), 2u);
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(j["best_by_k"][1], "identity");
    // classify with the saved centroids = the same partition as the subdiscriminate models.
    r = cli("classify --centroids " + cents + " --catalog " + db_ + " --json");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto c = last_json(r.out);
    ASSERT_EQ(c.size(), 40u);
    std::map<std::string, std::set<int>> clusters_of;  // identity -> k=4 clusters
    for (const auto& f : c) {
        ASSERT_EQ(f["groups"].size(), 2u);
        EXPECT_EQ(f["groups"][1]["k"], 4);
        clusters_of[identity_[fs::path(f["file"].get<std::string>()).filename().string()]].insert(
            f["groups"][1]["cluster"].get<int>());
    }
    EXPECT_EQ(clusters_of.size(), 4u);
    std::ifstream in(cents);
    const auto saved = nlohmann::json::parse(in);
    EXPECT_EQ(saved["models"][0]["embedding"], "dlib");
    EXPECT_EQ(saved["models"][0]["dim"], 128);
    EXPECT_EQ(saved["models"][1]["k"], 4);
    EXPECT_FALSE(saved["models"][0]["created"].get<std::string>().empty());
}

TEST_F(AnalysisCli, SubdiscriminateBadInput) {
    EXPECT_EQ(cli("subdiscriminate --catalog " + db_ + " --k 41 --seeds 1").code, 2);
    EXPECT_EQ(cli("subdiscriminate --catalog " + db_ + " --k 2,x").code, 2);
    // Labels: duplicate conflicting rows; no matching file.
    const fs::path dup = dir_ / "dup.csv";
    std::ofstream(dup) << "file,gender\na.jpg,male\na.jpg,female\n";
    CliRun r = cli("subdiscriminate --catalog " + db_ + " --k 2 --labels " + dup.string());
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("listed twice"), std::string::npos) << r.out;
    const fs::path unknown = dir_ / "unknown.csv";
    std::ofstream(unknown) << "file,gender\nx.jpg,male\ny.jpg,female\n";
    r = cli("subdiscriminate --catalog " + db_ + " --k 2 --labels " + unknown.string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("match"), std::string::npos) << r.out;
    // Exact duplicate rows are kept once.
    const fs::path same = dir_ / "same.csv";
    {
        std::ofstream f(same);
        f << "file,identity\n";
        for (const auto& [file, id] : identity_)
            f << file << "," << id << "\n" << file << "," << id << "\n";
    }
    r = cli("subdiscriminate --catalog " + db_ + " --k 2 --seeds 1 --labels " + same.string() +
            " --json");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(last_json(r.out)["duplicate_label_rows"], 40);
    // A centroid file of another dimension.
    const fs::path wrong = dir_ / "wrong.json";
    std::ofstream(wrong)
        << R"({"format":"faceatlas-centroids","version":1,"models":[{"embedding":"dlib","algorithm":"kmeans","seed":0,"dim":3,"k":1,"centers":[[1,2,3]]}]})";
    r = cli("classify --centroids " + wrong.string() + " --catalog " + db_);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("3-d"), std::string::npos) << r.out;
    EXPECT_EQ(cli("classify --centroids /nonexistent.json --catalog " + db_).code, 1);
}

TEST_F(AnalysisCli, EvalIdentification) {
    CliRun r = cli("eval identification --catalog " + db_ + " --truth " + labels_ +
                   " --per-person 1,5,10 --seeds 3 --json --embedding dlib");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto j = last_json(r.out);
    ASSERT_EQ(j["results"].size(), 3u);
    EXPECT_EQ(j["results"][0]["persons"], 4);
    EXPECT_EQ(j["results"][0]["probes"], 36);
    EXPECT_GT(j["results"][1]["mean"].get<double>(), 0.8);
    EXPECT_TRUE(j["results"][2]["mean"].is_null());  // nobody has more than 10 photos
    EXPECT_EQ(
        cli("eval identification --catalog " + db_ + " --truth " + labels_ + " --per-person 0")
            .code,
        2);
    EXPECT_EQ(cli("eval identification --catalog " + db_ + " --truth " + labels_ +
                  " --identity-column nope")
                  .code,
              2);
}

TEST_F(AnalysisCli, SearchExactAndIndexedAgree) {
    const std::string img = (dir_ / "crops" / identity_.begin()->first).string();
    CliRun r = cli("search " + img + " --crops --catalog " + db_ + " --top 5 --json --index exact");
    ASSERT_EQ(r.code, 0) << r.out;
    const auto exact = last_json(r.out);
    ASSERT_EQ(exact["query_faces"].size(), 1u);
    const auto& top = exact["query_faces"][0]["faces"];
    ASSERT_EQ(top.size(), 5u);
    EXPECT_EQ(fs::path(top[0]["file"].get<std::string>()).filename(), fs::path(img).filename());
    EXPECT_LT(top[0]["distance"].get<double>(), 1e-3);
    // The same search through a persisted FAISS flat index: built on first use, then reused.
    r = cli("search " + img + " --crops --catalog " + db_ + " --top 5 --json --index flat");
    ASSERT_EQ(r.code, 0) << r.out;
    auto idx = last_json(r.out);
    EXPECT_EQ(idx["index"]["added"], 40);
    for (std::size_t t = 0; t < 5; ++t) {
        EXPECT_EQ(idx["query_faces"][0]["faces"][t]["face_id"], top[t]["face_id"]);
    }
    r = cli("search " + img + " --crops --catalog " + db_ + " --top 5 --json --index flat");
    idx = last_json(r.out);
    EXPECT_EQ(idx["index"]["added"], 0);
    EXPECT_EQ(idx["index"]["rebuilt"], false);
    // Persons: assign the query's person; it is listed first. Then delete a photo: rebuild.
    {
        auto cat = faceatlas::catalog::open_sqlite_catalog(db_);
        const auto faces = cat->faces(false);
        const auto pid = cat->create_person(std::string("Someone"));
        std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> a;
        a.emplace_back(top[0]["face_id"].get<std::int64_t>(), pid);
        cat->assign_faces(a);
        for (const auto& f : faces) {
            if (f.id == top[4]["face_id"].get<std::int64_t>()) cat->mark_deleted(f.photo_id);
        }
    }
    r = cli("search " + img + " --crops --catalog " + db_ + " --top 5 --json --index flat");
    ASSERT_EQ(r.code, 0) << r.out;
    idx = last_json(r.out);
    EXPECT_EQ(idx["index"]["rebuilt"], true);
    EXPECT_EQ(idx["index"]["size"], 39);
    EXPECT_EQ(idx["query_faces"][0]["persons"][0]["name"], "Someone");
    EXPECT_EQ(cli("search /nonexistent.jpg --catalog " + db_).code, 1);
    EXPECT_EQ(cli("search " + img + " --catalog " + db_ + " --top 0").code, 2);
}

}  // namespace
