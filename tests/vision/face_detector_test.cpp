// FaceDetector and the tfjs-compatible image ops: behaviour on edge-case inputs, options,
// errors, and the fast paths against naive references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <type_traits>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/require_input.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/face_detector.h"
#include "faceatlas/vision/image_ops.h"

namespace fs = std::filesystem;
using namespace faceatlas::vision;

namespace {

static_assert(!std::is_copy_constructible_v<FaceDetector>);
static_assert(std::is_nothrow_move_constructible_v<FaceDetector>);
static_assert(std::is_nothrow_move_assignable_v<FaceDetector>);

// tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false), written from the TF
// definition pixel by pixel with no precomputation.
float naive_tf_resize_at(const cv::Mat& src, int r, int c, int k, cv::Size size) {
    const double sy = static_cast<double>(src.rows) / size.height * r;
    const double sx = static_cast<double>(src.cols) / size.width * c;
    const int y0 = static_cast<int>(std::floor(sy)), x0 = static_cast<int>(std::floor(sx));
    const int y1 = std::min(src.rows - 1, y0 + 1), x1 = std::min(src.cols - 1, x0 + 1);
    const double fy = sy - y0, fx = sx - x0;
    cv::Mat f;
    src.convertTo(f, CV_64F);
    const auto at = [&](int y, int x) { return f.ptr<double>(y)[x * src.channels() + k]; };
    const double top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
    const double bot = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
    return static_cast<float>(top * (1 - fy) + bot * fy);
}

cv::Mat random_image(int rows, int cols, int type, std::uint32_t seed) {
    cv::Mat m(rows, cols, type);
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

TEST(TfResizeBilinear, HandComputed2x2To4x4) {
    const cv::Mat src = (cv::Mat_<float>(2, 2) << 0, 10, 20, 30);
    const cv::Mat out = tf_resize_bilinear(src, {4, 4});
    // Source coordinates 0, 0.5, 1, 1.5 per axis; the last row/column clamps to the edge.
    const cv::Mat expected =
        (cv::Mat_<float>(4, 4) << 0, 5, 10, 10, 10, 15, 20, 20, 20, 25, 30, 30, 20, 25, 30, 30);
    EXPECT_EQ(cv::norm(out, expected, cv::NORM_INF), 0.0);
}

TEST(TfResizeBilinear, MatchesNaiveReference) {
    struct Case {
        int rows, cols, type;
        cv::Size size;
    };
    const Case cases[] = {{37, 53, CV_8UC3, {512, 512}}, {300, 200, CV_32FC3, {112, 112}},
                          {1, 1, CV_8UC3, {7, 5}},       {9, 4, CV_8UC1, {4, 9}},
                          {64, 64, CV_32FC3, {64, 64}},  {5, 700, CV_8UC3, {150, 150}}};
    std::uint32_t seed = 1;
    for (const auto& c : cases) {
        const cv::Mat src = random_image(c.rows, c.cols, c.type, seed++);
        const cv::Mat out = tf_resize_bilinear(src, c.size);
        ASSERT_EQ(out.size(), c.size);
        ASSERT_EQ(out.depth(), CV_32F);
        ASSERT_EQ(out.channels(), src.channels());
        float worst = 0.f;
        for (int r = 0; r < c.size.height; r += 3)
            for (int x = 0; x < c.size.width; x += 5)
                for (int k = 0; k < src.channels(); ++k)
                    worst = std::max(worst, std::abs(out.ptr<float>(r)[x * src.channels() + k] -
                                                     naive_tf_resize_at(src, r, x, k, c.size)));
        EXPECT_LE(worst, 1e-4f) << c.rows << "x" << c.cols << " -> " << c.size;
    }
}

TEST(TfResizeBilinear, DiffersFromOpenCvLinear) {
    // The reason this function exists: cv::resize samples at pixel centres.
    const cv::Mat src = random_image(100, 100, CV_32FC1, 3);
    cv::Mat cv_out;
    cv::resize(src, cv_out, {37, 37}, 0, 0, cv::INTER_LINEAR);
    EXPECT_GT(cv::norm(tf_resize_bilinear(src, {37, 37}), cv_out, cv::NORM_INF), 1.0);
}

TEST(TfResizeBilinear, RejectsEmptyImageAndBadSize) {
    EXPECT_THROW(tf_resize_bilinear(cv::Mat(), {4, 4}), faceatlas::Error);
    EXPECT_THROW(tf_resize_bilinear(cv::Mat::zeros(3, 3, CV_8UC3), {0, 4}), faceatlas::Error);
}

TEST(PadToSquare, BottomRightAndCentredLikeFaceApi) {
    const cv::Mat src(2, 5, CV_8UC1, cv::Scalar(9));
    const cv::Mat br = pad_to_square(src, SquarePadding::kBottomRight);
    ASSERT_EQ(br.size(), cv::Size(5, 5));
    EXPECT_EQ(cv::countNonZero(br.rowRange(0, 2)), 10);
    EXPECT_EQ(cv::countNonZero(br.rowRange(2, 5)), 0);
    // face-api centre mode: round(3 * 0.5) = 2 rows after the image, the remaining 1 before.
    const cv::Mat c = pad_to_square(src, SquarePadding::kCentred);
    EXPECT_EQ(cv::countNonZero(c.rowRange(0, 1)), 0);
    EXPECT_EQ(cv::countNonZero(c.rowRange(1, 3)), 10);
    EXPECT_EQ(cv::countNonZero(c.rowRange(3, 5)), 0);
    const cv::Mat tall(7, 3, CV_8UC3, cv::Scalar::all(1));
    const cv::Mat t = pad_to_square(tall, SquarePadding::kBottomRight);
    ASSERT_EQ(t.size(), cv::Size(7, 7));
    EXPECT_EQ(cv::norm(t(cv::Rect(0, 0, 3, 7)), tall, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(t(cv::Rect(3, 0, 4, 7)), cv::NORM_INF), 0.0);
}

TEST(PadResizeSquare, EqualsPadThenResize) {
    std::uint32_t seed = 10;
    for (const auto& sz : {cv::Size(640, 480), cv::Size(333, 1000), cv::Size(1, 1), cv::Size(1, 9),
                           cv::Size(512, 512)})
        for (const auto pad : {SquarePadding::kBottomRight, SquarePadding::kCentred}) {
            const cv::Mat src = random_image(sz.height, sz.width, CV_8UC3, seed++);
            const cv::Mat fused = pad_resize_square(src, 512, pad);
            const cv::Mat ref = tf_resize_bilinear(pad_to_square(src, pad), {512, 512});
            EXPECT_EQ(cv::norm(fused, ref, cv::NORM_INF), 0.0)
                << sz << " centred=" << (pad == SquarePadding::kCentred);
        }
}

// Classic greedy NMS: by descending score, keep a box unless it overlaps a kept one > threshold.
std::vector<int> naive_nms(const std::vector<float>& boxes, const std::vector<float>& scores,
                           int max_out, float iou_thr, float score_thr) {
    std::vector<int> order;
    for (int i = 0; i < static_cast<int>(scores.size()); ++i)
        if (scores[i] > score_thr) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return scores[a] > scores[b]; });
    const auto as_box = [&](int i) {
        const float* b = &boxes[static_cast<std::size_t>(i) * 4];
        return Box{b[1], b[0], b[3] - b[1], b[2] - b[0]};
    };
    std::vector<int> kept;
    for (int i : order) {
        if (static_cast<int>(kept.size()) >= max_out) break;
        bool ok = true;
        for (int k : kept) ok = ok && iou(as_box(i), as_box(k)) <= iou_thr;
        if (ok) kept.push_back(i);
    }
    return kept;
}

TEST(FaceApiNms, MatchesNaiveGreedyNms) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (int trial = 0; trial < 20; ++trial) {
        const int n = 300;
        std::vector<float> boxes(n * 4), scores(n);
        for (int i = 0; i < n; ++i) {
            const float y = u(rng) * 0.8f, x = u(rng) * 0.8f, h = 0.02f + u(rng) * 0.2f,
                        w = 0.02f + u(rng) * 0.2f;
            boxes[i * 4 + 0] = y, boxes[i * 4 + 1] = x, boxes[i * 4 + 2] = y + h,
                          boxes[i * 4 + 3] = x + w;
            scores[i] = u(rng);
        }
        const int max_out = trial % 2 ? 10 : 100;
        EXPECT_EQ(face_api_nms(boxes.data(), scores.data(), n, max_out, 0.5f, 0.3f),
                  naive_nms(boxes, scores, max_out, 0.5f, 0.3f));
    }
}

