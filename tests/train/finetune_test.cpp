// Finetune mode: the LibTorch-free suffix (attr::ConvSuffix) computes what LibTorch's
// MobileNetSuffix computes, the vision path with a suffix gives the trainer's features, and
// finetuning trains the suffix deterministically (and leaves it alone at learning-rate scale 0),
// into a model file (version 3) whose plain-C++ inference reproduces the trainer's scores.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include <opencv2/core.hpp>

#include "common/error_code.h"
#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/core/grid_pool.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/train/attribute_trainer.h"
#include "faceatlas/train/mobilenet_suffix.h"
#include "faceatlas/vision/attribute_features.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/landmarks.h"

namespace fa = faceatlas;
namespace fs = std::filesystem;

namespace {

bool have_models() { return fs::exists(fs::path(faceatlas::testing::model_dir()) / "face-api"); }

fs::path faceres_json() {
    return fa::nn::ModelManifest::load_default(faceatlas::testing::model_dir())
        .get("faceres")
        .weights;
}

// Moves every weight a little (seeded), so a test cannot pass on the shipped weights alone.
void perturb(fa::train::MobileNetSuffix& s, std::uint64_t seed) {
    torch::NoGradGuard ng;
    torch::manual_seed(seed);
    for (auto& p : s->parameters()) p.add_(torch::randn_like(p) * 0.02 * (p.abs().mean() + 1e-3));
}

using faceatlas::testing::code_of;

}  // namespace

TEST(ConvSuffix, MatchesLibTorchSuffixOnEvenAndOddMaps) {
    const fs::path img_path =
        fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "images" / "000003.jpg";
    if (!fs::exists(img_path) || !have_models())
        FACEATLAS_MISSING_INPUT() << "needs celeba-dev and models/vendor";
    const auto manifest = fa::nn::ModelManifest::load_default(faceatlas::testing::model_dir());
    fa::train::MobileNetSuffix suffix(manifest.get("faceres").weights,
                                      12);  // blocks 12 (stride 2) and 13
    perturb(suffix, 3);
    const auto cs = suffix->to_conv_suffix();
    ASSERT_EQ(cs.first_block, 12);
    ASSERT_EQ(cs.blocks.size(), 2u);
    EXPECT_EQ(cs.input_layer(), "pw11");
    EXPECT_EQ(cs.blocks[0].stride, 2);
    // A real pw11 activation (512 x 14 x 14), and its top-left 13 x 13 corner for the odd case.
    auto ex =
        fa::vision::AttributeFeatureExtractor::load(manifest, std::vector<std::string>{"pw11"});
    auto lmnet = fa::vision::LandmarkNet::load(manifest);
    const auto img = fa::vision::load_image_rgb(img_path).value();
    const auto lm = fa::vision::crop_landmarks(lmnet, img);
    const auto chip =
        ex.chips(img, lm.points, fa::vision::AttributeFeatureSpec::parse("pw13@0.25")).front();
    const cv::Mat a = ex.activation(chip, "pw11");
    torch::NoGradGuard ng;
    const auto full = torch::from_blob(const_cast<float*>(a.ptr<float>()),
                                       {1, a.size[1], a.size[2], a.size[3]}, torch::kFloat32);
    ASSERT_EQ(full.size(2), 14);
    for (int side : {14, 13}) {
        const auto x = full.slice(2, 0, side).slice(3, 0, side).contiguous();
        const auto want = suffix->forward(x).contiguous();
        int ho = 0, wo = 0;
        const auto got = cs.forward(x.data_ptr<float>(), side, side, ho, wo);
        ASSERT_EQ(ho, want.size(2));
        ASSERT_EQ(wo, want.size(3));
        ASSERT_EQ(got.size(), static_cast<std::size_t>(want.numel()));
        const float* w = want.data_ptr<float>();
        double worst = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
            worst = std::max(worst, static_cast<double>(std::abs(got[i] - w[i])));
        EXPECT_LT(worst, 1e-4) << "side " << side;
        EXPECT_GT(want.abs().max().item<double>(), 0.1);  // not an all-zero map
    }
}

