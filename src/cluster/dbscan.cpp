#include "faceatlas/cluster/dbscan.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cluster/radius_search.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void DbscanOptions::validate() const {
    if (!(eps > 0) || !std::isfinite(eps)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "DBSCAN: eps must be a finite value > 0, got " + std::to_string(eps),
                    "DbscanOptions", "set eps to the neighbourhood radius in metric units");
    }
    if (min_samples < 1 || block_rows < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "DBSCAN: min_samples must be >= 1, got " + std::to_string(min_samples),
                    "DbscanOptions", "min_samples counts the point itself (sklearn semantics)");
    }
}

namespace {

// sklearn's dbscan_inner: depth-first growth from each unlabelled core point in index order.
Clustering grow(const std::vector<std::size_t>& offsets, const std::vector<int>& neighbors,
                int min_samples) {
    const std::size_t n = offsets.size() - 1;
    std::vector<char> core(n);
    for (std::size_t i = 0; i < n; ++i) {
        // + 1: the point itself is in its own neighbourhood.
        core[i] = (offsets[i + 1] - offsets[i] + 1) >= static_cast<std::size_t>(min_samples);
    }
    Clustering c;
    c.labels.assign(n, kNoise);
    int label = 0;
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < n; ++start) {
        if (c.labels[start] != kNoise || !core[start]) continue;
        std::size_t i = start;
        while (true) {
            if (c.labels[i] == kNoise) {
                c.labels[i] = label;
                if (core[i]) {
                    for (std::size_t t = offsets[i]; t < offsets[i + 1]; ++t) {
                        const auto v = static_cast<std::size_t>(neighbors[t]);
                        if (c.labels[v] == kNoise) stack.push_back(v);
                    }
                }
            }
            if (stack.empty()) break;
            i = stack.back();
            stack.pop_back();
        }
        ++label;
    }
    c.num_clusters = label;
    return c;
}

}  // namespace

Clustering dbscan(const MatrixView& x, const DbscanOptions& options) {
    options.validate();
    check_matrix(x, "dbscan");
    if (x.rows == 0) return {};
    const detail::NeighborLists nl =
        detail::radius_neighbors(x, options.metric, options.eps, true, options.block_rows);
    return grow(nl.offsets, nl.indices, options.min_samples);
}

Clustering dbscan(const KnnGraph& graph, const DbscanOptions& options) {
    options.validate();
    const std::size_t n = graph.num_nodes;
    if (n == 0) return {};
    const auto k = static_cast<std::size_t>(graph.k);
    // Symmetrised eps-edges of the k-NN lists, as CSR.
    std::vector<std::vector<int>> adj(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t t = 0; t < k; ++t) {
            const int j = graph.indices[i * k + t];
            if (j < 0 || graph.distances[i * k + t] > options.eps) continue;
            adj[i].push_back(j);
            adj[static_cast<std::size_t>(j)].push_back(static_cast<int>(i));
        }
    }
    std::vector<std::size_t> offsets(n + 1, 0);
    std::vector<int> neighbors;
    for (std::size_t i = 0; i < n; ++i) {
        auto& a = adj[i];
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
        neighbors.insert(neighbors.end(), a.begin(), a.end());
        offsets[i + 1] = neighbors.size();
        a.clear();
        a.shrink_to_fit();
    }
    return grow(offsets, neighbors, options.min_samples);
}

}  // namespace faceatlas::cluster
