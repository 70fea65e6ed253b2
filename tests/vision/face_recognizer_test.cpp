// FaceRecognizer behaviour: loading errors, determinism, batching, identity separation on real
// LFW crops (faces-dev).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/face_recognizer.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;

const fs::path kModelDir = faceatlas::testing::model_dir();
const fs::path kManifestJson = fs::path(FACEATLAS_SOURCE_DIR) / "models" / "manifest.json";
const fs::path kFaces = fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev" / "images";

using faceatlas::testing::TempDir;

// Whole LFW crop (350x350 grey, tight around the face) resized to 150, as RGB.
cv::Mat load_crop(const std::string& file) {
    const cv::Mat grey = cv::imread((kFaces / file).string(), cv::IMREAD_GRAYSCALE);
    if (grey.empty()) return {};
    cv::Mat rgb, chip;
    cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
    cv::resize(rgb, chip, cv::Size(150, 150), 0, 0, cv::INTER_AREA);
    return chip;
}

class FaceRecognizerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        net_ = std::make_unique<FaceRecognizer>(
            FaceRecognizer::load(nn::ModelManifest::load(kManifestJson, kModelDir)));
    }
    static void TearDownTestSuite() { net_.reset(); }
    static std::unique_ptr<FaceRecognizer> net_;
};
std::unique_ptr<FaceRecognizer> FaceRecognizerTest::net_;

