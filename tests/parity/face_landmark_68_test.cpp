// face-api FaceLandmark68Net on cv::dnn vs. tfjs, on the harness's reference tensors.
#include <gtest/gtest.h>

#include "common/require_input.h"
#include "faceatlas/vision/landmarks.h"
#include "parity_util.h"
#include "vision/face_feature_extractor.h"

namespace faceatlas::testing {
namespace {

constexpr float kTolerance = 1e-3f;
constexpr char kNet[] = "face_landmark_68";

vision::LandmarkNet& net() {
    static vision::LandmarkNet n =
        vision::LandmarkNet::load(nn::ModelManifest::load_default(faceatlas::testing::model_dir()));
    return n;
}

class FaceLandmark68Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(FaceLandmark68Parity, MatchesTfjs) {
    expect_forward_matches(kNet, GetParam(), "landmarks", 136, kTolerance,
                           [](const float* x, int n) { return net().forward_raw(x, n); });
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceLandmark68Parity, ::testing::ValuesIn(kParityCases),
                         [](const auto& info) { return info.param; });

// From the original crop: our toBatchTensor(112, true) against face-api's, then detect() on
// the whole crop mapped back to face-api's relative output (the padded square's 0..1 frame).
class FaceLandmark68CropParity : public ::testing::TestWithParam<std::string> {};

TEST_P(FaceLandmark68CropParity, PreprocessAndDetectMatchFaceApi) {
    const auto c = load_crop_case(kNet, GetParam(), "landmarks");
    if (!c) {
        if (!HasFailure())
            FACEATLAS_MISSING_INPUT() << "no tfjs reference for " << GetParam() << kNoReference;
        return;
    }
    const cv::Rect whole(0, 0, c->crop.cols, c->crop.rows);
    cv::Mat prepared(112, 112, CV_32FC3);
    const auto g = vision::detail::face_to_input(c->crop, whole, prepared.ptr<float>());
    const float pre_err = preprocess_error(*c, prepared);
    EXPECT_LE(pre_err, 1e-3f) << c->crop.cols << "x" << c->crop.rows << " crop";

    const auto lm = net().detect(c->crop, cv::Rect2f(whole));
    std::vector<float> rel;
    for (const auto& p : lm.points) {
        rel.push_back((p.x + g.offset_x) / g.side);
        rel.push_back((p.y + g.offset_y) / g.side);
    }
    const float err = max_abs_error(c->expected, rel);
    std::printf("%s/%s from %dx%d crop: input err %.3g, landmark err %.3g\n", kNet,
                GetParam().c_str(), c->crop.cols, c->crop.rows, pre_err, err);
    EXPECT_LE(err, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceLandmark68CropParity, ::testing::ValuesIn(kCropCases),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace faceatlas::testing
