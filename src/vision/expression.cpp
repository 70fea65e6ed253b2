#include "faceatlas/vision/expression.h"

#include <algorithm>
#include <cassert>

#include "face_feature_extractor.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {

int ExpressionScores::argmax() const {
    return static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
}

struct ExpressionNet::Impl {
    detail::FaceProcessorNet net;
};

ExpressionNet::ExpressionNet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExpressionNet::ExpressionNet(ExpressionNet&&) noexcept = default;
ExpressionNet& ExpressionNet::operator=(ExpressionNet&&) noexcept = default;
ExpressionNet::~ExpressionNet() = default;

ExpressionNet ExpressionNet::load(const nn::ModelManifest& manifest) {
    return load(manifest.get("face_expression"));
}

ExpressionNet ExpressionNet::load(const nn::ModelInfo& info) {
    return ExpressionNet(std::make_unique<Impl>(
        Impl{detail::FaceProcessorNet::load(info, ExpressionScores::kCount, /*softmax=*/true)}));
}

ExpressionNet ExpressionNet::create(const ModelSet& set) {
    const char* id = "face_expression";
    return ExpressionNet(std::unique_ptr<Impl>(new Impl{detail::FaceProcessorNet::build(
        set.info(id), set.weights(id), ExpressionScores::kCount, /*softmax=*/true)}));
}

std::vector<float> ExpressionNet::forward_raw(const float* nhwc112, int n) {
    assert(impl_ && "ExpressionNet used after move");
    return impl_->net.forward(nhwc112, n);
}

ExpressionScores ExpressionNet::classify(const cv::Mat& rgb_face_crop) {
    detail::check_rgb_image(rgb_face_crop, "ExpressionNet::classify");
    return classify(rgb_face_crop, cv::Rect2f(0.f, 0.f, static_cast<float>(rgb_face_crop.cols),
                                              static_cast<float>(rgb_face_crop.rows)));
}

ExpressionScores ExpressionNet::classify(const cv::Mat& rgb_image, const cv::Rect2f& face_box) {
    return classify_batch(rgb_image, {face_box}).front();
}

std::vector<ExpressionScores> ExpressionNet::classify_batch(
    const cv::Mat& rgb_image, const std::vector<cv::Rect2f>& face_boxes) {
    assert(impl_ && "ExpressionNet used after move");
    const auto batch = detail::prepare_face_batch(rgb_image, face_boxes, "ExpressionNet::classify");
    const auto raw = impl_->net.forward(batch.nhwc.data(), static_cast<int>(face_boxes.size()));
    std::vector<ExpressionScores> result(face_boxes.size());
    for (std::size_t i = 0; i < result.size(); ++i)
        std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(i * ExpressionScores::kCount),
                    ExpressionScores::kCount, result[i].probs.begin());
    return result;
}

}  // namespace faceatlas::vision
