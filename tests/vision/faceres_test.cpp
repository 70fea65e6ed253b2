// FaceresNet on real labelled faces (utkface-dev) and its output helpers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "common/require_input.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/faceres.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;

const fs::path kUtk = fs::path(faceatlas::testing::shared_data_dir()) / "utkface-dev";

struct Labelled {
    fs::path file;
    int age = 0;
    bool male = false;
};

// Every `stride`-th row of labels.csv, `count` rows: deterministic and spread over the file.
std::vector<Labelled> utkface_sample(std::size_t count) {
    std::ifstream f(kUtk / "labels.csv");
    std::vector<Labelled> all;
    std::string line;
    std::getline(f, line);  // header: file,age,gender,race
    while (std::getline(f, line)) {
        std::stringstream ss(line);
        std::string file, age, gender;
        std::getline(ss, file, ',');
        std::getline(ss, age, ',');
        std::getline(ss, gender, ',');
        all.push_back({kUtk / "images" / file, std::stoi(age), gender == "male"});
    }
    std::vector<Labelled> out;
    if (all.empty()) return out;
    const std::size_t stride = std::max<std::size_t>(1, all.size() / count);
    for (std::size_t i = 0; i < all.size() && out.size() < count; i += stride)
        out.push_back(all[i]);
    return out;
}

cv::Mat load_chip(const fs::path& file) {
    cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    cv::Mat rgb, chip;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::resize(rgb, chip, cv::Size(224, 224), 0, 0, cv::INTER_LINEAR);
    return chip;
}

class FaceresTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        net_ = new FaceresNet(
            FaceresNet::load(nn::ModelManifest::load_default(faceatlas::testing::model_dir())));
    }
    static void TearDownTestSuite() {
        delete net_;
        net_ = nullptr;
    }
    static FaceresNet* net_;
};
FaceresNet* FaceresTest::net_ = nullptr;

TEST_F(FaceresTest, UtkfaceGenderAndAge) {
    if (!fs::exists(kUtk / "labels.csv"))
        FACEATLAS_MISSING_INPUT() << "no utkface-dev data at " << kUtk;
    const auto sample = utkface_sample(40);
    ASSERT_EQ(sample.size(), 40u);
    std::vector<cv::Mat> chips;
    for (const auto& s : sample) {
        chips.push_back(load_chip(s.file));
        ASSERT_FALSE(chips.back().empty()) << s.file;
    }
    std::vector<FaceresOutput> outs;
    for (std::size_t i = 0; i < chips.size(); i += 8) {
        auto part = net_->predict_batch(
            {chips.begin() + static_cast<std::ptrdiff_t>(i),
             chips.begin() + static_cast<std::ptrdiff_t>(std::min(i + 8, chips.size()))});
        outs.insert(outs.end(), part.begin(), part.end());
    }
    ASSERT_EQ(outs.size(), sample.size());
    int correct = 0;
    double mae_argmax = 0, mae_top2 = 0, mae_top3 = 0, mae_all = 0, mae_top3_from0 = 0;
    for (std::size_t i = 0; i < outs.size(); ++i) {
        const auto& o = outs[i];
        ASSERT_EQ(o.features.size(), 1024u);
        float psum = 0;
        for (float p : o.age_probs) psum += p;
        EXPECT_NEAR(psum, 1.f, 1e-4);
        EXPECT_GE(o.male_probability, 0.f);
        EXPECT_LE(o.male_probability, 1.f);
        correct += (o.male_probability > 0.5f) == sample[i].male;
        mae_argmax += std::abs(o.age_argmax() - sample[i].age);
        mae_top2 += std::abs(o.age_expected(2) - sample[i].age);
        mae_top3 += std::abs(o.age_expected(3) - sample[i].age);
        mae_all += std::abs(o.age_expected(100) - sample[i].age);
        mae_top3_from0 += std::abs(o.age_expected(3) - FaceresOutput::kMinAge - sample[i].age);
    }
    const double n = static_cast<double>(outs.size());
    const double acc = correct / n;
    std::printf(
        "utkface-dev n=%d (whole 200x200 chip resized to 224): gender accuracy %.3f, age MAE "
        "argmax %.2f, "
        "top2 %.2f, top3 %.2f, all %.2f; top3 reading bin i as age i (not i+1): %.2f\n",
        static_cast<int>(n), acc, mae_argmax / n, mae_top2 / n, mae_top3 / n, mae_all / n,
        mae_top3_from0 / n);
    // Chance is ~0.5 for gender; a constant guess of 30 years gives an MAE near 18 on this
    // young-skewed sample. Measured: n=40 accuracy 0.875, MAE top3 7.62 (argmax 8.78); n=800
    // accuracy 0.869, MAE top3 5.83.
    EXPECT_GE(acc, 0.8);
    EXPECT_LE(mae_top3 / n, 10.0);
    EXPECT_LE(mae_argmax / n, 12.0);
}

