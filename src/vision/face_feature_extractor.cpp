#include "face_feature_extractor.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/blob.h"
#include "faceatlas/vision/image_ops.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision::detail {
namespace {

using nn::Node;
using nn::Padding;

// depthwiseSeparableConv: depthwise 3x3 (no bias), pointwise 1x1 with bias, TF SAME padding.
Node separable_conv(nn::NetBuilder& b, const nn::WeightMap& w, const std::string& prefix, Node in,
                    int channels_in, int channels_out, int stride) {
    const auto& dw = w.get(prefix + "/depthwise_filter", {3, 3, channels_in, 1});
    const auto& pw = w.get(prefix + "/pointwise_filter", {1, 1, channels_in, channels_out});
    const auto& bias = w.get(prefix + "/bias", {channels_out});
    const Node x = b.depthwise(in, dw, nullptr, stride, Padding::kSame, prefix + "/depthwise");
    return b.conv(x, pw, &bias, 1, Padding::kSame, prefix + "/pointwise");
}

// denseBlock4 (denseBlock.ts): every conv sees the sum of all earlier outputs of the block.
Node dense_block4(nn::NetBuilder& b, const nn::WeightMap& w, const std::string& prefix, Node in,
                  int channels_in, int channels_out, bool is_first_layer) {
    Node out1;
    if (is_first_layer) {
        const auto& filters = w.get(prefix + "/conv0/filters", {3, 3, channels_in, channels_out});
        const auto& bias = w.get(prefix + "/conv0/bias", {channels_out});
        out1 = b.conv(in, filters, &bias, 2, Padding::kSame, prefix + "/conv0");
    } else {
        out1 = separable_conv(b, w, prefix + "/conv0", in, channels_in, channels_out, 2);
    }
    out1 = b.relu(out1);
    const Node out2 = separable_conv(b, w, prefix + "/conv1", out1, channels_out, channels_out, 1);
    const Node in3 = b.relu(b.add(out1, out2));
    const Node out3 = separable_conv(b, w, prefix + "/conv2", in3, channels_out, channels_out, 1);
    const Node in4 = b.relu(b.add({out1, out2, out3}));
    const Node out4 = separable_conv(b, w, prefix + "/conv3", in4, channels_out, channels_out, 1);
    return b.relu(b.add({out1, out2, out3, out4}));
}

}  // namespace

Node build_face_feature_extractor(nn::NetBuilder& b, const nn::WeightMap& weights) {
    Node x = dense_block4(b, weights, "dense0", b.input(), 3, 32, true);
    x = dense_block4(b, weights, "dense1", x, 32, 64, false);
    x = dense_block4(b, weights, "dense2", x, 64, 128, false);
    x = dense_block4(b, weights, "dense3", x, 128, 256, false);
    return b.avg_pool(x, 7, 2, Padding::kValid, "avg_pool");
}

FaceProcessorNet FaceProcessorNet::load(const nn::ModelInfo& info, int num_outputs, bool softmax) {
    assert(num_outputs > 0);
    info.require_input(kFaceInputSize, kFaceInputSize);
    return build(info, nn::WeightMap::load(info.weights), num_outputs, softmax);
}

FaceProcessorNet FaceProcessorNet::build(const nn::ModelInfo& info, const nn::WeightMap& weights,
                                         int num_outputs, bool softmax) {
    assert(num_outputs > 0);
    info.require_input(kFaceInputSize, kFaceInputSize);
    nn::NetBuilder b;
    const Node features = build_face_feature_extractor(b, weights);
    const auto& fc_w = weights.get("fc/weights", {256, num_outputs});
    const auto& fc_b = weights.get("fc/bias", {num_outputs});
    Node out = b.dense(features, fc_w, &fc_b, "fc");
    if (softmax) out = b.softmax(out, "softmax");

    FaceProcessorNet net;
    net.info_ = info;
    net.output_ = b.layer_name(out);
    net.net_ = b.finish();
    net.num_outputs_ = num_outputs;
    return net;
}

