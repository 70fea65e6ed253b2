// The op registry of the TFJS graph importer: one builder per TF op, and the helpers that fold
// elementwise affine ops and clamps into the layer before them (see Value in
// tfjs_graph_import.h).
#include <set>

#include "tfjs_graph_import.h"

namespace faceatlas::nn::graph_import {
namespace {

// ---- helpers shared by op builders -------------------------------------------------------

ValuePtr tensor_value(Node node, int rank, int channels, int height, int width,
                      const std::string& name) {
    auto v = std::make_shared<Value>();
    v->node = node;
    v->rank = rank;
    v->channels = channels;
    v->height = height;
    v->width = width;
    v->name = name;
    v->done = node;
    return v;
}

// A value with the same shape as `like`, produced by layer `node`.
ValuePtr same_shape(const Value& like, Node node, const std::string& name) {
    return tensor_value(node, like.rank, like.channels, like.height, like.width, name);
}

// A new value continuing `in`'s pending chain; a pending clamp is emitted first when an affine
// op follows it (the order clamp -> affine cannot be folded into one Scale + clip pair).
ValuePtr continue_chain(Importer& im, const ValuePtr& in, bool will_add_affine,
                        const std::string& name) {
    auto v = std::make_shared<Value>(*in);
    v->done.reset();
    v->name = name;
    if (will_add_affine && in->has_clip) {
        v->node = im.materialize(*in);
        v->scale.clear();
        v->shift.clear();
        v->has_clip = false;
        v->lo = -kInf;
        v->hi = kInf;
    }
    return v;
}

// Per-channel operand of an elementwise op: a scalar, [C] or [1, ..., 1, C].
std::vector<float> channel_operand(Importer& im, const GraphNode& n, const WeightTensor& c,
                                   int channels) {
    if (channels <= 0) throw im.error(n, "elementwise op on a tensor of unknown channel count");
    if (c.size() == 1) return std::vector<float>(static_cast<std::size_t>(channels), c.data[0]);
    const bool leading_ones =
        std::all_of(c.shape.begin(), c.shape.empty() ? c.shape.end() : c.shape.end() - 1,
                    [](int d) { return d == 1; });
    if (!c.shape.empty() && leading_ones && c.shape.back() == channels) return c.data;
    throw im.error(n, "constant operand " + c.name + " of shape " + shape_to_string(c.shape) +
                          " does not broadcast per channel over " + std::to_string(channels) +
                          " channels");
}

ValuePtr affine(Importer& im, const GraphNode& n, const ValuePtr& in, const std::vector<float>& s,
                const std::vector<float>& t) {
    auto v = continue_chain(im, in, true, n.name);
    const std::size_t c = static_cast<std::size_t>(in->channels);
    if (v->scale.empty()) {
        v->scale.assign(c, 1.f);
        v->shift.assign(c, 0.f);
    }
    for (std::size_t i = 0; i < c; ++i) {
        const float si = s.empty() ? 1.f : s[i];
        const float ti = t.empty() ? 0.f : t[i];
        v->scale[i] *= si;
        v->shift[i] = v->shift[i] * si + ti;
    }
    return v;
}

ValuePtr clamp(Importer& im, const GraphNode& n, const ValuePtr& in, float lo, float hi) {
    auto v = continue_chain(im, in, false, n.name);
    if (v->has_clip && std::max(v->lo, lo) <= std::min(v->hi, hi)) {
        v->lo = std::max(v->lo, lo);
        v->hi = std::min(v->hi, hi);
        return v;
    }
    if (v->has_clip) {  // disjoint ranges: clamp(clamp(x)) is not one clamp; emit the first
        v->node = im.materialize(*in);
        v->scale.clear();
        v->shift.clear();
    }
    v->has_clip = true;
    v->lo = lo;
    v->hi = hi;
    return v;
}

ValuePtr activation(Importer& im, const GraphNode& n, const ValuePtr& in, const std::string& act) {
    if (act == "Relu") return clamp(im, n, in, 0.f, kInf);
    if (act == "Relu6") return clamp(im, n, in, 0.f, 6.f);
    Node x = im.materialize(*in);
    NetBuilder& b = im.builder();
    if (act == "Sigmoid") return same_shape(*in, b.sigmoid(x, n.name), n.name);
    if (act == "Tanh") return same_shape(*in, b.add_layer("TanH", {}, {x}, n.name), n.name);
    if (act == "Elu") return same_shape(*in, b.add_layer("ELU", {}, {x}, n.name), n.name);
    if (act == "LeakyRelu") {
        const float alpha =
            im.attr_float(n, n.op == "LeakyRelu" ? "alpha" : "leakyrelu_alpha", 0.2f);
        return same_shape(*in, b.leaky_relu(x, alpha, n.name), n.name);
    }
    throw im.error(n, "activation '" + act + "' is not supported");
}

void require_nhwc(Importer& im, const GraphNode& n) {
    const std::string fmt = im.attr_string(n, "data_format", "NHWC");
    if (fmt != "NHWC")
        throw im.error(n, "data_format " + fmt + " (only NHWC graphs are supported)");
}

int out_size(int in, int k, int stride, int dilation, const std::string& pad, int pad_total) {
    if (in < 0) return -1;
    const int ek = (k - 1) * dilation + 1;
    if (pad == "SAME") return (in + stride - 1) / stride;
    if (pad == "VALID") return (in - ek) / stride + 1;
    return (in + pad_total - ek) / stride + 1;
}

// Conv2D / DepthwiseConv2dNative and their fused forms, without the fused ops.
ValuePtr convolution(Importer& im, const GraphNode& n, bool depthwise, const WeightTensor* bias) {
    require_nhwc(im, n);
    auto in = im.value(n, 0);
    const WeightTensor& f = im.constant(n, 1);
    if (f.shape.size() != 4)
        throw im.error(n, "filter " + f.name + " is not 4-D", ErrorCode::kCorruptData);
    Node x = im.tensor(n, 0);
    const auto strides = im.attr_ints(n, "strides");
    const int sh = strides.size() == 4 ? strides[1] : 1, sw = strides.size() == 4 ? strides[2] : 1;
    for (int d : im.attr_ints(n, "dilations"))
        if (d != 1) throw im.error(n, "dilated convolution");
    const std::string pad = im.attr_string(n, "padding", "VALID");
    if (f.shape[2] != in->channels && in->channels > 0)
        throw im.error(n,
                       "filter " + f.name + " expects " + std::to_string(f.shape[2]) +
                           " input channels, tensor has " + std::to_string(in->channels),
                       ErrorCode::kCorruptData);
    const cv::Mat w = depthwise ? hwcm_to_oihw(f) : hwio_to_oihw(f);
    const int groups = depthwise ? f.shape[2] : 1;
    const int out_c = depthwise ? f.shape[2] * f.shape[3] : f.shape[3];
    if (bias && static_cast<int>(bias->size()) != out_c)
        throw im.error(n,
                       "bias " + bias->name + " has " + std::to_string(bias->size()) +
                           " values for " + std::to_string(out_c) + " channels",
                       ErrorCode::kCorruptData);
    const cv::Mat b = bias ? vec_to_mat(bias->data) : cv::Mat();
    NetBuilder& nb = im.builder();
    int pad_h = 0, pad_w = 0;
    Node y;
    if (pad == "SAME" || pad == "VALID") {
        y = nb.conv_oihw(x, w, b, sh, sw, groups, pad == "SAME" ? Padding::kSame : Padding::kValid,
                         n.name);
    } else if (pad == "EXPLICIT") {
        const auto p = im.attr_ints(n, "explicit_paddings");  // NHWC pairs: n0 n1 h0 h1 w0 w1 c0 c1
        if (p.size() != 8)
            throw im.error(n, "EXPLICIT padding without 8 explicit_paddings",
                           ErrorCode::kCorruptData);
        cv::dnn::LayerParams pp;
        const int paddings[] = {0, 0, 0, 0, p[2], p[3], p[4], p[5]};
        pp.set("paddings", cv::dnn::DictValue::arrayInt(paddings, 8));
        pp.set("value", 0.0);
        x = nb.add_layer("Padding", pp, {x}, n.name + "/pad");
        y = nb.conv_oihw(x, w, b, sh, sw, groups, Padding::kValid, n.name);
        pad_h = p[2] + p[3];
        pad_w = p[4] + p[5];
    } else {
        throw im.error(n, "padding '" + pad + "'");
    }
    return tensor_value(y, 4, out_c, out_size(in->height, f.shape[0], sh, 1, pad, pad_h),
                        out_size(in->width, f.shape[1], sw, 1, pad, pad_w), n.name);
}

// The fused_ops of _Fused* nodes: bias/batch norm arguments, then an optional activation.
ValuePtr fused(Importer& im, const GraphNode& n, std::size_t first_arg,
               ValuePtr (*core)(Importer&, const GraphNode&, const WeightTensor*)) {
    const auto ops = im.attr_strings(n, "fused_ops");
    std::size_t k = 0;
    const WeightTensor* bias = nullptr;
    bool batch_norm = false;
    if (k < ops.size() && ops[k] == "BiasAdd") {
        bias = &im.constant(n, first_arg);
        ++k;
    } else if (k < ops.size() && (ops[k] == "FusedBatchNorm" || ops[k] == "FusedBatchNormV3")) {
        batch_norm = true;
        ++k;
    }
    auto v = core(im, n, bias);
    if (batch_norm) {
        const auto& gamma = im.constant(n, first_arg).data;
        const auto& beta = im.constant(n, first_arg + 1).data;
        const auto& mean = im.constant(n, first_arg + 2).data;
        const auto& var = im.constant(n, first_arg + 3).data;
        const float eps = im.attr_float(n, "epsilon", 1e-3f);
        std::vector<float> s(gamma.size()), t(gamma.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            s[i] = static_cast<float>(gamma[i] / std::sqrt(static_cast<double>(var[i]) + eps));
            t[i] = beta[i] - mean[i] * s[i];
        }
        v = affine(im, n, v, s, t);
    }
    if (k < ops.size()) v = activation(im, n, v, ops[k++]);
    if (k != ops.size())
        throw im.error(n, "fused op sequence " + std::to_string(ops.size()) + " ops long");
    return v;
}

ValuePtr conv_core(Importer& im, const GraphNode& n, const WeightTensor* bias) {
    return convolution(im, n, false, bias);
}
ValuePtr depthwise_core(Importer& im, const GraphNode& n, const WeightTensor* bias) {
    return convolution(im, n, true, bias);
}

ValuePtr dense_core(Importer& im, const GraphNode& n, const WeightTensor* bias) {
    auto in = im.value(n, 0);
    if (in->rank != 2)
        throw im.error(n, "MatMul on a rank-" + std::to_string(in->rank) + " tensor");
    if (im.attr_bool(n, "transpose_a", false)) throw im.error(n, "transpose_a");
    const WeightTensor& w = im.constant(n, 1);
    if (w.shape.size() != 2)
        throw im.error(n, "weights " + w.name + " are not 2-D", ErrorCode::kCorruptData);
    const bool tb = im.attr_bool(n, "transpose_b", false);
    const int k_in = tb ? w.shape[1] : w.shape[0], k_out = tb ? w.shape[0] : w.shape[1];
    if (in->channels > 0 && k_in != in->channels)
        throw im.error(n,
                       "weights " + w.name + " expect " + std::to_string(k_in) +
                           " inputs, tensor has " + std::to_string(in->channels),
                       ErrorCode::kCorruptData);
    cv::Mat oi = tb ? cv::Mat(k_out, k_in, CV_32F, const_cast<float*>(w.data.data())).clone()
                    : dense_to_oi(w);
    if (bias && static_cast<int>(bias->size()) != k_out)
        throw im.error(
            n, "bias " + bias->name + " does not match " + std::to_string(k_out) + " outputs",
            ErrorCode::kCorruptData);
    Node x = im.tensor(n, 0);
    Node y = im.builder().dense(x, oi, bias ? vec_to_mat(bias->data) : cv::Mat(), n.name);
    return tensor_value(y, 2, k_out, -1, -1, n.name);
}

// ---- op builders -------------------------------------------------------------------------

ValuePtr op_const(Importer& im, const GraphNode& n) {
    if (!im.weights().contains(n.name))
        throw Error(ErrorCode::kCorruptData,
                    "Const node '" + n.name + "' has no tensor in weightsManifest",
                    im.file().string(), kFix);
    auto v = std::make_shared<Value>();
    v->constant = &im.weights().get(n.name);
    v->name = n.name;
    return v;
}

ValuePtr op_placeholder(Importer& im, const GraphNode& n) {
    if (!im.input().name.empty())
        throw im.error(
            n, "second Placeholder (first: " + im.input().name + "); only one input is supported");
    GraphInput& gi = im.input();
    gi.name = n.name;
    const json* s = im.attr(n, "shape");
    if (s && s->contains("shape") && (*s)["shape"].contains("dim")) {
        const auto& dims = (*s)["shape"]["dim"];
        if (dims.size() != 4)
            throw im.error(n,
                           "input of rank " + std::to_string(dims.size()) + " (NHWC images only)");
        gi.height = static_cast<int>(json_int(dims[1].value("size", json("-1"))));
        gi.width = static_cast<int>(json_int(dims[2].value("size", json("-1"))));
        gi.channels = static_cast<int>(json_int(dims[3].value("size", json("-1"))));
    }
    auto v = tensor_value(im.builder().input(), 4, gi.channels, gi.height, gi.width, n.name);
    return v;
}

ValuePtr op_identity(Importer& im, const GraphNode& n) { return im.value(n, 0); }

ValuePtr op_conv2d(Importer& im, const GraphNode& n) { return convolution(im, n, false, nullptr); }
ValuePtr op_depthwise(Importer& im, const GraphNode& n) {
    return convolution(im, n, true, nullptr);
}
ValuePtr op_fused_conv2d(Importer& im, const GraphNode& n) { return fused(im, n, 2, conv_core); }
ValuePtr op_fused_depthwise(Importer& im, const GraphNode& n) {
    return fused(im, n, 2, depthwise_core);
}
ValuePtr op_matmul(Importer& im, const GraphNode& n) { return dense_core(im, n, nullptr); }
ValuePtr op_fused_matmul(Importer& im, const GraphNode& n) { return fused(im, n, 2, dense_core); }

// Binary elementwise op with a Const operand on either side: returns {tensor index, const}.
std::pair<std::size_t, const WeightTensor*> split_const(Importer& im, const GraphNode& n) {
    if (n.inputs.size() != 2) throw im.error(n, "expects 2 inputs", ErrorCode::kCorruptData);
    const bool c0 = im.is_const(n, 0), c1 = im.is_const(n, 1);
    if (c0 && c1) throw im.error(n, "both operands are Const; constant folding is not supported");
    if (c1) return {0, &im.constant(n, 1)};
    if (c0) return {1, &im.constant(n, 0)};
    return {0, nullptr};
}

ValuePtr eltwise(Importer& im, const GraphNode& n, const char* operation,
                 const std::vector<float>& coeffs) {
    auto a = im.value(n, 0), b = im.value(n, 1);
    if (a->rank != b->rank || a->channels != b->channels || a->height != b->height ||
        a->width != b->width)
        throw im.error(
            n, "elementwise op on tensors of different shapes (broadcasting is not supported)");
    cv::dnn::LayerParams p;
    p.set("operation", operation);
    if (!coeffs.empty())
        p.set("coeff",
              cv::dnn::DictValue::arrayReal(coeffs.data(), static_cast<int>(coeffs.size())));
    Node y = im.builder().add_layer("Eltwise", p, {im.tensor(n, 0), im.tensor(n, 1)}, n.name);
    return same_shape(*a, y, n.name);
}

ValuePtr op_add(Importer& im, const GraphNode& n) {
    auto [ti, c] = split_const(im, n);
    if (!c) return eltwise(im, n, "sum", {});
    auto x = im.value(n, ti);
    return affine(im, n, x, {}, channel_operand(im, n, *c, x->channels));
}

ValuePtr op_sub(Importer& im, const GraphNode& n) {
    auto [ti, c] = split_const(im, n);
    if (!c) return eltwise(im, n, "sum", {1.f, -1.f});
    auto x = im.value(n, ti);
    auto k = channel_operand(im, n, *c, x->channels);
    if (ti == 0) {  // x - c
        for (auto& v : k) v = -v;
        return affine(im, n, x, {}, k);
    }
    return affine(im, n, x, std::vector<float>(k.size(), -1.f), k);  // c - x
}

ValuePtr op_mul(Importer& im, const GraphNode& n) {
    auto [ti, c] = split_const(im, n);
    if (!c) return eltwise(im, n, "prod", {});
    auto x = im.value(n, ti);
    return affine(im, n, x, channel_operand(im, n, *c, x->channels), {});
}

ValuePtr op_div(Importer& im, const GraphNode& n) {
    if (n.inputs.size() != 2 || !im.is_const(n, 1) || im.is_const(n, 0))
        throw im.error(n, "division is supported by a Const divisor only");
    auto x = im.value(n, 0);
    auto k = channel_operand(im, n, im.constant(n, 1), x->channels);
    for (auto& v : k) v = 1.f / v;
    return affine(im, n, x, k, {});
}

float scalar_operand(Importer& im, const GraphNode& n, const WeightTensor& c) {
    if (c.size() != 1) throw im.error(n, "Minimum/Maximum with a non-scalar Const " + c.name);
    return c.data[0];
}

ValuePtr op_minimum(Importer& im, const GraphNode& n) {
    auto [ti, c] = split_const(im, n);
    if (!c) throw im.error(n, "Minimum of two tensors");
    return clamp(im, n, im.value(n, ti), -kInf, scalar_operand(im, n, *c));
}

ValuePtr op_maximum(Importer& im, const GraphNode& n) {
    auto [ti, c] = split_const(im, n);
    if (!c) throw im.error(n, "Maximum of two tensors");
    return clamp(im, n, im.value(n, ti), scalar_operand(im, n, *c), kInf);
}

ValuePtr op_activation(Importer& im, const GraphNode& n) {
    return activation(im, n, im.value(n, 0), n.op);
}

ValuePtr op_softmax(Importer& im, const GraphNode& n) {
    auto in = im.value(n, 0);
    // TF normalises over the last axis: channels, which is axis 1 of the net's NCHW / [N, K].
    return same_shape(*in, im.builder().softmax(im.tensor(n, 0), n.name), n.name);
}

ValuePtr op_mean(Importer& im, const GraphNode& n) {
    auto in = im.value(n, 0);
    const WeightTensor& axes = im.constant(n, 1);
    std::set<int> ax;
    for (float a : axes.data)
        ax.insert(a < 0 ? static_cast<int>(a) + in->rank : static_cast<int>(a));
    if (in->rank != 4 || ax != std::set<int>{1, 2})
        throw im.error(n, "Mean over axes other than H,W of an NHWC tensor");
    NetBuilder& b = im.builder();
    Node y = b.global_avg_pool(im.tensor(n, 0), n.name);
    const bool keep = im.attr_bool(n, "keep_dims", false);
    if (keep) return tensor_value(y, 4, in->channels, 1, 1, n.name);
    return tensor_value(b.flatten(y, n.name + "/flatten"), 2, in->channels, -1, -1, n.name);
}

// Rank-4 -> [N, K] flattening in TF (NHWC) element order.
ValuePtr flatten_nhwc(Importer& im, const GraphNode& n, const ValuePtr& in) {
    NetBuilder& b = im.builder();
    Node x = im.tensor(n, 0);
    if (in->height != 1 || in->width != 1) {
        if (in->height < 0 || in->width < 0)
            throw im.error(n, "flattening a tensor of dynamic spatial size");
        x = b.to_nhwc(x, n.name + "/nhwc");
    }
    const int k = in->channels * std::max(1, in->height) * std::max(1, in->width);
    return tensor_value(b.flatten(x, n.name), 2, k, -1, -1, n.name);
}

ValuePtr op_reshape(Importer& im, const GraphNode& n) {
    auto in = im.value(n, 0);
    const WeightTensor& shape = im.constant(n, 1);
    if (in->rank == 4 && shape.size() == 2) return flatten_nhwc(im, n, in);
    if (in->rank == 2 && shape.size() == 2) return in;
    throw im.error(n, "Reshape from rank " + std::to_string(in->rank) + " to " +
                          shape_to_string(shape.shape) +
                          " (only flattening to [N, K] is supported)");
}

ValuePtr op_squeeze(Importer& im, const GraphNode& n) {
    auto in = im.value(n, 0);
    std::set<int> dims;
    for (int d : im.attr_ints(n, "squeeze_dims")) dims.insert(d < 0 ? d + in->rank : d);
    if (in->rank == 4 && in->height == 1 && in->width == 1 &&
        (dims.empty() || dims == std::set<int>{1, 2}))
        return flatten_nhwc(im, n, in);
    throw im.error(n, "Squeeze other than [N,1,1,C] -> [N,C]");
}

ValuePtr op_concat(Importer& im, const GraphNode& n) {
    if (n.inputs.size() < 2) throw im.error(n, "ConcatV2 without inputs", ErrorCode::kCorruptData);
    const std::size_t count = n.inputs.size() - 1;
    const WeightTensor& axis_t = im.constant(n, count);
    auto first = im.value(n, 0);
    int axis = static_cast<int>(axis_t.data.at(0));
    if (axis < 0) axis += first->rank;
    if (axis != first->rank - 1) throw im.error(n, "concatenation along a non-channel axis");
    std::vector<Node> xs;
    int channels = 0;
    for (std::size_t i = 0; i < count; ++i) {
        auto v = im.value(n, i);
        if (v->rank != first->rank || v->height != first->height || v->width != first->width)
            throw im.error(n, "concatenating tensors of different shapes");
        channels += v->channels;
        xs.push_back(im.tensor(n, i));
    }
    Node y = im.builder().concat(xs, 1, n.name);
    return tensor_value(y, first->rank, channels, first->height, first->width, n.name);
}

ValuePtr op_pool(Importer& im, const GraphNode& n) {
    require_nhwc(im, n);
    auto in = im.value(n, 0);
    const auto k = im.attr_ints(n, "ksize"), s = im.attr_ints(n, "strides");
    if (k.size() != 4 || s.size() != 4 || k[1] != k[2] || s[1] != s[2])
        throw im.error(n, "pooling with a non-square kernel or stride");
    const std::string pad = im.attr_string(n, "padding", "VALID");
    if (pad != "SAME" && pad != "VALID") throw im.error(n, "padding '" + pad + "'");
    const Padding p = pad == "SAME" ? Padding::kSame : Padding::kValid;
    NetBuilder& b = im.builder();
    Node x = im.tensor(n, 0);
    Node y = n.op == "MaxPool" ? b.max_pool(x, k[1], s[1], p, n.name)
                               : b.avg_pool(x, k[1], s[1], p, n.name);
    return tensor_value(y, 4, in->channels, out_size(in->height, k[1], s[1], 1, pad, 0),
                        out_size(in->width, k[2], s[2], 1, pad, 0), n.name);
}

ValuePtr op_batch_norm(Importer& im, const GraphNode& n) {
    require_nhwc(im, n);
    auto in = im.value(n, 0);
    const auto& gamma = im.constant(n, 1).data;
    const auto& beta = im.constant(n, 2).data;
    const auto& mean = im.constant(n, 3).data;
    const auto& var = im.constant(n, 4).data;
    const float eps = im.attr_float(n, "epsilon", 1e-3f);
    const std::size_t c = static_cast<std::size_t>(in->channels);
    if (gamma.size() != c || beta.size() != c || mean.size() != c || var.size() != c)
        throw im.error(n, "batch norm parameters do not match " + std::to_string(c) + " channels",
                       ErrorCode::kCorruptData);
    std::vector<float> s(c), t(c);
    for (std::size_t i = 0; i < c; ++i) {
        s[i] = static_cast<float>(gamma[i] / std::sqrt(static_cast<double>(var[i]) + eps));
        t[i] = beta[i] - mean[i] * s[i];
    }
    return affine(im, n, in, s, t);
}

}  // namespace

const std::map<std::string, OpBuilder>& registry() {
    static const std::map<std::string, OpBuilder> kOps = {
        {"Add", op_add},
        {"AddV2", op_add},
        {"AvgPool", op_pool},
        {"BiasAdd", op_add},
        {"ConcatV2", op_concat},
        {"Const", op_const},
        {"Conv2D", op_conv2d},
        {"DepthwiseConv2dNative", op_depthwise},
        {"Elu", op_activation},
        {"FusedBatchNorm", op_batch_norm},
        {"FusedBatchNormV3", op_batch_norm},
        {"Identity", op_identity},
        {"LeakyRelu", op_activation},
        {"MatMul", op_matmul},
        {"MaxPool", op_pool},
        {"Maximum", op_maximum},
        {"Mean", op_mean},
        {"Minimum", op_minimum},
        {"Mul", op_mul},
        {"Placeholder", op_placeholder},
        {"RealDiv", op_div},
        {"Relu", op_activation},
        {"Relu6", op_activation},
        {"Reshape", op_reshape},
        {"Sigmoid", op_activation},
        {"Softmax", op_softmax},
        {"Squeeze", op_squeeze},
        {"Sub", op_sub},
        {"Tanh", op_activation},
        {"_FusedConv2D", op_fused_conv2d},
        {"_FusedDepthwiseConv2dNative", op_fused_depthwise},
        {"_FusedMatMul", op_fused_matmul},
    };
    return kOps;
}

}  // namespace faceatlas::nn::graph_import
