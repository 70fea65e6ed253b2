// Bad input through the real CLI: clear error, exit 1, nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "faceatlas/attr/attribute_model.h"

namespace fs = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string err;
};

Run run_cli(const std::string& args) {
    const auto errfile = fs::path(FACEATLAS_BINARY_DIR) / "test_tmp" / "cli_err.txt";
    const std::string cmd = std::string(FACEATLAS_CLI) + " " + args + " >/dev/null 2>" + errfile.string();
    Run r;
    const int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream in(errfile);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
    return r;
}

fs::path data_dir(const std::string& name, const std::string& attr_text) {
    auto d = fs::path(FACEATLAS_BINARY_DIR) / "test_tmp" / ("train_cli_" + name);
    fs::remove_all(d);
    fs::create_directories(d / "images");
    std::ofstream(d / "list_attr_celeba.txt") << attr_text;
    const auto src = fs::path(FACEATLAS_SHARED_DATA) / "celeba-dev" / "images" / "000001.jpg";
    if (fs::exists(src)) fs::copy_file(src, d / "images" / "000001.jpg");
    return d;
}

}  // namespace

TEST(TrainCli, MalformedRowFailsWithLineAndWritesNothing) {
    const auto d = data_dir("malformed", "1\nSmiling Male\n000001.jpg 1\n");
    const auto r = run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                           " --attrs Smiling --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, UnknownImageFailsNamingIt) {
    const auto d = data_dir("unknown_image", "2\nSmiling Male\n000001.jpg 1 -1\n999999.jpg -1 1\n");
    const auto r = run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                           " --attrs Smiling --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("999999.jpg"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, UnknownAttributeFails) {
    const auto d = data_dir("unknown_attr", "1\nSmiling Male\n000001.jpg 1 -1\n");
    const auto r = run_cli("train attributes --data " + d.string() + " --out " + (d / "m.fam").string() +
                           " --attrs Smiling,Sparkly --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("Sparkly"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
}

TEST(TrainCli, FinetuneIsRefusedClearly) {
    const auto d = data_dir("finetune", "1\nSmiling Male\n000001.jpg 1 -1\n");
    const auto r = run_cli("train attributes --mode finetune --data " + d.string() + " --out " +
                           (d / "m.fam").string() + " --attrs Smiling --cache " + (d / "cache").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("finetune"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d / "m.fam"));
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
    std::ofstream(d / "newer.fam") << nlohmann::json{{"format", "faceatlas-attributes"}, {"version", 99}}.dump()
                                   << "\n";
    auto r = run_cli("attributes predict --model " + (d / "newer.fam").string() + " --catalog " +
                     (d / "cat.db").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
    // scan --attributes checks the model before it creates or scans anything.
    r = run_cli("scan --crops " + (d / "images").string() + " --catalog " + (d / "cat.db").string() +
                " --attributes " + (d / "newer.fam").string());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_FALSE(fs::exists(d / "cat.db"));
}
