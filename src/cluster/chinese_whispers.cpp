#include "faceatlas/cluster/chinese_whispers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cluster/radius_search.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void ChineseWhispersOptions::validate() const {
    if (!(threshold > 0) || iterations < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "chinese whispers: need threshold > 0 and iterations >= 1 (threshold = " +
                        std::to_string(threshold) + ")",
                    "ChineseWhispersOptions", "dlib's face descriptors use threshold 0.6");
    }
}

namespace {

double edge_weight(const ChineseWhispersOptions& o, double d) {
    return o.weight == EdgeWeight::kUnit ? 1.0 : std::max(0.0, 1.0 - d / o.threshold);
}

}  // namespace

Clustering chinese_whispers(const std::vector<WeightedEdge>& edges, std::size_t num_nodes,
                            int iterations, std::uint64_t seed) {
    if (iterations < 1) {
        throw Error(ErrorCode::kInvalidArgument, "chinese whispers: iterations must be >= 1",
                    "chinese_whispers", "dlib uses 100");
    }
    const std::size_t n = num_nodes;
    // Ordered adjacency (CSR): an undirected edge appears in both lists, a self-loop once.
    std::vector<std::size_t> offsets(n + 1, 0);
    for (const WeightedEdge& e : edges) {
        if (e.a < 0 || e.b < 0 || static_cast<std::size_t>(e.a) >= n ||
            static_cast<std::size_t>(e.b) >= n || !std::isfinite(e.weight)) {
            throw Error(ErrorCode::kInvalidArgument,
                        "chinese whispers: edge (" + std::to_string(e.a) + ", " +
                            std::to_string(e.b) + ") is out of range or has a non-finite weight",
                        "chinese_whispers", "node ids must be in [0, num_nodes)");
        }
        ++offsets[static_cast<std::size_t>(e.a) + 1];
        if (e.a != e.b) ++offsets[static_cast<std::size_t>(e.b) + 1];
    }
    for (std::size_t i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
    std::vector<std::pair<int, double>> adj(offsets[n]);
    std::vector<std::size_t> fill(offsets.begin(), offsets.end() - 1);
    for (const WeightedEdge& e : edges) {
        adj[fill[static_cast<std::size_t>(e.a)]++] = {e.b, e.weight};
        if (e.a != e.b) adj[fill[static_cast<std::size_t>(e.b)]++] = {e.a, e.weight};
    }
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<int>(i);
    if (n == 0) return {};
    std::mt19937_64 rng(seed);
    std::vector<std::pair<int, double>> votes;
    const std::size_t total = n * static_cast<std::size_t>(iterations);
    for (std::size_t it = 0; it < total; ++it) {
        const std::size_t idx = rng() % n;  // dlib: get_random_64bit_number() % size
        const std::size_t b = offsets[idx];
        const std::size_t e = offsets[idx + 1];
        if (b == e) continue;
        votes.clear();
        for (std::size_t t = b; t < e; ++t) {
            votes.emplace_back(labels[static_cast<std::size_t>(adj[t].first)], adj[t].second);
        }
        std::sort(votes.begin(), votes.end(),
                  [](const auto& x, const auto& y) { return x.first < y.first; });
        // Sum per label in ascending label order; strict '>' keeps the smallest label on ties
        // (dlib iterates a std::map).
        double best_score = -std::numeric_limits<double>::infinity();
        int best_label = labels[idx];
        for (std::size_t t = 0; t < votes.size();) {
            const int l = votes[t].first;
            double s = 0;
            for (; t < votes.size() && votes[t].first == l; ++t) s += votes[t].second;
            if (s > best_score) {
                best_score = s;
                best_label = l;
            }
        }
        labels[idx] = best_label;
    }
    return make_clustering(labels);
}

std::vector<WeightedEdge> threshold_graph(const MatrixView& x,
                                          const ChineseWhispersOptions& options) {
    options.validate();
    check_matrix(x, "threshold_graph");
    const detail::NeighborLists nl =
        detail::radius_neighbors(x, options.metric, options.threshold, false, 2048);
    std::vector<WeightedEdge> edges;
    for (std::size_t i = 0; i < x.rows; ++i) {
        if (options.self_loops) edges.push_back({static_cast<int>(i), static_cast<int>(i), 1.0});
        for (std::size_t t = nl.offsets[i]; t < nl.offsets[i + 1]; ++t) {
            const int j = nl.indices[t];
            if (j <= static_cast<int>(i)) continue;
            edges.push_back({static_cast<int>(i), j, edge_weight(options, nl.distances[t])});
        }
    }
    return edges;
}

Clustering chinese_whispers(const MatrixView& x, const ChineseWhispersOptions& options) {
    const std::vector<WeightedEdge> edges = threshold_graph(x, options);
    return chinese_whispers(edges, x.rows, options.iterations, options.seed);
}

Clustering chinese_whispers(const KnnGraph& graph, const ChineseWhispersOptions& options) {
    options.validate();
    const std::size_t n = graph.num_nodes;
    const auto k = static_cast<std::size_t>(graph.k);
    std::vector<WeightedEdge> edges;
    for (std::size_t i = 0; i < n; ++i) {
        if (options.self_loops) edges.push_back({static_cast<int>(i), static_cast<int>(i), 1.0});
        for (std::size_t t = 0; t < k; ++t) {
            const int j = graph.indices[i * k + t];
            const double d = graph.distances[i * k + t];
            if (j < 0 || !(d < options.threshold)) continue;
            // Keep each undirected edge once: from the smaller id, or from the larger one when
            // the smaller does not list it.
            if (j < static_cast<int>(i)) {
                const int* nb = graph.neighbors(static_cast<std::size_t>(j));
                const float* nd = graph.neighbor_distances(static_cast<std::size_t>(j));
                bool listed = false;
                for (std::size_t u = 0; u < k; ++u) {
                    if (nb[u] == static_cast<int>(i) && nd[u] < options.threshold) listed = true;
                }
                if (listed) continue;
            }
            edges.push_back({std::min(static_cast<int>(i), j), std::max(static_cast<int>(i), j),
                             edge_weight(options, d)});
        }
    }
    return chinese_whispers(edges, n, options.iterations, options.seed);
}

}  // namespace faceatlas::cluster
