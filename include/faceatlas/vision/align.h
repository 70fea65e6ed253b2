// Face alignment as dlib does it (dlib/image_transforms/interpolation.h: get_face_chip_details
// + extract_image_chip): fit a similarity transform (scale, rotation, translation) from the 68
// landmarks to dlib's mean face shape, then sample a square, upright chip around the face.
//
// Coordinates: pixel centres at integer positions (x right, y down) in both image and chip,
// as in dlib and cv::warpAffine.
//
// What the chip covers (dlib's geometry, replicated exactly): the template places landmark i of
// the mean face at ((padding + mean_x[i]) / (1 + 2 padding) * size, same for y) in a
// [0, size]^2 square. The least-squares fit `similarity` maps that square into the image; the
// chip samples the square region of side `side` = size * scale centred on similarity(size/2,
// size/2), with chip pixel 0 on the region's first edge and pixel size-1 on its last (dlib's
// centered_drect, which shrinks the region by one pixel: with scale 1, a landmark lands 0.5
// px up-left of its template position, the pixel-centre convention).
//
// Resampling: bilinear. When the region is more than twice the chip size, the image is first
// reduced by 5-tap Gaussian pyramid levels (cv::pyrDown, the same [1 4 6 4 1]/16 kernel as dlib's
// pyramid_down<2>) until one chip pixel spans 1..2 image pixels, as dlib's extract_image_chip
// does, so heavy down-scaling does not alias. Chip pixels outside the image are black.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

namespace faceatlas::vision {

struct ChipSpec {
    int size = 150;         // chip side in pixels; dlib face recognition uses 150, faceres 224
    double padding = 0.25;  // border around the mean face as a fraction of its extent (dlib:
                            // 0.25 for the 150 px recognition chips, 0.2 by default)
    // Throws faceatlas::Error(kInvalidArgument) unless 2 <= size <= 4096 and 0 <= padding <= 10.
    void validate() const;
};

struct ChipTransform {
    int size = 0;               // chip side in pixels
    double scale = 0;           // image pixels per template unit (least-squares fit)
    double angle = 0;           // radians: direction of the chip's x axis in the image
    cv::Point2d center;         // image position of the chip region's centre
    double side = 0;            // side of the chip region in image pixels (size * scale)
    cv::Matx23d similarity;     // template coords [0, size]^2 -> image (the fit itself)
    cv::Matx23d chip_to_image;  // chip pixel -> image pixel (what extract_chip samples)
    cv::Matx23d image_to_chip;  // image pixel -> chip pixel (maps landmarks into the chip)
    double rms_residual = 0;    // RMS fit error of the 33 alignment landmarks, in chip pixels
};

// dlib's mean face shape for landmarks 17..67 (index 0 is landmark 17) in a unit square.
const std::array<cv::Point2d, 51>& dlib_mean_face_shape();
// Landmarks the fit uses, as dlib: 27..54 (nose, eyes, upper lip) and 60..64 (inner upper lip);
// jaw, eyebrows and lower lip are ignored.
const std::vector<int>& alignment_landmarks();
// Where landmark `index` (17..67) of the mean face sits in the chip template of `spec`.
cv::Point2d template_point(int index, const ChipSpec& spec);

// Least-squares similarity fit (dlib's find_similarity_transform, Umeyama) of the landmarks to
// the template. Throws faceatlas::Error(kAlignmentFailed) for non-finite landmarks, or for
// degenerate ones (all equal, or a face region under 2 pixels).
ChipTransform chip_transform(const std::array<cv::Point2d, 68>& landmarks,
                             const ChipSpec& spec = {});
ChipTransform chip_transform(const std::array<cv::Point2f, 68>& landmarks,
                             const ChipSpec& spec = {});

// The same image region sampled at another resolution (size >= 2).
ChipTransform resized(const ChipTransform& transform, int size);

// Samples the chip (transform.size square) from `image` (CV_8U or CV_32F, 1, 3 or 4 channels;
// the chip has the same type). Throws faceatlas::Error(kInvalidArgument) for an empty image,
// another depth, or a transform that chip_transform did not make.
cv::Mat extract_chip(const cv::Mat& image, const ChipTransform& transform);
// Same region at `size` x `size` pixels.
cv::Mat extract_chip(const cv::Mat& image, const ChipTransform& transform, int size);

cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p);

}  // namespace faceatlas::vision
