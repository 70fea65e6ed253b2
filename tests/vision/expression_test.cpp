// ExpressionNet: loading errors, probabilities, and the face-api label order on real faces.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <type_traits>

#include "common/require_input.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/expression.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;

static_assert(!std::is_copy_constructible_v<ExpressionNet>);
static_assert(std::is_nothrow_move_constructible_v<ExpressionNet>);

nn::ModelManifest manifest() {
    return nn::ModelManifest::load_default(faceatlas::testing::model_dir());
}

ExpressionNet& net() {
    static ExpressionNet n = ExpressionNet::load(manifest());
    return n;
}

cv::Mat read_rgb(const std::string& file) {
    cv::Mat bgr = cv::imread(
        (fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev/images" / file).string());
    if (bgr.empty()) return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

TEST(ExpressionScores, NamesAndArgmax) {
    EXPECT_STREQ(ExpressionScores::kNames[0], "neutral");
    EXPECT_STREQ(ExpressionScores::kNames[6], "surprised");
    ExpressionScores s;
    s.probs = {0.1f, 0.1f, 0.1f, 0.5f, 0.1f, 0.05f, 0.05f};
    EXPECT_EQ(s.argmax(), 3);
    EXPECT_STREQ(s.name(), "angry");
    s.probs.fill(0.f);
    EXPECT_EQ(s.argmax(), 0);  // ties: first
}

TEST(ExpressionNet, MissingWeightsNameTheFile) {
    nn::ModelInfo info = manifest().get("face_expression");
    info.weights = fs::temp_directory_path() / "faceatlas_no_such_dir" /
                   "face_expression_model-weights_manifest.json";
    try {
        ExpressionNet::load(info);
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(info.weights.string()), std::string::npos) << e.what();
    }
}

TEST(ExpressionNet, RejectsBadImages) {
    EXPECT_THROW(net().classify(cv::Mat()), Error);
    EXPECT_THROW(net().classify(cv::Mat(20, 20, CV_16UC3)), Error);
    EXPECT_THROW(net().classify(cv::Mat(20, 20, CV_8UC3), cv::Rect2f(30, 30, 10, 10)), Error);
}

// faces-dev annotator labels (labels.csv): happiness / neutral / surprise.
struct Labelled {
    const char* file;
    const char* expected;
};

class RealExpression : public ::testing::TestWithParam<Labelled> {};

TEST_P(RealExpression, MatchesAnnotatorLabel) {
    const cv::Mat rgb = read_rgb(GetParam().file);
    if (rgb.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    const ExpressionScores s = net().classify(rgb);
    EXPECT_NEAR(std::accumulate(s.probs.begin(), s.probs.end(), 0.f), 1.f, 1e-4f);
    for (float p : s.probs) EXPECT_GE(p, 0.f);
    EXPECT_STREQ(s.name(), GetParam().expected);
    // classify(crop) is classify(image, whole-image box), batched or not.
    const auto batch =
        net().classify_batch(rgb, {cv::Rect2f(0, 0, rgb.cols, rgb.rows), {10, 10, 300, 320}});
    ASSERT_EQ(batch.size(), 2u);
    for (int k = 0; k < ExpressionScores::kCount; ++k)
        EXPECT_NEAR(batch[0].probs[k], s.probs[k], 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(FacesDev, RealExpression,
                         ::testing::Values(Labelled{"Aaron_Guiel_0001.jpg", "happy"},
                                           Labelled{"Abdoulaye_Wade_0001.jpg", "neutral"}),
                         [](const auto& info) {
                             std::string s = info.param.file;
                             return s.substr(0, s.find('.'));
                         });

}  // namespace
}  // namespace faceatlas::vision
