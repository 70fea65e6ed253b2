// GraphModel on tiny hand-written TFJS graph models (model.json + weights.bin written here),
// checked against a naive NHWC implementation of the TF ops.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/blob.h"
#include "faceatlas/nn/tfjs_graph.h"

namespace faceatlas::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string b64(const std::string& s) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : s) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(k[(val >> bits) & 0x3f]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(k[((val << 8) >> (bits + 8)) & 0x3f]);
    while (out.size() % 4) out.push_back('=');
    return out;
}

json s_attr(const std::string& s) { return {{"s", b64(s)}}; }
json ints_attr(const std::vector<int>& v) {
    json l = json::array();
    for (int i : v) l.push_back(std::to_string(i));  // int64 lists arrive as strings
    return {{"list", {{"i", l}}}};
}
json strings_attr(const std::vector<std::string>& v) {
    json l = json::array();
    for (const auto& s : v) l.push_back(b64(s));
    return {{"list", {{"s", l}}}};
}

// Writes a graph model the way tfjs-converter lays it out: nodes, then one weight group.
class GraphWriter {
  public:
    explicit GraphWriter(const std::string& tag) : dir_("tfjs_graph_" + tag) {}

    void placeholder(const std::string& name, int h, int w, int c) {
        json dims = json::array({{{"size", "-1"}},
                                 {{"size", std::to_string(h)}},
                                 {{"size", std::to_string(w)}},
                                 {{"size", std::to_string(c)}}});
        nodes_.push_back(
            {{"name", name},
             {"op", "Placeholder"},
             {"attr",
              {{"shape", {{"shape", {{"dim", dims}}}}}, {"dtype", {{"type", "DT_FLOAT"}}}}}});
    }
    void constant(const std::string& name, const std::vector<int>& shape,
                  const std::vector<float>& data, bool with_weight = true) {
        nodes_.push_back(
            {{"name", name}, {"op", "Const"}, {"attr", {{"dtype", {{"type", "DT_FLOAT"}}}}}});
        if (!with_weight) return;
        weights_.push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"}});
        data_.insert(data_.end(), data.begin(), data.end());
    }
    void node(const std::string& name, const std::string& op,
              const std::vector<std::string>& inputs, json attr = json::object()) {
        nodes_.push_back({{"name", name}, {"op", op}, {"input", inputs}, {"attr", attr}});
    }
    fs::path write() {
        json j = {{"format", "graph-model"},
                  {"modelTopology", {{"node", nodes_}, {"versions", {{"producer", 1}}}}},
                  {"weightsManifest",
                   json::array({{{"paths", {"weights.bin"}}, {"weights", weights_}}})}};
        std::ofstream(dir_ / "model.json") << j.dump(1);
        std::ofstream bin(dir_ / "weights.bin", std::ios::binary);
        bin.write(reinterpret_cast<const char*>(data_.data()),
                  static_cast<std::streamsize>(data_.size() * 4));
        return dir_ / "model.json";
    }

  private:
    faceatlas::testing::TempDir dir_;
    json nodes_ = json::array();
    json weights_ = json::array();
    std::vector<float> data_;
};

// ---- naive NHWC reference ---------------------------------------------------------------

struct T4 {
    int n, h, w, c;
    std::vector<float> v;
    float& at(int i, int y, int x, int k) {
        return v[((static_cast<std::size_t>(i) * h + y) * w + x) * c + k];
    }
    float at(int i, int y, int x, int k) const {
        return v[((static_cast<std::size_t>(i) * h + y) * w + x) * c + k];
    }
};

