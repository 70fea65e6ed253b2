// Image preparation that reproduces face-api's (tfjs) input pipeline bit for bit:
// padToSquare (zeros, bottom/right or centred) and tf.image.resizeBilinear with
// alignCorners=false, halfPixelCenters=false. cv::resize(INTER_LINEAR) samples at pixel
// centres (halfPixelCenters=true) and so shifts every output pixel by up to half a source
// pixel; networks trained behind tfjs need this variant instead.
#pragma once

#include <opencv2/core.hpp>

namespace faceatlas::vision {

// tf.image.resizeBilinear(src, size, alignCorners=false, halfPixelCenters=false):
// output pixel (r, c) samples source (r * H/h', c * W/w') with the upper neighbours clamped to
// the last row/column. Requires a non-empty 2-D src of depth CV_8U, CV_16U, CV_32F or CV_64F
// and any channel count, and a positive size; returns CV_32F with src's channels.
cv::Mat tf_resize_bilinear(const cv::Mat& src, cv::Size size);

// Where face-api's padToSquare puts the zero rows/columns that make an image square.
enum class SquarePadding {
    // All padding after the image (bottom or right): padToSquare(x, isCenterImage = false), as
    // the SSD detector's input (NetInput.toBatchTensor(512, false)) uses it.
    kBottomRight,
    // Centred as face-api does it: Math.round(diff / 2) rows/columns after the image, the rest
    // (diff - that) before it: padToSquare(x, true), used by NetInput.toBatchTensor(size, true)
    // for the 112x112 face nets (landmarks, expression, age/gender).
    kCentred,
};

// face-api padToSquare: zero-pads the shorter side so width == height, as `padding` says.
// Returns src's type; a square src is copied.
cv::Mat pad_to_square(const cv::Mat& src, SquarePadding padding = SquarePadding::kBottomRight);

// tf_resize_bilinear(pad_to_square(src, padding), {size, size}) without building the padded
// image: memory is O(size^2) whatever the source size. Same requirements as
// tf_resize_bilinear; returns CV_32F size x size with src's channels, continuous.
cv::Mat pad_resize_square(const cv::Mat& src, int size,
                          SquarePadding padding = SquarePadding::kBottomRight);

// The part of `rgb` inside `r` (x, y floored, width, height rounded up, clipped to the image), a
// view without copying; one black CV_8UC3 pixel when nothing is left. The face crops of the
// face-api nets (alignedRect) and of the detector box come from it.
cv::Mat crop_clipped(const cv::Mat& rgb, const cv::Rect2f& r);

}  // namespace faceatlas::vision
