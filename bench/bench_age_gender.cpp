// AgeGenderNet throughput: forward pass per face at batch 1 and 16 (net only, on a prepared
// NHWC tensor), and predict() from a 200x200 crop (preprocessing included).
// Run: build/bench/bench_age_gender --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <random>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/age_gender.h"

namespace {

using faceatlas::vision::AgeGenderNet;

AgeGenderNet load_net() {
    return AgeGenderNet::load(
        faceatlas::nn::ModelManifest::load_default(std::filesystem::path(FACEATLAS_MODEL_DIR)));
}

void BM_AgeGenderForward(benchmark::State& state) {
    const int batch = static_cast<int>(state.range(0));
    AgeGenderNet net = load_net();
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> pixel(0.f, 255.f);
    std::vector<float> input(static_cast<std::size_t>(batch) * 112 * 112 * 3);
    for (auto& v : input) v = pixel(rng);
    benchmark::DoNotOptimize(net.forward_raw(input.data(), batch));  // warm-up: allocations, fusion
    for (auto _ : state) benchmark::DoNotOptimize(net.forward_raw(input.data(), batch));
    state.SetItemsProcessed(state.iterations() * batch);
    // Seconds per face (shown with an SI prefix: "4.1m" is 4.1 ms).
    state.counters["s_per_face"] =
        benchmark::Counter(static_cast<double>(state.iterations() * batch),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AgeGenderForward)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_AgeGenderPredictCrop(benchmark::State& state) {
    AgeGenderNet net = load_net();
    cv::Mat crop(200, 180, CV_8UC3);
    cv::randu(crop, cv::Scalar::all(0), cv::Scalar::all(255));  // cv::theRNG default seed
    benchmark::DoNotOptimize(net.predict(crop));
    for (auto _ : state) benchmark::DoNotOptimize(net.predict(crop));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AgeGenderPredictCrop)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    benchmark::AddCustomContext("opencv_threads", std::to_string(cv::getNumThreads()));
    benchmark::AddCustomContext("opencv", CV_VERSION);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
