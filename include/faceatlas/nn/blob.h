// Conversions between images / NHWC tensors and the NCHW blobs cv::dnn consumes.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

namespace faceatlas::nn {

// NHWC float tensor [n, h, w, c] -> NCHW blob with (x - mean[c]) / std[c] (c <= 3 uses the
// arrays; mean/std of {0,0,0}/{1,1,1} leaves values unchanged).
cv::Mat nhwc_to_blob(const float* nhwc, int n, int h, int w, int c,
                     const std::array<float, 3>& mean, const std::array<float, 3>& std);

// Same-size RGB images (CV_8UC3 or CV_32FC3, values 0..255) -> normalised NCHW blob.
cv::Mat images_to_blob(const std::vector<cv::Mat>& rgb, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std);

// Row i of a [N, K, ...] output blob as a vector of its K·... values.
std::vector<float> blob_row(const cv::Mat& blob, int i);

}  // namespace faceatlas::nn
