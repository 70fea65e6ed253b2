// face-api's FaceRecognitionNet (src/faceRecognitionNet/*.ts), a port of dlib's ResNet-29
// metric network, rebuilt on cv::dnn:
//   (x - mean) / 255 -> convDown 7x7/2 VALID -> maxPool 3/2 VALID
//   -> 3 x residual(32) -> residualDown(64) + 3 x residual(64) -> residualDown(128) + 2 x
//   residual(128) -> residualDown(256) + 2 x residual(256) -> residualDown(256)
//   -> spatial mean -> fc [256, 128] (no bias).
// Every conv is conv + bias followed by a scale layer (x * w + b); both are folded into the
// convolution weights here. residualDown adds a 2x2/2 average pool of its input, zero-padded
// in channels, to its conv branch, which is zero-padded by one row/column at the bottom/right
// when the pool is one larger (35 -> 17 vs 17, 17 -> 8 vs 8, 8 -> 3 vs 4, 4 -> 1 vs 2).
#include "faceatlas/vision/face_recognizer.h"

#include <algorithm>
#include <cassert>
#include <opencv2/dnn.hpp>
#include <string>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/blob.h"
#include "faceatlas/nn/net_builder.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {
namespace {

constexpr const char* kNetName = "face_recognition";

// A node and its static shape (channels, square spatial size).
struct Tensor {
    nn::Node node;
    int channels = 0;
    int size = 0;
};

class Builder {
  public:
    explicit Builder(const nn::WeightMap& w) : w_(w) {}

    // conv + bias, then scale (x * w + b), folded into one convolution; optional ReLU.
    Tensor conv(const Tensor& x, const std::string& prefix, int kernel, int out, int stride,
                nn::Padding pad, bool relu) {
        const auto& filters = w_.get(prefix + "/conv/filters", {kernel, kernel, x.channels, out});
        const auto& bias = w_.get(prefix + "/conv/bias", {out});
        const auto& scale = w_.get(prefix + "/scale/weights", {out});
        const auto& shift = w_.get(prefix + "/scale/biases", {out});
        cv::Mat weights = nn::hwio_to_oihw(filters);
        const std::size_t per_out = weights.total() / static_cast<std::size_t>(out);
        std::vector<float> b(static_cast<std::size_t>(out));
        for (int o = 0; o < out; ++o) {
            float* p = weights.ptr<float>() + per_out * static_cast<std::size_t>(o);
            for (std::size_t i = 0; i < per_out; ++i) p[i] *= scale.data[o];
            b[o] = bias.data[o] * scale.data[o] + shift.data[o];
        }
        Tensor y;
        y.node = b_.conv_oihw(x.node, weights, nn::vec_to_mat(b), stride, stride, 1, pad, prefix);
        y.channels = out;
        y.size = pad == nn::Padding::kSame ? (x.size + stride - 1) / stride
                                           : (x.size - kernel) / stride + 1;
        if (relu) y.node = b_.relu(y.node, prefix + "/relu");
        return y;
    }

    Tensor residual(const Tensor& x, const std::string& prefix) {
        Tensor out = conv(x, prefix + "/conv1", 3, x.channels, 1, nn::Padding::kSame, true);
        out = conv(out, prefix + "/conv2", 3, x.channels, 1, nn::Padding::kSame, false);
        out.node = b_.relu(b_.add(out.node, x.node, prefix + "/add"), prefix + "/relu");
        return out;
    }

    Tensor residual_down(const Tensor& x, const std::string& prefix, int out_channels) {
        Tensor out = conv(x, prefix + "/conv1", 3, out_channels, 2, nn::Padding::kValid, true);
        out = conv(out, prefix + "/conv2", 3, out_channels, 1, nn::Padding::kSame, false);
        Tensor pooled{b_.avg_pool(x.node, 2, 2, nn::Padding::kValid, prefix + "/avgpool"),
                      x.channels, x.size / 2};
        if (pooled.size != out.size) {
            // face-api concatenates exactly one zero row, then one zero column.
            assert(pooled.size == out.size + 1);
            out.node = pad(out.node, {0, 0, 0, 0, 0, 1, 0, 1}, prefix + "/pad_hw");
            out.size += 1;
        }
        if (pooled.channels != out.channels) {
            // face-api concatenates zeros of the pooled shape: channels double.
            assert(out.channels == 2 * pooled.channels);
            pooled.node =
                pad(pooled.node, {0, 0, 0, pooled.channels, 0, 0, 0, 0}, prefix + "/pad_c");
            pooled.channels = out.channels;
        }
        out.node = b_.relu(b_.add(pooled.node, out.node, prefix + "/add"), prefix + "/relu");
        return out;
    }

    nn::Node pad(nn::Node in, const std::vector<int>& paddings, const std::string& name) {
        cv::dnn::LayerParams p;
        p.set("paddings",
              cv::dnn::DictValue::arrayInt(paddings.data(), static_cast<int>(paddings.size())));
        p.set("value", 0.0);
        return b_.add_layer("Padding", p, {in}, name);
    }

    nn::NetBuilder& net() { return b_; }

  private:
    const nn::WeightMap& w_;
    nn::NetBuilder b_;
};

}  // namespace

