// Clustering benchmarks on synthetic face-like embeddings (Gaussian mixture, 128-d).
//   ./build/bench/bench_cluster --benchmark_filter=AverageLinkage
// Data recipe (same as bench/cluster_vs_scipy.py, independent RNG): N/20 centres ~ N(0, 1)^128,
// points = centre + N(0, 0.35^2) noise, float32.
#include <benchmark/benchmark.h>

#include <map>
#include <random>
#include <vector>

#include "faceatlas/cluster/chinese_whispers.h"
#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/cluster/rank_order.h"

namespace fc = faceatlas::cluster;

namespace {

constexpr std::size_t kDim = 128;

fc::Matrix make_data(std::size_t n, std::uint64_t seed = 0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const std::size_t centers = std::max<std::size_t>(1, n / 20);
    fc::Matrix c(centers, kDim);
    for (std::size_t i = 0; i < c.rows(); ++i)
        for (std::size_t j = 0; j < kDim; ++j) c(i, j) = normal(rng);
    fc::Matrix x(n, kDim);
    std::uniform_int_distribution<std::size_t> pick(0, centers - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = pick(rng);
        for (std::size_t j = 0; j < kDim; ++j) x(i, j) = c(k, j) + 0.35f * normal(rng);
    }
    return x;
}

// Cached per size: generating 200k x 128 takes a while.
const fc::Matrix& data(std::size_t n) {
    static std::map<std::size_t, fc::Matrix> cache;
    auto it = cache.find(n);
    if (it == cache.end()) it = cache.emplace(n, make_data(n)).first;
    return it->second;
}

const fc::KnnGraph& knn(std::size_t n, int k) {
    static std::map<std::pair<std::size_t, int>, fc::KnnGraph> cache;
    auto it = cache.find({n, k});
    if (it == cache.end()) {
        fc::KnnOptions o;
        o.k = k;
        it = cache.emplace(std::make_pair(n, k), fc::build_knn_graph(data(n), o)).first;
    }
    return it->second;
}

void BM_CondensedDistances(benchmark::State& state) {
    const fc::Matrix& x = data(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(fc::condensed_distances(x, fc::Metric::kEuclidean));
}

void BM_AverageLinkage(benchmark::State& state) {
    const fc::Matrix& x = data(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            fc::linkage(x, {fc::LinkageMethod::kAverage, fc::Metric::kEuclidean}));
    }
}

void BM_KnnGraph(benchmark::State& state) {
    const fc::Matrix& x = data(static_cast<std::size_t>(state.range(0)));
    fc::KnnOptions o;
    o.k = static_cast<int>(state.range(1));
    for (auto _ : state) benchmark::DoNotOptimize(fc::build_knn_graph(x, o));
}

void BM_DbscanExact(benchmark::State& state) {
    const fc::Matrix& x = data(static_cast<std::size_t>(state.range(0)));
    fc::DbscanOptions o;
    o.eps = 7.0;
    o.min_samples = 5;
    for (auto _ : state) benchmark::DoNotOptimize(fc::dbscan(x, o));
}

void BM_DbscanKnn(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const fc::KnnGraph& g = knn(n, 10);
    fc::DbscanOptions o;
    o.eps = 7.0;
    o.min_samples = 5;
    for (auto _ : state) benchmark::DoNotOptimize(fc::dbscan(g, o));
}

void BM_ChineseWhispersKnn(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const fc::KnnGraph& g = knn(n, 10);
    fc::ChineseWhispersOptions o;
    o.threshold = 7.0;
    o.iterations = 100;
    for (auto _ : state) benchmark::DoNotOptimize(fc::chinese_whispers(g, o));
}

void BM_ApproxRankOrderKnn(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const fc::KnnGraph& g = knn(n, 10);
    for (auto _ : state) benchmark::DoNotOptimize(fc::approximate_rank_order_cluster(g, {}));
}

void BM_KMeans(benchmark::State& state) {
    const fc::Matrix& x = data(static_cast<std::size_t>(state.range(0)));
    fc::KMeansOptions o;
    o.k = static_cast<int>(state.range(1));
    o.n_init = 1;
    o.max_iter = 100;
    for (auto _ : state) benchmark::DoNotOptimize(fc::kmeans(x, o));
}

}  // namespace

BENCHMARK(BM_CondensedDistances)
    ->Arg(5000)
    ->Arg(10000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_AverageLinkage)
    ->Arg(5000)
    ->Arg(10000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_KnnGraph)
    ->Args({20000, 10})
    ->Args({200000, 10})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_DbscanExact)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_DbscanKnn)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ChineseWhispersKnn)
    ->Arg(20000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_ApproxRankOrderKnn)
    ->Arg(20000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_KMeans)
    ->Args({20000, 100})
    ->Args({200000, 100})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
