// `faceatlas eval attributes` end to end: scan 42 utkface-dev crops (every 80th file of its
// labels.csv), score them against the whole labels.csv (the other files count as missed), and
// check the bad inputs. Bounds are the measured values with a margin (docs/QUALITY.md).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "common/require_input.h"
#include "common/temp_dir.h"

namespace fs = std::filesystem;

// Measured on these 42 faces (eval attributes on the full utkface-dev catalog with a 42-file
// truth): MAE faceapi 4.51, faceres 8.08 (top-3), fused 4.77; gender accuracy faceapi 0.881,
// faceres 0.786, fused 0.881. Bounds leave about 1 year / 5 points of margin.
constexpr double AGE_FACEAPI_MAX = 5.5, AGE_FACERES_MAX = 9.5, AGE_FUSED_MAX = 5.8;
constexpr double GENDER_FACEAPI_MIN = 0.83, GENDER_FACERES_MIN = 0.72, GENDER_FUSED_MIN = 0.83;

namespace {

using Run = faceatlas::testing::CliRun;
Run run_cli(const std::string& args) { return faceatlas::testing::run_cli_merged(args); }

class EvalAttributesCli : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        data_ = fs::path(faceatlas::testing::shared_data_dir()) / "utkface-dev";
        if (!fs::exists(data_ / "labels.csv")) return;
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("eval_attributes_cli");
        dir_ = tmp_->path();
        fs::create_directories(dir_ / "images");
        std::ifstream labels(data_ / "labels.csv");
        std::string line;
        std::getline(labels, line);
        for (int i = 0; std::getline(labels, line); ++i) {
            if (i % 80 != 0) continue;
            const std::string file = line.substr(0, line.find(','));
            fs::copy_file(data_ / "images" / file, dir_ / "images" / file);
            ++copied_;
        }
        catalog_ = dir_ / "utk.db";
        const auto r = run_cli("scan --crops --quiet --threads 2 --catalog " + catalog_.string() +
                               " " + (dir_ / "images").string());
        scanned_ = r.code == 0;
        if (!scanned_) std::fprintf(stderr, "scan failed: %s\n", r.out.c_str());
    }
    static void TearDownTestSuite() { tmp_.reset(); }
    void SetUp() override {
        if (!fs::exists(data_ / "labels.csv"))
            FACEATLAS_MISSING_INPUT() << "no utkface-dev in " << data_;
        ASSERT_TRUE(scanned_);
    }

    static inline fs::path data_, dir_, catalog_;
    static inline std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    static inline int copied_ = 0;
    static inline bool scanned_ = false;
};

}  // namespace

TEST_F(EvalAttributesCli, ScoresUtkfaceSubset) {
    const auto r = run_cli("eval attributes --json --catalog " + catalog_.string() + " --truth " +
                           (data_ / "labels.csv").string());
    ASSERT_EQ(r.code, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["n"].get<int>(), copied_);
    EXPECT_EQ(j["missed"].get<int>(), 3340 - copied_);  // the rest of labels.csv is not scanned
    EXPECT_EQ(j["unknown"].get<int>(), 3340 - copied_);
    for (const char* m : {"faceapi", "faceres", "fused"}) {
        ASSERT_TRUE(j["age"].contains(m)) << m;
        ASSERT_TRUE(j["gender"].contains(m)) << m;
        for (const char* k : {"mae", "band_accuracy", "within5"})
            ASSERT_TRUE(j["age"][m].contains(k));
        for (const char* k : {"accuracy", "balanced_accuracy"})
            ASSERT_TRUE(j["gender"][m].contains(k));
    }
    EXPECT_LT(j["age"]["faceapi"]["mae"].get<double>(), AGE_FACEAPI_MAX);
    EXPECT_LT(j["age"]["faceres"]["mae"].get<double>(), AGE_FACERES_MAX);
    EXPECT_LT(j["age"]["fused"]["mae"].get<double>(), AGE_FUSED_MAX);
    EXPECT_GT(j["gender"]["faceapi"]["accuracy"].get<double>(), GENDER_FACEAPI_MIN);
    EXPECT_GT(j["gender"]["faceres"]["accuracy"].get<double>(), GENDER_FACERES_MIN);
    EXPECT_GT(j["gender"]["fused"]["accuracy"].get<double>(), GENDER_FUSED_MIN);
    ASSERT_EQ(j["age_top_l"]["faceres"].size(), 5u);
    EXPECT_TRUE(j["expression"].empty());  // utkface has no emotion labels
    EXPECT_TRUE(j["attributes"].empty());
    EXPECT_TRUE(j["mean_accuracy"].is_null());
    // --top-l 1 is the argmax row of the table.
    const auto r1 = run_cli("eval attributes --json --top-l 1 --catalog " + catalog_.string() +
                            " --truth " + (data_ / "labels.csv").string());
    ASSERT_EQ(r1.code, 0) << r1.out;
    const auto j1 = nlohmann::json::parse(r1.out);
    EXPECT_DOUBLE_EQ(j1["age"]["faceres"]["mae"].get<double>(),
                     j["age_top_l"]["faceres"]["1"]["mae"].get<double>());
    // Text report.
    const auto t = run_cli("eval attributes --catalog " + catalog_.string() + " --truth " +
                           (data_ / "labels.csv").string());
    ASSERT_EQ(t.code, 0);
    EXPECT_NE(t.out.find("missed"), std::string::npos);
    EXPECT_NE(t.out.find("faceres top-1 (argmax)"), std::string::npos);
}

TEST_F(EvalAttributesCli, CelebaTruthWithoutMatchesAndBadInputs) {
    // No file of the CelebA list is in this catalog: exit 1 with a message saying so.
    const auto c = run_cli(
        "eval attributes --catalog " + catalog_.string() + " --truth " +
        (fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "list_attr_celeba.txt")
            .string());
    EXPECT_EQ(c.code, 1);
    EXPECT_NE(c.out.find("none of the"), std::string::npos) << c.out;
    // Malformed row: exit 1, the message names the file and the line.
    const fs::path bad = dir_ / "bad.csv";
    std::ofstream(bad) << "file,age,gender\na.jpg,30,male\nb.jpg,thirty,female\n";
    const auto b =
        run_cli("eval attributes --catalog " + catalog_.string() + " --truth " + bad.string());
    EXPECT_EQ(b.code, 1);
    EXPECT_NE(b.out.find("bad.csv"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("line 3"), std::string::npos) << b.out;
    // A truth file with only columns no model knows.
    const fs::path race = dir_ / "race.csv";
    std::ofstream(race) << "file,race\na.jpg,asian\n";
    const auto rc =
        run_cli("eval attributes --catalog " + catalog_.string() + " --truth " + race.string());
    EXPECT_EQ(rc.code, 1);
    EXPECT_NE(rc.out.find("no label column"), std::string::npos) << rc.out;
    // Missing catalog / truth, bad --top-l.
    EXPECT_EQ(run_cli("eval attributes --catalog " + (dir_ / "none.db").string() + " --truth " +
                      bad.string())
                  .code,
              1);
    EXPECT_EQ(run_cli("eval attributes --catalog " + catalog_.string() + " --truth " +
                      (dir_ / "none.csv").string())
                  .code,
              1);
    EXPECT_EQ(run_cli("eval attributes --top-l 0 --catalog " + catalog_.string() + " --truth " +
                      bad.string())
                  .code,
              2);
    EXPECT_EQ(run_cli("eval attributes --catalog " + catalog_.string()).code,
              2);  // --truth required
}
