// AttributeFeatureExtractor on real CelebA crops: its pw13@0.25 block is the analyzer's faceres
// embedding bit for bit (what a faceres model reads from the catalog), pooled blocks are means
// of the raw activations, augmented copies are reproducible.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/analyzer.h"
#include "faceatlas/vision/attribute_features.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/landmarks.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;
const fs::path kCeleba = fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "images";

TEST(AttributeFeatures, MatchesTheAnalyzerEmbeddingAndPoolsActivations) {
    if (!fs::exists(kCeleba / "000001.jpg"))
        FACEATLAS_MISSING_INPUT() << "no celeba-dev data at " << kCeleba;
    const auto manifest = nn::ModelManifest::load_default(faceatlas::testing::model_dir());
    auto analyzer = Analyzer::load(manifest);
    auto lmnet = LandmarkNet::load(manifest);
    const auto spec = AttributeFeatureSpec::parse("pw13@0.25,pw11@0.25,pw11g2@0.6,feats@0.6");
    auto ex = AttributeFeatureExtractor::load(manifest, spec);
    for (const char* name : {"000001.jpg", "000002.jpg", "000003.jpg"}) {
        AnalyzeOptions ao;
        ao.crops = true;
        const auto r = analyzer.analyze_file(kCeleba / name, ao);
        ASSERT_FALSE(r.error) << *r.error;
        ASSERT_EQ(r.faces.size(), 1u);
        const auto img = load_image_rgb(kCeleba / name).value();
        const auto lm = crop_landmarks(lmnet, img);
        const auto f = ex.compute(img, lm.points, spec);
        ASSERT_EQ(static_cast<int>(f.size()), spec.dim());
        const auto& emb = r.faces.front().embedding_faceres;
        ASSERT_EQ(emb.size(), 1024u);
        for (std::size_t i = 0; i < emb.size(); ++i)
            ASSERT_EQ(f[i], emb[i]) << name << " feature " << i;
        // pw11 global mean from the raw activation.
        const auto chips = ex.chips(img, lm.points, AttributeFeatureSpec::parse("pw11@0.25"));
        const cv::Mat act = ex.activation(chips.front(), "pw11");
        ASSERT_EQ(act.size[1], 512);
        const int hw = act.size[2] * act.size[3];
        for (int c = 0; c < 512; c += 51) {
            const float* p = act.ptr<float>() + static_cast<std::size_t>(c) * hw;
            const double mean = std::accumulate(p, p + hw, 0.0) / hw;
            EXPECT_NEAR(f[1024 + static_cast<std::size_t>(c)], mean, 1e-5);
        }
    }
    // Augmented copies: same draw, same features.
    const auto img = load_image_rgb(kCeleba / "000004.jpg").value();
    const auto lm = crop_landmarks(lmnet, img);
    const auto a = AugmentDraw::draw(AugmentOptions{}, 1, 4, 1);
    const auto f1 = ex.compute(img, lm.points, spec, &a);
    const auto f2 = ex.compute(img, lm.points, spec, &a);
    EXPECT_EQ(f1, f2);
    EXPECT_NE(f1, ex.compute(img, lm.points, spec));
}

}  // namespace
}  // namespace faceatlas::vision
