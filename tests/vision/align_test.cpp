// Face alignment (dlib get_face_chip_details / extract_image_chip geometry).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <random>

#include "common/error_code.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/align.h"

namespace faceatlas::vision {
namespace {

using faceatlas::testing::code_of;

constexpr double kPi = 3.14159265358979323846;

cv::Matx23d similarity(double scale, double angle, cv::Point2d t) {
    const double c = scale * std::cos(angle), s = scale * std::sin(angle);
    return {c, -s, t.x, s, c, t.y};
}

// dlib's mean face placed by `m` (template coords of `spec` -> image); the 17 jaw points, which
// alignment ignores, are random.
std::array<cv::Point2d, 68> landmarks_from(const cv::Matx23d& m, const ChipSpec& spec,
                                           unsigned seed) {
    std::array<cv::Point2d, 68> pts;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 500);
    for (int i = 0; i < 17; ++i) pts[i] = {u(rng), u(rng)};
    for (int i = 17; i < 68; ++i) pts[i] = apply(m, template_point(i, spec));
    return pts;
}

TEST(Align, MeanShapeIsDlibs) {
    const auto& shape = dlib_mean_face_shape();
    // Spot checks against dlib/image_transforms/interpolation.h (landmarks 17, 30, 67).
    EXPECT_DOUBLE_EQ(shape[0].x, 0.000213256);
    EXPECT_DOUBLE_EQ(shape[0].y, 0.106454);
    EXPECT_DOUBLE_EQ(shape[30 - 17].x, 0.490127);
    EXPECT_DOUBLE_EQ(shape[30 - 17].y, 0.515625);
    EXPECT_DOUBLE_EQ(shape[50].x, 0.42689);
    EXPECT_DOUBLE_EQ(shape[50].y, 0.824182);
    // Left/right symmetry about x = 0.490127 (eyebrow 17 <-> 26, eye corners 36 <-> 45).
    EXPECT_NEAR(shape[0].x + shape[9].x, 2 * 0.490127, 1e-3);
    EXPECT_NEAR(shape[36 - 17].x + shape[45 - 17].x, 2 * 0.490127, 1e-3);
    const auto& used = alignment_landmarks();
    EXPECT_EQ(used.size(), 33u);
    EXPECT_EQ(used.front(), 27);
    EXPECT_EQ(used.back(), 64);
}

TEST(Align, RecoversKnownSimilarity) {
    const ChipSpec spec{150, 0.25};
    for (const double scale : {0.4, 1.0, 1.7, 6.3}) {
        for (const double angle : {0.0, 0.3, -1.2, 2.9}) {
            const cv::Point2d shift(123.4, -56.7);
            const auto m = similarity(scale, angle, shift);
            const ChipTransform t = chip_transform(landmarks_from(m, spec, 1), spec);
            EXPECT_NEAR(t.scale, scale, 1e-9);
            EXPECT_NEAR(t.angle, angle, 1e-9);
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 3; ++c) EXPECT_NEAR(t.similarity(r, c), m(r, c), 1e-6);
            EXPECT_NEAR(t.rms_residual, 0.0, 1e-9);
            EXPECT_EQ(t.size, 150);
            EXPECT_NEAR(t.side, 150 * scale, 1e-6);
            const cv::Point2d center = apply(m, {75, 75});
            EXPECT_NEAR(t.center.x, center.x, 1e-6);
            EXPECT_NEAR(t.center.y, center.y, 1e-6);
            // The chip's middle pixel is the region's centre; its corners span side - 1 pixels.
            const cv::Point2d mid = apply(t.chip_to_image, {74.5, 74.5});
            EXPECT_NEAR(mid.x, center.x, 1e-6);
            EXPECT_NEAR(mid.y, center.y, 1e-6);
            const cv::Point2d tl = apply(t.chip_to_image, {0, 0});
            const cv::Point2d tr = apply(t.chip_to_image, {149, 0});
            EXPECT_NEAR(cv::norm(tr - tl), t.side - 1, 1e-6);
            EXPECT_NEAR(std::atan2(tr.y - tl.y, tr.x - tl.x), angle, 1e-9);
            // image_to_chip is the inverse.
            const cv::Point2d back = apply(t.image_to_chip, apply(t.chip_to_image, {12.5, 140}));
            EXPECT_NEAR(back.x, 12.5, 1e-9);
            EXPECT_NEAR(back.y, 140, 1e-9);
        }
    }
}

TEST(Align, LandmarksMapToTemplateAtUnitScale) {
    // At scale 1 dlib's region maps every landmark to its template position less half a pixel
    // (template coords are pixel edges, chip coords pixel centres).
    const ChipSpec spec{150, 0.25};
    const auto pts = landmarks_from(similarity(1.0, 0.7, {300, 200}), spec, 2);
    const ChipTransform t = chip_transform(pts, spec);
    for (int i = 17; i < 68; ++i) {
        const cv::Point2d q = apply(t.image_to_chip, pts[i]);
        const cv::Point2d p = template_point(i, spec);
        EXPECT_NEAR(q.x, p.x - 0.5, 1e-9) << i;
        EXPECT_NEAR(q.y, p.y - 0.5, 1e-9) << i;
    }
}

