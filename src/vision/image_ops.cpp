#include "faceatlas/vision/image_ops.h"

#include <cassert>
#include <cmath>
#include <string>
#include <vector>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {

namespace {

// One axis of TF's resize: for each output index, the two source indices (in the virtual,
// padded frame, shifted to the real image; -1 = padding) and the weight of the second.
struct AxisTaps {
    std::vector<int> lo;
    std::vector<int> hi;
    std::vector<double> frac;
};

AxisTaps axis_taps(int virtual_len, int offset, int real_len, int out_len) {
    AxisTaps t;
    t.lo.resize(static_cast<std::size_t>(out_len));
    t.hi.resize(static_cast<std::size_t>(out_len));
    t.frac.resize(static_cast<std::size_t>(out_len));
    // Same double arithmetic as tfjs-backend-cpu's ResizeBilinear kernel.
    const double ratio = static_cast<double>(virtual_len) / static_cast<double>(out_len);
    const auto to_real = [&](double v) {
        const int i = static_cast<int>(v) - offset;
        return (i >= 0 && i < real_len) ? i : -1;
    };
    for (int o = 0; o < out_len; ++o) {
        const double src = ratio * o;
        const double lo = std::max(0.0, std::floor(src));
        const double hi = std::min(static_cast<double>(virtual_len - 1), std::ceil(src));
        t.lo[static_cast<std::size_t>(o)] = to_real(lo);
        t.hi[static_cast<std::size_t>(o)] = to_real(hi);
        t.frac[static_cast<std::size_t>(o)] = src - lo;
    }
    return t;
}

template <typename T>
void resample(const cv::Mat& src, const AxisTaps& rows, const AxisTaps& cols, cv::Mat& dst) {
    const int ch = src.channels();
    const int out_h = dst.rows, out_w = dst.cols;
    std::vector<double> zeros(static_cast<std::size_t>(ch), 0.0);
    for (int r = 0; r < out_h; ++r) {
        const int ry0 = rows.lo[static_cast<std::size_t>(r)];
        const int ry1 = rows.hi[static_cast<std::size_t>(r)];
        const double fr = rows.frac[static_cast<std::size_t>(r)];
        const T* top_row = ry0 >= 0 ? src.ptr<T>(ry0) : nullptr;
        const T* bot_row = ry1 >= 0 ? src.ptr<T>(ry1) : nullptr;
        auto* out = dst.ptr<float>(r);
        for (int c = 0; c < out_w; ++c) {
            const int cx0 = cols.lo[static_cast<std::size_t>(c)];
            const int cx1 = cols.hi[static_cast<std::size_t>(c)];
            const double fc = cols.frac[static_cast<std::size_t>(c)];
            const auto px = [&](const T* row, int x, int k) -> double {
                return (row != nullptr && x >= 0) ? static_cast<double>(row[x * ch + k]) : 0.0;
            };
            for (int k = 0; k < ch; ++k) {
                const double tl = px(top_row, cx0, k), tr = px(top_row, cx1, k);
                const double bl = px(bot_row, cx0, k), br = px(bot_row, cx1, k);
                const double top = tl + (tr - tl) * fc;
                const double bottom = bl + (br - bl) * fc;
                out[c * ch + k] = static_cast<float>(top + (bottom - top) * fr);
            }
        }
    }
}

void check_source(const cv::Mat& src, const char* fn) {
    if (src.empty() || src.dims != 2)
        throw Error(ErrorCode::kInvalidArgument, std::string(fn) + ": empty or non 2-D image",
                    "image", "pass a decoded image with at least one pixel");
    const int d = src.depth();
    if (d != CV_8U && d != CV_16U && d != CV_32F && d != CV_64F)
        throw Error(ErrorCode::kUnsupported,
                    std::string(fn) + ": unsupported pixel depth " + std::to_string(d), "image",
                    "convert the image to CV_8U or CV_32F first");
}

// Resizes src, seen inside a virtual (vh, vw) frame at (oy, ox) with zeros around it.
cv::Mat resize_in_frame(const cv::Mat& src, int vh, int vw, int oy, int ox, cv::Size size) {
    const AxisTaps rows = axis_taps(vh, oy, src.rows, size.height);
    const AxisTaps cols = axis_taps(vw, ox, src.cols, size.width);
    cv::Mat dst(size, CV_MAKETYPE(CV_32F, src.channels()));
    switch (src.depth()) {
        case CV_8U:
            resample<unsigned char>(src, rows, cols, dst);
            break;
        case CV_16U:
            resample<unsigned short>(src, rows, cols, dst);
            break;
        case CV_32F:
            resample<float>(src, rows, cols, dst);
            break;
        default:
            resample<double>(src, rows, cols, dst);
            break;
    }
    return dst;
}

// face-api's split: Math.round(diff * (centred ? 0.5 : 1)) after the image, the rest before.
// diff * 0.5 is a whole number or x.5, and both Math.round and std::lround take x.5 up.
int padding_before(int diff, SquarePadding padding) {
    assert(diff >= 0);
    if (padding == SquarePadding::kBottomRight) return 0;
    const int after = static_cast<int>(std::lround(diff * 0.5));
    return diff - after;
}

}  // namespace

cv::Mat tf_resize_bilinear(const cv::Mat& src, cv::Size size) {
    check_source(src, "tf_resize_bilinear");
    if (size.width <= 0 || size.height <= 0)
        throw Error(ErrorCode::kInvalidArgument, "tf_resize_bilinear: target size must be positive",
                    "size");
    return resize_in_frame(src, src.rows, src.cols, 0, 0, size);
}

cv::Mat pad_to_square(const cv::Mat& src, SquarePadding padding) {
    if (src.empty() || src.dims != 2)
        throw Error(ErrorCode::kInvalidArgument, "pad_to_square: empty or non 2-D image", "image",
                    "pass a decoded image with at least one pixel");
    const int side = std::max(src.rows, src.cols);
    cv::Mat dst(side, side, src.type(), cv::Scalar::all(0));
    const int before = padding_before(side - std::min(src.rows, src.cols), padding);
    const int oy = src.rows < side ? before : 0;
    const int ox = src.cols < side ? before : 0;
    src.copyTo(dst(cv::Rect(ox, oy, src.cols, src.rows)));
    return dst;
}

cv::Mat pad_resize_square(const cv::Mat& src, int size, SquarePadding padding) {
    check_source(src, "pad_resize_square");
    if (size <= 0)
        throw Error(ErrorCode::kInvalidArgument, "pad_resize_square: target size must be positive",
                    "size");
    const int side = std::max(src.rows, src.cols);
    const int before = padding_before(side - std::min(src.rows, src.cols), padding);
    const int oy = src.rows < side ? before : 0;
    const int ox = src.cols < side ? before : 0;
    return resize_in_frame(src, side, side, oy, ox, cv::Size(size, size));
}

cv::Mat crop_clipped(const cv::Mat& rgb, const cv::Rect2f& r) {
    cv::Rect box(static_cast<int>(std::floor(r.x)), static_cast<int>(std::floor(r.y)),
                 static_cast<int>(std::ceil(r.width)), static_cast<int>(std::ceil(r.height)));
    box &= cv::Rect(0, 0, rgb.cols, rgb.rows);
    if (box.width < 1 || box.height < 1) return cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(0));
    return rgb(box);
}

}  // namespace faceatlas::vision
