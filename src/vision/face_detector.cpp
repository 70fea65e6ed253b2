#include "faceatlas/vision/face_detector.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <string>

#include <opencv2/dnn.hpp>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/blob.h"
#include "faceatlas/nn/net_builder.h"
#include "faceatlas/nn/tfjs_weights.h"
#include "faceatlas/vision/image_ops.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {

namespace {

constexpr float kBatchNormEpsilon = 0.0010000000474974513f;  // mobileNetV1.ts

// Output channels of MobilenetV1/Conv2d_<i>_pointwise, i = 0..13.
constexpr int kMobilenetChannels[] = {32,  64,  128, 128, 256, 256,  512,
                                      512, 512, 512, 512, 512, 1024, 1024};

// Prediction/Conv2d_<i>_pointwise: kernel, stride, output channels (predictionLayer.ts).
struct PredictionConv {
    int kernel, stride, channels;
};
constexpr PredictionConv kPredictionConvs[] = {{1, 1, 256}, {3, 2, 512}, {1, 1, 128}, {3, 2, 256},
                                               {1, 1, 128}, {3, 2, 256}, {1, 1, 64},  {3, 2, 128}};

// Box predictor i: input channels and anchors per cell.
struct BoxPredictor {
    int in_channels, anchors;
};
constexpr BoxPredictor kBoxPredictors[] = {{512, 3}, {1024, 6}, {512, 6},
                                           {256, 6}, {256, 6},  {128, 6}};

int stride_of_pair(int i) { return (i == 2 || i == 4 || i == 6 || i == 12) ? 2 : 1; }

// TF ops each round to float32; mirror that so decoding matches to the last bit or two.
inline float f32(double v) { return static_cast<float>(v); }

}  // namespace

void DetectorOptions::validate() const {
    if (!(min_confidence > 0.f && min_confidence < 1.f))
        throw Error(ErrorCode::kInvalidArgument,
                    "min_confidence must be in (0, 1), got " + std::to_string(min_confidence),
                    "DetectorOptions::min_confidence", "face-api's default is 0.5");
    if (max_results < 1)
        throw Error(ErrorCode::kInvalidArgument,
                    "max_results must be >= 1, got " + std::to_string(max_results),
                    "DetectorOptions::max_results", "face-api's default is 100");
    if (!(iou_threshold >= 0.f && iou_threshold <= 1.f))
        throw Error(ErrorCode::kInvalidArgument,
                    "iou_threshold must be in [0, 1], got " + std::to_string(iou_threshold),
                    "DetectorOptions::iou_threshold", "face-api uses 0.5");
}

const float* RawOutput::box(int image, int anchor) const {
    assert(image >= 0 && image < n && anchor >= 0 && anchor < FaceDetector::kNumAnchors);
    return boxes.data() +
           (static_cast<std::size_t>(image) * FaceDetector::kNumAnchors + anchor) * 4;
}

float RawOutput::score(int image, int anchor) const {
    assert(image >= 0 && image < n && anchor >= 0 && anchor < FaceDetector::kNumAnchors);
    return scores[static_cast<std::size_t>(image) * FaceDetector::kNumAnchors + anchor];
}

struct FaceDetector::Impl {
    std::array<float, 3> mean{};  // from the model manifest: face-api's x / 127.5 - 1
    std::array<float, 3> std{};
    cv::dnn::Net net;
    std::vector<cv::String> output_names;  // box encodings [N, 5118*4], class logits [N, 5118*3]
    std::vector<float> anchors;            // [5118, 4] ymin, xmin, ymax, xmax
};

