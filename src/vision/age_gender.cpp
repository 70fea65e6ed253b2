#include "faceatlas/vision/age_gender.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/blob.h"
#include "faceatlas/nn/net_builder.h"
#include "faceatlas/nn/tfjs_weights.h"
#include "faceatlas/vision/image_ops.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {
namespace {

using nn::Node;
using nn::Padding;

constexpr int kInputSize = 112;  // the 7x7 pooling head only fits a 112x112 input
constexpr int kFeatures = 512;
constexpr int kMainBlocks = 2;  // face-api: new TinyXception(2)

// Builds TinyXception + heads (src/xception/TinyXception.ts, src/ageGenderNet/AgeGenderNet.ts).
class Builder {
  public:
    explicit Builder(const nn::WeightMap& w) : w_(w) {}

    // tf.conv2d(x, filters, stride, 'same') + bias.
    Node conv(Node x, const std::string& prefix, int k, int cin, int cout, int stride) {
        return b_.conv(x, w_.get(prefix + "/filters", {k, k, cin, cout}),
                       &w_.get(prefix + "/bias", {cout}), stride, Padding::kSame, prefix);
    }

    // tf.separableConv2d(x, depthwise, pointwise, 1, 'same') + bias.
    Node separable(Node x, const std::string& prefix, int cin, int cout) {
        Node dw = b_.depthwise(x, w_.get(prefix + "/depthwise_filter", {3, 3, cin, 1}), nullptr, 1,
                               Padding::kSame, prefix + "/depthwise");
        return b_.conv(dw, w_.get(prefix + "/pointwise_filter", {1, 1, cin, cout}),
                       &w_.get(prefix + "/bias", {cout}), 1, Padding::kValid,
                       prefix + "/pointwise");
    }

    Node reduction_block(Node x, const std::string& prefix, int cin, int cout,
                         bool activate_input) {
        Node out = activate_input ? b_.relu(x, prefix + "/relu_in") : x;
        out = separable(out, prefix + "/separable_conv0", cin, cout);
        out = separable(b_.relu(out, prefix + "/relu0"), prefix + "/separable_conv1", cout, cout);
        out = b_.max_pool(out, 3, 2, Padding::kSame, prefix + "/max_pool");
        return b_.add(out, conv(x, prefix + "/expansion_conv", 1, cin, cout, 2), prefix + "/add");
    }

    Node main_block(Node x, const std::string& prefix, int c) {
        Node out = separable(b_.relu(x, prefix + "/relu0"), prefix + "/separable_conv0", c, c);
        out = separable(b_.relu(out, prefix + "/relu1"), prefix + "/separable_conv1", c, c);
        out = separable(b_.relu(out, prefix + "/relu2"), prefix + "/separable_conv2", c, c);
        return b_.add(out, x, prefix + "/add");
    }

    // Returns the net and the names of the age and gender output layers.
    cv::dnn::Net build(std::vector<cv::String>& outputs) {
        Node x = b_.relu(conv(b_.input(), "entry_flow/conv_in", 3, 3, 32, 2), "entry_flow/relu_in");
        x = reduction_block(x, "entry_flow/reduction_block_0", 32, 64, false);
        x = reduction_block(x, "entry_flow/reduction_block_1", 64, 128, true);
        for (int i = 0; i < kMainBlocks; ++i)
            x = main_block(x, "middle_flow/main_block_" + std::to_string(i), 128);
        x = reduction_block(x, "exit_flow/reduction_block", 128, 256, true);
        x = b_.relu(separable(x, "exit_flow/separable_conv", 256, kFeatures), "exit_flow/relu");
        // tf.avgPool(x, 7, 2, 'valid') on the 7x7 map: one 512-vector per face.
        Node pooled = b_.avg_pool(x, 7, 2, Padding::kValid, "pool");
        Node age = b_.dense(pooled, w_.get("fc/age/weights", {kFeatures, 1}),
                            &w_.get("fc/age/bias", {1}), "fc/age");
        Node gender_logits = b_.dense(pooled, w_.get("fc/gender/weights", {kFeatures, 2}),
                                      &w_.get("fc/gender/bias", {2}), "fc/gender");
        Node gender = b_.softmax(gender_logits, "gender_softmax");
        outputs = {b_.layer_name(age), b_.layer_name(gender)};
        return b_.finish();
    }

  private:
    const nn::WeightMap& w_;
    nn::NetBuilder b_;
};

}  // namespace

AgeGenderNet AgeGenderNet::load(const nn::ModelManifest& manifest) {
    const nn::ModelInfo& info = manifest.get(kModelName);  // throws if the weights file is missing
    info.require_input(kInputSize, kInputSize);
    return build(info, nn::WeightMap::load(info.weights));
}

AgeGenderNet AgeGenderNet::create(const ModelSet& set) {
    return build(set.info(kModelName), set.weights(kModelName));
}

