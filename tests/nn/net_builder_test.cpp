// NetBuilder against naive reference implementations of TF ops.
#include <gtest/gtest.h>

#include <random>

#include "faceatlas/nn/net_builder.h"

namespace faceatlas::nn {
namespace {

WeightTensor random_tensor(std::vector<int> shape, std::mt19937& rng) {
    WeightTensor t;
    t.shape = std::move(shape);
    std::size_t n = 1;
    for (int d : t.shape) n *= static_cast<std::size_t>(d);
    std::normal_distribution<float> nd(0.f, 1.f);
    t.data.resize(n);
    for (auto& v : t.data) v = nd(rng);
    return t;
}

// TF conv2d, NHWC input, HWIO filter, SAME/VALID padding.
std::vector<float> naive_conv(const std::vector<float>& x, int h, int w, int ci,
                              const WeightTensor& f, int stride, bool same, int& oh, int& ow) {
    const int kh = f.shape[0], kw = f.shape[1], co = f.shape[3];
    int pt = 0, pl = 0;
    if (same) {
        oh = (h + stride - 1) / stride;
        ow = (w + stride - 1) / stride;
        pt = std::max(0, (oh - 1) * stride + kh - h) / 2;
        pl = std::max(0, (ow - 1) * stride + kw - w) / 2;
    } else {
        oh = (h - kh) / stride + 1;
        ow = (w - kw) / stride + 1;
    }
    std::vector<float> y(static_cast<std::size_t>(oh * ow * co), 0.f);
    for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox)
            for (int o = 0; o < co; ++o) {
                double s = 0;
                for (int ky = 0; ky < kh; ++ky)
                    for (int kx = 0; kx < kw; ++kx) {
                        const int iy = oy * stride + ky - pt, ix = ox * stride + kx - pl;
                        if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                        for (int i = 0; i < ci; ++i)
                            s += x[(iy * w + ix) * ci + i] *
                                 f.data[((ky * kw + kx) * ci + i) * co + o];
                    }
                y[(oy * ow + ox) * co + o] = static_cast<float>(s);
            }
    return y;
}

cv::Mat nhwc_to_blob(const std::vector<float>& x, int h, int w, int c) {
    const int sz[] = {1, c, h, w};
    cv::Mat b(4, sz, CV_32F);
    for (int y = 0; y < h; ++y)
        for (int xx = 0; xx < w; ++xx)
            for (int k = 0; k < c; ++k)
                b.ptr<float>()[(k * h + y) * w + xx] = x[(y * w + xx) * c + k];
    return b;
}

class ConvParity : public ::testing::TestWithParam<std::tuple<int, int, bool>> {};

TEST_P(ConvParity, MatchesNaiveTfConv) {
    const auto [stride, k, same] = GetParam();
    std::mt19937 rng(7);
    const int h = 10, w = 9, ci = 3, co = 4;
    auto x = random_tensor({h, w, ci}, rng);
    auto f = random_tensor({k, k, ci, co}, rng);
    int oh = 0, ow = 0;
    auto ref = naive_conv(x.data, h, w, ci, f, stride, same, oh, ow);

    NetBuilder b;
    auto out = b.conv(b.input(), f, nullptr, stride, same ? Padding::kSame : Padding::kValid, "c");
    auto net = b.finish();
    net.setInput(nhwc_to_blob(x.data, h, w, ci));
    cv::Mat y = net.forward(b.layer_name(out));
    ASSERT_EQ(y.size[2], oh);
    ASSERT_EQ(y.size[3], ow);
    for (int yy = 0; yy < oh; ++yy)
        for (int xx = 0; xx < ow; ++xx)
            for (int o = 0; o < co; ++o)
                EXPECT_NEAR(y.ptr<float>()[(o * oh + yy) * ow + xx], ref[(yy * ow + xx) * co + o],
                            1e-4);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvParity,
                         ::testing::Combine(::testing::Values(1, 2), ::testing::Values(1, 3, 4),
                                            ::testing::Bool()));

TEST(NetBuilder, DenseMatchesTfLayout) {
    std::mt19937 rng(3);
    auto kern = random_tensor({5, 3}, rng);
    auto bias = random_tensor({3}, rng);
    NetBuilder b;
    auto out = b.dense(b.input(), kern, &bias, "d");
    auto net = b.finish();
    cv::Mat x(1, 5, CV_32F);
    for (int i = 0; i < 5; ++i) x.at<float>(0, i) = static_cast<float>(i) - 2.f;
    net.setInput(x);
    cv::Mat y = net.forward(b.layer_name(out));
    for (int o = 0; o < 3; ++o) {
        double s = bias.data[o];
        for (int i = 0; i < 5; ++i) s += x.at<float>(0, i) * kern.data[i * 3 + o];
        EXPECT_NEAR(y.at<float>(0, o), s, 1e-4);
    }
}

// 1x1 convolutions run as the OpenBLAS layer (src/nn/pointwise_conv.h) with the following
// scale/shift and ReLU6 fused into it. Checked against the naive reference for several batch
// sizes in a row (OpenCV sets the net up, and fuses, again on every shape change) and with the
// convolution's own output requested too (no fusion then).
TEST(NetBuilder, PointwiseConvWithFusedScaleShiftAndRelu6) {
    std::mt19937 rng(11);
    const int h = 7, w = 6, ci = 24, co = 40;
    auto f = random_tensor({1, 1, ci, co}, rng);
    auto bias = random_tensor({co}, rng);
    std::vector<float> scale(co), shift(co);
    std::uniform_real_distribution<float> ud(0.5f, 2.f);
    for (int o = 0; o < co; ++o) scale[o] = ud(rng), shift[o] = ud(rng) - 1.25f;
    NetBuilder b;
    auto conv = b.conv(b.input(), f, &bias, 1, Padding::kSame, "pw");
    auto out = b.relu6(b.scale_shift(conv, scale, shift, "bn"), "act");
    auto net = b.finish();
    for (const int batch : {1, 3, 2, 1}) {
        std::vector<std::vector<float>> xs;
        std::vector<int> sz = {batch, ci, h, w};
        cv::Mat blob(4, sz.data(), CV_32F);
        for (int n = 0; n < batch; ++n) {
            xs.push_back(random_tensor({h, w, ci}, rng).data);
            nhwc_to_blob(xs.back(), h, w, ci)
                .reshape(1, 1)
                .copyTo(cv::Mat(1, ci * h * w, CV_32F, blob.ptr<float>(n)));
        }
        for (const bool keep_conv : {false, true}) {
            net.setInput(blob);
            std::vector<cv::Mat> outs;
            std::vector<std::string> names = {b.layer_name(out)};
            if (keep_conv) names.push_back(b.layer_name(conv));
            net.forward(outs, names);
            for (int n = 0; n < batch; ++n) {
                int oh = 0, ow = 0;
                const auto ref = naive_conv(xs[n], h, w, ci, f, 1, true, oh, ow);
                for (int o = 0; o < co; ++o)
                    for (int p = 0; p < h * w; ++p) {
                        const float c = ref[p * co + o] + bias.data[o];
                        const float want = std::min(6.f, std::max(0.f, c * scale[o] + shift[o]));
                        ASSERT_NEAR(outs[0].ptr<float>(n)[o * h * w + p], want, 1e-4)
                            << "batch " << batch << " image " << n << " channel " << o;
                        if (keep_conv) ASSERT_NEAR(outs[1].ptr<float>(n)[o * h * w + p], c, 1e-4);
                    }
            }
        }
    }
}

}  // namespace
}  // namespace faceatlas::nn
