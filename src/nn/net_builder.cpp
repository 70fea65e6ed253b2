#include "faceatlas/nn/net_builder.h"

#include <cassert>
#include <cmath>

#include "faceatlas/core/error.h"
#include "pointwise_conv.h"

namespace faceatlas::nn {

cv::Mat hwio_to_oihw(const WeightTensor& t) {
    assert(t.shape.size() == 4);
    const int kh = t.shape[0], kw = t.shape[1], ci = t.shape[2], co = t.shape[3];
    const int sz[] = {co, ci, kh, kw};
    cv::Mat m(4, sz, CV_32F);
    auto* dst = m.ptr<float>();
    for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
            for (int i = 0; i < ci; ++i)
                for (int o = 0; o < co; ++o)
                    dst[((o * ci + i) * kh + y) * kw + x] =
                        t.data[((y * kw + x) * ci + i) * co + o];
    return m;
}

cv::Mat hwcm_to_oihw(const WeightTensor& t) {
    assert(t.shape.size() == 4);
    const int kh = t.shape[0], kw = t.shape[1], c = t.shape[2], mult = t.shape[3];
    const int sz[] = {c * mult, 1, kh, kw};
    cv::Mat m(4, sz, CV_32F);
    auto* dst = m.ptr<float>();
    for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
            for (int i = 0; i < c; ++i)
                for (int k = 0; k < mult; ++k)
                    dst[((i * mult + k) * kh + y) * kw + x] =
                        t.data[((y * kw + x) * c + i) * mult + k];
    return m;
}

cv::Mat dense_to_oi(const WeightTensor& t) {
    assert(t.shape.size() == 2);
    const int in = t.shape[0], out = t.shape[1];
    cv::Mat m(out, in, CV_32F);
    for (int i = 0; i < in; ++i)
        for (int o = 0; o < out; ++o)
            m.at<float>(o, i) = t.data[static_cast<std::size_t>(i) * out + o];
    return m;
}

cv::Mat vec_to_mat(const std::vector<float>& v) {
    return cv::Mat(1, static_cast<int>(v.size()), CV_32F, const_cast<float*>(v.data())).clone();
}

NetBuilder::NetBuilder() {
    net_.setInputsNames({"input"});
    names_.push_back("input");
}

std::string NetBuilder::unique(const std::string& base, const std::string& type) {
    ++counter_;
    return (base.empty() ? type : base) + "#" + std::to_string(counter_);
}

Node NetBuilder::add_layer(const std::string& type, cv::dnn::LayerParams params,
                           const std::vector<Node>& inputs, const std::string& name) {
    const std::string lname = unique(name, type);
    params.name = lname;
    params.type = type;
    const int id = net_.addLayer(lname, type, params);
    assert(id == static_cast<int>(names_.size()));
    names_.push_back(lname);
    for (std::size_t i = 0; i < inputs.size(); ++i)
        net_.connect(inputs[i].layer, inputs[i].output, id, static_cast<int>(i));
    return Node{id, 0};
}

Node NetBuilder::conv_oihw(Node in, const cv::Mat& weights, const cv::Mat& bias, int stride_h,
                           int stride_w, int groups, Padding pad, const std::string& name) {
    cv::dnn::LayerParams p;
    const int out = weights.size[0];
    p.set("kernel_h", weights.size[2]);
    p.set("kernel_w", weights.size[3]);
    p.set("stride_h", stride_h);
    p.set("stride_w", stride_w);
    p.set("num_output", out);
    p.set("group", groups);
    p.set("pad_mode", pad == Padding::kSame ? "SAME" : "VALID");
    p.set("bias_term", !bias.empty());
    p.blobs.push_back(weights);
    if (!bias.empty()) p.blobs.push_back(bias.reshape(1, 1));
    // Pointwise convolutions (most of a MobileNet's work) run as one SGEMM per image.
    const bool pointwise = weights.size[2] == 1 && weights.size[3] == 1 && stride_h == 1 &&
                           stride_w == 1 && groups == 1;
    const std::string& gemm_type = detail::pointwise_conv_layer_type();
    if (pointwise && !gemm_type.empty()) return add_layer(gemm_type, p, {in}, name);
    return add_layer("Convolution", p, {in}, name);
}

Node NetBuilder::conv(Node in, const WeightTensor& filters, const WeightTensor* bias, int stride,
                      Padding pad, const std::string& name) {
    return conv_oihw(in, hwio_to_oihw(filters), bias ? vec_to_mat(bias->data) : cv::Mat(), stride,
                     stride, 1, pad, name.empty() ? filters.name : name);
}

Node NetBuilder::conv(Node in, const WeightTensor& filters, const WeightTensor* bias, int stride,
                      int pad_top, int pad_left, int pad_bottom, int pad_right,
                      const std::string& name) {
    // Explicit (possibly asymmetric) padding: a Padding layer, then a VALID convolution.
    cv::dnn::LayerParams pp;
    const int paddings[] = {0, 0, 0, 0, pad_top, pad_bottom, pad_left, pad_right};
    pp.set("paddings", cv::dnn::DictValue::arrayInt(paddings, 8));
    pp.set("value", 0.0);
    Node padded = add_layer("Padding", pp, {in}, (name.empty() ? filters.name : name) + "/pad");
    return conv(padded, filters, bias, stride, Padding::kValid, name);
}

Node NetBuilder::depthwise(Node in, const WeightTensor& filters, const WeightTensor* bias,
                           int stride, Padding pad, const std::string& name) {
    const int channels = filters.shape.at(2);
    return conv_oihw(in, hwcm_to_oihw(filters), bias ? vec_to_mat(bias->data) : cv::Mat(), stride,
                     stride, channels, pad, name.empty() ? filters.name : name);
}

Node NetBuilder::scale_shift(Node in, const std::vector<float>& scale,
                             const std::vector<float>& shift, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("bias_term", !shift.empty());
    p.set("axis", 1);
    p.blobs.push_back(vec_to_mat(scale));
    if (!shift.empty()) p.blobs.push_back(vec_to_mat(shift));
    return add_layer("Scale", p, {in}, name);
}

Node NetBuilder::batch_norm(Node in, const std::vector<float>& mean, const std::vector<float>& var,
                            const std::vector<float>* gamma, const std::vector<float>* beta,
                            float eps, const std::string& name) {
    const std::size_t c = mean.size();
    std::vector<float> s(c), b(c);
    for (std::size_t i = 0; i < c; ++i) {
        const double inv = 1.0 / std::sqrt(static_cast<double>(var[i]) + eps);
        const double g = gamma ? (*gamma)[i] : 1.0;
        s[i] = static_cast<float>(g * inv);
        b[i] = static_cast<float>((beta ? (*beta)[i] : 0.0) - mean[i] * g * inv);
    }
    return scale_shift(in, s, b, name);
}

Node NetBuilder::relu(Node in, const std::string& name) {
    return add_layer("ReLU", {}, {in}, name);
}

Node NetBuilder::relu6(Node in, const std::string& name) { return clip(in, 0.f, 6.f, name); }

Node NetBuilder::clip(Node in, float lo, float hi, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("min_value", lo);
    p.set("max_value", hi);
    return add_layer("ReLU6", p, {in}, name);
}

Node NetBuilder::leaky_relu(Node in, float alpha, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("negative_slope", alpha);
    return add_layer("ReLU", p, {in}, name);
}

Node NetBuilder::sigmoid(Node in, const std::string& name) {
    return add_layer("Sigmoid", {}, {in}, name);
}

Node NetBuilder::softmax(Node in, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("axis", 1);
    return add_layer("Softmax", p, {in}, name);
}

Node NetBuilder::add(Node a, Node b, const std::string& name) { return add({a, b}, name); }

Node NetBuilder::add(const std::vector<Node>& xs, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("operation", "sum");
    return add_layer("Eltwise", p, xs, name);
}

Node NetBuilder::mul(Node a, Node b, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("operation", "prod");
    return add_layer("Eltwise", p, {a, b}, name);
}

namespace {
cv::dnn::LayerParams pool_params(const char* kind, int kernel, int stride, Padding pad) {
    cv::dnn::LayerParams p;
    p.set("pool", kind);
    p.set("kernel_h", kernel);
    p.set("kernel_w", kernel);
    p.set("stride_h", stride);
    p.set("stride_w", stride);
    p.set("pad_mode", pad == Padding::kSame ? "SAME" : "VALID");
    return p;
}
}  // namespace

Node NetBuilder::max_pool(Node in, int kernel, int stride, Padding pad, const std::string& name) {
    return add_layer("Pooling", pool_params("max", kernel, stride, pad), {in}, name);
}

Node NetBuilder::avg_pool(Node in, int kernel, int stride, Padding pad, const std::string& name) {
    auto p = pool_params("ave", kernel, stride, pad);
    // TF averages over valid (unpadded) cells only.
    p.set("ave_pool_padded_area", false);
    return add_layer("Pooling", p, {in}, name);
}

Node NetBuilder::global_avg_pool(Node in, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("pool", "ave");
    p.set("global_pooling", true);
    return add_layer("Pooling", p, {in}, name);
}

Node NetBuilder::concat(const std::vector<Node>& xs, int axis, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("axis", axis);
    return add_layer("Concat", p, xs, name);
}

Node NetBuilder::flatten(Node in, const std::string& name) {
    return add_layer("Flatten", {}, {in}, name);
}

Node NetBuilder::to_nhwc(Node in, const std::string& name) {
    cv::dnn::LayerParams p;
    const int order[] = {0, 2, 3, 1};
    p.set("order", cv::dnn::DictValue::arrayInt(order, 4));
    return add_layer("Permute", p, {in}, name);
}

Node NetBuilder::reshape(Node in, const std::vector<int>& shape, const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("dim", cv::dnn::DictValue::arrayInt(shape.data(), static_cast<int>(shape.size())));
    return add_layer("Reshape", p, {in}, name);
}

Node NetBuilder::identity(Node in, const std::string& name) {
    return add_layer("Identity", {}, {in}, name);
}

Node NetBuilder::dense(Node in, const cv::Mat& weights_out_in, const cv::Mat& bias,
                       const std::string& name) {
    cv::dnn::LayerParams p;
    p.set("num_output", weights_out_in.rows);
    p.set("bias_term", !bias.empty());
    p.set("axis", 1);
    p.blobs.push_back(weights_out_in);
    if (!bias.empty()) p.blobs.push_back(bias.reshape(1, 1));
    return add_layer("InnerProduct", p, {in}, name);
}

Node NetBuilder::dense(Node in, const WeightTensor& kernel, const WeightTensor* bias,
                       const std::string& name) {
    return dense(in, dense_to_oi(kernel), bias ? vec_to_mat(bias->data) : cv::Mat(),
                 name.empty() ? kernel.name : name);
}

cv::dnn::Net NetBuilder::finish() {
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net_;
}

}  // namespace faceatlas::nn
