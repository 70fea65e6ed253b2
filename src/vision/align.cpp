#include "faceatlas/vision/align.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {
namespace {

constexpr int kFirstShapeLandmark = 17;
constexpr int kMinChipSize = 2;
constexpr int kMaxChipSize = 4096;
constexpr double kMaxPadding = 10.0;
// A chip region smaller than this (image pixels) means the landmarks are degenerate.
constexpr double kMinSide = 2.0;

// dlib::get_face_chip_details, mean_face_shape_x / _y: average positions of landmarks 17..67.
constexpr double kMeanFaceX[51] = {
    0.000213256, 0.0752622, 0.18113,  0.29077,  0.393397, 0.586856, 0.689483, 0.799124, 0.904991,
    0.98004,     0.490127,  0.490127, 0.490127, 0.490127, 0.36688,  0.426036, 0.490127, 0.554217,
    0.613373,    0.121737,  0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428,
    0.793132,    0.858516,  0.79751,  0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395,
    0.639268,    0.726104,  0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096,
    0.490127,    0.552157,  0.689874, 0.553364, 0.490127, 0.42689};
constexpr double kMeanFaceY[51] = {
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915,
    0.106454, 0.203352, 0.307009,  0.409805,  0.515625,  0.587326,  0.609345,  0.628106,  0.609345,
    0.587326, 0.216423, 0.178758,  0.179852,  0.231733,  0.245099,  0.244077,  0.231733,  0.179852,
    0.178758, 0.216423, 0.244077,  0.245099,  0.780233,  0.745405,  0.727388,  0.742578,  0.727388,
    0.745405, 0.780233, 0.864805,  0.902192,  0.909281,  0.902192,  0.864805,  0.784792,  0.778746,
    0.785343, 0.778746, 0.784792,  0.824182,  0.831803,  0.824182};

Error bad(const std::string& message, const std::string& hint) {
    return Error(ErrorCode::kInvalidArgument, message, "face alignment", hint);
}

// Landmarks that cannot be aligned: a property of the face, not a bad argument.
Error unalignable(const std::string& message, const std::string& hint) {
    return Error(ErrorCode::kAlignmentFailed, message, "face alignment", hint);
}

// dlib's chip region (centered_drect + get_mapping_to_chip): chip pixel 0 sits on the first
// edge of the region shrunk by one pixel, pixel size-1 on the last.
void set_chip_mapping(ChipTransform& t) {
    const double k = (t.side - 1.0) / (t.size - 1.0);  // image pixels per chip pixel
    const double c = std::cos(t.angle), s = std::sin(t.angle);
    const double half = (t.size - 1) / 2.0;
    // image = center + k R (chip - half)
    t.chip_to_image = cv::Matx23d(k * c, -k * s, t.center.x - k * (c * half - s * half),  //
                                  k * s, k * c, t.center.y - k * (s * half + c * half));
    cv::invertAffineTransform(t.chip_to_image, t.image_to_chip);
}

}  // namespace

void ChipSpec::validate() const {
    if (size < kMinChipSize || size > kMaxChipSize)
        throw bad("chip size " + std::to_string(size) + " is out of range",
                  "use a chip size between 2 and 4096 pixels (150 for face_recognition)");
    if (!(padding >= 0.0 && padding <= kMaxPadding))
        throw bad("chip padding " + std::to_string(padding) + " is out of range",
                  "use a padding between 0 and 10 (dlib uses 0.25 for 150 px chips)");
}

const std::array<cv::Point2d, 51>& dlib_mean_face_shape() {
    static const std::array<cv::Point2d, 51> shape = [] {
        std::array<cv::Point2d, 51> s;
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = {kMeanFaceX[i], kMeanFaceY[i]};
        return s;
    }();
    return shape;
}

const std::vector<int>& alignment_landmarks() {
    static const std::vector<int> indices = [] {
        std::vector<int> v;
        for (int i = kFirstShapeLandmark; i < 68; ++i) {
            const bool eyebrow = i <= 26;
            const bool lower_lip = (55 <= i && i <= 59) || (65 <= i && i <= 67);
            if (!eyebrow && !lower_lip) v.push_back(i);
        }
        return v;
    }();
    return indices;
}

cv::Point2d template_point(int index, const ChipSpec& spec) {
    assert(index >= kFirstShapeLandmark && index < 68);
    const cv::Point2d m =
        dlib_mean_face_shape()[static_cast<std::size_t>(index - kFirstShapeLandmark)];
    const double denom = 2.0 * spec.padding + 1.0;
    return {(spec.padding + m.x) / denom * spec.size, (spec.padding + m.y) / denom * spec.size};
}

cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p) {
    return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

ChipTransform chip_transform(const std::array<cv::Point2d, 68>& landmarks, const ChipSpec& spec) {
    spec.validate();
    const auto& used = alignment_landmarks();
    for (int i : used)
        if (!std::isfinite(landmarks[i].x) || !std::isfinite(landmarks[i].y))
            throw unalignable("landmark " + std::to_string(i) + " is not a finite number",
                              "pass the 68 landmarks of a detected face");

    // Closed-form least-squares similarity (Umeyama in 2-D): q = [a -b; b a] p + t.
    const double n = static_cast<double>(used.size());
    cv::Point2d pm, qm;
    for (int i : used) {
        pm += template_point(i, spec);
        qm += landmarks[i];
    }
    pm *= 1.0 / n;
    qm *= 1.0 / n;
    double sp = 0, sa = 0, sb = 0;
    for (int i : used) {
        const cv::Point2d p = template_point(i, spec) - pm, q = landmarks[i] - qm;
        sp += p.dot(p);
        sa += p.x * q.x + p.y * q.y;
        sb += p.x * q.y - p.y * q.x;
    }
    const double a = sa / sp, b = sb / sp;

    ChipTransform t;
    t.size = spec.size;
    t.scale = std::hypot(a, b);
    t.angle = std::atan2(b, a);
    t.similarity = cv::Matx23d(a, -b, qm.x - (a * pm.x - b * pm.y),  //
                               b, a, qm.y - (b * pm.x + a * pm.y));
    t.side = spec.size * t.scale;
    if (!(t.side >= kMinSide))
        throw unalignable(
            "degenerate landmarks: the face region would be " + std::to_string(t.side) +
                " pixels wide",
            "pass the 68 landmarks of a detected face (they are all (nearly) the same point)");
    t.center = apply(t.similarity, {spec.size / 2.0, spec.size / 2.0});
    double err = 0;
    for (int i : used) {
        const cv::Point2d d = apply(t.similarity, template_point(i, spec)) - landmarks[i];
        err += d.dot(d);
    }
    t.rms_residual = std::sqrt(err / n) / t.scale;
    set_chip_mapping(t);
    return t;
}

ChipTransform chip_transform(const std::array<cv::Point2f, 68>& landmarks, const ChipSpec& spec) {
    std::array<cv::Point2d, 68> d;
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = landmarks[i];
    return chip_transform(d, spec);
}

ChipTransform resized(const ChipTransform& transform, int size) {
    ChipSpec{size, 0.0}.validate();
    if (!(transform.side >= kMinSide && transform.size >= kMinChipSize))
        throw bad("chip transform is not initialised", "make it with chip_transform()");
    ChipTransform t = transform;
    const double r = static_cast<double>(transform.size) / size;
    t.size = size;
    t.scale = transform.scale * r;
    t.similarity = cv::Matx23d(transform.similarity(0, 0) * r, transform.similarity(0, 1) * r,
                               transform.similarity(0, 2), transform.similarity(1, 0) * r,
                               transform.similarity(1, 1) * r, transform.similarity(1, 2));
    set_chip_mapping(t);
    return t;
}

cv::Mat extract_chip(const cv::Mat& image, const ChipTransform& transform) {
    if (image.empty()) throw bad("empty image", "decode the photo before extracting face chips");
    if (image.depth() != CV_8U && image.depth() != CV_32F)
        throw bad("unsupported image depth", "pass an 8-bit or float32 image");
    if (!(transform.side >= kMinSide && transform.size >= kMinChipSize))
        throw bad("chip transform is not initialised", "make it with chip_transform()");
    const int n = transform.size;
    const cv::Size out_size(n, n);
    cv::Mat chip;

    // Pyramid levels until one chip pixel spans 1..2 image pixels (dlib's rule).
    int levels = 0;
    while (transform.side / std::ldexp(1.0, levels + 1) > n) ++levels;
    if (levels == 0) {
        cv::warpAffine(image, chip, transform.chip_to_image, out_size,
                       cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
        return chip;
    }

    // Reduce only the part of the image the chip covers, with a margin for the filter support.
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const cv::Point2d c : {cv::Point2d(0, 0), cv::Point2d(n - 1, 0), cv::Point2d(0, n - 1),
                                cv::Point2d(n - 1, n - 1)}) {
        const cv::Point2d p = apply(transform.chip_to_image, c);
        x0 = std::min(x0, p.x), y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    }
    const double margin = 4.0 * std::ldexp(1.0, levels) + 2.0;
    const double lim = 4.0 * (image.cols + image.rows);  // keeps the casts below in range
    const int bx0 = static_cast<int>(std::floor(std::clamp(x0 - margin, -lim, lim)));
    const int by0 = static_cast<int>(std::floor(std::clamp(y0 - margin, -lim, lim)));
    const int bx1 = static_cast<int>(std::ceil(std::clamp(x1 + margin, -lim, lim)));
    const int by1 = static_cast<int>(std::ceil(std::clamp(y1 + margin, -lim, lim)));
    const cv::Rect box = cv::Rect(cv::Point(bx0, by0), cv::Point(bx1 + 1, by1 + 1)) &
                         cv::Rect(0, 0, image.cols, image.rows);
    if (box.width < 2 || box.height < 2) return cv::Mat::zeros(out_size, image.type());

    cv::Mat level = image(box);
    int done = 0;
    for (; done < levels && level.cols >= 2 && level.rows >= 2; ++done) {
        cv::Mat down;
        cv::pyrDown(level, down);
        level = down;
    }
    // Level pixel x holds roi pixel x * 2^done.
    const double f = std::ldexp(1.0, -done);
    const cv::Matx23d& m = transform.chip_to_image;
    const cv::Matx23d to_level(m(0, 0) * f, m(0, 1) * f, (m(0, 2) - box.x) * f,  //
                               m(1, 0) * f, m(1, 1) * f, (m(1, 2) - box.y) * f);
    cv::warpAffine(level, chip, to_level, out_size, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                   cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return chip;
}

cv::Mat extract_chip(const cv::Mat& image, const ChipTransform& transform, int size) {
    return size == transform.size ? extract_chip(image, transform)
                                  : extract_chip(image, resized(transform, size));
}

}  // namespace faceatlas::vision