namespace {

nn::Node pointwise_layer(nn::NetBuilder& b, nn::Node x, const nn::WeightMap& w,
                         const std::string& prefix, int in_channels, int out_channels, int kernel,
                         int stride) {
    const auto& filters = w.get(prefix + "/weights", {kernel, kernel, in_channels, out_channels});
    const auto& offset = w.get(prefix + "/convolution_bn_offset", {out_channels});
    return b.relu6(b.conv(x, filters, &offset, stride, nn::Padding::kSame, prefix),
                   prefix + "/relu6");
}

nn::Node depthwise_layer(nn::NetBuilder& b, nn::Node x, const nn::WeightMap& w,
                         const std::string& prefix, int channels, int stride) {
    const std::vector<int> vec{channels};
    const auto& filters = w.get(prefix + "/depthwise_weights", {3, 3, channels, 1});
    const auto& gamma = w.get(prefix + "/BatchNorm/gamma", vec);
    const auto& beta = w.get(prefix + "/BatchNorm/beta", vec);
    const auto& mean = w.get(prefix + "/BatchNorm/moving_mean", vec);
    const auto& var = w.get(prefix + "/BatchNorm/moving_variance", vec);
    nn::Node y = b.depthwise(x, filters, nullptr, stride, nn::Padding::kSame, prefix);
    y = b.batch_norm(y, mean.data, var.data, &gamma.data, &beta.data, kBatchNormEpsilon,
                     prefix + "/bn");
    return b.relu6(y, prefix + "/relu6");
}

// A 1x1 conv head, flattened in TF's NHWC order so anchors come out as TF lists them.
nn::Node head(nn::NetBuilder& b, nn::Node x, const nn::WeightMap& w, const std::string& prefix,
              int in_channels, int out_channels) {
    const auto& filters = w.get(prefix + "/weights", {1, 1, in_channels, out_channels});
    const auto& bias = w.get(prefix + "/biases", {out_channels});
    nn::Node y = b.conv(x, filters, &bias, 1, nn::Padding::kSame, prefix);
    return b.flatten(b.to_nhwc(y, prefix + "/nhwc"), prefix + "/flat");
}

void check_image(const cv::Mat& img) {
    if (img.empty())
        throw Error(ErrorCode::kInvalidArgument, "empty image", "FaceDetector::detect",
                    "pass a decoded image with at least one pixel");
    if (img.dims != 2 || img.channels() != 3 || (img.depth() != CV_8U && img.depth() != CV_32F))
        throw Error(ErrorCode::kInvalidArgument,
                    "expected an RGB image of type CV_8UC3 or CV_32FC3, got type " +
                        std::to_string(img.type()),
                    "FaceDetector::detect",
                    "convert with cv::cvtColor(..., cv::COLOR_BGR2RGB) first");
}

// face-api locateFaces: clip the relative box to [0, 1], undo the padding, scale to pixels.
Detection to_detection(const float* b, float score, int width, int height) {
    const double input = FaceDetector::kInputSize;
    const double scale = input / std::max(width, height);
    // computeReshapedDimensions; max(1, .) keeps extreme aspect ratios (face-api: Infinity) finite.
    const double reshaped_w = std::max(1.0, std::round(width * scale));
    const double reshaped_h = std::max(1.0, std::round(height * scale));
    const double pad_x = input / reshaped_w, pad_y = input / reshaped_h;
    const double top = std::max(0.0, static_cast<double>(b[0])) * pad_y;
    const double bottom = std::min(1.0, static_cast<double>(b[2])) * pad_y;
    const double left = std::max(0.0, static_cast<double>(b[1])) * pad_x;
    const double right = std::min(1.0, static_cast<double>(b[3])) * pad_x;
    Detection d;
    d.box.x = static_cast<float>(left * width);
    d.box.y = static_cast<float>(top * height);
    // face-api throws on a negative size; such boxes cannot pass a score threshold in practice.
    d.box.w = static_cast<float>(std::max(0.0, right - left) * width);
    d.box.h = static_cast<float>(std::max(0.0, bottom - top) * height);
    d.score = score;
    return d;
}

}  // namespace

FaceDetector::FaceDetector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;
FaceDetector& FaceDetector::operator=(FaceDetector&&) noexcept = default;
FaceDetector::~FaceDetector() = default;

FaceDetector FaceDetector::load(const nn::ModelManifest& manifest) {
    return load(manifest.get("ssd_mobilenetv1"));
}

FaceDetector FaceDetector::load(const nn::ModelInfo& info) {
    info.require_input(kInputSize, kInputSize);
    return build(info, nn::WeightMap::load(info.weights));
}

FaceDetector FaceDetector::create(const ModelSet& set) {
    return build(set.info("ssd_mobilenetv1"), set.weights("ssd_mobilenetv1"));
}

