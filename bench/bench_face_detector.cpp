// Throughput of the SSD MobileNetV1 face detector: the network alone on 512x512 inputs at
// batch 1 and 16 (ms per image = the `ms_per_image` counter), and the whole detect() pipeline
// on a 1920x1280 demo photo. Run: build/bench/bench_face_detector --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/face_detector.h"

namespace {

using faceatlas::vision::FaceDetector;
using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

FaceDetector& detector() {
    static std::optional<FaceDetector> d;  // loaded once for the whole program run
    if (!d)
        d.emplace(
            FaceDetector::load(faceatlas::nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR)));
    return *d;
}

void BM_Forward(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    constexpr int kSide = FaceDetector::kInputSize;
    std::vector<float> input(static_cast<std::size_t>(n) * kSide * kSide * 3);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> px(0, 255);
    for (auto& v : input) v = static_cast<float>(px(rng));
    auto& det = detector();
    benchmark::DoNotOptimize(det.forward(input.data(), n));  // warm-up: first run allocates
    const auto t0 = Clock::now();
    for (auto _ : state) benchmark::DoNotOptimize(det.forward(input.data(), n));
    state.SetItemsProcessed(state.iterations() * n);
    state.counters["ms_per_image"] = elapsed_ms(t0) / (static_cast<double>(state.iterations()) * n);
    state.counters["cv_threads"] = cv::getNumThreads();
}
BENCHMARK(BM_Forward)
    ->Arg(1)
    ->Arg(16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

void BM_DetectDemoPhoto(benchmark::State& state) {
    const auto path = std::filesystem::path(FACEATLAS_MODEL_DIR) / "face-api/demo/sample1.jpg";
    cv::Mat rgb = cv::imread(path.string(), cv::IMREAD_COLOR);
    if (rgb.empty()) {
        state.SkipWithError(("cannot read " + path.string()).c_str());
        return;
    }
    cv::cvtColor(rgb, rgb, cv::COLOR_BGR2RGB);
    auto& det = detector();
    benchmark::DoNotOptimize(det.detect(rgb));
    const auto t0 = Clock::now();
    for (auto _ : state) benchmark::DoNotOptimize(det.detect(rgb));
    state.counters["ms_per_image"] = elapsed_ms(t0) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_DetectDemoPhoto)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
