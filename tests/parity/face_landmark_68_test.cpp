// face-api FaceLandmark68Net on cv::dnn vs. tfjs, on the harness's reference tensors.
#include <gtest/gtest.h>

#include <filesystem>

#include "face_processor_parity.h"
#include "faceatlas/vision/landmarks.h"

namespace faceatlas::testing {
namespace {

constexpr float kTolerance = 1e-3f;

vision::LandmarkNet& net() {
    static vision::LandmarkNet n =
        vision::LandmarkNet::load(nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR));
    return n;
}

class FaceLandmark68Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(FaceLandmark68Parity, MatchesTfjs) {
    const auto dir = parity_dir("face_landmark_68") / GetParam();
    if (!std::filesystem::exists(dir / "landmarks.npy"))
        GTEST_SKIP() << "no tfjs reference in " << dir
                     << "; generate it with the parity_reference CTest fixture (tests/parity)";
    const NpyArray input = read_npy((dir / "input.npy").string());
    const NpyArray expected = read_npy((dir / "landmarks.npy").string());
    ASSERT_EQ(input.shape.size(), 4u);
    ASSERT_EQ(input.shape[1], 112);
    ASSERT_EQ(input.shape[2], 112);
    ASSERT_EQ(input.shape[3], 3);
    const int n = input.shape[0];
    ASSERT_EQ(expected.shape, (std::vector<int>{n, 136}));

    const auto actual = net().forward_raw(input.data.data(), n);
    const float err = max_abs_error(expected, actual);
    RecordProperty("max_abs_error", std::to_string(err));
    std::printf("face_landmark_68/%s: max abs error %.3g\n", GetParam().c_str(), err);
    EXPECT_LE(err, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceLandmark68Parity, ::testing::ValuesIn(kParityCases),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace faceatlas::testing