std::vector<float> random_vec(std::size_t n, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

// TF conv / depthwise conv (filter HWIO or HWCM), SAME or VALID.
T4 conv(const T4& x, const std::vector<float>& f, int kh, int kw, int co_or_mult, int stride,
        bool same, bool dw) {
    int oh, ow, pt = 0, pl = 0;
    if (same) {
        oh = (x.h + stride - 1) / stride;
        ow = (x.w + stride - 1) / stride;
        pt = std::max(0, (oh - 1) * stride + kh - x.h) / 2;
        pl = std::max(0, (ow - 1) * stride + kw - x.w) / 2;
    } else {
        oh = (x.h - kh) / stride + 1;
        ow = (x.w - kw) / stride + 1;
    }
    const int co = dw ? x.c * co_or_mult : co_or_mult;
    T4 y{x.n, oh, ow, co, std::vector<float>(static_cast<std::size_t>(x.n) * oh * ow * co)};
    for (int i = 0; i < x.n; ++i)
        for (int oy = 0; oy < oh; ++oy)
            for (int ox = 0; ox < ow; ++ox)
                for (int o = 0; o < co; ++o) {
                    double s = 0;
                    for (int ky = 0; ky < kh; ++ky)
                        for (int kx = 0; kx < kw; ++kx) {
                            const int iy = oy * stride + ky - pt, ix = ox * stride + kx - pl;
                            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
                            if (dw) {
                                const int ci = o / co_or_mult, m = o % co_or_mult;
                                s += x.at(i, iy, ix, ci) *
                                     f[((ky * kw + kx) * x.c + ci) * co_or_mult + m];
                            } else {
                                for (int ci = 0; ci < x.c; ++ci)
                                    s += x.at(i, iy, ix, ci) *
                                         f[((ky * kw + kx) * x.c + ci) * co + o];
                            }
                        }
                    y.at(i, oy, ox, o) = static_cast<float>(s);
                }
    return y;
}

template <typename F>
void per_channel(T4& x, F f) {
    for (std::size_t i = 0; i < x.v.size(); ++i) x.v[i] = f(x.v[i], static_cast<int>(i % x.c));
}

// [n, c] mean over H, W.
std::vector<float> mean_hw(const T4& x) {
    std::vector<float> m(static_cast<std::size_t>(x.n) * x.c, 0.f);
    for (int i = 0; i < x.n; ++i)
        for (int y = 0; y < x.h; ++y)
            for (int xx = 0; xx < x.w; ++xx)
                for (int k = 0; k < x.c; ++k) m[i * x.c + k] += x.at(i, y, xx, k) / (x.h * x.w);
    return m;
}

std::vector<float> matmul(const std::vector<float>& a, int n, int k, const std::vector<float>& b,
                          int m) {
    std::vector<float> y(static_cast<std::size_t>(n) * m, 0.f);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            double s = 0;
            for (int t = 0; t < k; ++t) s += static_cast<double>(a[i * k + t]) * b[t * m + j];
            y[i * m + j] = static_cast<float>(s);
        }
    return y;
}

void softmax_rows(std::vector<float>& y, int m) {
    for (std::size_t r = 0; r < y.size() / m; ++r) {
        float mx = -1e30f;
        for (int j = 0; j < m; ++j) mx = std::max(mx, y[r * m + j]);
        double s = 0;
        for (int j = 0; j < m; ++j) s += std::exp(y[r * m + j] - mx);
        for (int j = 0; j < m; ++j)
            y[r * m + j] = static_cast<float>(std::exp(y[r * m + j] - mx) / s);
    }
}

cv::Mat to_blob(const T4& x) {
    return nhwc_to_blob(x.v.data(), x.n, x.h, x.w, x.c, {0, 0, 0}, {1, 1, 1});
}

void expect_near(const cv::Mat& got, const std::vector<float>& want, double tol) {
    ASSERT_EQ(got.total(), want.size());
    const float* g = got.ptr<float>();
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(g[i], want[i], tol) << "at " << i;
}

const json kNhwc = s_attr("NHWC");

// ---- tests --------------------------------------------------------------------------------