FaceDetector FaceDetector::build(const nn::ModelInfo& info, const nn::WeightMap& w) {
    info.require_input(kInputSize, kInputSize);  // the SSD anchors are fixed for 512x512
    auto impl = std::make_unique<Impl>();
    impl->mean = info.mean;
    impl->std = info.std;
    nn::NetBuilder b;

    // mobileNetV1.ts
    nn::Node x = pointwise_layer(b, b.input(), w, "MobilenetV1/Conv2d_0_pointwise", 3,
                                 kMobilenetChannels[0], 3, 2);
    nn::Node conv11;
    for (int i = 1; i <= 13; ++i) {
        const int in = kMobilenetChannels[i - 1], out = kMobilenetChannels[i];
        const std::string idx = std::to_string(i);
        x = depthwise_layer(b, x, w, "MobilenetV1/Conv2d_" + idx + "_depthwise", in,
                            stride_of_pair(i));
        x = pointwise_layer(b, x, w, "MobilenetV1/Conv2d_" + idx + "_pointwise", in, out, 1, 1);
        if (i == 11) conv11 = x;
    }

    // predictionLayer.ts
    std::vector<nn::Node> convs;
    nn::Node y = x;
    int channels = kMobilenetChannels[13];
    for (int i = 0; i < 8; ++i) {
        const auto& pc = kPredictionConvs[i];
        y = pointwise_layer(b, y, w, "Prediction/Conv2d_" + std::to_string(i) + "_pointwise",
                            channels, pc.channels, pc.kernel, pc.stride);
        channels = pc.channels;
        convs.push_back(y);
    }
    const nn::Node head_inputs[] = {conv11, x, convs[1], convs[3], convs[5], convs[7]};
    std::vector<nn::Node> box_heads, class_heads;
    for (int i = 0; i < 6; ++i) {
        const auto& bp = kBoxPredictors[i];
        const std::string prefix = "Prediction/BoxPredictor_" + std::to_string(i);
        box_heads.push_back(head(b, head_inputs[i], w, prefix + "/BoxEncodingPredictor",
                                 bp.in_channels, bp.anchors * 4));
        class_heads.push_back(
            head(b, head_inputs[i], w, prefix + "/ClassPredictor", bp.in_channels, bp.anchors * 3));
    }
    const nn::Node boxes = b.concat(box_heads, 1, "box_encodings");
    const nn::Node classes = b.concat(class_heads, 1, "class_predictions");
    impl->output_names = {b.layer_name(boxes), b.layer_name(classes)};
    impl->net = b.finish();

    impl->anchors = w.get("Output/extra_dim", {1, kNumAnchors, 4}).data;
    return FaceDetector(std::move(impl));
}

RawOutput FaceDetector::forward(const float* nhwc, int n) {
    assert(impl_);
    if (nhwc == nullptr || n < 1)
        throw Error(ErrorCode::kInvalidArgument,
                    "need a non-null input and n >= 1, got n = " + std::to_string(n),
                    "FaceDetector::forward");
    const cv::Mat blob =
        nn::nhwc_to_blob(nhwc, n, kInputSize, kInputSize, 3, impl_->mean, impl_->std);
    std::vector<cv::Mat> outs;
    try {
        impl_->net.setInput(blob);
        impl_->net.forward(outs, impl_->output_names);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::kInternal, std::string("cv::dnn forward failed: ") + e.what(),
                    "ssd_mobilenetv1");
    }
    const cv::Mat& enc = outs[0];
    const cv::Mat& cls = outs[1];
    assert(enc.total() == static_cast<std::size_t>(n) * kNumAnchors * 4);
    assert(cls.total() == static_cast<std::size_t>(n) * kNumAnchors * 3);

    RawOutput r;
    r.n = n;
    r.boxes.resize(static_cast<std::size_t>(n) * kNumAnchors * 4);
    r.scores.resize(static_cast<std::size_t>(n) * kNumAnchors);
    const float* e = enc.ptr<float>();
    const float* c = cls.ptr<float>();
    const float* a = impl_->anchors.data();
    // outputLayer.ts: decodeBoxesLayer and sigmoid of class 1.
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) * kNumAnchors; ++i) {
        const float* an = a + (i % kNumAnchors) * 4;
        const float* en = e + i * 4;
        const float size0 = an[2] - an[0], size1 = an[3] - an[1];
        const float center0 = f32(an[0] + f32(size0 / 2.0)),
                    center1 = f32(an[1] + f32(size1 / 2.0));
        const float half0 = f32(f32(std::exp(f32(en[2] / 5.0)) * static_cast<double>(size0)) / 2.0);
        const float mid0 = f32(f32(f32(en[0] / 10.0) * static_cast<double>(size0)) + center0);
        const float half1 = f32(f32(std::exp(f32(en[3] / 5.0)) * static_cast<double>(size1)) / 2.0);
        const float mid1 = f32(f32(f32(en[1] / 10.0) * static_cast<double>(size1)) + center1);
        float* out = r.boxes.data() + i * 4;
        out[0] = mid0 - half0;
        out[1] = mid1 - half1;
        out[2] = mid0 + half0;
        out[3] = mid1 + half1;
        r.scores[i] = f32(1.0 / (1.0 + std::exp(-static_cast<double>(c[i * 3 + 1]))));
    }
    return r;
}

