// face_recognition (dlib ResNet-29) against face-api on tfjs: every reference case under
// $FACEATLAS_BINARY_DIR/parity/face_recognition/<case>/{input,descriptor}.npy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "common/npy.h"
#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/face_recognizer.h"
#include "parity_util.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;
using testing::cosine;

constexpr float kMaxAbsError = 1e-3f;
constexpr double kMinCosine = 0.9999;

fs::path reference_dir() { return fs::path(FACEATLAS_BINARY_DIR) / "parity" / "face_recognition"; }

std::vector<fs::path> reference_cases() {
    std::vector<fs::path> cases;
    if (!fs::is_directory(reference_dir())) return cases;
    for (const auto& e : fs::directory_iterator(reference_dir()))
        if (fs::exists(e.path() / "input.npy") && fs::exists(e.path() / "descriptor.npy"))
            cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    return cases;
}

TEST(FaceRecognitionParity, MatchesTfjsOnEveryReferenceCase) {
    const auto cases = reference_cases();
    if (cases.empty())
        FACEATLAS_MISSING_INPUT()
            << "no reference tensors in " << reference_dir()
            << "; generate them with the parity_reference fixture (tests/parity, node)";
    auto net = FaceRecognizer::load(
        nn::ModelManifest::load_default(fs::path(faceatlas::testing::model_dir())));

    float worst_abs = 0.f;
    double worst_cos = 1.0;
    for (const auto& dir : cases) {
        SCOPED_TRACE(dir.filename().string());
        const auto input = testing::read_npy((dir / "input.npy").string());
        const auto expected = testing::read_npy((dir / "descriptor.npy").string());
        ASSERT_EQ(input.shape.size(), 4u);
        ASSERT_EQ(input.shape[1], 150);
        ASSERT_EQ(input.shape[2], 150);
        ASSERT_EQ(input.shape[3], 3);
        const int n = input.shape[0];
        ASSERT_EQ(expected.shape, (std::vector<int>{n, FaceRecognizer::kDims}));

        const std::vector<float> got = net.forward_raw(input.data.data(), n);
        ASSERT_EQ(got.size(), expected.size());
        float case_abs = 0.f;
        double case_cos = 1.0;
        for (std::size_t i = 0; i < got.size(); ++i)
            case_abs = std::max(case_abs, std::abs(got[i] - expected.data[i]));
        for (int r = 0; r < n; ++r)
            case_cos = std::min(case_cos, cosine(got.data() + r * FaceRecognizer::kDims,
                                                 expected.data.data() + r * FaceRecognizer::kDims,
                                                 FaceRecognizer::kDims));
        EXPECT_LE(case_abs, kMaxAbsError);
        EXPECT_GE(case_cos, kMinCosine);
        worst_abs = std::max(worst_abs, case_abs);
        worst_cos = std::min(worst_cos, case_cos);
        ::testing::Test::RecordProperty(dir.filename().string() + "_max_abs",
                                        std::to_string(case_abs));
        std::cout << std::setprecision(9) << "[ parity   ] face_recognition "
                  << dir.filename().string() << " n=" << n << " max_abs=" << case_abs
                  << " min_cos=" << case_cos << "\n";
    }
    std::cout << "[ parity   ] face_recognition all " << cases.size()
              << " cases: max_abs=" << worst_abs << " min_cos=" << worst_cos << "\n";
}

}  // namespace
}  // namespace faceatlas::vision
