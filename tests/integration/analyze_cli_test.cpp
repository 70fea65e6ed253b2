// `faceatlas analyze` end to end through the real CLI: the JSON contract, bad model
// directories (exit 1 naming what is wrong), bad images (an "error" entry, the others still
// processed), degenerate and huge images, and bad arguments (exit 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/require_input.h"
#include "common/temp_dir.h"

namespace faceatlas::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kModelDir = faceatlas::testing::model_dir();
const fs::path kFacesDev = fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev" / "images";

fs::path sample(int k) {
    return kModelDir / "face-api" / "demo" / ("sample" + std::to_string(k) + ".jpg");
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The JSON array printed by `analyze --json`; fails the test when stdout is not one.
json parse_output(const CliRun& r) {
    try {
        const json j = json::parse(r.out);
        EXPECT_TRUE(j.is_array()) << r.out;
        return j;
    } catch (const json::exception& e) {
        ADD_FAILURE() << "stdout is not JSON (" << e.what() << "): " << r.out
                      << "\nstderr: " << r.err;
        return json::array();
    }
}

std::set<std::string> keys_of(const json& j) {
    std::set<std::string> k;
    for (const auto& [key, value] : j.items()) k.insert(key);
    return k;
}

// models/vendor mirrored into `dir` as symbolic links to the original files (the faceres
// package alone is 166 MB), so that a test can replace one file with a damaged copy.
fs::path mirror_models(const fs::path& dir) {
    const fs::path src = fs::canonical(kModelDir);
    const fs::path dst = dir / "vendor";
    for (const auto& e : fs::recursive_directory_iterator(src)) {
        const fs::path to = dst / fs::relative(e.path(), src);
        if (e.is_directory())
            fs::create_directories(to);
        else
            fs::create_symlink(e.path(), to);
    }
    return dst;
}

// Replaces the link `file` of a mirror by a real copy of what it points to.
void make_real_copy(const fs::path& file) {
    const fs::path target = fs::read_symlink(file);
    fs::remove(file);
    fs::copy_file(target, file);
}

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

TEST(AnalyzeCli, JsonContract) {
    const CliRun r = run_cli("analyze --json " + quoted(sample(1)));
    ASSERT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 1u);
    const json& img = out[0];
    EXPECT_EQ(keys_of(img), (std::set<std::string>{"file", "width", "height", "faces"}));
    EXPECT_EQ(img["file"], sample(1).string());
    const cv::Mat decoded = cv::imread(sample(1).string());
    EXPECT_EQ(img["width"], decoded.cols);
    EXPECT_EQ(img["height"], decoded.rows);
    ASSERT_GE(img["faces"].size(), 1u);
    const std::set<std::string> kFaceKeys = {
        "box",         "score",          "landmarks",        "age",
        "age_faceres", "gender",         "gender_prob",      "gender_faceres_prob",
        "expression",  "embedding_dlib", "embedding_faceres"};
    for (const json& f : img["faces"]) {
        EXPECT_EQ(keys_of(f), kFaceKeys);
        ASSERT_EQ(f["box"].size(), 4u);
        EXPECT_GT(f["box"][2].get<double>(), 0.0);
        EXPECT_GT(f["box"][3].get<double>(), 0.0);
        EXPECT_GE(f["score"].get<double>(), 0.5);  // the default --min-score
        EXPECT_LE(f["score"].get<double>(), 1.0);
        ASSERT_EQ(f["landmarks"].size(), 68u);
        for (const json& p : f["landmarks"]) ASSERT_EQ(p.size(), 2u);
        EXPECT_GT(f["age"].get<double>(), 0.0);
        EXPECT_GT(f["age_faceres"].get<double>(), 0.0);
        EXPECT_TRUE(f["gender"] == "male" || f["gender"] == "female") << f["gender"];
        EXPECT_GE(f["gender_prob"].get<double>(), 0.5);
        EXPECT_LE(f["gender_prob"].get<double>(), 1.0);
        EXPECT_GE(f["gender_faceres_prob"].get<double>(), 0.0);
        EXPECT_LE(f["gender_faceres_prob"].get<double>(), 1.0);
        EXPECT_EQ(keys_of(f["expression"]),
                  (std::set<std::string>{"neutral", "happy", "sad", "angry", "fearful", "disgusted",
                                         "surprised"}));
        double sum = 0;
        for (const auto& [name, p] : f["expression"].items()) sum += p.get<double>();
        EXPECT_NEAR(sum, 1.0, 1e-4);
        ASSERT_EQ(f["embedding_dlib"].size(), 128u);
        ASSERT_EQ(f["embedding_faceres"].size(), 1024u);
        for (const json& v : f["embedding_faceres"]) ASSERT_TRUE(std::isfinite(v.get<double>()));
    }
}