TEST(ConvSuffix, InconsistentSuffixIsRefusedAtSaveAndLoad) {
    fa::attr::AttributeModel m;
    m.backbone = fa::attr::kBackboneFaceresBlocks;
    const auto spec = fa::vision::AttributeFeatureSpec::parse("pw13@0.25");
    m.feature_dim = spec.dim();
    m.preprocessing["features"] = spec.to_json();
    m.attributes = {{"x", 0.5f, 0, 0, 0}};
    m.layers.push_back(
        {1024, 1, std::vector<float>(1024, 0.01f), {0.f}, fa::attr::Activation::kSigmoid});
    fa::attr::SuffixBlock b;
    b.channels = 4;
    b.out = 1024;
    b.dw_weight.assign(4 * 9, 0.1f);
    b.dw_scale.assign(4, 1.f);
    b.dw_shift.assign(4, 0.f);
    b.pw_weight.assign(1024 * 4, 0.1f);
    b.pw_bias.assign(1024, 0.f);
    m.suffix.first_block = 13;
    m.suffix.blocks = {b};
    const faceatlas::testing::TempDir tmp("suffix");
    const auto dir = tmp.path();
    fa::attr::save_attribute_model(m, dir / "ok.fam");
    {
        std::ifstream in(dir / "ok.fam");
        std::string line;
        std::getline(in, line);
        EXPECT_EQ(nlohmann::json::parse(line).at("version").get<int>(), 3);
    }
    const auto l = fa::attr::load_attribute_model(dir / "ok.fam");
    ASSERT_EQ(l.suffix.blocks.size(), 1u);
    EXPECT_EQ(l.suffix.blocks[0].pw_weight, b.pw_weight);
    // Truncated weights: the suffix is the last thing in the file.
    {
        const auto size = fs::file_size(dir / "ok.fam");
        fs::copy_file(dir / "ok.fam", dir / "cut.fam", fs::copy_options::overwrite_existing);
        fs::resize_file(dir / "cut.fam", size - 64);
        EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "cut.fam"); }),
                  fa::ErrorCode::kCorruptData);
    }
    // A suffix that does not end at block 13, wrong sizes, or on another backbone.
    auto bad = m;
    bad.suffix.first_block = 12;
    EXPECT_EQ(code_of([&] { fa::attr::save_attribute_model(bad, dir / "bad.fam"); }),
              fa::ErrorCode::kCorruptData);
    bad = m;
    bad.suffix.blocks[0].pw_bias.pop_back();
    EXPECT_EQ(code_of([&] { fa::attr::save_attribute_model(bad, dir / "bad.fam"); }),
              fa::ErrorCode::kCorruptData);
    EXPECT_FALSE(fs::exists(dir / "bad.fam"));
    fs::remove_all(dir);
}

TEST(FinetunedFeatures, VisionPathMatchesTheLibTorchSuffix) {
    const fs::path img_path =
        fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "images" / "000002.jpg";
    if (!fs::exists(img_path) || !have_models())
        FACEATLAS_MISSING_INPUT() << "needs celeba-dev and models/vendor";
    const auto manifest = fa::nn::ModelManifest::load_default(faceatlas::testing::model_dir());
    fa::train::MobileNetSuffix suffix(manifest.get("faceres").weights, 13);
    perturb(suffix, 5);
    const auto cs = suffix->to_conv_suffix();
    const auto spec = fa::vision::AttributeFeatureSpec::parse("pw13@0.25,pw13g2@0.6");
    auto ex = fa::vision::AttributeFeatureExtractor::load(manifest, spec, &cs);
    auto plain =
        fa::vision::AttributeFeatureExtractor::load(manifest, std::vector<std::string>{"pw12"});
    auto lmnet = fa::vision::LandmarkNet::load(manifest);
    const auto img = fa::vision::load_image_rgb(img_path).value();
    const auto lm = fa::vision::crop_landmarks(lmnet, img);
    const auto got = ex.compute(img, lm.points, spec, nullptr, &cs);
    ASSERT_EQ(static_cast<int>(got.size()), spec.dim());
    // LibTorch: the pw12 activation of each chip through the suffix, pooled as the spec says.
    const auto chips = ex.chips(img, lm.points, spec);
    std::vector<float> want;
    torch::NoGradGuard ng;
    for (std::size_t b = 0; b < chips.size(); ++b) {
        const cv::Mat a = plain.activation(chips[b], "pw12");
        const auto x = torch::from_blob(const_cast<float*>(a.ptr<float>()),
                                        {1, a.size[1], a.size[2], a.size[3]}, torch::kFloat32);
        const auto y = suffix->forward(x).contiguous();
        fa::grid_mean_pool(y.data_ptr<float>(), 1024, static_cast<int>(y.size(2)),
                           static_cast<int>(y.size(3)), spec.blocks[b].grid, want);
    }
    ASSERT_EQ(want.size(), got.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::abs(got[i] - want[i])));
    EXPECT_LT(worst, 1e-4);
    // The perturbed suffix changes the features: the path really uses it.
    auto untuned_ex = fa::vision::AttributeFeatureExtractor::load(manifest, spec);
    const auto untuned = untuned_ex.compute(img, lm.points, spec);
    double moved = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
        moved = std::max(moved, static_cast<double>(std::abs(got[i] - untuned[i])));
    EXPECT_GT(moved, 1e-3);
}

