// Builds a cv::dnn::Net layer by layer from TF-layout weights. Tensors inside the net are
// NCHW (OpenCV's layout); weights arrive in TF layout and are transposed here, once.
#pragma once

#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::nn {

enum class Padding { kSame, kValid };

// A layer output inside the net being built: layer id and output index.
struct Node {
    int layer = 0;
    int output = 0;
};

class NetBuilder {
  public:
    NetBuilder();

    // The single network input (NCHW float32), layer 0.
    Node input() const { return Node{0, 0}; }

    // Convolution with TF filters [kh, kw, in, out]; bias may be null.
    Node conv(Node in, const WeightTensor& filters, const WeightTensor* bias, int stride,
              Padding pad, const std::string& name = {});
    Node conv(Node in, const WeightTensor& filters, const WeightTensor* bias, int stride,
              int pad_top, int pad_left, int pad_bottom, int pad_right,
              const std::string& name = {});
    // Depthwise convolution with TF filters [kh, kw, channels, multiplier]; bias may be null.
    Node depthwise(Node in, const WeightTensor& filters, const WeightTensor* bias, int stride,
                   Padding pad, const std::string& name = {});
    // Raw OIHW convolution (already in OpenCV layout).
    Node conv_oihw(Node in, const cv::Mat& weights, const cv::Mat& bias, int stride_h, int stride_w,
                   int groups, Padding pad, const std::string& name = {});
    // Per-channel y = x * scale + shift (batch-norm folded, or TF Mul/Add by a vector).
    Node scale_shift(Node in, const std::vector<float>& scale, const std::vector<float>& shift,
                     const std::string& name = {});
    // Batch norm from TF moving statistics: (x - mean) / sqrt(var + eps) * gamma + beta.
    Node batch_norm(Node in, const std::vector<float>& mean, const std::vector<float>& var,
                    const std::vector<float>* gamma, const std::vector<float>* beta, float eps,
                    const std::string& name = {});
    Node relu(Node in, const std::string& name = {});
    Node relu6(Node in, const std::string& name = {});
    Node clip(Node in, float lo, float hi, const std::string& name = {});
    Node leaky_relu(Node in, float alpha, const std::string& name = {});
    Node sigmoid(Node in, const std::string& name = {});
    Node softmax(Node in, const std::string& name = {});  // over channels (axis 1)
    Node add(Node a, Node b, const std::string& name = {});
    Node add(const std::vector<Node>& xs, const std::string& name = {});
    Node mul(Node a, Node b, const std::string& name = {});
    Node max_pool(Node in, int kernel, int stride, Padding pad, const std::string& name = {});
    Node avg_pool(Node in, int kernel, int stride, Padding pad, const std::string& name = {});
    Node global_avg_pool(Node in, const std::string& name = {});
    Node concat(const std::vector<Node>& xs, int axis = 1, const std::string& name = {});
    // Dense layer with TF kernel [in, out] on a [N, in] (or [N, in, 1, 1]) input.
    Node dense(Node in, const WeightTensor& kernel, const WeightTensor* bias,
               const std::string& name = {});
    Node dense(Node in, const cv::Mat& weights_out_in, const cv::Mat& bias,
               const std::string& name = {});
    Node flatten(Node in, const std::string& name = {});
    // NCHW -> NHWC permutation, used before flattening when TF flattened an NHWC tensor.
    Node to_nhwc(Node in, const std::string& name = {});
    Node reshape(Node in, const std::vector<int>& shape, const std::string& name = {});
    Node identity(Node in, const std::string& name = {});

    // Generic layer, for ops not covered above.
    Node add_layer(const std::string& type, cv::dnn::LayerParams params,
                   const std::vector<Node>& inputs, const std::string& name = {});

    // Finishes the net; `outputs` are the layers whose blobs the caller reads, by name.
    cv::dnn::Net finish();
    std::string layer_name(Node n) const { return names_.at(static_cast<std::size_t>(n.layer)); }

  private:
    std::string unique(const std::string& base, const std::string& type);

    cv::dnn::Net net_;
    std::vector<std::string> names_;  // index = layer id
    int counter_ = 0;
};

// TF [kh, kw, in, out] -> OpenCV [out, in, kh, kw].
cv::Mat hwio_to_oihw(const WeightTensor& t);
// TF depthwise [kh, kw, c, m] -> OpenCV [c*m, 1, kh, kw].
cv::Mat hwcm_to_oihw(const WeightTensor& t);
// TF dense [in, out] -> OpenCV [out, in].
cv::Mat dense_to_oi(const WeightTensor& t);
cv::Mat vec_to_mat(const std::vector<float>& v);

}  // namespace faceatlas::nn