TEST(AnalyzeCli, CropsModeGivesOneFaceWhoseBoxIsTheImage) {
    const fs::path crop = kFacesDev / "Aaron_Guiel_0001.jpg";
    if (!fs::exists(crop)) FACEATLAS_MISSING_INPUT() << "no faces-dev data at " << crop;
    const CliRun r = run_cli("analyze --json --crops " + quoted(crop));
    ASSERT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0]["faces"].size(), 1u);
    const int w = out[0]["width"], h = out[0]["height"];
    EXPECT_EQ(out[0]["faces"][0]["box"], json({0.0, 0.0, w, h}));
    EXPECT_EQ(out[0]["faces"][0]["landmarks"].size(), 68u);
}

TEST(AnalyzeCli, AttributeFlipChangesAgeAndGenderOnlyAndIsTheMeanOverTheMirrorImage) {
    const fs::path crop = kFacesDev / "Aaron_Guiel_0001.jpg";
    if (!fs::exists(crop)) FACEATLAS_MISSING_INPUT() << "no faces-dev data at " << crop;
    const CliRun flip = run_cli("analyze --json --crops --attribute-flip " + quoted(crop));
    const CliRun plain = run_cli("analyze --json --crops " + quoted(crop));
    ASSERT_EQ(flip.code, 0) << flip.err;
    ASSERT_EQ(plain.code, 0) << plain.err;
    const json f = parse_output(flip)[0]["faces"][0], p = parse_output(plain)[0]["faces"][0];
    // Landmarks, expression and both embeddings never see the mirror image.
    EXPECT_EQ(f["landmarks"], p["landmarks"]);
    EXPECT_EQ(f["expression"], p["expression"]);
    // (Equal up to float summation order: the mirrored chips run in the same faceres batch.)
    for (const char* key : {"embedding_dlib", "embedding_faceres"}) {
        ASSERT_EQ(f[key].size(), p[key].size()) << key;
        for (std::size_t k = 0; k < f[key].size(); ++k)
            ASSERT_NEAR(f[key][k].get<double>(), p[key][k].get<double>(), 1e-5) << key << " " << k;
    }
    // The nets are not mirror-symmetric, so averaging over the mirror image moves their answers.
    EXPECT_GT(std::abs(f["age"].get<double>() - p["age"].get<double>()), 1e-4);
    EXPECT_GT(
        std::abs(f["gender_faceres_prob"].get<double>() - p["gender_faceres_prob"].get<double>()),
        1e-6);
}