TEST_F(FaceresTest, BatchMatchesSingle) {
    if (!fs::exists(kUtk / "labels.csv"))
        FACEATLAS_MISSING_INPUT() << "no utkface-dev data at " << kUtk;
    const auto sample = utkface_sample(3);
    std::vector<cv::Mat> chips;
    for (const auto& s : sample) chips.push_back(load_chip(s.file));
    const auto batch = net_->predict_batch(chips);
    for (std::size_t i = 0; i < chips.size(); ++i) {
        const auto one = net_->predict(chips[i]);
        for (int k = 0; k < 1024; ++k) ASSERT_NEAR(one.features[k], batch[i].features[k], 1e-4);
        for (int k = 0; k < 100; ++k) ASSERT_NEAR(one.age_probs[k], batch[i].age_probs[k], 1e-6);
        EXPECT_NEAR(one.male_probability, batch[i].male_probability, 1e-6);
    }
    // 8-bit and float chips are the same input.
    cv::Mat f32;
    chips[0].convertTo(f32, CV_32FC3);
    EXPECT_NEAR(net_->predict(f32).male_probability, batch[0].male_probability, 1e-6);
}

TEST_F(FaceresTest, FlipAveragingIsMirrorSymmetricAndKeepsFeatures) {
    if (!fs::exists(kUtk / "labels.csv"))
        FACEATLAS_MISSING_INPUT() << "no utkface-dev data at " << kUtk;
    const auto sample = utkface_sample(3);
    std::vector<cv::Mat> chips, mirrored;
    for (const auto& s : sample) {
        chips.push_back(load_chip(s.file));
        cv::Mat m;
        cv::flip(chips.back(), m, 1);
        mirrored.push_back(m);
    }
    const auto plain = net_->predict_batch(chips);
    const auto plain_mirrored = net_->predict_batch(mirrored);
    const auto tta = net_->predict_batch_flip(chips);
    const auto tta_mirrored = net_->predict_batch_flip(mirrored);
    ASSERT_EQ(tta.size(), chips.size());
    for (std::size_t i = 0; i < chips.size(); ++i) {
        EXPECT_NEAR(tta[i].male_probability, tta_mirrored[i].male_probability, 1e-6);
        EXPECT_NEAR(tta[i].male_probability,
                    0.5f * (plain[i].male_probability + plain_mirrored[i].male_probability), 1e-6);
        for (int k = 0; k < 100; ++k) {
            ASSERT_NEAR(tta[i].age_probs[k], tta_mirrored[i].age_probs[k], 1e-6);
            ASSERT_NEAR(tta[i].age_probs[k],
                        0.5f * (plain[i].age_probs[k] + plain_mirrored[i].age_probs[k]), 1e-6);
        }
        // The identity feature is the un-mirrored chip's, unchanged.
        for (int k = 0; k < 1024; ++k) ASSERT_NEAR(tta[i].features[k], plain[i].features[k], 1e-4);
    }
    EXPECT_TRUE(net_->predict_batch_flip({}).empty());
}

TEST_F(FaceresTest, RejectsWrongChips) {
    EXPECT_THROW(net_->predict(cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(0))), Error);
    EXPECT_THROW(net_->predict(cv::Mat(224, 224, CV_8UC1, cv::Scalar::all(0))), Error);
    EXPECT_THROW(net_->forward_raw(nullptr, 0), Error);
    EXPECT_TRUE(net_->predict_batch({}).empty());
}

TEST(FaceresOutput, AgeHelpers) {
    FaceresOutput o;
    o.age_probs.fill(0.f);
    o.age_probs[29] = 0.5f;  // age 30
    o.age_probs[39] = 0.3f;  // age 40
    o.age_probs[9] = 0.2f;   // age 10
    EXPECT_EQ(o.age_argmax(), 30);
    EXPECT_FLOAT_EQ(o.age_expected(1), 30.f);
    EXPECT_FLOAT_EQ(o.age_expected(2), (0.5f * 30 + 0.3f * 40) / 0.8f);
    EXPECT_FLOAT_EQ(o.age_expected(3), 0.5f * 30 + 0.3f * 40 + 0.2f * 10);
    EXPECT_FLOAT_EQ(o.age_expected(100), o.age_expected(3));
    EXPECT_THROW(o.age_expected(0), Error);
    EXPECT_THROW(o.age_expected(101), Error);
}

TEST_F(FaceresTest, ExpectedAgeTopOneIsArgmax) {
    if (!fs::exists(kUtk / "labels.csv"))
        FACEATLAS_MISSING_INPUT() << "no utkface-dev data at " << kUtk;
    for (const auto& s : utkface_sample(5)) {
        const auto o = net_->predict(load_chip(s.file));
        EXPECT_FLOAT_EQ(o.age_expected(1), static_cast<float>(o.age_argmax())) << s.file;
    }
}

}  // namespace
}  // namespace faceatlas::vision