namespace {

// Synthetic pw12 activations ([1024, 7, 7], half floats) of n samples at one padding; attribute
// 0 is present when channels 0..63 are bright, attribute 1 when channels 64..127 are.
struct Synthetic {
    fa::train::ActivationSet act;
    fa::train::LabelledActivations data;
};
Synthetic synthetic_activations(std::size_t n) {
    Synthetic s;
    auto& a = s.act;
    a.layer = "pw12";
    a.paddings = {0.25};
    a.channels = 1024, a.height = 7, a.width = 7;
    a.files = n;
    a.ok.assign(n, 1);
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> row(a.sample_size());
    for (std::size_t i = 0; i < n; ++i) {
        const bool p0 = i % 2 == 0, p1 = (i / 2) % 2 == 0;
        for (std::size_t c = 0; c < 1024; ++c) {
            const float boost = (c < 64 && p0) || (c >= 64 && c < 128 && p1) ? 1.5f : 0.f;
            for (std::size_t k = 0; k < 49; ++k) row[c * 49 + k] = u(rng) + boost * u(rng);
        }
        cv::Mat half;
        cv::Mat(1, static_cast<int>(row.size()), CV_32F, row.data()).convertTo(half, CV_16F);
        const auto* h = half.ptr<std::uint16_t>();
        a.values.insert(a.values.end(), h, h + row.size());
        s.data.file_of.push_back(i);
        s.data.y.push_back(p0);
        s.data.y.push_back(p1);
        s.data.group.push_back(static_cast<std::int64_t>(i / 2));
    }
    s.data.names = {"bright0", "bright1"};
    return s;
}

fa::train::TrainOptions finetune_options(double scale) {
    fa::train::TrainOptions o;
    o.mode = fa::train::TrainMode::kFinetune;
    o.backbone = fa::attr::kBackboneFaceresBlocks;
    o.features = "pw13@0.25";
    o.loss = fa::train::LossKind::kBce;
    o.optimizer = fa::train::OptimizerKind::kAdam;
    o.epochs = 2;
    o.patience = 2;
    o.hidden = 16;
    o.batch_size = 16;
    o.threads = 1;
    o.finetune_blocks = 1;
    o.finetune_lr_scale = scale;
    return o;
}

}  // namespace