TEST(AnalyzeCli, MissingModelDirectoryNamesItAndTheFetchScript) {
    const std::string dir = "/nonexistent/faceatlas_models";
    const CliRun r = run_cli("--models " + dir + " analyze " + quoted(sample(1)));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(dir), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("scripts/fetch_models.sh"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(AnalyzeCli, TruncatedWeightsNameTheFile) {
    TempDir tmp("analyze_truncated");
    const fs::path models = mirror_models(tmp.path());
    const fs::path bin = models / "face-api" / "model" / "age_gender_model.bin";
    make_real_copy(bin);
    fs::resize_file(bin, fs::file_size(bin) / 2);
    const CliRun r = run_cli("--models " + quoted(models) + " analyze " + quoted(sample(1)));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(bin.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("scripts/fetch_models.sh"), std::string::npos) << r.err;

    // The untouched mirror works: the failure above is the damaged file's.
    TempDir ok("analyze_mirror");
    EXPECT_EQ(
        run_cli("--models " + quoted(mirror_models(ok.path())) + " analyze " + quoted(sample(1)))
            .code,
        0);
}

TEST(AnalyzeCli, WeightsManifestShapeMismatchNamesTheTensorAndFile) {
    TempDir tmp("analyze_shape");
    const fs::path models = mirror_models(tmp.path());
    const fs::path manifest =
        models / "face-api" / "model" / "face_expression_model-weights_manifest.json";
    make_real_copy(manifest);
    json j = json::parse(read_text(manifest));
    bool altered = false;
    for (auto& w : j[0]["weights"])
        if (w["name"] == "dense0/conv0/filters") {
            // [3, 3, 3, 32] -> [3, 3, 32, 3]: the same byte count, so only the shape check sees it.
            ASSERT_EQ(w["shape"], json({3, 3, 3, 32}));
            w["shape"] = {3, 3, 32, 3};
            altered = true;
        }
    ASSERT_TRUE(altered);
    std::ofstream(manifest) << j.dump();
    const CliRun r = run_cli("--models " + quoted(models) + " analyze " + quoted(sample(1)));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("dense0/conv0/filters"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(manifest.string()), std::string::npos) << r.err;
}

TEST(AnalyzeCli, BadImagesGetAnErrorAndTheOthersAreStillProcessed) {
    TempDir tmp("analyze_bad_images");
    const fs::path missing = tmp / "missing.jpg";
    const fs::path text = tmp / "notes.jpg";
    write_bytes(text, "this is not an image\n");
    const fs::path empty = tmp / "empty.png";
    write_bytes(empty, "");
    // A directory stands for an unreadable file when the tests run as root (root reads
    // anything); otherwise a file without read permission is checked too.
    const fs::path dir = tmp / "folder.jpg";
    fs::create_directory(dir);
    std::vector<fs::path> bad = {missing, text, empty, dir};
    if (geteuid() != 0) {
        const fs::path locked = tmp / "locked.jpg";
        fs::copy_file(sample(2), locked);
        fs::permissions(locked, fs::perms::none);
        bad.push_back(locked);
    }
    std::string args = "analyze --json " + quoted(sample(1));
    for (const auto& b : bad) args += " " + quoted(b);
    args += " " + quoted(sample(2));
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 1);
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), bad.size() + 2);
    EXPECT_GE(out.front()["faces"].size(), 1u);
    EXPECT_GE(out.back()["faces"].size(), 1u);
    EXPECT_FALSE(out.front().contains("error"));
    EXPECT_FALSE(out.back().contains("error"));
    for (std::size_t i = 0; i < bad.size(); ++i) {
        const json& e = out[i + 1];
        SCOPED_TRACE(bad[i].string());
        EXPECT_EQ(e["file"], bad[i].string());
        ASSERT_TRUE(e.contains("error"));
        EXPECT_NE(e["error"].get<std::string>().find(bad[i].string()), std::string::npos)
            << e["error"];
        EXPECT_FALSE(e.contains("faces"));
        // and on stderr, for people reading the terminal
        EXPECT_NE(r.err.find(bad[i].string()), std::string::npos) << r.err;
    }
}

TEST(AnalyzeCli, ImageWithoutAFaceHasNoFacesAndSucceeds) {
    TempDir tmp("analyze_noface");
    const fs::path grey = tmp / "grey.png";
    ASSERT_TRUE(cv::imwrite(grey.string(), cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(128))));
    const CliRun r = run_cli("analyze --json " + quoted(grey));
    EXPECT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["faces"], json::array());
    EXPECT_EQ(out[0]["width"], 640);
    EXPECT_EQ(out[0]["height"], 480);
}

