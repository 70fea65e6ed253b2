// `faceatlas eval pairs` and `faceatlas eval verification` end to end through the real CLI, on
// a small subset of faces-dev scanned into a temporary catalog (once for the whole suite).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

#include "common/cli.h"
#include "common/require_input.h"
#include "common/temp_dir.h"

namespace {

using faceatlas::testing::CliRun;
// stdout, then stderr, in `out`.
CliRun run_eval_cli(const std::string& args) { return faceatlas::testing::run_cli_merged(args); }

// The faces-dev subset: the first kPeople people (by name) with at least 2 images, at most
// kPerPerson images each. One image of a person with more is held back (never scanned) for the
// n_missing check.
constexpr int kPeople = 36;
constexpr std::size_t kPerPerson = 3;

// "Name_0004.jpg" -> 4.
int lfw_index(const std::string& file) { return std::stoi(file.substr(file.size() - 8, 4)); }

class VerificationCli : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const fs::path data = fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev";
        if (!fs::exists(data / "labels.csv")) return;
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("verification_cli");
        dir_ = &tmp_->path();

        std::map<std::string, std::vector<std::string>> by_person;
        std::ifstream in(data / "labels.csv");
        std::string line;
        std::getline(in, line);  // header: file,identity,...
        while (std::getline(in, line)) {
            const auto c1 = line.find(',');
            const auto c2 = line.find(',', c1 + 1);
            by_person[line.substr(c1 + 1, c2 - c1 - 1)].push_back(line.substr(0, c1));
        }
        std::ofstream manifest(*dir_ / "crops.csv");
        std::ofstream labels(*dir_ / "labels.csv");
        manifest << "file\n";
        labels << "file,identity\n";
        int people = 0;
        for (const auto& [person, files] : by_person) {
            if (files.size() < 2) continue;
            if (files.size() > kPerPerson && held_back_.empty()) {
                held_back_ = person;
                held_back_pair_ = {lfw_index(files[0]), lfw_index(files[kPerPerson])};
            }
            for (std::size_t i = 0; i < files.size() && i < kPerPerson; ++i) {
                manifest << (data / "images" / files[i]).string() << "\n";
                labels << files[i] << "," << person << "\n";
            }
            if (++people == kPeople) break;
        }
        manifest.close();
        labels.close();
        const auto scan =
            run_eval_cli("scan --crops --quiet --catalog " + (*dir_ / "subset.db").string() + " " +
                         (*dir_ / "crops.csv").string());
        scan_ok_ = scan.code == 0;
        if (!scan_ok_) std::fprintf(stderr, "scan failed: %s\n", scan.out.c_str());
    }
    static void TearDownTestSuite() {
        dir_ = nullptr;
        tmp_.reset();
    }
    void SetUp() override {
        if (!dir_)
            FACEATLAS_MISSING_INPUT()
                << "faces-dev not found under " << faceatlas::testing::shared_data_dir();
        ASSERT_TRUE(scan_ok_);
    }
    static std::string db() { return (*dir_ / "subset.db").string(); }
    static fs::path path(const std::string& name) { return *dir_ / name; }
    // Draws the pairs (80: 10 folds of 4 same + 4 different) once.
    static fs::path pairs() {
        const auto p = path("pairs.txt");
        if (!fs::exists(p)) {
            const auto r = run_eval_cli("eval pairs --truth " + path("labels.csv").string() +
                                        " --n 80 --folds 10 --seed 7 --out " + p.string());
            EXPECT_EQ(r.code, 0) << r.out;
        }
        return p;
    }

    static inline std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    static inline const fs::path* dir_ = nullptr;  // tmp_'s path, once the data is there
    static inline bool scan_ok_ = false;
    static inline std::string held_back_;               // person with an image not scanned
    static inline std::pair<int, int> held_back_pair_;  // (a scanned, the unscanned) NNNN
};

nlohmann::json verification(const std::string& db, const fs::path& pairs,
                            const std::string& embedding) {
    const auto r = run_eval_cli("eval verification --json --catalog " + db + " --pairs " +
                                pairs.string() + " --embedding " + embedding);
    EXPECT_EQ(r.code, 0) << r.out;
    return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

TEST_F(VerificationCli, PairsAreDrawnSeededInLfwLayout) {
    const auto p = pairs();
    std::ifstream in(p);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "10\t4");
    // Same seed, same file; another seed, another draw.
    const auto again = path("pairs_again.txt");
    const auto other = path("pairs_other.txt");
    ASSERT_EQ(run_eval_cli("eval pairs --truth " + path("labels.csv").string() +
                           " --n 80 --folds 10 --seed 7 --out " + again.string())
                  .code,
              0);
    ASSERT_EQ(run_eval_cli("eval pairs --truth " + path("labels.csv").string() +
                           " --n 80 --folds 10 --seed 8 --out " + other.string())
                  .code,
              0);
    auto slurp = [](const fs::path& f) {
        std::ifstream s(f);
        return std::string(std::istreambuf_iterator<char>(s), {});
    };
    EXPECT_EQ(slurp(p), slurp(again));
    EXPECT_NE(slurp(p), slurp(other));
    // 81 pairs cannot be split in 10 folds of same + different halves: usage error.
    EXPECT_EQ(run_eval_cli("eval pairs --truth " + path("labels.csv").string() + " --n 81 --out " +
                           path("bad.txt").string())
                  .code,
              2);
}

