#include "faceatlas/nn/blob.h"

#include <cassert>

namespace faceatlas::nn {

cv::Mat nhwc_to_blob(const float* nhwc, int n, int h, int w, int c,
                     const std::array<float, 3>& mean, const std::array<float, 3>& std) {
    assert(c >= 1 && c <= 3);
    const int sz[] = {n, c, h, w};
    cv::Mat blob(4, sz, CV_32F);
    float* dst = blob.ptr<float>();
    for (int b = 0; b < n; ++b)
        for (int k = 0; k < c; ++k) {
            const float m = mean[k], inv = 1.f / std[k];
            float* plane = dst + (static_cast<std::size_t>(b) * c + k) * h * w;
            const float* src = nhwc + static_cast<std::size_t>(b) * h * w * c + k;
            for (int i = 0; i < h * w; ++i)
                plane[i] = (src[static_cast<std::size_t>(i) * c] - m) * inv;
        }
    return blob;
}

cv::Mat images_to_blob(const std::vector<cv::Mat>& rgb, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std) {
    assert(!rgb.empty());
    const int h = rgb[0].rows, w = rgb[0].cols;
    const int sz[] = {static_cast<int>(rgb.size()), 3, h, w};
    cv::Mat blob(4, sz, CV_32F);
    for (std::size_t b = 0; b < rgb.size(); ++b) {
        assert(rgb[b].rows == h && rgb[b].cols == w && rgb[b].channels() == 3);
        cv::Mat f;
        rgb[b].convertTo(f, CV_32FC3);
        std::vector<cv::Mat> planes(3);
        for (int k = 0; k < 3; ++k)
            planes[k] = cv::Mat(h, w, CV_32F,
                                blob.ptr<float>() + (b * 3 + k) * static_cast<std::size_t>(h) * w);
        cv::split(f, planes.data());
        for (int k = 0; k < 3; ++k) planes[k] = (planes[k] - mean[k]) * (1.0 / std[k]);
        // The expression above assigns into the header, so copy back explicitly.
        for (int k = 0; k < 3; ++k) {
            cv::Mat dst(h, w, CV_32F,
                        blob.ptr<float>() + (b * 3 + k) * static_cast<std::size_t>(h) * w);
            if (planes[k].data != dst.data) planes[k].copyTo(dst);
        }
    }
    return blob;
}

std::vector<float> blob_row(const cv::Mat& blob, int i) {
    const std::size_t per = blob.total() / static_cast<std::size_t>(blob.size[0]);
    const float* p = blob.ptr<float>() + per * static_cast<std::size_t>(i);
    return {p, p + per};
}

}  // namespace faceatlas::nn