struct FaceRecognizer::Impl {
    cv::dnn::Net net;
    std::string output;
    std::array<float, 3> mean{};
    std::array<float, 3> std{};
};

FaceRecognizer::FaceRecognizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceRecognizer::FaceRecognizer(FaceRecognizer&&) noexcept = default;
FaceRecognizer& FaceRecognizer::operator=(FaceRecognizer&&) noexcept = default;
FaceRecognizer::~FaceRecognizer() = default;

FaceRecognizer FaceRecognizer::load(const nn::ModelManifest& manifest) {
    const nn::ModelInfo& info = manifest.get(kNetName);  // throws naming the missing file
    info.require_input(kInputSize, kInputSize);
    return build(info, nn::WeightMap::load(info.weights));
}

FaceRecognizer FaceRecognizer::create(const ModelSet& set) {
    return build(set.info(kNetName), set.weights(kNetName));
}

FaceRecognizer FaceRecognizer::build(const nn::ModelInfo& info, const nn::WeightMap& w) {
    info.require_input(kInputSize, kInputSize);

    Builder b(w);
    Tensor x{b.net().input(), 3, kInputSize};
    x = b.conv(x, "conv32_down", 7, 32, 2, nn::Padding::kValid, true);  // 72
    x.node = b.net().max_pool(x.node, 3, 2, nn::Padding::kValid, "conv32_down/maxpool");
    x.size = (x.size - 3) / 2 + 1;  // 35
    x = b.residual(x, "conv32_1");
    x = b.residual(x, "conv32_2");
    x = b.residual(x, "conv32_3");
    x = b.residual_down(x, "conv64_down", 64);  // 17
    x = b.residual(x, "conv64_1");
    x = b.residual(x, "conv64_2");
    x = b.residual(x, "conv64_3");
    x = b.residual_down(x, "conv128_down", 128);  // 8
    x = b.residual(x, "conv128_1");
    x = b.residual(x, "conv128_2");
    x = b.residual_down(x, "conv256_down", 256);  // 4
    x = b.residual(x, "conv256_1");
    x = b.residual(x, "conv256_2");
    x = b.residual_down(x, "conv256_down_out", 256);  // 2
    const nn::Node pooled = b.net().global_avg_pool(x.node, "mean");
    const nn::Node fc = b.net().dense(pooled, w.get("fc", {256, kDims}), nullptr, "fc");

    auto impl = std::make_unique<Impl>();
    impl->output = b.net().layer_name(fc);
    impl->net = b.net().finish();
    impl->mean = info.mean;
    impl->std = info.std;
    return FaceRecognizer(std::move(impl));
}

std::vector<float> FaceRecognizer::forward_raw(const float* nhwc150, int n) {
    assert(n >= 1 && nhwc150 != nullptr);
    const cv::Mat blob =
        nn::nhwc_to_blob(nhwc150, n, kInputSize, kInputSize, 3, impl_->mean, impl_->std);
    impl_->net.setInput(blob);
    const cv::Mat out = impl_->net.forward(impl_->output);
    assert(out.total() == static_cast<std::size_t>(n) * kDims);
    return {out.ptr<float>(), out.ptr<float>() + out.total()};
}

namespace {
void check_chip(const cv::Mat& chip, std::size_t index) {
    if (chip.rows != FaceRecognizer::kInputSize || chip.cols != FaceRecognizer::kInputSize ||
        (chip.type() != CV_8UC3 && chip.type() != CV_32FC3))
        throw Error(ErrorCode::kInvalidArgument,
                    "face chip " + std::to_string(index) + " is " + std::to_string(chip.cols) +
                        "x" + std::to_string(chip.rows) + " with " +
                        std::to_string(chip.channels()) +
                        " channels; face_recognition needs 150x150 RGB (8-bit or float)",
                    "face_recognition input",
                    "align the face with vision::extract_chip(image, chip_transform(landmarks))");
}
}  // namespace

Embedding FaceRecognizer::embed(const cv::Mat& rgb_chip150) {
    auto v = embed_batch({rgb_chip150});
    return std::move(v.front());
}

std::vector<Embedding> FaceRecognizer::embed_batch(const std::vector<cv::Mat>& rgb_chips150) {
    for (std::size_t i = 0; i < rgb_chips150.size(); ++i) check_chip(rgb_chips150[i], i);
    std::vector<Embedding> result;
    result.reserve(rgb_chips150.size());
    for (std::size_t start = 0; start < rgb_chips150.size(); start += kMaxBatch) {
        const std::size_t end = std::min(rgb_chips150.size(), start + kMaxBatch);
        const std::vector<cv::Mat> batch(rgb_chips150.begin() + static_cast<std::ptrdiff_t>(start),
                                         rgb_chips150.begin() + static_cast<std::ptrdiff_t>(end));
        impl_->net.setInput(nn::images_to_blob(batch, impl_->mean, impl_->std));
        const cv::Mat out = impl_->net.forward(impl_->output);
        for (std::size_t i = 0; i < batch.size(); ++i)
            result.push_back(Embedding{nn::blob_row(out, static_cast<int>(i))});
    }
    return result;
}

}  // namespace faceatlas::vision
