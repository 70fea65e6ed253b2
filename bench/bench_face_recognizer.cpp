// FaceRecognizer throughput: ms per face at batch 1 and 16 (counter "ms_per_face"), plus the
// alignment step (chip_transform + extract_chip on a 1600x1200 photo).
#include <benchmark/benchmark.h>

#include <array>
#include <filesystem>
#include <opencv2/core.hpp>
#include <random>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/align.h"
#include "faceatlas/vision/face_recognizer.h"

namespace fa = faceatlas;

namespace {

std::vector<cv::Mat> random_chips(int n) {
    cv::RNG rng(42);
    std::vector<cv::Mat> chips;
    for (int i = 0; i < n; ++i) {
        cv::Mat c(150, 150, CV_8UC3);
        rng.fill(c, cv::RNG::UNIFORM, 0, 256);
        chips.push_back(c);
    }
    return chips;
}

void BM_FaceRecognizerEmbed(benchmark::State& state) {
    const int batch = static_cast<int>(state.range(0));
    auto net = fa::vision::FaceRecognizer::load(
        fa::nn::ModelManifest::load_default(std::filesystem::path(FACEATLAS_MODEL_DIR)));
    const auto chips = random_chips(batch);
    net.embed_batch(chips);  // warm-up: first forward allocates
    for (auto _ : state) benchmark::DoNotOptimize(net.embed_batch(chips));
    state.counters["faces/s"] = benchmark::Counter(static_cast<double>(batch) * state.iterations(),
                                                   benchmark::Counter::kIsRate);
    // Wall seconds per face (shown with an SI prefix, e.g. 25m = 25 ms).
    state.counters["time_per_face"] =
        benchmark::Counter(static_cast<double>(batch) * state.iterations(),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FaceRecognizerEmbed)
    ->Arg(1)
    ->Arg(16)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_AlignChip(benchmark::State& state) {
    // A face about 400 px wide, rotated: exercises the pyramid path for 150 px chips.
    cv::Mat photo(1200, 1600, CV_8UC3);
    cv::RNG(7).fill(photo, cv::RNG::UNIFORM, 0, 256);
    const fa::vision::ChipSpec spec{static_cast<int>(state.range(0)), 0.25};
    std::array<cv::Point2d, 68> pts{};
    const double s = 400.0 / spec.size, c = std::cos(0.2) * s, sn = std::sin(0.2) * s;
    for (int i = 17; i < 68; ++i) {
        const cv::Point2d p = fa::vision::template_point(i, spec);
        pts[i] = {c * p.x - sn * p.y + 700, sn * p.x + c * p.y + 400};
    }
    for (auto _ : state) {
        const auto t = fa::vision::chip_transform(pts, spec);
        benchmark::DoNotOptimize(fa::vision::extract_chip(photo, t));
    }
}
BENCHMARK(BM_AlignChip)->Arg(150)->Arg(224)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
