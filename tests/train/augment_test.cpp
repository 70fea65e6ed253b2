// Feature specs, augmentation determinism, heads trained on augmented copies, faceres-blocks
// model files. No networks needed.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "common/error_code.h"
#include "common/temp_dir.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/train/attribute_trainer.h"
#include "faceatlas/vision/attribute_features.h"

namespace fa = faceatlas;
using fa::vision::AttributeFeatureSpec;
using fa::vision::AugmentDraw;
using fa::vision::AugmentOptions;

namespace {

using faceatlas::testing::code_of;

// A textured 89x109 image and plausible landmarks: the mean-face template mapped into it.
cv::Mat test_image() {
    cv::Mat img(109, 89, CV_8UC3);
    std::mt19937 rng(5);
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x)
            img.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<unsigned char>(x * 2), static_cast<unsigned char>(y * 2),
                          static_cast<unsigned char>(rng() % 256));
    return img;
}

std::array<cv::Point2f, 68> test_landmarks() {
    std::array<cv::Point2f, 68> lm;
    const fa::vision::ChipSpec spec{100, 0.0};
    for (int k = 0; k < 68; ++k) {
        const auto p = fa::vision::template_point(k, spec);
        lm[static_cast<std::size_t>(k)] =
            cv::Point2f(static_cast<float>(20 + 0.5 * p.x), static_cast<float>(30 + 0.5 * p.y));
    }
    return lm;
}

cv::Mat augmented_chip(std::uint64_t seed, std::uint64_t image, std::uint64_t copy) {
    const auto t = fa::vision::chip_transform(test_landmarks(), fa::vision::ChipSpec{224, 0.6});
    const auto a = AugmentDraw::draw(AugmentOptions{}, seed, image, copy);
    return fa::vision::extract_chip(test_image(), fa::vision::augmented(t, a));
}

}  // namespace

TEST(AttributeFeatureSpec, ParsesRoundTripsAndSizes) {
    const auto s = AttributeFeatureSpec::parse("pw13@0.25, pw11g2@0.6,feats");
    ASSERT_EQ(s.blocks.size(), 3u);
    EXPECT_EQ(s.blocks[1].layer, "pw11");
    EXPECT_EQ(s.blocks[1].grid, 2);
    EXPECT_DOUBLE_EQ(s.blocks[1].padding, 0.6);
    EXPECT_DOUBLE_EQ(s.blocks[2].padding, 0.25);
    EXPECT_EQ(s.dim(), 1024 + 512 * 4 + 256);
    EXPECT_EQ(s.to_string(), "pw13@0.25,pw11g2@0.6,feats@0.25");
    EXPECT_EQ(AttributeFeatureSpec::parse(s.to_string()).to_string(), s.to_string());
    EXPECT_EQ((s.paddings()), (std::vector<double>{0.25, 0.6}));
    const auto back = AttributeFeatureSpec::from_json(s.to_json());
    EXPECT_EQ(back.to_string(), s.to_string());
}

TEST(AttributeFeatureSpec, RefusesBadBlocks) {
    for (const char* bad :
         {"", "pw14", "conv1", "pw13g0", "pw13g5", "featsg2", "pw13@3", "pw13@x", "pw13,pw13@0.25"})
        EXPECT_EQ(code_of([&] { AttributeFeatureSpec::parse(bad); }),
                  fa::ErrorCode::kInvalidArgument)
            << bad;
    // A stored spec whose size disagrees is a corrupt model, not a usage error.
    EXPECT_EQ(code_of([] {
                  AttributeFeatureSpec::from_json({{"blocks", "pw13"}, {"dim", 7}});
              }),
              fa::ErrorCode::kCorruptData);
}

TEST(Augmentation, SameSeedSamePixelsOtherSeedOtherPixels) {
    const auto a = augmented_chip(1, 17, 1), b = augmented_chip(1, 17, 1);
    ASSERT_EQ(a.size(), cv::Size(224, 224));
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
    EXPECT_GT(cv::norm(a, augmented_chip(2, 17, 1), cv::NORM_L1), 0.0);  // seed
    EXPECT_GT(cv::norm(a, augmented_chip(1, 18, 1), cv::NORM_L1), 0.0);  // image
    EXPECT_GT(cv::norm(a, augmented_chip(1, 17, 2), cv::NORM_L1), 0.0);  // copy
}

TEST(Augmentation, DrawsStayInRangeAndFlipHalfTheTime) {
    AugmentOptions o;
    int flips = 0;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        const auto d = AugmentDraw::draw(o, 3, i, 1);
        EXPECT_LE(std::abs(d.rotation_rad), 20 * 3.14159265 / 180 + 1e-9);
        EXPECT_LE(std::abs(d.shift_x), 0.2);
        EXPECT_LE(std::abs(d.shear), 0.2);
        EXPECT_GE(d.zoom_y, 0.8);
        EXPECT_LE(d.zoom_y, 1.2);
        flips += d.flip;
    }
    EXPECT_NEAR(flips / 2000.0, 0.5, 0.05);
    o.zoom = 1.0;
    EXPECT_EQ(code_of([&] { AugmentDraw::draw(o, 1, 1, 1); }), fa::ErrorCode::kInvalidArgument);
}

