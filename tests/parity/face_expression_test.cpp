// face-api FaceExpressionNet on cv::dnn vs. tfjs, on the harness's reference tensors.
#include <gtest/gtest.h>

#include "common/require_input.h"
#include "faceatlas/vision/expression.h"
#include "parity_util.h"
#include "vision/face_feature_extractor.h"

namespace faceatlas::testing {
namespace {

constexpr float kTolerance = 1e-3f;
constexpr char kNet[] = "face_expression";

vision::ExpressionNet& net() {
    static vision::ExpressionNet n = vision::ExpressionNet::load(
        nn::ModelManifest::load_default(faceatlas::testing::model_dir()));
    return n;
}

class FaceExpressionParity : public ::testing::TestWithParam<std::string> {};

TEST_P(FaceExpressionParity, MatchesTfjs) {
    expect_forward_matches(kNet, GetParam(), "expressions", 7, kTolerance,
                           [](const float* x, int n) { return net().forward_raw(x, n); });
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceExpressionParity, ::testing::ValuesIn(kParityCases),
                         [](const auto& info) { return info.param; });

// From the original crop: our toBatchTensor(112, true) against face-api's, then classify().
class FaceExpressionCropParity : public ::testing::TestWithParam<std::string> {};

TEST_P(FaceExpressionCropParity, PreprocessAndClassifyMatchFaceApi) {
    const auto c = load_crop_case(kNet, GetParam(), "expressions");
    if (!c) {
        if (!HasFailure())
            FACEATLAS_MISSING_INPUT() << "no tfjs reference for " << GetParam() << kNoReference;
        return;
    }
    cv::Mat prepared(112, 112, CV_32FC3);
    vision::detail::face_to_input(c->crop, cv::Rect(0, 0, c->crop.cols, c->crop.rows),
                                  prepared.ptr<float>());
    const float pre_err = preprocess_error(*c, prepared);
    EXPECT_LE(pre_err, 1e-3f) << c->crop.cols << "x" << c->crop.rows << " crop";

    const auto scores = net().classify(c->crop);
    const float err =
        max_abs_error(c->expected, std::vector<float>(scores.probs.begin(), scores.probs.end()));
    std::printf("%s/%s from %dx%d crop: input err %.3g, expression err %.3g\n", kNet,
                GetParam().c_str(), c->crop.cols, c->crop.rows, pre_err, err);
    EXPECT_LE(err, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceExpressionCropParity, ::testing::ValuesIn(kCropCases),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace faceatlas::testing