AgeGenderNet AgeGenderNet::build(const nn::ModelInfo& info, const nn::WeightMap& weights) {
    info.require_input(kInputSize, kInputSize);
    AgeGenderNet net;
    Builder builder(weights);
    try {
        net.net_ = builder.build(net.output_names_);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::kInternal,
                    std::string("building the age_gender net failed: ") + e.what(),
                    info.weights.string());
    }
    net.info_ = info;
    net.input_size_ = kInputSize;
    return net;
}

AgeGenderNet::Raw AgeGenderNet::forward_raw(const float* nhwc, int n) {
    assert(nhwc != nullptr && n >= 1);
    const cv::Mat blob =
        nn::nhwc_to_blob(nhwc, n, input_size_, input_size_, 3, info_.mean, info_.std);
    std::vector<cv::Mat> outs;
    try {
        net_.setInput(blob);
        net_.forward(outs, output_names_);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::kInternal, std::string("age_gender inference failed: ") + e.what(),
                    info_.weights.string());
    }
    assert(outs.size() == 2 && outs[0].total() == static_cast<std::size_t>(n) &&
           outs[1].total() == static_cast<std::size_t>(n) * 2);
    Raw raw;
    raw.age.assign(outs[0].ptr<float>(), outs[0].ptr<float>() + n);
    raw.gender.assign(outs[1].ptr<float>(), outs[1].ptr<float>() + 2 * static_cast<std::size_t>(n));
    return raw;
}

cv::Mat AgeGenderNet::preprocess(const cv::Mat& rgb_face_crop) const {
    if (rgb_face_crop.empty())
        throw Error(ErrorCode::kInvalidArgument, "empty face crop passed to AgeGenderNet", {},
                    "pass a non-empty RGB crop of the face");
    if (rgb_face_crop.type() != CV_8UC3 && rgb_face_crop.type() != CV_32FC3)
        throw Error(ErrorCode::kInvalidArgument,
                    "face crop must be CV_8UC3 or CV_32FC3 RGB, got type " +
                        std::to_string(rgb_face_crop.type()),
                    {}, "convert the crop with cv::cvtColor / convertTo first");
    // NetInput.toBatchTensor(112, isCenterInputs = true).
    return pad_resize_square(rgb_face_crop, input_size_, SquarePadding::kCentred);
}

AgeGender AgeGenderNet::predict(const cv::Mat& rgb_face_crop) {
    return predict_batch({rgb_face_crop}).front();
}

std::vector<AgeGender> AgeGenderNet::predict_batch(const std::vector<cv::Mat>& rgb_face_crops) {
    if (rgb_face_crops.empty()) return {};
    const int n = static_cast<int>(rgb_face_crops.size());
    const std::size_t per = static_cast<std::size_t>(input_size_) * input_size_ * 3;
    std::vector<float> nhwc(per * rgb_face_crops.size());
    for (int i = 0; i < n; ++i) {
        const cv::Mat img = preprocess(rgb_face_crops[static_cast<std::size_t>(i)]);
        std::memcpy(nhwc.data() + per * static_cast<std::size_t>(i), img.ptr<float>(),
                    per * sizeof(float));
    }
    const Raw raw = forward_raw(nhwc.data(), n);
    std::vector<AgeGender> out(rgb_face_crops.size());
    for (int i = 0; i < n; ++i) {
        out[static_cast<std::size_t>(i)].age = raw.age[static_cast<std::size_t>(i)];
        out[static_cast<std::size_t>(i)].male_probability =
            raw.gender[2 * static_cast<std::size_t>(i)];
    }
    return out;
}

std::vector<AgeGender> AgeGenderNet::predict_batch_flip(
    const std::vector<cv::Mat>& rgb_face_crops) {
    if (rgb_face_crops.empty()) return {};
    const std::size_t n = rgb_face_crops.size();
    const std::size_t per = static_cast<std::size_t>(input_size_) * input_size_ * 3;
    // Rows 0..n-1: the prepared crops; rows n..2n-1: the same tensors mirrored.
    std::vector<float> nhwc(per * 2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const cv::Mat img = preprocess(rgb_face_crops[i]);
        cv::Mat dst(input_size_, input_size_, CV_32FC3, nhwc.data() + per * i);
        img.copyTo(dst);
        cv::Mat mirrored(input_size_, input_size_, CV_32FC3, nhwc.data() + per * (n + i));
        cv::flip(img, mirrored, 1);
    }
    const Raw raw = forward_raw(nhwc.data(), static_cast<int>(2 * n));
    std::vector<AgeGender> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i].age = 0.5f * (raw.age[i] + raw.age[n + i]);
        out[i].male_probability = 0.5f * (raw.gender[2 * i] + raw.gender[2 * (n + i)]);
    }
    return out;
}

}  // namespace faceatlas::vision