// Conv2D + BiasAdd + Relu + Mean + MatMul + Softmax (the brief's minimal classifier), with an
// odd-sized input and stride 2 so TF's asymmetric SAME padding matters.
TEST(TfjsGraph, ConvBiasReluMeanMatMulSoftmax) {
    std::mt19937 rng(7);
    const int n = 2, h = 7, w = 6, ci = 3, co = 5, k = 4;
    const auto filt = random_vec(3 * 3 * ci * co, rng), bias = random_vec(co, rng),
               dense = random_vec(co * k, rng);
    GraphWriter g("classifier");
    g.placeholder("input", h, w, ci);
    g.constant("conv/kernel", {3, 3, ci, co}, filt);
    g.constant("conv/bias", {co}, bias);
    g.constant("mean/axes", {2}, {1, 2});
    g.constant("fc/kernel", {co, k}, dense);
    g.node("conv/Conv2D", "Conv2D", {"input", "conv/kernel"},
           {{"strides", ints_attr({1, 2, 2, 1})},
            {"padding", s_attr("SAME")},
            {"data_format", kNhwc},
            {"dilations", ints_attr({1, 1, 1, 1})}});
    g.node("conv/BiasAdd", "BiasAdd", {"conv/Conv2D", "conv/bias"}, {{"data_format", kNhwc}});
    g.node("conv/Relu", "Relu", {"conv/BiasAdd"});
    g.node("pool/Mean", "Mean", {"conv/Relu", "mean/axes"}, {{"keep_dims", {{"b", false}}}});
    g.node("fc/MatMul", "MatMul", {"pool/Mean", "fc/kernel", "^conv/Relu"},
           {{"transpose_a", {{"b", false}}}, {"transpose_b", {{"b", false}}}});
    g.node("fc/Softmax", "Softmax", {"fc/MatMul"});
    g.node("unused", "SomeUnknownOp", {"fc/Softmax"});  // not needed by the outputs: ignored
    auto model = GraphModel::load(g.write(), {"fc/Softmax:0", "pool/Mean"});
    EXPECT_EQ(model.input().height, h);
    EXPECT_EQ(model.input().width, w);
    EXPECT_EQ(model.input().channels, ci);

    T4 x{n, h, w, ci, random_vec(static_cast<std::size_t>(n) * h * w * ci, rng, 0.f, 255.f)};
    T4 y = conv(x, filt, 3, 3, co, 2, true, false);
    per_channel(y, [&](float v, int c) { return std::max(0.f, v + bias[c]); });
    const auto pooled = mean_hw(y);
    auto logits = matmul(pooled, n, co, dense, k);
    softmax_rows(logits, k);

    const auto outs = model.forward(to_blob(x));
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[0].dims, 2);  // [N, K] as in TF
    EXPECT_EQ(outs[0].size[0], n);
    EXPECT_EQ(outs[0].size[1], k);
    expect_near(outs[0], logits, 1e-5);
    expect_near(outs[1], pooled, 1e-3);
}

