// Bad input through the real CLI: clear error, exit 1, nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <list>
#include <nlohmann/json.hpp>

#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/catalog/catalog.h"

namespace fs = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string err;
    std::string out;
};

Run run_cli(const std::string& args) {
    const faceatlas::testing::TempDir io("train_cli_io");
    const auto errfile = io / "cli_err.txt";
    const auto outfile = io / "cli_out.txt";
    const std::string cmd = std::string(FACEATLAS_CLI) + " " + args + " >" + outfile.string() +
                            " 2>" + errfile.string();
    Run r;
    const int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream in(errfile);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
    std::ifstream out(outfile);
    r.out.assign(std::istreambuf_iterator<char>(out), {});
    return r;
}

fs::path data_dir(const std::string& name, const std::string& attr_text) {
    static std::list<faceatlas::testing::TempDir> dirs;  // removed when the process ends
    const auto d = dirs.emplace_back("train_cli_" + name).path();
    fs::create_directories(d / "images");
    std::ofstream(d / "list_attr_celeba.txt") << attr_text;
    const auto src =
        fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "images" / "000001.jpg";
    if (fs::exists(src)) fs::copy_file(src, d / "images" / "000001.jpg");
    return d;
}

}  // namespace

TEST(TrainCli, MalformedRowFailsWithLineAndWritesNothing) {
    const auto d = data_dir("malformed", "1\nSmiling Male\n000001.jpg 1\n");
    const auto r =
        run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                " --attrs Smiling --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, UnknownImageFailsNamingIt) {
    const auto d = data_dir("unknown_image", "2\nSmiling Male\n000001.jpg 1 -1\n999999.jpg -1 1\n");
    const auto r =
        run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                " --attrs Smiling --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("999999.jpg"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, UnknownAttributeFails) {
    const auto d = data_dir("unknown_attr", "1\nSmiling Male\n000001.jpg 1 -1\n");
    const auto r =
        run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                " --attrs Smiling,Sparkly --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("Sparkly"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, FinetuneNeedsFaceresBlocksOfPw13) {
    const auto d = data_dir("finetune", "1\nSmiling Male\n000001.jpg 1 -1\n");
    const auto base = "train attributes --mode finetune --data " + d.string() + " --out " +
                      (d / "m.fam").string() + " --attrs Smiling --cache " + (d / "cache").string();
    auto r = run_cli(base);  // default backbone faceres
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("faceres-blocks"), std::string::npos) << r.err;
    r = run_cli(base + " --backbone faceres-blocks --features pw13@0.25,pw11@0.6");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("pw11@0.6"), std::string::npos) << r.err;
    r = run_cli(base + " --backbone faceres-blocks --features pw13@0.6 --augment-copies 2");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("augment"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

// The whole path on 30 real CelebA images: finetune one block, then store probabilities with
// `scan --attributes` (the LibTorch-free suffix on cv::dnn activations).
TEST(TrainCli, FinetuneTrainsAModelThatScanApplies) {
    const auto src = fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev";
    if (!fs::exists(src / "list_attr_celeba.txt")) FACEATLAS_MISSING_INPUT() << "needs celeba-dev";
    auto d = fs::path(FACEATLAS_BINARY_DIR) / "test_tmp" / "train_cli_finetune_ok";
    fs::remove_all(d);
    fs::create_directories(d / "images");
    std::ifstream in(src / "list_attr_celeba.txt");
    std::string line;
    std::getline(in, line);
    std::string header;
    std::getline(in, header);
    std::ofstream out(d / "list_attr_celeba.txt");
    out << 30 << "\n" << header << "\n";
    for (int i = 0; i < 30 && std::getline(in, line); ++i) {
        out << line << "\n";
        const auto name = line.substr(0, line.find(' '));
        fs::copy_file(src / "images" / name, d / "images" / name);
    }
    out.close();
    auto r = run_cli(
        "train attributes --mode finetune --backbone faceres-blocks --features pw13@0.6 --attrs "
        "Male,Smiling"
        " --loss bce --optimizer adam --epochs 2 --batch 8 --val-fraction 0.3 --threads 2 "
        "--torch-threads 1"
        " --data " +
        d.string() + " --out " + (d / "m.fam").string() + " --cache " + (d / "cache").string());
    ASSERT_EQ(r.code, 0) << r.err;
    std::ifstream mf(d / "m.fam");
    std::getline(mf, line);
    const auto h = nlohmann::json::parse(line);
    EXPECT_EQ(h.at("version").get<int>(), 3);
    EXPECT_EQ(h.at("suffix").at("input_layer").get<std::string>(), "pw12");
    r = run_cli("scan --crops " + (d / "images").string() + " --catalog " + (d / "c.db").string() +
                " --attributes " + (d / "m.fam").string());
    ASSERT_EQ(r.code, 0) << r.err;
    auto cat = faceatlas::catalog::open_sqlite_catalog((d / "c.db").string());
    const auto rows = cat->face_attributes();
    EXPECT_GE(rows.size(), 2u * 29);  // Male and Smiling for (nearly) every face
    std::size_t male = 0;
    for (const auto& a : rows) {
        EXPECT_TRUE(a.prob >= 0 && a.prob <= 1) << a.prob;
        male += a.name == "Male";
    }
    EXPECT_EQ(male * 2, rows.size());
    // The scan labelled the faces in its workers, on the pixels it had decoded: predict has
    // nothing left to do, and recomputing from the stored photos gives the same numbers.
    r = run_cli("attributes predict --model " + (d / "m.fam").string() + " --catalog " +
                (d / "c.db").string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("0 faces x 2 attributes"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(" + std::to_string(rows.size() / 2) + " already had them"),
              std::string::npos)
        << r.out;
    r = run_cli("attributes predict --recompute --model " + (d / "m.fam").string() + " --catalog " +
                (d / "c.db").string());
    ASSERT_EQ(r.code, 0) << r.err;
    const auto again =
        faceatlas::catalog::open_sqlite_catalog((d / "c.db").string())->face_attributes();
    ASSERT_EQ(again.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(again[i].face_id, rows[i].face_id);
        EXPECT_NEAR(again[i].prob, rows[i].prob, 1e-5) << rows[i].name;
    }
    // eval attributes scores the stored probabilities under the model's name, as the main entry.
    const auto eval_json = d / "eval.json";
    const std::string cmd =
        std::string(FACEATLAS_CLI) + " eval attributes --catalog " + (d / "c.db").string() +
        " --truth " + (d / "list_attr_celeba.txt").string() + " --attribute-model " +
        (d / "m.fam").string() + " --json >" + eval_json.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream ej(eval_json);
    const auto j = nlohmann::json::parse(ej);
    EXPECT_EQ(j.at("attributes").at("Male").at("model").get<std::string>(), "m");
    EXPECT_EQ(j.at("attributes").at("Smiling").at("model").get<std::string>(), "m");
    EXPECT_TRUE(j.at("attributes").at("Male").at("models").contains("faceapi"));
    EXPECT_GE(j.at("mean_accuracy").get<double>(), 0.0);
}

TEST(TrainCli, BadFeatureSpecAndAugmentingEmbeddingsAreRefused) {
    const auto d = data_dir("features", "1\nSmiling Male\n000001.jpg 1 -1\n");
    const auto base = "train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                      " --attrs Smiling --cache " + (d / "cache").string();
    auto r = run_cli(base + " --backbone faceres-blocks --features pw99@0.6");
    EXPECT_EQ(r.code, 2) << r.err;  // usage error
    EXPECT_NE(r.err.find("pw99"), std::string::npos) << r.err;
    r = run_cli(base + " --backbone faceres --augment-copies 2");
    EXPECT_EQ(r.code, 2) << r.err;  // usage error
    EXPECT_NE(r.err.find("faceres-blocks"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(AttributesCli, NewerModelVersionIsRefusedBeforeTouchingAnything) {
    const auto d = data_dir("newer_model", "1\nSmiling\n000001.jpg 1\n");
    std::ofstream(d / "newer.fam")
        << nlohmann::json{{"format", "faceatlas-attributes"}, {"version", 99}}.dump() << "\n";
    auto r = run_cli("attributes predict --model " + (d / "newer.fam").string() + " --catalog " +
                     (d / "cat.db").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
    // scan --attributes checks the model before it creates or scans anything.
    r = run_cli("scan --crops " + (d / "images").string() + " --catalog " +
                (d / "cat.db").string() + " --attributes " + (d / "newer.fam").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_FALSE(fs::exists(d / "cat.db"));
}