TEST(Augmentation, IdentityDrawKeepsTheChipAndFlipMirrorsIt) {
    const auto t = fa::vision::chip_transform(test_landmarks(), fa::vision::ChipSpec{224, 0.6});
    const auto img = test_image();
    const auto plain = fa::vision::extract_chip(img, t);
    AugmentDraw id;
    EXPECT_LE(
        cv::norm(plain, fa::vision::extract_chip(img, fa::vision::augmented(t, id)), cv::NORM_INF),
        1.0);
    id.flip = true;
    cv::Mat mirrored;
    cv::flip(plain, mirrored, 1);
    EXPECT_LE(cv::norm(mirrored, fa::vision::extract_chip(img, fa::vision::augmented(t, id)),
                       cv::NORM_INF),
              1.0);
}

namespace {
fa::train::LabelledFeatures synthetic_with_copies(int copies) {
    fa::train::LabelledFeatures d;
    d.dim = 16;
    d.names = {"a", "b"};
    std::mt19937_64 rng(9);
    std::normal_distribution<float> g(0.f, 1.f);
    const std::size_t n = 240;
    std::vector<float> latent(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        for (int k = 0; k < 2; ++k) latent[i * 2 + static_cast<std::size_t>(k)] = g(rng);
        for (int j = 0; j < d.dim; ++j)
            d.x.push_back(latent[i * 2 + static_cast<std::size_t>(j % 2)] + 0.5f * g(rng));
        for (int k = 0; k < 2; ++k)
            d.y.push_back(latent[i * 2 + static_cast<std::size_t>(k)] > 0 ? 1 : 0);
        d.group.push_back(static_cast<std::int64_t>(i / 2));
    }
    d.copies = copies;
    for (int c = 0; c < copies; ++c)
        for (std::size_t i = 0; i < n; ++i)
            for (int j = 0; j < d.dim; ++j)
                d.x_aug.push_back(latent[i * 2 + static_cast<std::size_t>(j % 2)] + 0.5f * g(rng));
    return d;
}

fa::train::TrainOptions tiny_options() {
    fa::train::TrainOptions o;
    o.backbone = fa::attr::kBackboneDlib;  // the head does not care; 16-d synthetic features
    o.epochs = 6;
    o.hidden = 16;
    o.batch_size = 32;
    o.threads = 1;
    o.patience = 6;
    o.loss = fa::train::LossKind::kBce;
    return o;
}
}  // namespace

TEST(AugmentedHead, DeterministicWithSeedAndUsesTheCopies) {
    const auto d = synthetic_with_copies(2);
    const auto a = fa::train::train_head(d, fa::attr::kBackboneDlib, tiny_options());
    const auto b = fa::train::train_head(d, fa::attr::kBackboneDlib, tiny_options());
    EXPECT_EQ(a.model.layers[0].weight, b.model.layers[0].weight);
    EXPECT_EQ(a.model.layers[1].bias, b.model.layers[1].bias);
    EXPECT_GT(a.mean_balanced_accuracy(), 0.8);
    // The copies change what is trained on.
    const auto plain =
        fa::train::train_head(synthetic_with_copies(0), fa::attr::kBackboneDlib, tiny_options());
    EXPECT_NE(a.model.layers[0].weight, plain.model.layers[0].weight);
    // Copies that do not match the features are refused.
    auto bad = d;
    bad.x_aug.pop_back();
    EXPECT_EQ(code_of([&] { fa::train::train_head(bad, fa::attr::kBackboneDlib, tiny_options()); }),
              fa::ErrorCode::kInvalidArgument);
    // Augmentation needs image features.
    auto o = tiny_options();
    o.augment_copies = 2;
    EXPECT_EQ(code_of([&] { o.validate(); }), fa::ErrorCode::kInvalidArgument);
}

TEST(AttributeModelFile, FaceresBlocksNeedsItsSpecAndIsVersion2) {
    fa::attr::AttributeModel m;
    m.backbone = fa::attr::kBackboneFaceresBlocks;
    const auto spec = AttributeFeatureSpec::parse("feats");
    m.feature_dim = spec.dim();
    m.attributes = {{"x", 0.5f, 0, 0, 0}};
    m.layers.push_back(
        {256, 1, std::vector<float>(256, 0.01f), {0.f}, fa::attr::Activation::kSigmoid});
    const faceatlas::testing::TempDir tmp("blocks");
    const auto dir = tmp.path();
    // No spec: refused before anything is written.
    EXPECT_EQ(code_of([&] { fa::attr::save_attribute_model(m, dir / "m.fam"); }),
              fa::ErrorCode::kCorruptData);
    EXPECT_FALSE(std::filesystem::exists(dir / "m.fam"));
    m.preprocessing["features"] = spec.to_json();
    fa::attr::save_attribute_model(m, dir / "m.fam");
    const auto l = fa::attr::load_attribute_model(dir / "m.fam", fa::attr::kBackboneFaceresBlocks);
    EXPECT_EQ(AttributeFeatureSpec::from_json(l.preprocessing.at("features")).to_string(),
              "feats@0.25");
    std::ifstream in(dir / "m.fam");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(nlohmann::json::parse(line).at("version"), 2);
    // Another backbone than the caller needs.
    EXPECT_EQ(
        code_of([&] { fa::attr::load_attribute_model(dir / "m.fam", fa::attr::kBackboneFaceres); }),
        fa::ErrorCode::kUnsupported);
    std::filesystem::remove_all(dir);
}