TEST(Align, IgnoresJawEyebrowsAndLowerLip) {
    const ChipSpec spec{150, 0.25};
    const auto m = similarity(2.0, 0.1, {50, 60});
    auto a = landmarks_from(m, spec, 3);
    auto b = a;
    for (int i : {0, 5, 16, 17, 22, 26, 55, 57, 59, 65, 67}) b[i] += cv::Point2d(40, -25);
    const ChipTransform ta = chip_transform(a, spec), tb = chip_transform(b, spec);
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c) EXPECT_DOUBLE_EQ(ta.similarity(r, c), tb.similarity(r, c));
}

TEST(Align, FloatLandmarksAgreeWithDouble) {
    const ChipSpec spec{150, 0.25};
    const auto pts = landmarks_from(similarity(1.3, -0.4, {420.25, 310.5}), spec, 4);
    std::array<cv::Point2f, 68> f;
    for (int i = 0; i < 68; ++i)
        f[i] = cv::Point2f(static_cast<float>(pts[i].x), static_cast<float>(pts[i].y));
    const ChipTransform td = chip_transform(pts, spec), tf = chip_transform(f, spec);
    EXPECT_NEAR(td.scale, tf.scale, 1e-6);
    EXPECT_NEAR(td.angle, tf.angle, 1e-6);
    EXPECT_NEAR(td.center.x, tf.center.x, 1e-4);
    EXPECT_NEAR(td.center.y, tf.center.y, 1e-4);
}

TEST(Align, PaddingWidensTheRegion) {
    const auto m = similarity(1.0, 0.0, {0, 0});
    const ChipSpec tight{150, 0.0}, dlib{150, 0.25}, wide{224, 0.5};
    const auto pts = landmarks_from(m, tight, 5);
    // Same face: the region grows by (1 + 2 padding).
    const double face = chip_transform(pts, tight).side;
    EXPECT_NEAR(face, 150, 1e-9);
    EXPECT_NEAR(chip_transform(pts, dlib).side, 1.5 * face, 1e-9);
    EXPECT_NEAR(chip_transform(pts, wide).side, 2.0 * face, 1e-9);
}

TEST(Align, DegenerateLandmarksThrow) {
    std::array<cv::Point2f, 68> same;
    same.fill(cv::Point2f(100.f, 100.f));
    EXPECT_THROW(chip_transform(same, ChipSpec{}), Error);
    try {
        chip_transform(same, ChipSpec{});
    } catch (const Error& e) {
        // Its own code: not kInvalidArgument, which is a bad flag (exit 2) at the CLI.
        EXPECT_EQ(e.code(), ErrorCode::kAlignmentFailed);
        EXPECT_NE(std::string(e.message()).find("degenerate"), std::string::npos);
    }
    auto pts = landmarks_from(similarity(1, 0, {0, 0}), ChipSpec{}, 6);
    pts[40].x = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(chip_transform(pts, ChipSpec{}), Error);
    EXPECT_EQ(code_of([&] { chip_transform(pts, ChipSpec{}); }), ErrorCode::kAlignmentFailed);
    // A face region of a fraction of a pixel is degenerate too.
    const auto tiny = landmarks_from(similarity(1e-3, 0, {10, 10}), ChipSpec{}, 7);
    EXPECT_THROW(chip_transform(tiny, ChipSpec{}), Error);
    EXPECT_EQ(code_of([&] { chip_transform(tiny, ChipSpec{}); }), ErrorCode::kAlignmentFailed);
    // A bad chip spec stays a bad argument.
    EXPECT_EQ(code_of([&] {
                  chip_transform(tiny, ChipSpec{1, 0.25});
              }),
              ErrorCode::kInvalidArgument);
}

TEST(Align, InvalidSpecThrows) {
    const auto pts = landmarks_from(similarity(1, 0, {0, 0}), ChipSpec{}, 8);
    EXPECT_THROW(chip_transform(pts, ChipSpec{1, 0.25}), Error);
    EXPECT_THROW(chip_transform(pts, ChipSpec{150, -0.1}), Error);
    EXPECT_THROW(chip_transform(pts, ChipSpec{150, std::nan("")}), Error);
    EXPECT_NO_THROW(ChipSpec{}.validate());
    EXPECT_THROW(extract_chip(cv::Mat(), chip_transform(pts, ChipSpec{})), Error);
    EXPECT_THROW(extract_chip(cv::Mat(10, 10, CV_8UC3), ChipTransform{}), Error);
}

// A linear ramp is reproduced exactly by bilinear sampling and by the (symmetric) pyramid
// filter, so the chip must equal the ramp at chip_to_image of every pixel.
cv::Mat ramp(int w, int h) {
    cv::Mat img(h, w, CV_32FC1);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) img.at<float>(y, x) = 0.5f * x + 0.25f * y + 10.f;
    return img;
}

