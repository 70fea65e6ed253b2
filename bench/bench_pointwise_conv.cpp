// 1x1 convolution + scale/shift + ReLU6 on the SSD MobileNetV1 (512 input) pointwise shapes:
// OpenCV 4.6's own Convolution layer against faceatlas's OpenBLAS layer (what NetBuilder builds,
// src/nn/pointwise_conv.h). One OpenCV thread, CPU time per image.
// Run: build/bench/bench_pointwise_conv --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <random>
#include <vector>

#include "faceatlas/nn/net_builder.h"

namespace {

using faceatlas::nn::NetBuilder;
using faceatlas::nn::Padding;
using faceatlas::nn::WeightTensor;

struct Shape {
    int in, out, side;
};
constexpr Shape kShapes[] = {{32, 64, 256},  {64, 128, 128},  {128, 128, 128},
                             {128, 256, 64}, {256, 256, 64},  {256, 512, 32},
                             {512, 512, 32}, {512, 1024, 16}, {1024, 1024, 16}};

void run(benchmark::State& state, bool builtin) {
    cv::setNumThreads(1);
    const Shape s = kShapes[state.range(0)];
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.f, 1.f);
    WeightTensor f;
    f.shape = {1, 1, s.in, s.out};
    f.data.resize(static_cast<std::size_t>(s.in) * s.out);
    for (auto& v : f.data) v = nd(rng);
    std::vector<float> scale(s.out, 0.5f), shift(s.out, 0.1f);
    cv::dnn::Net net;
    if (builtin) {
        cv::dnn::LayerParams p;
        p.set("kernel_size", 1);
        p.set("num_output", s.out);
        p.set("bias_term", false);
        p.blobs.push_back(faceatlas::nn::hwio_to_oihw(f));
        net.addLayerToPrev("conv", "Convolution", p);
        cv::dnn::LayerParams sc;
        sc.set("bias_term", true);
        sc.blobs = {cv::Mat(1, s.out, CV_32F, scale.data()).clone(),
                    cv::Mat(1, s.out, CV_32F, shift.data()).clone()};
        net.addLayerToPrev("bn", "Scale", sc);
        cv::dnn::LayerParams r;
        r.set("min_value", 0.f);
        r.set("max_value", 6.f);
        net.addLayerToPrev("relu6", "ReLU6", r);
    } else {
        NetBuilder b;
        b.relu6(b.scale_shift(b.conv(b.input(), f, nullptr, 1, Padding::kSame), scale, shift));
        net = b.finish();
    }
    const int sz[] = {1, s.in, s.side, s.side};
    cv::Mat x(4, sz, CV_32F);
    cv::randu(x, -1.f, 1.f);
    net.setInput(x);
    net.forward();  // allocation and fusion
    for (auto _ : state) {
        net.setInput(x);
        benchmark::DoNotOptimize(net.forward().data);
    }
    state.counters["GMAC/s"] =
        benchmark::Counter(static_cast<double>(s.in) * s.out * s.side * s.side * 1e-9 *
                               static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
    state.SetLabel(std::to_string(s.in) + "->" + std::to_string(s.out) + " @" +
                   std::to_string(s.side) + "x" + std::to_string(s.side));
}

void BM_OpenCvConvolution(benchmark::State& state) { run(state, true); }
void BM_FaceatlasPointwise(benchmark::State& state) { run(state, false); }
BENCHMARK(BM_OpenCvConvolution)->DenseRange(0, 8)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FaceatlasPointwise)->DenseRange(0, 8)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