// The MobileNet block faceres is made of: depthwise conv, batch norm as Mul + Add, Relu6 as
// Relu + Minimum + Maximum, Mean with keep_dims, Squeeze, _FusedMatMul(BiasAdd, Relu), Sigmoid.
TEST(TfjsGraph, MobileNetBlockFoldsAffineAndClamp) {
    std::mt19937 rng(11);
    const int n = 3, h = 5, w = 5, c = 3, k = 4;
    const auto dwf = random_vec(3 * 3 * c, rng), bn_s = random_vec(c, rng, 0.5f, 2.f),
               bn_b = random_vec(c, rng);
    const auto fc = random_vec(c * k, rng), fcb = random_vec(k, rng);
    GraphWriter g("mobilenet_block");
    g.placeholder("x", h, w, c);
    g.constant("dw/kernel", {3, 3, c, 1}, dwf);
    g.constant("bn/mul", {c}, bn_s);
    g.constant("bn/sub", {c}, bn_b);
    g.constant("relu/six", {}, {6.f});
    g.constant("relu/zero", {}, {0.f});
    g.constant("shift", {1, 1, 1, c}, {10.f, 20.f, 30.f});
    g.constant("half", {}, {2.f});
    g.constant("axes", {2}, {1, 2});
    g.constant("fc/kernel", {c, k}, fc);
    g.constant("fc/bias", {k}, fcb);
    g.node("dw", "DepthwiseConv2dNative", {"x", "dw/kernel"},
           {{"strides", ints_attr({1, 1, 1, 1})},
            {"padding", s_attr("SAME")},
            {"data_format", kNhwc}});
    g.node("bn/mul_1", "Mul", {"dw", "bn/mul"});
    g.node("bn/add_1", "Add", {"bn/mul_1", "bn/sub"});
    g.node("relu/Relu", "Relu", {"bn/add_1"});
    g.node("relu/Minimum", "Minimum", {"relu/Relu", "relu/six"});
    g.node("relu/clip", "Maximum", {"relu/Minimum", "relu/zero"});
    g.node("sub", "Sub", {"relu/clip", "shift"});  // x - c
    g.node("div", "RealDiv", {"sub", "half"});     // x / 2
    g.node("pool", "Mean", {"div", "axes"}, {{"keep_dims", {{"b", true}}}});
    g.node("squeeze", "Squeeze", {"pool"}, {{"squeeze_dims", ints_attr({1, 2})}});
    g.node("fc/Relu", "_FusedMatMul", {"squeeze", "fc/kernel", "fc/bias"},
           {{"fused_ops", strings_attr({"BiasAdd", "Relu"})},
            {"num_args", {{"i", "1"}}},
            {"transpose_a", {{"b", false}}},
            {"transpose_b", {{"b", false}}}});
    g.node("out", "Sigmoid", {"fc/Relu"});
    auto model = GraphModel::load(g.write(), {"out", "relu/clip"});
    // 12 TF ops -> dw conv, Scale (Mul+Add), clip (Relu+Minimum+Maximum), Scale (Sub+RealDiv),
    // pool, squeeze, dense, relu, sigmoid: the elementwise chains are folded.
    EXPECT_EQ(model.layer_count(), 9);

    T4 x{n, h, w, c, random_vec(static_cast<std::size_t>(n) * h * w * c, rng, -5.f, 5.f)};
    T4 y = conv(x, dwf, 3, 3, 1, 1, true, true);
    per_channel(
        y, [&](float v, int ch) { return std::min(6.f, std::max(0.f, v * bn_s[ch] + bn_b[ch])); });
    const auto clipped = y.v;
    per_channel(y, [&](float v, int ch) { return (v - 10.f * (ch + 1)) / 2.f; });
    auto hidden = matmul(mean_hw(y), n, c, fc, k);
    for (std::size_t i = 0; i < hidden.size(); ++i) {
        hidden[i] = std::max(0.f, hidden[i] + fcb[i % k]);
        hidden[i] = 1.f / (1.f + std::exp(-hidden[i]));
    }
    const auto outs = model.forward(to_blob(x));
    expect_near(outs[0], hidden, 1e-5);
    // relu/clip comes back NCHW; compare in NHWC order.
    const T4 ref{n, h, w, c, clipped};
    const float* got = outs[1].ptr<float>();
    for (int i = 0; i < n; ++i)
        for (int ch = 0; ch < c; ++ch)
            for (int yy = 0; yy < h; ++yy)
                for (int xx = 0; xx < w; ++xx)
                    ASSERT_NEAR(got[((i * c + ch) * h + yy) * w + xx], ref.at(i, yy, xx, ch), 1e-4);
}