TEST(Finetune, TrainsTheSuffixDeterministicallyAndItsModelFileReproducesTheScores) {
    if (!have_models()) FACEATLAS_MISSING_INPUT() << "needs models/vendor";
    auto s = synthetic_activations(48);
    s.data.act = &s.act;
    const auto spec = fa::vision::AttributeFeatureSpec::parse("pw13@0.25");
    const auto a = fa::train::train_finetune(s.data, spec, faceres_json(), finetune_options(1.0));
    const auto b = fa::train::train_finetune(s.data, spec, faceres_json(), finetune_options(1.0));
    ASSERT_EQ(a.model.suffix.blocks.size(), 1u);
    EXPECT_EQ(a.model.suffix.blocks[0].pw_weight, b.model.suffix.blocks[0].pw_weight);
    EXPECT_EQ(a.model.layers[0].weight, b.model.layers[0].weight);
    const auto initial = fa::train::MobileNetSuffix(faceres_json(), 13)->to_conv_suffix();
    EXPECT_NE(a.model.suffix.blocks[0].pw_weight, initial.blocks[0].pw_weight);  // it trained
    const auto frozen =
        fa::train::train_finetune(s.data, spec, faceres_json(), finetune_options(0.0));
    EXPECT_EQ(frozen.model.suffix.blocks[0].pw_weight, initial.blocks[0].pw_weight);
    EXPECT_EQ(frozen.model.suffix.blocks[0].dw_shift, initial.blocks[0].dw_shift);

    // Save, load, and score the validation split without LibTorch: the trainer's figures.
    const faceatlas::testing::TempDir tmp("finetune");
    const auto dir = tmp.path();
    fa::attr::save_attribute_model(a.model, dir / "m.fam");
    const auto m = fa::attr::load_attribute_model(dir / "m.fam", fa::attr::kBackboneFaceresBlocks);
    fs::remove_all(dir);
    ASSERT_EQ(m.suffix.blocks.size(), 1u);
    EXPECT_EQ(m.suffix.blocks[0].pw_weight, a.model.suffix.blocks[0].pw_weight);
    const auto is_val = fa::train::split_by_group(s.data.group, 0.2, 1);
    std::vector<float> x;
    std::vector<std::size_t> val;
    for (std::size_t i = 0; i < s.data.size(); ++i) {
        if (!is_val[i]) continue;
        val.push_back(i);
        cv::Mat f;
        cv::Mat(1, static_cast<int>(s.act.sample_size()), CV_16F,
                const_cast<std::uint16_t*>(s.act.row(0, i)))
            .convertTo(f, CV_32F);
        int ho = 0, wo = 0;
        const auto y = m.suffix.forward(f.ptr<float>(), 7, 7, ho, wo);
        fa::grid_mean_pool(y.data(), 1024, ho, wo, 1, x);
    }
    ASSERT_EQ(val.size(), a.val_samples);
    const auto probs = m.predict(x.data(), val.size());
    for (std::size_t k = 0; k < 2; ++k) {
        std::vector<float> sc;
        std::vector<std::uint8_t> t;
        for (std::size_t j = 0; j < val.size(); ++j) {
            sc.push_back(probs[j * 2 + k]);
            t.push_back(s.data.y[val[j] * 2 + k]);
        }
        EXPECT_DOUBLE_EQ(fa::attr::binary_scores(sc, t, 0.5f).accuracy,
                         a.scores[k].accuracy_at_half)
            << k;
        EXPECT_DOUBLE_EQ(fa::attr::binary_scores(sc, t, a.scores[k].threshold).balanced_accuracy,
                         a.scores[k].balanced_accuracy)
            << k;
    }
}

TEST(Finetune, RefusesSpecsAndActivationsThatDoNotFit) {
    if (!have_models()) FACEATLAS_MISSING_INPUT() << "needs models/vendor";
    auto s = synthetic_activations(16);
    s.data.act = &s.act;
    auto o = finetune_options(1.0);
    o.backbone = fa::attr::kBackboneFaceres;
    EXPECT_EQ(code_of([&] { o.validate(); }), fa::ErrorCode::kInvalidArgument);
    o = finetune_options(1.0);
    o.features = "pw11@0.25";
    EXPECT_EQ(code_of([&] { o.validate(); }), fa::ErrorCode::kInvalidArgument);
    o = finetune_options(1.0);
    o.finetune_blocks = 2;  // needs pw11 activations, these are pw12
    EXPECT_EQ(code_of([&] {
                  fa::train::train_finetune(s.data,
                                            fa::vision::AttributeFeatureSpec::parse("pw13@0.25"),
                                            faceres_json(), o);
              }),
              fa::ErrorCode::kInvalidArgument);
    o = finetune_options(1.0);
    EXPECT_EQ(code_of([&] {
                  fa::train::train_finetune(s.data,
                                            fa::vision::AttributeFeatureSpec::parse("pw13@0.6"),
                                            faceres_json(), o);
              }),
              fa::ErrorCode::kInvalidArgument);  // no activations at that padding
    auto empty = s.data;
    empty.file_of.clear();
    empty.y.clear();
    empty.group.clear();
    EXPECT_EQ(code_of([&] {
                  fa::train::train_finetune(empty,
                                            fa::vision::AttributeFeatureSpec::parse("pw13@0.25"),
                                            faceres_json(), o);
              }),
              fa::ErrorCode::kCorruptData);
}