std::vector<float> FaceProcessorNet::forward(const float* nhwc, int n) {
    assert(n >= 0);
    std::vector<float> result(static_cast<std::size_t>(n) * num_outputs_);
    for (int begin = 0; begin < n; begin += kMaxFaceBatch) {
        const int count = std::min(kMaxFaceBatch, n - begin);
        try {
            net_.setInput(nn::nhwc_to_blob(nhwc + kFaceInputFloats * begin, count, kFaceInputSize,
                                           kFaceInputSize, 3, info_.mean, info_.std));
            const cv::Mat out = net_.forward(output_);
            assert(out.total() == static_cast<std::size_t>(count) * num_outputs_);
            std::memcpy(result.data() + static_cast<std::size_t>(begin) * num_outputs_,
                        out.ptr<float>(), out.total() * sizeof(float));
        } catch (const cv::Exception& e) {
            throw Error(ErrorCode::kInternal, std::string("OpenCV inference failed: ") + e.what(),
                        info_.name, "report this as a bug");
        }
    }
    return result;
}

cv::Rect clip_at_image_borders(const cv::Rect2f& box, cv::Size image) {
    const float x = std::max(box.x, 0.f);
    const float y = std::max(box.y, 0.f);
    const float w = std::min(box.x + box.width - x, static_cast<float>(image.width) - x);
    const float h = std::min(box.y + box.height - y, static_cast<float>(image.height) - y);
    return {static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)),
            static_cast<int>(std::floor(w)), static_cast<int>(std::floor(h))};
}

SquareInput face_to_input(const cv::Mat& rgb, const cv::Rect& crop, float* nhwc_out) {
    assert(!crop.empty() && (crop & cv::Rect(0, 0, rgb.cols, rgb.rows)) == crop);
    SquareInput g;
    g.crop = crop;
    const int side = std::max(crop.width, crop.height);
    g.side = static_cast<float>(side);
    const int diff = std::abs(crop.width - crop.height);
    if (crop.width < crop.height)
        g.offset_x = static_cast<float>(diff) / 2.f;
    else
        g.offset_y = static_cast<float>(diff) / 2.f;
    const cv::Mat input = pad_resize_square(rgb(crop), kFaceInputSize, SquarePadding::kCentred);
    assert(input.isContinuous() && input.total() == kFaceInputFloats / 3);
    std::memcpy(nhwc_out, input.ptr<float>(), kFaceInputFloats * sizeof(float));
    return g;
}

FaceBatch prepare_face_batch(const cv::Mat& rgb, const std::vector<cv::Rect2f>& boxes,
                             const char* who) {
    check_rgb_image(rgb, who);
    FaceBatch batch;
    batch.nhwc.resize(kFaceInputFloats * boxes.size());
    batch.geometry.reserve(boxes.size());
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const cv::Rect2f& box = boxes[i];
        const bool finite = std::isfinite(box.x) && std::isfinite(box.y) &&
                            std::isfinite(box.width) && std::isfinite(box.height);
        const cv::Rect crop = finite ? clip_at_image_borders(box, rgb.size()) : cv::Rect();
        if (crop.width <= 0 || crop.height <= 0)
            throw Error(ErrorCode::kInvalidArgument,
                        std::string(who) + ": face box (" + std::to_string(box.x) + ", " +
                            std::to_string(box.y) + ", " + std::to_string(box.width) + " x " +
                            std::to_string(box.height) + ") does not cover a pixel of the " +
                            std::to_string(rgb.cols) + " x " + std::to_string(rgb.rows) + " image",
                        {}, "pass face boxes in the image's pixel coordinates");
        batch.geometry.push_back(
            face_to_input(rgb, crop, batch.nhwc.data() + kFaceInputFloats * i));
    }
    return batch;
}

void check_rgb_image(const cv::Mat& rgb, const char* who) {
    if (rgb.empty())
        throw Error(ErrorCode::kInvalidArgument, std::string(who) + ": empty image", {},
                    "pass a decoded RGB image");
    if (rgb.type() != CV_8UC3 && rgb.type() != CV_32FC3)
        throw Error(ErrorCode::kInvalidArgument,
                    std::string(who) + ": image must be CV_8UC3 or CV_32FC3 RGB, got type " +
                        std::to_string(rgb.type()),
                    {}, "convert with cv::cvtColor(..., cv::COLOR_BGR2RGB)");
}

}  // namespace faceatlas::vision::detail