// _FusedConv2D(BiasAdd, Relu6) with VALID padding, a residual tensor + tensor Add, and a
// Reshape to [N, K] that must flatten in TF's NHWC order before the dense layer.
TEST(TfjsGraph, FusedConvResidualAndNhwcFlatten) {
    std::mt19937 rng(3);
    const int n = 2, h = 6, w = 5, c = 3, co = 4, k = 3;
    const auto f1 = random_vec(3 * 3 * c * co, rng), b1 = random_vec(co, rng);
    const auto f2 = random_vec(3 * 3 * c * co, rng);
    const int oh = h - 2, ow = w - 2, flat = oh * ow * co;
    const auto fc = random_vec(static_cast<std::size_t>(flat) * k, rng);
    GraphWriter g("fused");
    g.placeholder("x", h, w, c);
    g.constant("c1/kernel", {3, 3, c, co}, f1);
    g.constant("c1/bias", {co}, b1);
    g.constant("c2/kernel", {3, 3, c, co}, f2);
    g.constant("shape", {2}, {-1, static_cast<float>(flat)});
    g.constant("fc/kernel", {flat, k}, fc);
    const json conv_attr = {{"strides", ints_attr({1, 1, 1, 1})},
                            {"padding", s_attr("VALID")},
                            {"data_format", kNhwc},
                            {"fused_ops", strings_attr({"BiasAdd", "Relu6"})},
                            {"num_args", {{"i", "1"}}},
                            {"epsilon", {{"f", 0}}}};
    g.node("c1", "_FusedConv2D", {"x", "c1/kernel", "c1/bias"}, conv_attr);
    json plain = conv_attr;
    plain.erase("fused_ops");
    g.node("c2", "Conv2D", {"x", "c2/kernel"}, plain);
    g.node("sum", "AddV2", {"c1", "c2"});
    g.node("id", "Identity", {"sum"});
    g.node("flat", "Reshape", {"id", "shape"});
    g.node("fc", "MatMul", {"flat", "fc/kernel"});
    auto model = GraphModel::load(g.write(), {"fc"});

    T4 x{n, h, w, c, random_vec(static_cast<std::size_t>(n) * h * w * c, rng, -2.f, 2.f)};
    T4 y1 = conv(x, f1, 3, 3, co, 1, false, false);
    per_channel(y1, [&](float v, int ch) { return std::min(6.f, std::max(0.f, v + b1[ch])); });
    T4 y2 = conv(x, f2, 3, 3, co, 1, false, false);
    for (std::size_t i = 0; i < y1.v.size(); ++i) y1.v[i] += y2.v[i];
    const auto want = matmul(y1.v, n, flat, fc, k);  // NHWC row-major is TF's flatten order
    expect_near(model.forward(to_blob(x))[0], want, 1e-4);
}

fs::path tiny_graph(GraphWriter& g, const std::string& op, bool with_weight) {
    g.placeholder("x", 4, 4, 3);
    g.constant("k", {1, 1, 3, 2}, std::vector<float>(6, 0.5f), with_weight);
    g.node("conv", "Conv2D", {"x", "k"},
           {{"strides", ints_attr({1, 1, 1, 1})}, {"padding", s_attr("SAME")}});
    g.node("act", op, {"conv"});
    return g.write();
}

TEST(TfjsGraph, UnknownOpNamesOpNodeAndFile) {
    GraphWriter g("unknown_op");
    const auto file = tiny_graph(g, "Softplus", true);
    try {
        GraphModel::load(file, {"act"});
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
        const std::string what = e.what();
        EXPECT_NE(what.find("Softplus"), std::string::npos) << what;
        EXPECT_NE(what.find("'act'"), std::string::npos) << what;
        EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    }
}

TEST(TfjsGraph, MissingConstWeightIsAnError) {
    GraphWriter g("missing_const");
    const auto file = tiny_graph(g, "Relu", false);
    try {
        GraphModel::load(file, {"act"});
        FAIL() << "expected faceatlas::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
        EXPECT_NE(std::string(e.what()).find("'k'"), std::string::npos) << e.what();
    }
}

TEST(TfjsGraph, UnknownOutputAndBadAttributesAreErrors) {
    GraphWriter g("bad_output");
    const auto file = tiny_graph(g, "Relu", true);
    EXPECT_THROW(GraphModel::load(file, {"nope"}), Error);
    EXPECT_THROW(GraphModel::load(file, {"act:1"}), Error);
    EXPECT_THROW(GraphModel::load(file, {}), Error);
    EXPECT_NO_THROW(GraphModel::load(file, {"act"}));

    GraphWriter g2("nchw");
    g2.placeholder("x", 4, 4, 3);
    g2.constant("k", {1, 1, 3, 2}, std::vector<float>(6, 0.5f));
    g2.node("conv", "Conv2D", {"x", "k"},
            {{"strides", ints_attr({1, 1, 1, 1})},
             {"padding", s_attr("SAME")},
             {"data_format", s_attr("NCHW")}});
    EXPECT_THROW(GraphModel::load(g2.write(), {"conv"}), Error);
}

TEST(TfjsGraph, RegistryListsFaceresOps) {
    const auto ops = GraphModel::supported_ops();
    for (const char* op :
         {"Const", "Add", "Relu", "Minimum", "Maximum", "Conv2D", "DepthwiseConv2dNative", "Mul",
          "_FusedMatMul", "Placeholder", "Mean", "Sigmoid", "Softmax"})
        EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}

}  // namespace
}  // namespace faceatlas::nn