void expect_samples_ramp(const cv::Mat& chip, const ChipTransform& t, double tol) {
    double worst = 0;
    for (int r = 0; r < chip.rows; ++r)
        for (int c = 0; c < chip.cols; ++c) {
            const cv::Point2d p = apply(t.chip_to_image, {double(c), double(r)});
            worst = std::max(worst, std::abs(chip.at<float>(r, c) - (0.5 * p.x + 0.25 * p.y + 10)));
        }
    EXPECT_LE(worst, tol);
}

TEST(Align, ExtractSamplesWhereTheTransformSays) {
    const cv::Mat img = ramp(1200, 1000);
    const ChipSpec spec{150, 0.25};
    // Scale 1.3: direct bilinear. Scale 4.5: two pyramid levels first. Centred at (600, 500).
    for (const double scale : {1.3, 4.5}) {
        SCOPED_TRACE(scale);
        const double s = scale / 1.5;  // template scale at padding 0
        auto m = similarity(s, 0.35, {0, 0});
        const cv::Point2d c = apply(m, {75, 75});
        m(0, 2) = 600 - c.x;
        m(1, 2) = 500 - c.y;
        const auto t = chip_transform(landmarks_from(m, ChipSpec{150, 0.0}, 9), spec);
        EXPECT_NEAR(t.side, 150 * scale, 1e-6);
        const cv::Mat chip = extract_chip(img, t);
        ASSERT_EQ(chip.size(), cv::Size(150, 150));
        ASSERT_EQ(chip.type(), CV_32FC1);
        // warpAffine quantises sample positions to 1/32 px: ramp slope 0.5 -> <= 0.02.
        expect_samples_ramp(chip, t, 0.05);
    }
}

TEST(Align, OutputSizeAndTypeFollowTheInput) {
    const auto t =
        chip_transform(landmarks_from(similarity(2.0, 0.2, {40, 30}), ChipSpec{}, 10), ChipSpec{});
    for (const int type : {CV_8UC3, CV_8UC1, CV_8UC4, CV_32FC3}) {
        const cv::Mat img(400, 500, type, cv::Scalar::all(77));
        const cv::Mat chip = extract_chip(img, t);
        EXPECT_EQ(chip.size(), cv::Size(150, 150));
        EXPECT_EQ(chip.type(), type);
        const cv::Mat big = extract_chip(img, t, 224);
        EXPECT_EQ(big.size(), cv::Size(224, 224));
    }
    // The same region at 224: same centre and side.
    const ChipTransform r = resized(t, 224);
    EXPECT_EQ(r.size, 224);
    EXPECT_NEAR(r.side, t.side, 1e-9);
    EXPECT_NEAR(r.center.x, t.center.x, 1e-9);
    const cv::Point2d a = apply(t.chip_to_image, {149, 149}),
                      b = apply(r.chip_to_image, {223, 223});
    EXPECT_NEAR(a.x, b.x, 1e-9);
    EXPECT_NEAR(a.y, b.y, 1e-9);
}

TEST(Align, ChipsOutsideTheImageAreBlack) {
    const cv::Mat img(300, 300, CV_8UC3, cv::Scalar(200, 100, 50));
    const ChipSpec spec{150, 0.0};
    for (const double scale : {1.0, 4.0}) {  // direct and pyramid paths
        // Region centred on the image's left edge: left half black, right half the image.
        const auto half = chip_transform(
            landmarks_from(similarity(scale, 0, {-75 * scale, 150 - 75 * scale}), spec, 11), spec);
        const cv::Mat chip = extract_chip(img, half);
        ASSERT_EQ(chip.size(), cv::Size(150, 150));
        EXPECT_EQ(chip.at<cv::Vec3b>(75, 5), cv::Vec3b(0, 0, 0));
        EXPECT_EQ(chip.at<cv::Vec3b>(75, 140), cv::Vec3b(200, 100, 50));
        // Entirely outside: all black, no crash.
        const auto away =
            chip_transform(landmarks_from(similarity(scale, 0.5, {-5000, 9000}), spec, 12), spec);
        const cv::Mat none = extract_chip(img, away);
        ASSERT_EQ(none.size(), cv::Size(150, 150));
        EXPECT_EQ(cv::countNonZero(none.reshape(1)), 0);
    }
}

TEST(Align, HeavyDownscalingDoesNotAlias) {
    // 1-pixel stripes: a naive bilinear 6x reduction picks stripes nearly at random; the
    // pyramid averages them to mid-grey.
    cv::Mat img(1200, 1200, CV_8UC1);
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) img.at<uchar>(y, x) = (x % 2) ? 255 : 0;
    const ChipSpec spec{150, 0.0};
    const auto t = chip_transform(landmarks_from(similarity(6.2, 0.0, {135, 135}), spec, 13), spec);
    const cv::Mat chip = extract_chip(img, t);
    cv::Scalar mean, stddev;
    cv::meanStdDev(chip, mean, stddev);
    EXPECT_NEAR(mean[0], 127.5, 3.0);
    EXPECT_LT(stddev[0], 5.0);
}

}  // namespace
}  // namespace faceatlas::vision