TEST(DetectorOptions, DefaultsAreFaceApisAndValidate) {
    const DetectorOptions o;
    EXPECT_FLOAT_EQ(o.min_confidence, 0.5f);
    EXPECT_EQ(o.max_results, 100);
    EXPECT_FLOAT_EQ(o.iou_threshold, 0.5f);
    EXPECT_NO_THROW(o.validate());
    for (const float c : {0.f, 1.f, -0.1f, NAN}) {
        DetectorOptions bad;
        bad.min_confidence = c;
        EXPECT_THROW(bad.validate(), faceatlas::Error) << c;
    }
    DetectorOptions bad_max;
    bad_max.max_results = 0;
    EXPECT_THROW(bad_max.validate(), faceatlas::Error);
    DetectorOptions bad_iou;
    bad_iou.iou_threshold = 1.5f;
    EXPECT_THROW(bad_iou.validate(), faceatlas::Error);
}

TEST(FaceDetectorLoad, MissingWeightsNamesThePath) {
    faceatlas::nn::ModelInfo info;
    info.name = "ssd_mobilenetv1";
    info.input_width = info.input_height = 512;
    info.color_order = "RGB";
    info.weights = "/nonexistent/dir/ssd_mobilenetv1_model-weights_manifest.json";
    try {
        (void)FaceDetector::load(info);
        FAIL() << "load succeeded on a missing file";
    } catch (const faceatlas::Error& e) {
        EXPECT_NE(std::string(e.what()).find(info.weights.string()), std::string::npos) << e.what();
    }
}

class FaceDetectorTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        detector_.emplace(FaceDetector::load(
            faceatlas::nn::ModelManifest::load_default(faceatlas::testing::model_dir())));
    }
    static void TearDownTestSuite() { detector_.reset(); }
    static cv::Mat demo_photo(int k) {
        const fs::path p = fs::path(faceatlas::testing::model_dir()) / "face-api" / "demo" /
                           ("sample" + std::to_string(k) + ".jpg");
        cv::Mat bgr = cv::imread(p.string(), cv::IMREAD_COLOR);
        EXPECT_FALSE(bgr.empty()) << p;
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        return rgb;
    }
    static std::optional<FaceDetector> detector_;
};
std::optional<FaceDetector> FaceDetectorTest::detector_;

TEST(FaceDetectorLoad, RejectsAManifestEntryWithAnotherInputSize) {
    auto info = faceatlas::nn::ModelManifest::load_default(faceatlas::testing::model_dir())
                    .get("ssd_mobilenetv1");
    info.input_width = 300;
    EXPECT_THROW((void)FaceDetector::load(info), faceatlas::Error);
}

TEST_F(FaceDetectorTest, OnePixelImageMatchesFaceApi) {
    // A 1x1 skin-coloured pixel becomes a uniform 512x512 input, and face-api (tfjs cpu,
    // detectAllFaces on tf.tensor3d([200, 150, 100], [1, 1, 3])) does report a "face" in it:
    // box [0.0948936, 0, 0.898115, 0.973409], score 0.78226. A grey pixel gives nothing.
    const auto dets = detector_->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar(200, 150, 100)));
    ASSERT_EQ(dets.size(), 1u);
    EXPECT_NEAR(dets[0].score, 0.78226f, 1e-3f);
    EXPECT_NEAR(dets[0].box.x, 0.0948936f, 1e-3f);
    EXPECT_NEAR(dets[0].box.y, 0.f, 1e-3f);
    EXPECT_NEAR(dets[0].box.w, 0.898115f, 1e-3f);
    EXPECT_NEAR(dets[0].box.h, 0.973409f, 1e-3f);
    EXPECT_TRUE(detector_->detect(cv::Mat(1, 1, CV_8UC3, cv::Scalar(128, 128, 128))).empty());
}

TEST_F(FaceDetectorTest, BlankImagesHaveNoFaces) {
    EXPECT_TRUE(detector_->detect(cv::Mat::zeros(480, 640, CV_8UC3)).empty());
    EXPECT_TRUE(detector_->detect(cv::Mat(300, 300, CV_32FC3, cv::Scalar::all(255))).empty());
}