TEST(FaceRecognizerLoad, MissingWeightsNameTheFile) {
    TempDir empty("faceatlas_recog_empty");
    const auto manifest = nn::ModelManifest::load(kManifestJson, empty.path());
    try {
        FaceRecognizer::load(manifest);
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
        EXPECT_NE(e.context().find("face_recognition_model-weights_manifest.json"),
                  std::string::npos)
            << e.context();
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(FaceRecognizerLoad, MissingShardNamesTheShard) {
    // The weights manifest is there but its .bin shard is not.
    TempDir dir("faceatlas_recog_noshard");
    fs::create_directories(dir.path() / "face-api" / "model");
    const char* json = "face-api/model/face_recognition_model-weights_manifest.json";
    fs::copy_file(kModelDir / json, dir.path() / json);
    const auto manifest = nn::ModelManifest::load(kManifestJson, dir.path());
    try {
        FaceRecognizer::load(manifest);
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_NE(e.context().find("face_recognition_model.bin"), std::string::npos) << e.context();
    }
}

TEST_F(FaceRecognizerTest, SameImageTwiceIsDistanceZero) {
    const cv::Mat chip = load_crop("Meryl_Streep_0001.jpg");
    ASSERT_FALSE(chip.empty()) << "faces-dev missing under " << kFaces;
    const Embedding a = net_->embed(chip);
    const Embedding b = net_->embed(chip.clone());
    ASSERT_EQ(a.size(), 128u);
    EXPECT_EQ(a.distance(b), 0.f);
    EXPECT_NEAR(a.cosine(b), 1.f, 1e-6f);
}

TEST_F(FaceRecognizerTest, BatchMatchesSingleAndFloatMatchesBytes) {
    std::vector<cv::Mat> chips;
    for (const char* f : {"Meryl_Streep_0001.jpg", "Paul_Bremer_0001.jpg", "Wen_Jiabao_0001.jpg"})
        chips.push_back(load_crop(f));
    ASSERT_FALSE(chips[0].empty());
    // 35 chips: more than one internal batch of kMaxBatch.
    std::vector<cv::Mat> many;
    for (int i = 0; i < 35; ++i) many.push_back(chips[static_cast<std::size_t>(i % 3)]);
    const auto batch = net_->embed_batch(many);
    ASSERT_EQ(batch.size(), many.size());
    for (std::size_t i = 0; i < 3; ++i) {
        const Embedding single = net_->embed(chips[i]);
        EXPECT_LT(single.distance(batch[i]), 1e-5f);
        // Copy of chip i in the second internal batch (indices 32..34).
        EXPECT_LT(single.distance(batch[32 + (i + 1) % 3]), 1e-5f);
        cv::Mat f;
        chips[i].convertTo(f, CV_32FC3);
        EXPECT_LT(single.distance(net_->embed(f)), 1e-5f);
    }
    EXPECT_TRUE(net_->embed_batch({}).empty());
}

TEST_F(FaceRecognizerTest, RejectsChipsOfTheWrongShape) {
    EXPECT_THROW(net_->embed(cv::Mat(112, 112, CV_8UC3, cv::Scalar::all(0))), Error);
    EXPECT_THROW(net_->embed(cv::Mat(150, 150, CV_8UC1, cv::Scalar::all(0))), Error);
    EXPECT_THROW(net_->embed(cv::Mat()), Error);
}

TEST_F(FaceRecognizerTest, ForwardRawMatchesEmbed) {
    const cv::Mat chip = load_crop("Paul_Bremer_0002.jpg");
    ASSERT_FALSE(chip.empty());
    cv::Mat f;
    chip.convertTo(f, CV_32FC3);
    const std::vector<float> raw = net_->forward_raw(f.ptr<float>(), 1);
    ASSERT_EQ(raw.size(), 128u);
    EXPECT_LT(Embedding{raw}.distance(net_->embed(chip)), 1e-5f);
}

TEST_F(FaceRecognizerTest, MovedInstanceStillWorks) {
    FaceRecognizer moved = FaceRecognizer::load(nn::ModelManifest::load(kManifestJson, kModelDir));
    FaceRecognizer other = std::move(moved);
    EXPECT_EQ(other.embed(load_crop("Wen_Jiabao_0002.jpg")).size(), 128u);
}

TEST_F(FaceRecognizerTest, SamePersonIsCloserThanDifferentPeople) {
    // Two photos each of five people (whole crops, not aligned chips: distances are larger than
    // with dlib alignment, but identity still dominates).
    const std::vector<std::string> people = {"Meryl_Streep", "Paul_Bremer", "Wen_Jiabao",
                                             "Julianne_Moore", "Trent_Lott"};
    std::vector<cv::Mat> chips;
    for (const auto& p : people)
        for (const char* k : {"_0001.jpg", "_0002.jpg"}) {
            chips.push_back(load_crop(p + k));
            ASSERT_FALSE(chips.back().empty()) << p + k;
        }
    const auto e = net_->embed_batch(chips);
    double same_sum = 0, diff_sum = 0;
    int diff_n = 0;
    for (std::size_t i = 0; i < people.size(); ++i) {
        const float same = e[2 * i].distance(e[2 * i + 1]);
        same_sum += same;
        for (std::size_t j = 0; j < people.size(); ++j) {
            if (i == j) continue;
            // Each person's pair is closer than that person to anyone else.
            const float diff =
                std::min(e[2 * i].distance(e[2 * j]), e[2 * i].distance(e[2 * j + 1]));
            EXPECT_LT(same, diff) << people[i] << " vs " << people[j];
            diff_sum += diff;
            ++diff_n;
        }
    }
    const double same_mean = same_sum / people.size(), diff_mean = diff_sum / diff_n;
    std::cout << "[ distance ] same-person mean " << same_mean << ", different-people mean "
              << diff_mean << "\n";
    EXPECT_LT(same_mean, 0.6);
    EXPECT_GT(diff_mean, 0.6);
}

TEST(Embedding, DistanceAndCosine) {
    const Embedding a{{3.f, 0.f, 0.f}}, b{{0.f, 4.f, 0.f}}, z{{0.f, 0.f, 0.f}};
    EXPECT_FLOAT_EQ(a.distance(b), 5.f);
    EXPECT_FLOAT_EQ(distance(a, b), 5.f);
    EXPECT_FLOAT_EQ(a.cosine(b), 0.f);
    EXPECT_FLOAT_EQ(a.cosine(a), 1.f);
    EXPECT_FLOAT_EQ(cosine(a, Embedding{{-1.f, 0.f, 0.f}}), -1.f);
    EXPECT_FLOAT_EQ(a.cosine(z), 0.f);
}

}  // namespace
}  // namespace faceatlas::vision