cv::Mat FaceDetector::prepare(const cv::Mat& rgb_image) {
    check_image(rgb_image);
    return pad_resize_square(rgb_image, kInputSize, SquarePadding::kBottomRight);
}

std::vector<Detection> FaceDetector::detect(const cv::Mat& rgb_image,
                                            const DetectorOptions& options) {
    return detect(std::vector<cv::Mat>{rgb_image}, options).front();
}

std::vector<std::vector<Detection>> FaceDetector::detect(const std::vector<cv::Mat>& rgb_images,
                                                         const DetectorOptions& options) {
    options.validate();
    if (rgb_images.empty()) return {};
    const std::size_t per = static_cast<std::size_t>(kInputSize) * kInputSize * 3;
    std::vector<float> input(per * rgb_images.size());
    for (std::size_t i = 0; i < rgb_images.size(); ++i) {
        const cv::Mat p = prepare(rgb_images[i]);
        assert(p.isContinuous() && p.total() * 3 == per);
        std::copy_n(p.ptr<float>(), per, input.data() + i * per);
    }
    const RawOutput raw = forward(input.data(), static_cast<int>(rgb_images.size()));

    std::vector<std::vector<Detection>> result(rgb_images.size());
    for (std::size_t i = 0; i < rgb_images.size(); ++i) {
        const int img = static_cast<int>(i);
        const auto kept =
            face_api_nms(raw.box(img, 0), &raw.scores[i * kNumAnchors], kNumAnchors,
                         options.max_results, options.iou_threshold, options.min_confidence);
        for (int k : kept)
            result[i].push_back(to_detection(raw.box(img, k), raw.score(img, k), rgb_images[i].cols,
                                             rgb_images[i].rows));
    }
    return result;
}

std::vector<int> face_api_nms(const float* boxes, const float* scores, int count, int max_output,
                              float iou_threshold, float score_threshold) {
    // nonMaxSuppression.ts, including its IOU (min/max of each box's corners, 0 for empty boxes).
    const auto iou_of = [&](int i, int j) {
        const float* a = boxes + static_cast<std::size_t>(i) * 4;
        const float* b = boxes + static_cast<std::size_t>(j) * 4;
        const double ymin_a = std::min(a[0], a[2]), xmin_a = std::min(a[1], a[3]);
        const double ymax_a = std::max(a[0], a[2]), xmax_a = std::max(a[1], a[3]);
        const double ymin_b = std::min(b[0], b[2]), xmin_b = std::min(b[1], b[3]);
        const double ymax_b = std::max(b[0], b[2]), xmax_b = std::max(b[1], b[3]);
        const double area_a = (ymax_a - ymin_a) * (xmax_a - xmin_a);
        const double area_b = (ymax_b - ymin_b) * (xmax_b - xmin_b);
        if (area_a <= 0 || area_b <= 0) return 0.0;
        const double ih = std::max(std::min(ymax_a, ymax_b) - std::max(ymin_a, ymin_b), 0.0);
        const double iw = std::max(std::min(xmax_a, xmax_b) - std::max(xmin_a, xmin_b), 0.0);
        const double inter = ih * iw;
        return inter / (area_a + area_b - inter);
    };
    const int output_size = std::min(max_output, count);
    std::vector<int> candidates;
    for (int i = 0; i < count; ++i)
        if (scores[i] > score_threshold) candidates.push_back(i);
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](int a, int b) { return scores[a] > scores[b]; });

    std::vector<int> selected;
    for (int c : candidates) {
        if (static_cast<int>(selected.size()) >= output_size) break;
        bool suppressed = false;
        for (auto j = selected.rbegin(); j != selected.rend(); ++j) {
            const double v = iou_of(c, *j);
            if (v == 0.0) continue;
            if (v > iou_threshold) {  // score *= 0, which is <= the (positive) threshold
                suppressed = true;
                break;
            }
        }
        if (!suppressed) selected.push_back(c);
    }
    return selected;
}

}  // namespace faceatlas::vision