TEST_F(FaceDetectorTest, RejectsEmptyAndNonRgbImages) {
    EXPECT_THROW(detector_->detect(cv::Mat()), faceatlas::Error);
    EXPECT_THROW(detector_->detect(cv::Mat::zeros(10, 10, CV_8UC1)), faceatlas::Error);
    EXPECT_THROW(detector_->detect(cv::Mat::zeros(10, 10, CV_16UC3)), faceatlas::Error);
    EXPECT_THROW(detector_->forward(nullptr, 1), faceatlas::Error);
    const std::vector<float> one(512 * 512 * 3, 0.f);
    EXPECT_THROW(detector_->forward(one.data(), 0), faceatlas::Error);
    DetectorOptions bad;
    bad.max_results = -1;
    EXPECT_THROW(detector_->detect(cv::Mat::zeros(10, 10, CV_8UC3), bad), faceatlas::Error);
}

TEST_F(FaceDetectorTest, FindsTheThreeFacesOfDemoSample1) {
    const cv::Mat rgb = demo_photo(1);
    const auto dets = detector_->detect(rgb);
    ASSERT_EQ(dets.size(), 3u);
    for (const auto& d : dets) {
        EXPECT_GT(d.score, 0.9f);
        EXPECT_GT(d.box.w, 100.f);
        EXPECT_GE(d.box.x, 0.f);
        EXPECT_LE(d.box.right(), static_cast<float>(rgb.cols));
        EXPECT_LE(d.box.bottom(), static_cast<float>(rgb.rows));
    }
    for (std::size_t i = 1; i < dets.size(); ++i) EXPECT_GE(dets[i - 1].score, dets[i].score);
    DetectorOptions one;
    one.max_results = 1;
    const auto top = detector_->detect(rgb, one);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_FLOAT_EQ(top[0].score, dets[0].score);
}

TEST_F(FaceDetectorTest, BatchEqualsOneByOne) {
    const std::vector<cv::Mat> imgs = {demo_photo(2), cv::Mat::zeros(50, 80, CV_8UC3),
                                       demo_photo(3)};
    const auto batch = detector_->detect(imgs);
    ASSERT_EQ(batch.size(), imgs.size());
    for (std::size_t i = 0; i < imgs.size(); ++i) {
        const auto single = detector_->detect(imgs[i]);
        ASSERT_EQ(batch[i].size(), single.size()) << i;
        for (std::size_t k = 0; k < single.size(); ++k) {
            EXPECT_NEAR(batch[i][k].score, single[k].score, 1e-5f);
            EXPECT_GT(iou(batch[i][k].box, single[k].box), 0.999f);
        }
    }
}

TEST_F(FaceDetectorTest, HugeImageBoxesScaleBack) {
    // The demo photo enlarged 6x (11520x7680, 265 MB): the detector samples it straight into
    // the 512x512 input, so it sees nearly the same pixels and must return 6x the boxes.
    const cv::Mat rgb = demo_photo(1);
    cv::Mat huge;
    cv::resize(rgb, huge, {}, 6.0, 6.0, cv::INTER_NEAREST);
    const auto small = detector_->detect(rgb);
    const auto big = detector_->detect(huge);
    huge.release();
    ASSERT_EQ(big.size(), small.size());
    for (std::size_t i = 0; i < small.size(); ++i) {
        const Box s{small[i].box.x * 6, small[i].box.y * 6, small[i].box.w * 6, small[i].box.h * 6};
        EXPECT_GT(iou(s, big[i].box), 0.9f);
        EXPECT_NEAR(small[i].score, big[i].score, 0.05f);
    }
}

TEST_F(FaceDetectorTest, ExtremeAspectRatiosStayFinite) {
    for (const auto& sz : {cv::Size(20000, 1), cv::Size(1, 20000), cv::Size(3000, 2)}) {
        const auto dets = detector_->detect(cv::Mat(sz, CV_8UC3, cv::Scalar(128, 128, 128)));
        for (const auto& d : dets)
            EXPECT_TRUE(std::isfinite(d.box.x + d.box.y + d.box.w + d.box.h));
    }
}

}  // namespace