TEST_F(VerificationCli, ReportsAllKeysAndBeatsChanceByFar) {
    for (const std::string emb : {"dlib", "faceres"}) {
        const auto j = verification(db(), pairs(), emb);
        for (const char* k : {"accuracy", "accuracy_std", "threshold", "auc", "tar_at_far_1e-3",
                              "n_pairs", "n_missing"})
            ASSERT_TRUE(j.contains(k)) << emb << " lacks " << k << ": " << j.dump();
        EXPECT_EQ(j["n_pairs"].get<int>(), 80) << emb;
        EXPECT_EQ(j["n_missing"].get<int>(), 0) << emb;
        // Measured on this subset and draw (seed 7): aligned dlib accuracy 1.000 / AUC 1.000,
        // faceres 0.938 / AUC 0.998; the unaligned baseline (`scan --no-align`) gives dlib
        // 0.938 / AUC 0.968, so the dlib bounds fail if alignment breaks. Chance is 0.5.
        const bool dlib = emb == "dlib";
        EXPECT_GE(j["accuracy"].get<double>(), dlib ? 0.95 : 0.85) << emb;
        EXPECT_GT(j["auc"].get<double>(), dlib ? 0.985 : 0.97) << emb;
        EXPECT_GE(j["tar_at_far_1e-3"].get<double>(), 0.0);
        EXPECT_LE(j["tar_at_far_1e-3"].get<double>(), 1.0);
        if (dlib) {
            EXPECT_GT(j["threshold"].get<double>(), 0.3);  // dlib's usual 0.6 +- a margin
            EXPECT_LT(j["threshold"].get<double>(), 0.8);
        } else {
            EXPECT_GT(j["threshold"].get<double>(), 0.0);  // a cosine distance
            EXPECT_LT(j["threshold"].get<double>(), 1.0);
        }
    }
}

TEST_F(VerificationCli, PairsWithAFileNotInTheCatalogAreCountedMissing) {
    ASSERT_FALSE(held_back_.empty())
        << "no person with more than " << kPerPerson << " images in the subset";
    // No header: folds are contiguous blocks; one extra row names an image that was not scanned.
    std::ifstream in(pairs());
    std::string line;
    std::getline(in, line);
    std::ofstream out(path("pairs_missing.txt"));
    while (std::getline(in, line)) out << line << "\n";
    out << held_back_ << "\t" << held_back_pair_.first << "\t" << held_back_pair_.second << "\n";
    out.close();
    const auto j = verification(db(), path("pairs_missing.txt"), "dlib");
    EXPECT_EQ(j.value("n_missing", -1), 1) << j.dump();
    EXPECT_EQ(j.value("n_pairs", -1), 80) << j.dump();
}

TEST_F(VerificationCli, MalformedPairsFileFailsNamingTheLine) {
    std::ofstream(path("malformed.txt")) << "Aaron_Peirsol\t1\t2\nAaron_Peirsol\tone\t2\n";
    const auto r = run_eval_cli("eval verification --catalog " + db() + " --pairs " +
                                path("malformed.txt").string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("line 2"), std::string::npos) << r.out;
    const auto none = run_eval_cli("eval verification --catalog " + db() + " --pairs " +
                                   path("does_not_exist.txt").string());
    EXPECT_EQ(none.code, 1) << none.out;
    EXPECT_NE(none.out.find("does_not_exist.txt"), std::string::npos) << none.out;
}

TEST_F(VerificationCli, UsageErrorsExitTwo) {
    EXPECT_EQ(run_eval_cli("eval verification --catalog " + db() + " --pairs " + pairs().string() +
                           " --embedding facenet")
                  .code,
              2);
    EXPECT_EQ(run_eval_cli("eval verification --catalog " + db()).code, 2);  // --pairs missing
    EXPECT_EQ(run_eval_cli("eval").code, 2);                                 // no sub-subcommand
}

TEST_F(VerificationCli, MissingCatalogFailsWithExitOne) {
    const auto r = run_eval_cli("eval verification --catalog " + path("nope.db").string() +
                                " --pairs " + pairs().string());
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("faceatlas scan"), std::string::npos) << r.out;
}

}  // namespace
