// ms per face of the face-api landmark (68 points) and expression nets on cv::dnn, at batch 1
// and 16, on seeded random 112 x 112 inputs (net time only; crop/resize excluded).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "faceatlas/vision/expression.h"
#include "faceatlas/vision/landmarks.h"

namespace {

std::vector<float> random_faces(int n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 255.f);
    std::vector<float> v(static_cast<std::size_t>(n) * 112 * 112 * 3);
    for (auto& x : v) x = u(rng);
    return v;
}

template <typename Net>
void run(benchmark::State& state) {
    auto net = Net::load(faceatlas::nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR));
    const int n = static_cast<int>(state.range(0));
    const auto input = random_faces(n);
    benchmark::DoNotOptimize(net.forward_raw(input.data(), n));  // warm-up (allocations, fusion)
    for (auto _ : state) benchmark::DoNotOptimize(net.forward_raw(input.data(), n));
    state.SetItemsProcessed(state.iterations() * n);
    // Seconds per face (printed with an SI prefix: 2.5m = 2.5 ms).
    state.counters["s_per_face"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * n,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Landmark68(benchmark::State& state) { run<faceatlas::vision::LandmarkNet>(state); }
void BM_Expression(benchmark::State& state) { run<faceatlas::vision::ExpressionNet>(state); }

BENCHMARK(BM_Landmark68)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Expression)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
