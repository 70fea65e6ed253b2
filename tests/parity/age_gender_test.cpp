// AgeGenderNet against face-api (tfjs) outputs on the reference input tensors
// ($FACEATLAS_BINARY_DIR/parity/age_gender/<case>/{input,age,gender}.npy).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "common/npy.h"
#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/age_gender.h"
#include "parity_util.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;
using faceatlas::testing::read_npy;

constexpr float kTol = 1e-3f;

fs::path ref_dir() { return fs::path(FACEATLAS_BINARY_DIR) / "parity" / "age_gender"; }

class AgeGenderParity : public ::testing::TestWithParam<std::string> {
  protected:
    static void SetUpTestSuite() {
        net_ = new AgeGenderNet(AgeGenderNet::load(
            nn::ModelManifest::load_default(fs::path(faceatlas::testing::model_dir()))));
    }
    static void TearDownTestSuite() {
        delete net_;
        net_ = nullptr;
    }
    static AgeGenderNet* net_;
};
AgeGenderNet* AgeGenderParity::net_ = nullptr;

// |a - b| within kTol, or within kTol relative to |b| for large values (ages).
float age_error(float a, float b) {
    return std::min(std::abs(a - b), std::abs(a - b) / std::max(std::abs(b), 1.f));
}

TEST_P(AgeGenderParity, MatchesFaceApi) {
    const fs::path dir = ref_dir() / GetParam();
    if (!fs::exists(dir / "input.npy"))
        FACEATLAS_MISSING_INPUT()
            << "no parity reference at " << dir
            << " (run the parity_reference fixture: ctest -R parity_reference)";
    const auto input = read_npy((dir / "input.npy").string());
    const auto age = read_npy((dir / "age.npy").string());
    const auto gender = read_npy((dir / "gender.npy").string());
    ASSERT_EQ(input.shape.size(), 4u);
    ASSERT_EQ(input.shape[1], 112);
    ASSERT_EQ(input.shape[2], 112);
    ASSERT_EQ(input.shape[3], 3);
    const int n = input.shape[0];
    ASSERT_EQ(age.size(), static_cast<std::size_t>(n));
    ASSERT_EQ(gender.size(), static_cast<std::size_t>(n) * 2);

    const auto raw = net_->forward_raw(input.data.data(), n);
    ASSERT_EQ(raw.age.size(), age.size());
    ASSERT_EQ(raw.gender.size(), gender.size());
    float max_age = 0.f, max_gender = 0.f;
    for (int i = 0; i < n; ++i) {
        const float e = age_error(raw.age[i], age.data[i]);
        max_age = std::max(max_age, e);
        EXPECT_LE(e, kTol) << "age of face " << i << ": " << raw.age[i] << " vs " << age.data[i];
        for (int k = 0; k < 2; ++k) {
            const float g = std::abs(raw.gender[2 * i + k] - gender.data[2 * i + k]);
            max_gender = std::max(max_gender, g);
            EXPECT_LE(g, kTol) << "gender[" << i << "][" << k << "]";
        }
    }
    RecordProperty("max_age_error", std::to_string(max_age));
    RecordProperty("max_gender_error", std::to_string(max_gender));
    std::printf("[ parity   ] age_gender/%s n=%d max age err %.3g, max gender err %.3g\n",
                GetParam().c_str(), n, max_age, max_gender);
}

INSTANTIATE_TEST_SUITE_P(Cases, AgeGenderParity,
                         ::testing::Values("random0", "random1", "real0", "real1", "real2", "real3",
                                           "batch4"));

// The crop -> 112x112 preparation against face-api's toBatchTensor(112, true): the harness
// keeps the original crop of each real case (crop.npy, [H, W, 3]), then end to end from it.
class AgeGenderCropParity : public AgeGenderParity {};

TEST_P(AgeGenderCropParity, PreprocessAndPredictMatchFaceApi) {
    const auto c = testing::load_crop_case("age_gender", GetParam(), "age");
    if (!c) {
        if (!HasFailure())
            FACEATLAS_MISSING_INPUT()
                << "no tfjs reference for " << GetParam() << testing::kNoReference;
        return;
    }
    const float pre_err = testing::preprocess_error(*c, net_->preprocess(c->crop));
    EXPECT_LE(pre_err, 1e-3f) << c->crop.cols << "x" << c->crop.rows << " crop";

    const auto ref_gender = read_npy((ref_dir() / GetParam() / "gender.npy").string());
    const AgeGender r = net_->predict(c->crop);
    const float age_err = age_error(r.age, c->expected.data[0]);
    EXPECT_LE(age_err, kTol);
    EXPECT_NEAR(r.male_probability, ref_gender.data[0], kTol);
    std::printf("[ parity   ] age_gender/%s from %dx%d crop: input err %.3g, age err %.3g\n",
                GetParam().c_str(), c->crop.cols, c->crop.rows, pre_err, age_err);
}

INSTANTIATE_TEST_SUITE_P(Cases, AgeGenderCropParity, ::testing::ValuesIn(testing::kCropCases));

}  // namespace
}  // namespace faceatlas::vision
