// Evaluation cost at collection sizes: AMI and BCubed (label-only, O(N log N)) at 2k / 20k / 200k
// faces, silhouette (O(N^2 d)) at 2k / 20k 128-d embeddings.
//
//   build/bench/faceatlas_bench_eval --benchmark_repetitions=5 --benchmark_report_aggregates_only
// Synthetic data shaped like a photo collection: identity sizes drawn from a Zipf-like law
// (a few people in many photos, many in one or two), predictions = truth with 5% of faces moved
// to a random cluster and 10% left unsorted.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "faceatlas/eval/bcubed.h"
#include "faceatlas/eval/clustering_scores.h"
#include "faceatlas/eval/contingency.h"
#include "faceatlas/eval/labels.h"
#include "faceatlas/eval/mutual_information.h"
#include "faceatlas/eval/silhouette.h"

namespace fe = faceatlas::eval;

namespace {

struct Labelling {
    std::vector<int> truth;
    std::vector<int> pred;
    int n_ids = 0;
};

Labelling make_labelling(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Labelling l;
    // Zipf-like identity sizes: size of identity k ~ 1 + 60 / (k + 1).
    while (l.truth.size() < n) {
        const int size = 1 + 60 / (l.n_ids + 1) + static_cast<int>(rng() % 3);
        for (int s = 0; s < size && l.truth.size() < n; ++s) l.truth.push_back(l.n_ids);
        ++l.n_ids;
    }
    std::uniform_real_distribution<double> u(0, 1);
    l.pred = l.truth;
    for (auto& p : l.pred) {
        const double r = u(rng);
        if (r < 0.10) {
            p = fe::kUnsorted;
        } else if (r < 0.15) {
            p = static_cast<int>(rng() % static_cast<std::uint64_t>(l.n_ids));
        }
    }
    return l;
}

void BM_Ami(benchmark::State& state) {
    const Labelling l = make_labelling(static_cast<std::size_t>(state.range(0)), 1);
    for (auto _ : state) {
        const fe::Contingency c = fe::make_contingency(l.truth, fe::expand_unsorted(l.pred));
        benchmark::DoNotOptimize(fe::adjusted_mutual_information(c));
    }
    state.counters["identities"] = l.n_ids;
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Ami)->Arg(2000)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_BCubed(benchmark::State& state) {
    const Labelling l = make_labelling(static_cast<std::size_t>(state.range(0)), 2);
    for (auto _ : state) {
        const fe::Contingency c = fe::make_contingency(l.truth, fe::expand_unsorted(l.pred));
        benchmark::DoNotOptimize(fe::bcubed_scores(c));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BCubed)->Arg(2000)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_AllClusteringScores(benchmark::State& state) {
    const Labelling l = make_labelling(static_cast<std::size_t>(state.range(0)), 3);
    for (auto _ : state) benchmark::DoNotOptimize(fe::score_clustering(l.truth, l.pred));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AllClusteringScores)
    ->Arg(2000)
    ->Arg(20000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond);

// args: N, threads (0 = all hardware threads), metric (0 euclidean, 1 cosine)
void BM_Silhouette(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    constexpr std::size_t kDim = 128;
    const Labelling l = make_labelling(n, 4);
    std::mt19937_64 rng(5);
    std::normal_distribution<float> nd(0.f, 1.f);
    std::vector<float> centers(static_cast<std::size_t>(l.n_ids) * kDim);
    for (auto& v : centers) v = nd(rng);
    std::vector<float> x(n * kDim);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t d = 0; d < kDim; ++d) {
            x[i * kDim + d] =
                centers[static_cast<std::size_t>(l.truth[i]) * kDim + d] + 0.5f * nd(rng);
        }
    }
    fe::SilhouetteOptions o;
    o.threads = static_cast<int>(state.range(1));
    o.metric = state.range(2) == 0 ? fe::DistanceMetric::kEuclidean : fe::DistanceMetric::kCosine;
    for (auto _ : state) {
        benchmark::DoNotOptimize(fe::silhouette(std::span<const float>(x), n, kDim, l.pred, o));
    }
    state.counters["pairs_per_s"] = benchmark::Counter(
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Silhouette)
    ->Args({2000, 1, 0})
    ->Args({2000, 1, 1})
    ->Args({2000, 0, 0})
    ->Args({20000, 1, 0})
    ->Args({20000, 0, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