TEST(AnalyzeCli, OnePixelImages) {
    TempDir tmp("analyze_1x1");
    const fs::path grey = tmp / "grey.png";
    const fs::path skin = tmp / "skin.png";
    ASSERT_TRUE(cv::imwrite(grey.string(), cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(128))));
    ASSERT_TRUE(cv::imwrite(skin.string(), cv::Mat(1, 1, CV_8UC3, cv::Scalar(100, 150, 200))));

    // Grey: nothing. Skin-coloured: face-api's detector reports a "face" of 0.9 x 0.97 pixels
    // (tests/vision/face_detector_test.cpp), which covers no whole pixel: no face to analyse.
    const CliRun r = run_cli("analyze --json " + quoted(grey) + " " + quoted(skin));
    EXPECT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 2u);
    for (const json& img : out) {
        EXPECT_EQ(img["width"], 1);
        EXPECT_EQ(img["height"], 1);
        EXPECT_EQ(img["faces"], json::array()) << img.dump();
    }

    // --crops: the pixel is "the face", but 68 landmarks inside one pixel cannot be aligned;
    // each image gets an error saying so, not a crash or made-up embeddings.
    const CliRun c = run_cli("analyze --json --crops " + quoted(grey) + " " + quoted(skin));
    EXPECT_EQ(c.code, 1) << c.err;
    const json crops = parse_output(c);
    ASSERT_EQ(crops.size(), 2u);
    for (const json& img : crops) {
        ASSERT_TRUE(img.contains("error")) << img.dump();
        EXPECT_NE(img["error"].get<std::string>().find("too small"), std::string::npos)
            << img["error"];
        EXPECT_NE(img["error"].get<std::string>().find(img["file"].get<std::string>()),
                  std::string::npos);
    }
}

// A 16x16 face crop still goes through every net (12x12 is refused as too small to align).
TEST(AnalyzeCli, SmallCropIsAnalysed) {
    const fs::path face = kFacesDev / "Aaron_Guiel_0001.jpg";
    if (!fs::exists(face)) FACEATLAS_MISSING_INPUT() << "no faces-dev data at " << face;
    TempDir tmp("analyze_small_crop");
    const fs::path small = tmp / "small.png";
    cv::Mat img = cv::imread(face.string());
    cv::resize(img(cv::Rect(100, 100, 150, 150)), img, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
    ASSERT_TRUE(cv::imwrite(small.string(), img));
    const CliRun r = run_cli("analyze --json --crops " + quoted(small));
    EXPECT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0]["faces"].size(), 1u) << r.out;
    EXPECT_EQ(out[0]["faces"][0]["embedding_dlib"].size(), 128u);
}

// 12000 x 12000 (144 megapixels, 432 MB as 8-bit RGB): it must be analysed, and the whole
// process must stay within a fixed multiple of the decoded image.
TEST(AnalyzeCli, HugeImageWorksWithBoundedMemory) {
    TempDir tmp("analyze_huge");
    const fs::path huge = tmp / "huge.jpg";
    {
        // sample1 scaled up: the same faces, now each thousands of pixels wide.
        const cv::Mat small = cv::imread(sample(1).string());
        ASSERT_FALSE(small.empty());
        cv::Mat big;
        cv::resize(small, big, cv::Size(12000, 12000), 0, 0, cv::INTER_LINEAR);
        ASSERT_TRUE(cv::imwrite(huge.string(), big, {cv::IMWRITE_JPEG_QUALITY, 80}));
    }
    const long long before = peak_child_rss_bytes();
    const CliRun r = run_cli("analyze --json " + quoted(huge));
    const long long peak = peak_child_rss_bytes();
    ASSERT_EQ(r.code, 0) << r.err;
    const json out = parse_output(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["width"], 12000);
    EXPECT_EQ(out[0]["height"], 12000);
    EXPECT_GE(out[0]["faces"].size(), 1u);
    constexpr long long kImageBytes = 12000LL * 12000 * 3;
    RecordProperty("peak_rss_mb", std::to_string(peak / (1 << 20)));
    std::printf("analyze 12000x12000: peak RSS %lld MB (decoded image %lld MB)\n", peak >> 20,
                kImageBytes >> 20);
    if (peak > before) EXPECT_LT(peak, kImageBytes * 3 / 2 + (512LL << 20));
}

TEST(AnalyzeCli, BadArgumentsExitTwo) {
    const std::string img = quoted(sample(1));
    const std::vector<std::string> cases = {"",
                                            "analyze",
                                            "analyze --json",
                                            "analyze --bogus " + img,
                                            "analyze --min-score 2 " + img,
                                            "analyze --min-score x " + img,
                                            "analyze --age-top-l 0 " + img,
                                            "no-such-command"};
    for (const std::string& args : cases) {
        SCOPED_TRACE(args);
        const CliRun r = run_cli(args);
        EXPECT_EQ(r.code, 2) << r.out << r.err;
        EXPECT_FALSE(r.err.empty());
    }
}

}  // namespace
}  // namespace faceatlas::testing
