// The LibTorch rebuild of the last faceres MobileNet blocks reproduces cv::dnn: from the cached
// activation entering block 13 (and 12) it gives the graph's pw13 output and the identity feature.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/train/mobilenet_suffix.h"
#include "faceatlas/vision/attribute_features.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/landmarks.h"

namespace fa = faceatlas;
namespace fs = std::filesystem;

namespace {
torch::Tensor to_torch(const cv::Mat& m) {
    std::vector<long> shape;
    for (int d = 0; d < m.dims; ++d) shape.push_back(m.size[d]);
    return torch::from_blob(const_cast<float*>(m.ptr<float>()), shape, torch::kFloat32).clone();
}
}  // namespace

TEST(MobileNetSuffix, ReproducesTheGraph) {
    const fs::path img_path =
        fs::path(faceatlas::testing::shared_data_dir()) / "celeba-dev" / "images" / "000001.jpg";
    const fs::path models = faceatlas::testing::model_dir();
    if (!fs::exists(img_path) || !fs::exists(models))
        FACEATLAS_MISSING_INPUT() << "needs celeba-dev and models/vendor";
    const auto manifest = fa::nn::ModelManifest::load_default(models);
    auto lmnet = fa::vision::LandmarkNet::load(manifest);
    auto ex = fa::vision::AttributeFeatureExtractor::load(
        manifest, std::vector<std::string>{"pw11", "pw12", "pw13"});
    const auto img = fa::vision::load_image_rgb(img_path).value();
    const auto lm = fa::vision::crop_landmarks(lmnet, img);
    const auto spec = fa::vision::AttributeFeatureSpec::parse("pw13@0.25");
    const auto chip = ex.chips(img, lm.points, spec).front();
    const auto want = to_torch(ex.activation(chip, "pw13"));
    const auto feature = ex.compute_from_chips({chip}, spec);
    torch::NoGradGuard ng;
    for (int first : {13, 12}) {
        fa::train::MobileNetSuffix suffix(manifest.get("faceres").weights, first);
        const auto in = to_torch(ex.activation(chip, "pw" + std::to_string(first - 1)));
        const auto got = suffix->forward(in);
        ASSERT_EQ(got.sizes(), want.sizes()) << first;
        const double scale = want.abs().max().item<double>();
        EXPECT_LT((got - want).abs().max().item<double>(), 1e-4 * std::max(1.0, scale))
            << "from block " << first;
        const auto f = suffix->features(in);
        for (int i = 0; i < 1024; i += 97)
            EXPECT_NEAR(f[0][i].item<float>(), feature[static_cast<std::size_t>(i)], 1e-4) << first;
    }
}
