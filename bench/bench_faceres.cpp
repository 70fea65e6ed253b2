// faceres (HSE MobileNet, 224x224) forward time per face at batch 1 and 16.
// Run: build/bench/bench_faceres --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/faceres.h"

namespace {

using faceatlas::vision::FaceresNet;

void BM_FaceresForward(benchmark::State& state) {
    const int batch = static_cast<int>(state.range(0));
    auto net = FaceresNet::load(faceatlas::nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR));
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> pixel(0.f, 255.f);
    std::vector<float> input(static_cast<std::size_t>(batch) * 224 * 224 * 3);
    for (auto& v : input) v = pixel(rng);
    net.forward_raw(input.data(), batch);  // warm-up: OpenCV allocates and fuses on the first run
    for (auto _ : state) {
        auto raw = net.forward_raw(input.data(), batch);
        benchmark::DoNotOptimize(raw.features.data());
    }
    state.SetItemsProcessed(state.iterations() * batch);
    // Seconds per face (printed with an SI prefix, e.g. 12.3m = 12.3 ms).
    state.counters["per_face"] =
        benchmark::Counter(static_cast<double>(state.iterations() * batch),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FaceresForward)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
