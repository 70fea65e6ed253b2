#include "faceatlas/vision/landmarks.h"

#include <algorithm>

#include <cassert>

#include "face_feature_extractor.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {

cv::Rect2f Landmarks68::aligned_rect() const {
    float x0 = points[0].x, y0 = points[0].y, x1 = x0, y1 = y0;
    for (const auto& p : points) {
        x0 = std::min(x0, p.x);
        y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x);
        y1 = std::max(y1, p.y);
    }
    const float w = x1 - x0, h = y1 - y0;
    return {x0 - 0.1f * w, y0 - 0.1f * h, 1.2f * w, 1.2f * h};
}

struct LandmarkNet::Impl {
    detail::FaceProcessorNet net;
};

LandmarkNet::LandmarkNet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LandmarkNet::LandmarkNet(LandmarkNet&&) noexcept = default;
LandmarkNet& LandmarkNet::operator=(LandmarkNet&&) noexcept = default;
LandmarkNet::~LandmarkNet() = default;

LandmarkNet LandmarkNet::load(const nn::ModelManifest& manifest) {
    return load(manifest.get("face_landmark_68"));
}

LandmarkNet LandmarkNet::load(const nn::ModelInfo& info) {
    return LandmarkNet(std::make_unique<Impl>(
        Impl{detail::FaceProcessorNet::load(info, 2 * Landmarks68::kCount, /*softmax=*/false)}));
}

LandmarkNet LandmarkNet::create(const ModelSet& set) {
    const char* id = "face_landmark_68";
    return LandmarkNet(std::unique_ptr<Impl>(new Impl{detail::FaceProcessorNet::build(
        set.info(id), set.weights(id), 2 * Landmarks68::kCount, /*softmax=*/false)}));
}

std::vector<float> LandmarkNet::forward_raw(const float* nhwc112, int n) {
    assert(impl_ && "LandmarkNet used after move");
    return impl_->net.forward(nhwc112, n);
}

Landmarks68 LandmarkNet::detect(const cv::Mat& rgb_image, const cv::Rect2f& face_box) {
    return detect_batch(rgb_image, {face_box}).front();
}

std::vector<Landmarks68> LandmarkNet::detect_batch(const cv::Mat& rgb_image,
                                                   const std::vector<cv::Rect2f>& face_boxes) {
    assert(impl_ && "LandmarkNet used after move");
    const auto batch = detail::prepare_face_batch(rgb_image, face_boxes, "LandmarkNet::detect");
    const int n = static_cast<int>(face_boxes.size());
    const auto raw = impl_->net.forward(batch.nhwc.data(), n);
    std::vector<Landmarks68> result(face_boxes.size());
    for (std::size_t i = 0; i < result.size(); ++i) {
        // FaceLandmark68NetBase.postProcess, then FaceLandmarks' scaling by the crop size:
        // crop pixel = output * side - (face-api's centring offset). face-api then shifts by
        // the unclipped detector box; we shift by the crop actually taken, which is the same
        // for boxes inside the image and correct for boxes that stick out of it.
        const auto& g = batch.geometry[i];
        const float* p = raw.data() + i * 2 * Landmarks68::kCount;
        for (std::size_t k = 0; k < Landmarks68::kCount; ++k)
            result[i].points[k] =
                cv::Point2f(static_cast<float>(g.crop.x) + p[2 * k] * g.side - g.offset_x,
                            static_cast<float>(g.crop.y) + p[2 * k + 1] * g.side - g.offset_y);
    }
    return result;
}

}  // namespace faceatlas::vision
