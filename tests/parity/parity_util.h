// Shared by the parity tests: the harness's case list, reference loading and comparison (the
// crop cases are those of the 112x112 face-api nets: face_landmark_68, face_expression,
// age_gender).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/npy.h"
#include "common/require_input.h"

namespace faceatlas::testing {

inline const std::vector<std::string> kParityCases{"random0", "random1", "real0", "real1",
                                                   "real2",   "real3",   "batch4"};
// The cases for which reference.mjs keeps the original face crop (crop.npy) of the 112 nets.
inline const std::vector<std::string> kCropCases{"real0", "real1", "real2", "real3"};

inline std::filesystem::path parity_dir(const std::string& net) {
    return std::filesystem::path(FACEATLAS_BINARY_DIR) / "parity" / net;
}

// Max |a - b| over all values; fails the test on a size mismatch.
inline float max_abs_error(const NpyArray& expected, const std::vector<float>& actual) {
    EXPECT_EQ(expected.size(), actual.size());
    float worst = 0.f;
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
        const float e = std::fabs(expected.data[i] - actual[i]);
        worst = std::isnan(e) ? INFINITY : std::max(worst, e);
    }
    return worst;
}

// Cosine similarity of two n-vectors, accumulated in double.
inline double cosine(const float* a, const float* b, int n) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; ++i) {
        ab += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

inline const char* kNoReference =
    "; generate it with the parity_reference CTest fixture (tests/parity, needs `npm ci` there)";

// Runs forward(nhwc, n) -> std::vector<float> on the harness's `net/kase/input.npy`
// ([N,112,112,3]) and expects `output`.npy ([N, cols]) within `tolerance`. Skips the test when
// the reference was not generated.
template <typename Forward>
void expect_forward_matches(const std::string& net, const std::string& kase,
                            const std::string& output, int cols, float tolerance,
                            Forward&& forward) {
    const auto dir = parity_dir(net) / kase;
    if (!std::filesystem::exists(dir / (output + ".npy")))
        FACEATLAS_MISSING_INPUT() << "no tfjs reference in " << dir << kNoReference;
    const NpyArray input = read_npy((dir / "input.npy").string());
    const NpyArray expected = read_npy((dir / (output + ".npy")).string());
    ASSERT_EQ(input.shape.size(), 4u);
    ASSERT_EQ(input.shape[1], 112);
    ASSERT_EQ(input.shape[2], 112);
    ASSERT_EQ(input.shape[3], 3);
    const int n = input.shape[0];
    ASSERT_EQ(expected.shape, (std::vector<int>{n, cols}));
    const float err = max_abs_error(expected, forward(input.data.data(), n));
    ::testing::Test::RecordProperty("max_abs_error", std::to_string(err));
    std::printf("%s/%s: max abs error %.3g\n", net.c_str(), kase.c_str(), err);
    EXPECT_LE(err, tolerance);
}

// A real case kept as the original face crop: crop.npy ([H,W,3] RGB 0..255, before face-api's
// padding and resizing), face-api's net input for it and the net's output.
struct CropCase {
    NpyArray crop_data;
    cv::Mat crop;  // CV_32FC3 view of crop_data
    NpyArray input;
    NpyArray expected;
};

// Loads net/kase/{crop,input,<output>}.npy. Returns nullopt when no reference was generated
// (the caller skips); a reference directory without crop.npy fails the test instead, since
// then the harness did not write what the preprocessing checks need.
inline std::optional<CropCase> load_crop_case(const std::string& net, const std::string& kase,
                                              const std::string& output) {
    const auto dir = parity_dir(net) / kase;
    if (!std::filesystem::exists(dir / "input.npy")) return std::nullopt;
    CropCase c;
    if (!std::filesystem::exists(dir / "crop.npy")) {
        ADD_FAILURE() << "no crop.npy in " << dir << ": regenerate the reference (--force)";
        return std::nullopt;
    }
    c.crop_data = read_npy((dir / "crop.npy").string());
    c.input = read_npy((dir / "input.npy").string());
    c.expected = read_npy((dir / (output + ".npy")).string());
    EXPECT_EQ(c.crop_data.shape.size(), 3u);
    EXPECT_EQ(c.input.shape, (std::vector<int>{1, 112, 112, 3}));
    if (c.crop_data.shape.size() != 3 || c.crop_data.shape[2] != 3) return std::nullopt;
    c.crop = cv::Mat(c.crop_data.shape[0], c.crop_data.shape[1], CV_32FC3, c.crop_data.data.data());
    return c;
}

// Max |prepared - input.npy| for a CV_32FC3 112x112 `prepared`.
inline float preprocess_error(const CropCase& c, const cv::Mat& prepared) {
    EXPECT_EQ(prepared.type(), CV_32FC3);
    EXPECT_TRUE(prepared.isContinuous());
    const auto* p = prepared.ptr<float>();
    return max_abs_error(c.input, std::vector<float>(p, p + prepared.total() * 3));
}

}  // namespace faceatlas::testing
