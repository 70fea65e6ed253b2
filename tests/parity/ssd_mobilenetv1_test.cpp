// Parity of FaceDetector with face-api's SsdMobilenetv1 (tfjs), on the references written by
// the parity harness (see the contract in tests/parity): raw boxes/scores per case, and the
// full detectAllFaces pipeline on face-api's demo photos.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/npy.h"
#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/face_detector.h"

namespace fs = std::filesystem;
using faceatlas::testing::read_npy;
using faceatlas::vision::Box;
using faceatlas::vision::Detection;
using faceatlas::vision::FaceDetector;

namespace {

const fs::path kParityDir = fs::path(FACEATLAS_BINARY_DIR) / "parity";
constexpr int kAnchors = FaceDetector::kNumAnchors;

class SsdParity : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        detector_.emplace(FaceDetector::load(
            faceatlas::nn::ModelManifest::load_default(faceatlas::testing::model_dir())));
    }
    static void TearDownTestSuite() { detector_.reset(); }
    static std::optional<FaceDetector> detector_;
};
std::optional<FaceDetector> SsdParity::detector_;

class SsdNetParity : public SsdParity, public ::testing::WithParamInterface<std::string> {};

TEST_P(SsdNetParity, BoxesAndScoresWithin1e3) {
    const fs::path dir = kParityDir / "ssd_mobilenetv1" / GetParam();
    if (!fs::exists(dir / "input.npy"))
        FACEATLAS_MISSING_INPUT() << "no parity reference at " << dir
                                  << " (run the parity_reference fixture: ctest -R parity)";
    const auto input = read_npy((dir / "input.npy").string());
    const auto boxes = read_npy((dir / "boxes.npy").string());
    const auto scores = read_npy((dir / "scores.npy").string());
    ASSERT_EQ(input.shape.size(), 4u);
    const int n = input.shape[0];
    ASSERT_EQ(input.shape[1], FaceDetector::kInputSize);
    ASSERT_EQ(input.shape[2], FaceDetector::kInputSize);
    ASSERT_EQ(boxes.shape, (std::vector<int>{n, kAnchors, 4}));
    ASSERT_EQ(scores.shape, (std::vector<int>{n, kAnchors}));

    const auto out = detector_->forward(input.data.data(), n);
    ASSERT_EQ(out.n, n);
    float max_box = 0.f, max_score = 0.f;
    for (std::size_t i = 0; i < boxes.size(); ++i)
        max_box = std::max(max_box, std::abs(out.boxes[i] - boxes.data[i]));
    for (std::size_t i = 0; i < scores.size(); ++i)
        max_score = std::max(max_score, std::abs(out.scores[i] - scores.data[i]));
    std::cout << "[ssd parity] " << GetParam() << ": max |d boxes| = " << max_box
              << ", max |d scores| = " << max_score << "\n";
    EXPECT_LE(max_box, 1e-3f);
    EXPECT_LE(max_score, 1e-3f);
}

INSTANTIATE_TEST_SUITE_P(Cases, SsdNetParity,
                         ::testing::Values("random0", "random1", "real0", "real1", "real2", "real3",
                                           "batch4"));

Box ref_box(const nlohmann::json& d) {
    const auto& b = d.at("box");
    return Box{b.at(0).get<float>(), b.at(1).get<float>(), b.at(2).get<float>(),
               b.at(3).get<float>()};
}

TEST_F(SsdParity, DetectorPipelineMatchesDetectAllFaces) {
    const fs::path root = kParityDir / "detector_pipeline";
    if (!fs::is_directory(root))
        FACEATLAS_MISSING_INPUT() << "no parity reference at " << root
                                  << " (run the parity_reference fixture: ctest -R parity)";
    std::vector<fs::path> samples;
    for (const auto& e : fs::directory_iterator(root))
        if (fs::exists(e.path() / "image.npy")) samples.push_back(e.path());
    std::sort(samples.begin(), samples.end());
    ASSERT_FALSE(samples.empty()) << "no samples under " << root;

    constexpr float kMinIou = 0.95f, kMaxScoreDiff = 0.01f, kExtraMargin = 0.02f;
    int matched = 0;
    for (const auto& dir : samples) {
        SCOPED_TRACE(dir.filename().string());
        const auto img = read_npy((dir / "image.npy").string());
        ASSERT_EQ(img.shape.size(), 3u);
        const cv::Mat rgb(img.shape[0], img.shape[1], CV_32FC3,
                          const_cast<float*>(img.data.data()));
        std::ifstream f(dir / "detections.json");
        const auto ref = nlohmann::json::parse(f);
        const auto ours = detector_->detect(rgb);

        float worst_iou = 1.f, worst_score = 0.f;
        for (const auto& r : ref) {
            const Box rb = ref_box(r);
            float best = 0.f;
            const Detection* hit = nullptr;
            for (const auto& d : ours)
                if (const float v = faceatlas::vision::iou(rb, d.box); v > best) best = v, hit = &d;
            ASSERT_NE(hit, nullptr) << "face-api face " << r.dump() << " not found";
            const float ds = std::abs(hit->score - r.at("score").get<float>());
            EXPECT_GE(best, kMinIou) << r.dump();
            EXPECT_LE(ds, kMaxScoreDiff) << r.dump();
            worst_iou = std::min(worst_iou, best);
            worst_score = std::max(worst_score, ds);
            ++matched;
        }
        for (const auto& d : ours) {
            if (d.score <= 0.5f + kExtraMargin) continue;
            float best = 0.f;
            for (const auto& r : ref)
                best = std::max(best, faceatlas::vision::iou(ref_box(r), d.box));
            EXPECT_GE(best, 0.5f) << "extra detection at " << d.box.x << "," << d.box.y << " score "
                                  << d.score;
        }
        std::cout << "[ssd pipeline] " << dir.filename().string() << ": " << ref.size()
                  << " face-api, " << ours.size() << " ours, min IoU " << worst_iou
                  << ", max |d score| " << worst_score << "\n";
    }
    EXPECT_GT(matched, 0);
}

}  // namespace
