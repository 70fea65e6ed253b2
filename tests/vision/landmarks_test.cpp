// LandmarkNet: loading errors, the face-api crop / pad / resize / unshift pipeline, and sanity
// of the 68 points on real face crops.
#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <type_traits>

#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/landmarks.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;

static_assert(!std::is_copy_constructible_v<LandmarkNet>);
static_assert(std::is_nothrow_move_constructible_v<LandmarkNet>);
static_assert(std::is_nothrow_move_assignable_v<LandmarkNet>);

nn::ModelManifest manifest() {
    return nn::ModelManifest::load_default(faceatlas::testing::model_dir());
}

LandmarkNet& net() {
    static LandmarkNet n = LandmarkNet::load(manifest());
    return n;
}

fs::path faces_dev(const std::string& file) {
    return fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev/images" / file;
}

cv::Mat read_rgb(const fs::path& p) {
    cv::Mat bgr = cv::imread(p.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

// A real face as the 112 x 112 RGB float tensor the net sees.
cv::Mat face112() {
    cv::Mat rgb = read_rgb(faces_dev("Aaron_Guiel_0001.jpg"));
    if (rgb.empty()) return {};
    cv::Mat small, f;
    cv::resize(rgb, small, cv::Size(112, 112), 0, 0, cv::INTER_AREA);
    small.convertTo(f, CV_32FC3);
    return f;
}

void expect_near(const Landmarks68& a, const Landmarks68& b, float tol) {
    for (int k = 0; k < Landmarks68::kCount; ++k) {
        EXPECT_NEAR(a.points[k].x, b.points[k].x, tol) << "point " << k;
        EXPECT_NEAR(a.points[k].y, b.points[k].y, tol) << "point " << k;
    }
}

// Raw outputs of one 112 image, in 112-pixel units, shifted by (dx, dy).
Landmarks68 raw_points(const cv::Mat& f112, float dx, float dy) {
    const auto raw = net().forward_raw(f112.ptr<float>(), 1);
    Landmarks68 lm;
    for (int k = 0; k < Landmarks68::kCount; ++k)
        lm.points[k] = {raw[2 * k] * 112.f + dx, raw[2 * k + 1] * 112.f + dy};
    return lm;
}

TEST(LandmarkNet, MissingWeightsNameTheFile) {
    nn::ModelInfo info = manifest().get("face_landmark_68");
    info.weights = fs::temp_directory_path() / "faceatlas_no_such_dir" /
                   "face_landmark_68_model-weights_manifest.json";
    try {
        LandmarkNet::load(info);
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
        EXPECT_NE(std::string(e.what()).find(info.weights.string()), std::string::npos) << e.what();
    }
}

TEST(LandmarkNet, MissingWeightsInModelDirNameTheFile) {
    const faceatlas::testing::TempDir tmp("landmarks_empty_models");
    const fs::path empty = tmp.path();
    const auto m =
        nn::ModelManifest::load(fs::path(FACEATLAS_SOURCE_DIR) / "models/manifest.json", empty);
    try {
        LandmarkNet::load(m);
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("face_landmark_68_model-weights_manifest.json"),
                  std::string::npos)
            << e.what();
    }
}

TEST(LandmarkNet, RejectsBadImagesAndBoxes) {
    const cv::Mat img(100, 80, CV_8UC3, cv::Scalar::all(90));
    auto code_of = [](auto&& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::kInternal;
    };
    EXPECT_EQ(code_of([&] {
                  net().detect(cv::Mat(), {0, 0, 10, 10});
              }),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(code_of([&] {
                  net().detect(cv::Mat(10, 10, CV_8UC1), {0, 0, 10, 10});
              }),
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(code_of([&] { net().detect(img, {200, 10, 30, 30}); }), ErrorCode::kInvalidArgument);
    EXPECT_EQ(code_of([&] { net().detect(img, {-50, -50, 30, 30}); }), ErrorCode::kInvalidArgument);
    EXPECT_EQ(code_of([&] { net().detect(img, {10, 10, 0.5f, 30}); }), ErrorCode::kInvalidArgument);
    EXPECT_EQ(code_of([&] { net().detect(img, {NAN, 10, 30, 30}); }), ErrorCode::kInvalidArgument);
}

TEST(LandmarkNet, CropAt112IsShiftedRawOutput) {
    const cv::Mat f = face112();
    if (f.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    cv::Mat canvas(300, 260, CV_32FC3, cv::Scalar::all(0));
    f.copyTo(canvas(cv::Rect(37, 51, 112, 112)));
    expect_near(net().detect(canvas, cv::Rect2f(37, 51, 112, 112)), raw_points(f, 37, 51), 1e-3f);
    // A fractional box: face-api floors the clipped box before cropping.
    expect_near(net().detect(canvas, cv::Rect2f(37.6f, 51.9f, 112.3f, 112.7f)),
                raw_points(f, 37, 51), 1e-3f);
}

TEST(LandmarkNet, NonSquareCropIsPaddedCentred) {
    const cv::Mat f = face112();
    if (f.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    // Rows 16..95 only: face-api pads 16 black rows above and 16 below, which is the 112 input.
    cv::Mat padded(112, 112, CV_32FC3, cv::Scalar::all(0));
    f(cv::Rect(0, 16, 112, 80)).copyTo(padded(cv::Rect(0, 16, 112, 80)));
    const cv::Mat crop = f(cv::Rect(0, 16, 112, 80)).clone();
    expect_near(net().detect(crop, cv::Rect2f(0, 0, 112, 80)), raw_points(padded, 0, -16), 1e-3f);
    // Same along x.
    cv::Mat padded_x(112, 112, CV_32FC3, cv::Scalar::all(0));
    f(cv::Rect(10, 0, 92, 112)).copyTo(padded_x(cv::Rect(10, 0, 92, 112)));
    const cv::Mat crop_x = f(cv::Rect(10, 0, 92, 112)).clone();
    expect_near(net().detect(crop_x, cv::Rect2f(0, 0, 92, 112)), raw_points(padded_x, -10, 0),
                1e-3f);
}

TEST(LandmarkNet, ResizeFollowsTensorFlowConvention) {
    const cv::Mat f = face112();
    if (f.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    // TF's bilinear resize 224 -> 112 (no half-pixel centres) samples exactly the even pixels;
    // fill the odd ones with noise that any other convention would blend in.
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(0.f, 255.f);
    cv::Mat big(224, 224, CV_32FC3);
    for (int y = 0; y < 224; ++y)
        for (int x = 0; x < 224; ++x)
            big.at<cv::Vec3f>(y, x) = (y % 2 == 0 && x % 2 == 0)
                                          ? f.at<cv::Vec3f>(y / 2, x / 2)
                                          : cv::Vec3f(u(rng), u(rng), u(rng));
    Landmarks68 expected = raw_points(f, 0, 0);
    for (auto& p : expected.points) p *= 2.f;
    expect_near(net().detect(big, cv::Rect2f(0, 0, 224, 224)), expected, 2e-3f);
}

TEST(LandmarkNet, BoxPartlyOutsideTheImageUsesTheClippedCrop) {
    const cv::Mat rgb = read_rgb(faces_dev("Abdoulaye_Wade_0001.jpg"));
    if (rgb.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    // The box sticks out left and top; face-api clips it to (0, 0, w, h) and so do we, and
    // the points are mapped back from that crop (face-api would shift them by (-25, -15)).
    const cv::Rect2f box(-25.f, -15.f, static_cast<float>(rgb.cols) + 25.f,
                         static_cast<float>(rgb.rows) + 15.f);
    const Landmarks68 out = net().detect(rgb, box);
    const Landmarks68 in = net().detect(
        rgb, cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows)));
    expect_near(out, in, 1e-3f);
    // Inner points (brows, eyes, nose, mouth) lie in the image; the chin of these tight crops
    // may be cut, so the jaw is left out.
    for (int k = Landmarks68::kBrowsBegin; k < Landmarks68::kCount; ++k)
        EXPECT_TRUE(cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows))
                        .contains(out.points[k]))
            << "point " << k;
}

TEST(LandmarkNet, BatchEqualsSingles) {
    const cv::Mat rgb = read_rgb(faces_dev("Aaron_Guiel_0001.jpg"));
    if (rgb.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    const std::vector<cv::Rect2f> boxes{{0, 0, 350, 350}, {20, 30, 300, 280}, {50, 40, 250, 300}};
    const auto batch = net().detect_batch(rgb, boxes);
    ASSERT_EQ(batch.size(), boxes.size());
    for (std::size_t i = 0; i < boxes.size(); ++i)
        expect_near(batch[i], net().detect(rgb, boxes[i]), 1e-3f);
    EXPECT_TRUE(net().detect_batch(rgb, {}).empty());
}

class RealFace : public ::testing::TestWithParam<std::string> {};

TEST_P(RealFace, PointsAreAnatomicallySane) {
    const cv::Mat rgb = read_rgb(faces_dev(GetParam()));
    if (rgb.empty())
        FACEATLAS_MISSING_INPUT() << "faces-dev not found under "
                                  << faceatlas::testing::shared_data_dir();
    const cv::Rect2f box(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
    const Landmarks68 lm = net().detect(rgb, box);
    // faces-dev crops are tight (the chin may be cut), so allow the jaw 5% outside the box.
    const float margin = 0.05f * box.width;
    for (int k = 0; k < Landmarks68::kCount; ++k) {
        const auto& p = lm.points[k];
        EXPECT_GE(p.x, box.x - margin) << k;
        EXPECT_GE(p.y, box.y - margin) << k;
        EXPECT_LE(p.x, box.br().x + margin) << k;
        EXPECT_LE(p.y, box.br().y + margin) << k;
        if (k >= Landmarks68::kBrowsBegin) {
            EXPECT_TRUE(box.contains(p)) << "inner point " << k;
        }
    }
    auto mean = [&](int begin, int end) {
        cv::Point2f s(0, 0);
        for (int k = begin; k < end; ++k) s += lm.points[k];
        return s / static_cast<float>(end - begin);
    };
    float eyes_bottom = 0.f, mouth_top = 1e9f;
    for (int k = 36; k < 48; ++k) eyes_bottom = std::max(eyes_bottom, lm.points[k].y);
    for (int k = 48; k < 68; ++k) mouth_top = std::min(mouth_top, lm.points[k].y);
    EXPECT_LT(eyes_bottom, mouth_top);
    const cv::Point2f left_eye = mean(36, 42), right_eye = mean(42, 48), nose_tip = lm.points[30];
    EXPECT_LT(left_eye.x, right_eye.x);
    EXPECT_LT(left_eye.x, nose_tip.x);
    EXPECT_LT(nose_tip.x, right_eye.x);
    EXPECT_LT(lm.points[0].x, lm.points[16].x);   // jaw from image left to image right
    EXPECT_LT(lm.points[48].x, lm.points[54].x);  // mouth corners
    EXPECT_LT(lm.points[17].x, lm.points[26].x);  // brows
    EXPECT_LT(mean(17, 27).y, left_eye.y);        // brows above eyes
    EXPECT_LT(nose_tip.y, mean(48, 68).y);        // nose above mouth
    EXPECT_GT(lm.points[8].y, mean(48, 68).y);    // chin below mouth
    // The eyes are a plausible distance apart for a tight crop.
    const float eye_dist = static_cast<float>(cv::norm(right_eye - left_eye));
    EXPECT_GT(eye_dist, 0.2f * box.width);
    EXPECT_LT(eye_dist, 0.6f * box.width);
}

INSTANTIATE_TEST_SUITE_P(FacesDev, RealFace,
                         ::testing::Values("Aaron_Guiel_0001.jpg", "Abdoulaye_Wade_0001.jpg",
                                           "Abel_Pacheco_0001.jpg", "Adam_Sandler_0001.jpg"),
                         [](const auto& info) {
                             std::string s = info.param;
                             return s.substr(0, s.find('.'));
                         });

}  // namespace
}  // namespace faceatlas::vision
