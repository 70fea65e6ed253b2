#include "pointwise_conv.h"

#ifdef FACEATLAS_HAVE_OPENBLAS

#include <cblas.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>
#include <opencv2/dnn/layer.details.hpp>
#include <vector>

namespace faceatlas::nn::detail {
namespace {

class PointwiseConvLayer final : public cv::dnn::Layer {
  public:
    explicit PointwiseConvLayer(const cv::dnn::LayerParams& p) : cv::dnn::Layer(p) {
        assert(!p.blobs.empty() && p.blobs[0].dims == 4);
        assert(p.blobs[0].size[2] == 1 && p.blobs[0].size[3] == 1);
        const int out = p.blobs[0].size[0];
        weights0_ = p.blobs[0].reshape(1, out).clone();  // [out, in], row-major
        assert(weights0_.cols == p.blobs[0].size[1]);
        bias0_ =
            p.blobs.size() > 1 ? p.blobs[1].reshape(1, 1).clone() : cv::Mat::zeros(1, out, CV_32F);
        assert(static_cast<int>(bias0_.total()) == out);
        reset_fusion();
    }

    // OpenCV sets a net up again (finalize, then the fusion pass) whenever the input shape or
    // the requested outputs change; each setup fuses afresh from the layer's own weights.
    void finalize(cv::InputArrayOfArrays, cv::OutputArrayOfArrays) override { reset_fusion(); }

    static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams& p) {
        return cv::makePtr<PointwiseConvLayer>(p);
    }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required*/,
                         std::vector<cv::dnn::MatShape>& outputs,
                         std::vector<cv::dnn::MatShape>& /*internals*/) const override {
        CV_Assert(inputs.size() == 1 && inputs[0].size() == 4 && inputs[0][1] == weights_.cols);
        cv::dnn::MatShape s = inputs[0];
        s[1] = weights_.rows;
        outputs.assign(1, s);
        return false;
    }

    // A constant per-channel scale/shift (BatchNorm, Scale) folds into weights and bias.
    bool tryFuse(cv::Ptr<cv::dnn::Layer>& top) override {
        cv::Mat scale, shift;
        top->getScaleShift(scale, shift);
        if (scale.empty() && shift.empty()) return false;
        const int out = weights_.rows;
        const auto per_channel = [out](const cv::Mat& m) {
            return m.empty() || m.total() == 1 || static_cast<int>(m.total()) == out;
        };
        if (!per_channel(scale) || !per_channel(shift)) return false;
        for (int o = 0; o < out; ++o) {
            const float s = scale.empty() ? 1.f : scale.ptr<float>()[scale.total() == 1 ? 0 : o];
            const float t = shift.empty() ? 0.f : shift.ptr<float>()[shift.total() == 1 ? 0 : o];
            weights_.row(o) *= s;
            bias_.at<float>(o) = bias_.at<float>(o) * s + t;
        }
        return true;
    }

    bool setActivation(const cv::Ptr<cv::dnn::ActivationLayer>& layer) override {
        if (const auto r6 = layer.dynamicCast<cv::dnn::ReLU6Layer>()) {
            lo_ = std::max(lo_, r6->minValue);
            hi_ = std::min(hi_, r6->maxValue);
            return true;
        }
        if (const auto r = layer.dynamicCast<cv::dnn::ReLULayer>()) {
            if (r->negativeSlope != 0.f) return false;
            lo_ = std::max(lo_, 0.f);
            return true;
        }
        return false;
    }

    void forward(cv::InputArrayOfArrays inputs_arr, cv::OutputArrayOfArrays outputs_arr,
                 cv::OutputArrayOfArrays /*internals*/) override {
        std::vector<cv::Mat> inputs, outputs;
        inputs_arr.getMatVector(inputs);
        outputs_arr.getMatVector(outputs);
        const cv::Mat& x = inputs[0];
        cv::Mat& y = outputs[0];
        CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous());
        const int batch = x.size[0];
        const int in = weights_.cols, out = weights_.rows;
        const int hw = x.size[2] * x.size[3];
        // Work items: (image, block of output channels). One block per image when the batch
        // alone keeps the threads busy; otherwise split the channels, in multiples of 16 rows.
        const int threads = std::max(1, cv::getNumThreads());
        int blocks = batch >= threads ? 1 : (threads + batch - 1) / batch;
        blocks = std::max(1, std::min(blocks, out / 16));
        const auto run = [&](const cv::Range& r) {
            for (int item = r.start; item < r.end; ++item) {
                const int n = item / blocks, b = item % blocks;
                const int o0 = static_cast<int>(static_cast<long>(out) * b / blocks);
                const int o1 = static_cast<int>(static_cast<long>(out) * (b + 1) / blocks);
                const float* xs = x.ptr<float>() + static_cast<std::size_t>(n) * in * hw;
                float* ys = y.ptr<float>() + (static_cast<std::size_t>(n) * out + o0) * hw;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, o1 - o0, hw, in, 1.f,
                            weights_.ptr<float>(o0), in, xs, hw, 0.f, ys, hw);
                for (int o = o0; o < o1; ++o) {
                    const float bias = bias_.ptr<float>()[o], lo = lo_, hi = hi_;
                    float* row = ys + static_cast<std::size_t>(o - o0) * hw;
                    for (int j = 0; j < hw; ++j) row[j] = std::min(hi, std::max(lo, row[j] + bias));
                }
            }
        };
        const int items = batch * blocks;
        if (items == 1 || threads == 1)
            run(cv::Range(0, items));
        else
            cv::parallel_for_(cv::Range(0, items), run, items);
    }

  private:
    void reset_fusion() {
        weights_ = weights0_.clone();
        bias_ = bias0_.clone();
        lo_ = -std::numeric_limits<float>::infinity();
        hi_ = std::numeric_limits<float>::infinity();
    }

    cv::Mat weights0_, bias0_;  // as built
    cv::Mat weights_, bias_;    // with the fused scale/shift
    float lo_ = -std::numeric_limits<float>::infinity();
    float hi_ = std::numeric_limits<float>::infinity();
};

}  // namespace

const std::string& pointwise_conv_layer_type() {
    static const std::string type = "FaPointwiseConv";
    static std::once_flag once;
    std::call_once(once, [] {
        openblas_set_num_threads(1);
        cv::dnn::LayerFactory::registerLayer(type, PointwiseConvLayer::create);
    });
    return type;
}

}  // namespace faceatlas::nn::detail

#else

namespace faceatlas::nn::detail {
const std::string& pointwise_conv_layer_type() {
    static const std::string none;
    return none;
}
}  // namespace faceatlas::nn::detail

#endif
