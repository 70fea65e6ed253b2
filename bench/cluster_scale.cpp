// End-to-end clustering at scale on synthetic faces: a 128-d Gaussian mixture (one component per
// "person", `per_person` faces each), approximate k-NN graph (FAISS IVF-flat or HNSW) or exact,
// then chinese whispers, DBSCAN and approximate rank-order on the graph. Prints one JSON line
// with the time of each stage, k-NN recall@k on sampled queries, and ARI against the truth.
// Run under /usr/bin/time -v for peak memory:
//   /usr/bin/time -v build/bench/cluster_scale --n 1000000 --method ivf
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unordered_set>

#include "faceatlas/cluster/cluster.h"

using namespace faceatlas::cluster;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 100000;
    std::size_t per_person = 20;
    std::string method = "ivf";
    int k = 10;
    int nprobe = 16;
    int recall_queries = 200;
    bool rank_order = true;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const char* v = argv[i + 1];
        if (a == "--n")
            n = std::strtoull(v, nullptr, 10);
        else if (a == "--per-person")
            per_person = std::strtoull(v, nullptr, 10);
        else if (a == "--method")
            method = v;
        else if (a == "--k")
            k = std::atoi(v);
        else if (a == "--nprobe")
            nprobe = std::atoi(v);
        else if (a == "--recall-queries")
            recall_queries = std::atoi(v);
        else if (a == "--rank-order")
            rank_order = std::strcmp(v, "0") != 0;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    const std::size_t d = 128;
    const std::size_t persons = std::max<std::size_t>(1, n / per_person);
    // Centres ~ N(0, 0.045^2) per dimension (centre pairs ~0.72 apart), faces ~ N(centre,
    // 0.02^2) (same-person pairs ~0.32 apart): dlib-like scales, threshold 0.5 separates them.
    std::mt19937_64 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto t0 = std::chrono::steady_clock::now();
    Matrix centres(persons, d);
    for (std::size_t i = 0; i < persons * d; ++i) centres.data()[i] = 0.045f * normal(rng);
    Matrix x(n, d);
    std::vector<int> truth(n);
    std::uniform_int_distribution<std::size_t> pick(0, persons - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t p = i < persons ? i : pick(rng);
        truth[i] = static_cast<int>(p);
        for (std::size_t j = 0; j < d; ++j) x(i, j) = centres(p, j) + 0.02f * normal(rng);
    }
    const double t_gen = seconds_since(t0);

    KnnOptions ko;
    ko.k = k;
    ko.nprobe = nprobe;
    ko.method = method == "exact"  ? KnnMethod::kExact
                : method == "hnsw" ? KnnMethod::kHnsw
                                   : KnnMethod::kIvf;
    t0 = std::chrono::steady_clock::now();
    const KnnGraph g = build_knn_graph(x, ko);
    const double t_knn = seconds_since(t0);

    // Recall@k on sampled queries against brute force.
    double recall = -1;
    if (recall_queries > 0) {
        std::uniform_int_distribution<std::size_t> q(0, n - 1);
        std::size_t hit = 0, total = 0;
        for (int s = 0; s < recall_queries; ++s) {
            const std::size_t i = q(rng);
            std::vector<std::pair<float, int>> all;
            all.reserve(n);
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                all.emplace_back(static_cast<float>(distance(x.row(i), x.row(j), d, ko.metric)),
                                 static_cast<int>(j));
            }
            std::partial_sort(all.begin(), all.begin() + k, all.end());
            std::unordered_set<int> got(g.neighbors(i), g.neighbors(i) + k);
            for (int t = 0; t < k; ++t) hit += got.count(all[static_cast<std::size_t>(t)].second);
            total += static_cast<std::size_t>(k);
        }
        recall = static_cast<double>(hit) / static_cast<double>(total);
    }

    ChineseWhispersOptions cw;
    cw.threshold = 0.5;
    cw.iterations = 20;
    t0 = std::chrono::steady_clock::now();
    const Clustering c_cw = chinese_whispers(g, cw);
    const double t_cw = seconds_since(t0);

    DbscanOptions db;
    db.eps = 0.5;
    db.min_samples = 3;
    t0 = std::chrono::steady_clock::now();
    const Clustering c_db = dbscan(g, db);
    const double t_db = seconds_since(t0);

    double t_ro = -1, ari_ro = -1;
    int ro_clusters = -1;
    if (rank_order) {
        ApproxRankOrderOptions ro;
        t0 = std::chrono::steady_clock::now();
        const Clustering c_ro = approximate_rank_order_cluster(g, ro);
        t_ro = seconds_since(t0);
        ari_ro = adjusted_rand_index(truth, c_ro.labels);
        ro_clusters = c_ro.num_clusters;
    }

    const nlohmann::json out{
        {"n", n},
        {"dim", d},
        {"persons", persons},
        {"k", k},
        {"method", method},
        {"nprobe", nprobe},
        {"seconds",
         {{"generate", t_gen},
          {"knn_graph", t_knn},
          {"chinese_whispers", t_cw},
          {"dbscan_on_graph", t_db},
          {"approx_rank_order", t_ro}}},
        {"knn_recall_at_k", recall},
        {"recall_queries", recall_queries},
        {"chinese_whispers",
         {{"clusters", c_cw.num_clusters}, {"ari", adjusted_rand_index(truth, c_cw.labels)}}},
        {"dbscan",
         {{"clusters", c_db.num_clusters},
          {"noise", c_db.num_noise()},
          {"ari", adjusted_rand_index(truth, c_db.labels)}}},
        {"approx_rank_order", {{"clusters", ro_clusters}, {"ari", ari_ro}}}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
