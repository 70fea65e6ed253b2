#include "faceatlas/cluster/rank_order.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cluster/union_find.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void RankOrderOptions::validate() const {
    if (!(threshold > 0) || !(normalized_threshold > 0) || norm_neighbors < 1 ||
        max_iterations < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "rank-order: need threshold > 0, normalized_threshold > 0, "
                    "norm_neighbors >= 1, max_iterations >= 1 (threshold = " +
                        std::to_string(threshold) + ")",
                    "RankOrderOptions", "fix the option values");
    }
}

void ApproxRankOrderOptions::validate() const {
    if (!(threshold > 0)) {
        throw Error(
            ErrorCode::kInvalidArgument,
            "approximate rank-order: threshold must be > 0, got " + std::to_string(threshold),
            "ApproxRankOrderOptions", "Otto et al. use values around 1.5-2");
    }
}

namespace {

Clustering finish(const std::vector<int>& root, bool singletons_are_noise) {
    std::vector<int> size(root.size(), 0);
    for (int r : root) ++size[static_cast<std::size_t>(r)];
    std::vector<int> labels(root.size());
    for (std::size_t i = 0; i < root.size(); ++i) {
        const int r = root[i];
        labels[i] = (singletons_are_noise && size[static_cast<std::size_t>(r)] == 1) ? kNoise : r;
    }
    return make_clustering(labels);
}

}  // namespace

Clustering rank_order_cluster(const MatrixView& x, const RankOrderOptions& options) {
    options.validate();
    check_matrix(x, "rank_order_cluster");
    const std::size_t n = x.rows;
    if (n == 0) return {};
    // Dense face distances; becomes the cluster-level (closest pair) distance matrix in place.
    Matrix dist = pairwise_distances(x, x, options.metric);
    // phi: mean distance of each face to its norm_neighbors nearest faces.
    const std::size_t kn =
        std::min<std::size_t>(static_cast<std::size_t>(options.norm_neighbors), n - 1);
    std::vector<double> knn_mean(n, 0.0);
    {
        std::vector<float> row;
        for (std::size_t i = 0; i < n && kn > 0; ++i) {
            row.assign(dist.row(i), dist.row(i) + n);
            row[i] = std::numeric_limits<float>::infinity();
            std::nth_element(row.begin(), row.begin() + static_cast<long>(kn - 1), row.end());
            double s = 0;
            for (std::size_t t = 0; t < kn; ++t) s += row[t];
            knn_mean[i] = s / static_cast<double>(kn);
        }
    }
    std::vector<double> phi_sum(knn_mean);  // per cluster root: sum over members
    std::vector<int> csize(n, 1);
    std::vector<int> active(n);
    for (std::size_t i = 0; i < n; ++i) active[i] = static_cast<int>(i);
    std::vector<int> root(n);
    for (std::size_t i = 0; i < n; ++i) root[i] = static_cast<int>(i);
    // Only ranks < L matter: D^R < t implies both ranks < 2t - 2, and a top-i neighbour of a
    // outside b's first L entries forces D^R >= 2 sqrt(L) >= t (see rank_order.h).
    const double t = options.threshold;
    const auto list_len = static_cast<std::size_t>(std::ceil(std::max(2 * t, t * t / 4))) + 1;

    for (int round = 0; round < options.max_iterations; ++round) {
        const std::size_t m = active.size();
        if (m < 2) break;
        const std::size_t len = std::min(list_len, m);
        // lists[a]: the len nearest active clusters of active cluster #a (itself first).
        std::vector<int> lists(m * len);
        // Sorted (cluster id, rank) of each list for rank lookups.
        std::vector<std::pair<int, int>> lookup(m * len);
        std::vector<int> pos_of(n, -1);
        for (std::size_t a = 0; a < m; ++a)
            pos_of[static_cast<std::size_t>(active[a])] = static_cast<int>(a);
#pragma omp parallel
        {
            std::vector<std::pair<float, int>> cand(m);
#pragma omp for schedule(dynamic, 16)
            for (long long ai = 0; ai < static_cast<long long>(m); ++ai) {
                const auto a = static_cast<std::size_t>(ai);
                const int ca = active[a];
                const float* row = dist.row(static_cast<std::size_t>(ca));
                for (std::size_t b = 0; b < m; ++b) {
                    const int cb = active[b];
                    cand[b] = {cb == ca ? -1.0f : row[static_cast<std::size_t>(cb)], cb};
                }
                std::partial_sort(cand.begin(), cand.begin() + static_cast<long>(len), cand.end());
                for (std::size_t r = 0; r < len; ++r) {
                    lists[a * len + r] = cand[r].second;
                    lookup[a * len + r] = {cand[r].second, static_cast<int>(r)};
                }
                std::sort(lookup.begin() + static_cast<long>(a * len),
                          lookup.begin() + static_cast<long>((a + 1) * len));
            }
        }
        auto rank_in = [&](std::size_t b, int cluster) {
            const auto first = lookup.begin() + static_cast<long>(b * len);
            const auto last = first + static_cast<long>(len);
            auto it = std::lower_bound(first, last, std::make_pair(cluster, -1));
            return (it != last && it->first == cluster) ? it->second : -1;
        };
        // Asymmetric D(a, b) = sum_{i <= O_a(b)} O_b(f_a(i)); -1 if some term is beyond b's list.
        auto asym = [&](std::size_t a, std::size_t b, int oab) {
            long long s = 0;
            for (int i = 0; i <= oab; ++i) {
                const int r = rank_in(b, lists[a * len + static_cast<std::size_t>(i)]);
                if (r < 0) return -1LL;
                s += r;
            }
            return s;
        };
        std::vector<std::pair<int, int>> merges;
#pragma omp parallel
        {
            std::vector<std::pair<int, int>> local;
#pragma omp for schedule(dynamic, 16)
            for (long long ai = 0; ai < static_cast<long long>(m); ++ai) {
                const auto a = static_cast<std::size_t>(ai);
                const int ca = active[a];
                for (std::size_t p = 1; p < len; ++p) {
                    const int cb = lists[a * len + p];
                    const auto b = static_cast<std::size_t>(pos_of[static_cast<std::size_t>(cb)]);
                    if (cb < ca) continue;  // each unordered pair once (from the smaller id)
                    const int oab = static_cast<int>(p);
                    const int oba = rank_in(b, ca);
                    if (oba < 0) continue;
                    const long long dab = asym(a, b, oab);
                    if (dab < 0) continue;
                    const long long dba = asym(b, a, oba);
                    if (dba < 0) continue;
                    const double dr = static_cast<double>(dab + dba) / std::min(oab, oba);
                    if (!(dr < t)) continue;
                    const double d =
                        dist(static_cast<std::size_t>(ca), static_cast<std::size_t>(cb));
                    const double phi =
                        (phi_sum[static_cast<std::size_t>(ca)] +
                         phi_sum[static_cast<std::size_t>(cb)]) /
                        (csize[static_cast<std::size_t>(ca)] + csize[static_cast<std::size_t>(cb)]);
                    const double dn =
                        phi > 0 ? d / phi : (d > 0 ? std::numeric_limits<double>::infinity() : 0.0);
                    if (dn < options.normalized_threshold) local.emplace_back(ca, cb);
                }
            }
#pragma omp critical
            merges.insert(merges.end(), local.begin(), local.end());
        }
        if (merges.empty()) break;
        detail::UnionFind uf(n);
        for (auto [a, b] : merges) uf.unite(a, b);
        // Merge rows (closest-pair distance = element-wise min) into each group's smallest id.
        std::vector<int> next_active;
        for (int ca : active) {
            const int r = uf.find(ca);
            if (r == ca) {
                next_active.push_back(ca);
                continue;
            }
            const auto ru = static_cast<std::size_t>(r);
            const auto cu = static_cast<std::size_t>(ca);
            for (int cj : active) {
                const auto j = static_cast<std::size_t>(cj);
                const float v = std::min(dist(ru, j), dist(cu, j));
                dist(ru, j) = v;
                dist(j, ru) = v;
            }
            phi_sum[ru] += phi_sum[cu];
            csize[ru] += csize[cu];
        }
        for (std::size_t i = 0; i < n; ++i) root[i] = uf.find(root[i]);
        active = std::move(next_active);
    }
    return finish(root, options.singletons_are_noise);
}

Clustering approximate_rank_order_cluster(const KnnGraph& graph,
                                          const ApproxRankOrderOptions& options) {
    options.validate();
    const std::size_t n = graph.num_nodes;
    if (n == 0) return {};
    const auto k = static_cast<std::size_t>(graph.k);
    // Sorted copy of every list (for membership tests) and each list's length (-1 padding).
    std::vector<int> sorted(graph.indices);
    std::vector<int> len(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        auto first = sorted.begin() + static_cast<long>(i * k);
        std::sort(first, first + static_cast<long>(k));
        for (std::size_t t = 0; t < k; ++t) len[i] += graph.indices[i * k + t] >= 0;
    }
    auto in_list = [&](std::size_t b, int v) {
        if (static_cast<std::size_t>(v) == b) return true;  // a point is rank 0 of its own list
        const auto first = sorted.begin() + static_cast<long>(b * k);
        return std::binary_search(first, first + static_cast<long>(k), v);
    };
    auto rank_of = [&](std::size_t b, int v) -> int {  // O_b(v): 1-based position, k+1 if absent
        const int* nb = graph.neighbors(b);
        for (std::size_t t = 0; t < k; ++t) {
            if (nb[t] == v) return static_cast<int>(t) + 1;
        }
        return static_cast<int>(k) + 1;
    };
    // d_m(a, b) = sum_{i=0}^{min(O_a(b), k)} [f_a(i) not in b's list]; f_a(0) = a.
    auto d_m = [&](std::size_t a, std::size_t b, int oab) {
        int s = in_list(b, static_cast<int>(a)) ? 0 : 1;
        const int last = std::min(oab, len[a]);
        const int* nb = graph.neighbors(a);
        for (int i = 1; i <= last; ++i) s += in_list(b, nb[i - 1]) ? 0 : 1;
        return s;
    };
    std::vector<std::pair<int, int>> merges;
#pragma omp parallel
    {
        std::vector<std::pair<int, int>> local;
#pragma omp for schedule(dynamic, 256)
        for (long long ai = 0; ai < static_cast<long long>(n); ++ai) {
            const auto a = static_cast<std::size_t>(ai);
            const int* nb = graph.neighbors(a);
            for (std::size_t p = 0; p < k; ++p) {
                const int bi = nb[p];
                if (bi < 0) continue;
                const auto b = static_cast<std::size_t>(bi);
                const int oab = static_cast<int>(p) + 1;
                const int oba = rank_of(b, static_cast<int>(a));
                // Each unordered pair once: from the smaller id when both list each other.
                if (oba <= static_cast<int>(k) && bi < static_cast<int>(a)) continue;
                const double dist =
                    static_cast<double>(d_m(a, b, oab) + d_m(b, a, oba)) / std::min(oab, oba);
                if (dist < options.threshold) local.emplace_back(static_cast<int>(a), bi);
            }
        }
#pragma omp critical
        merges.insert(merges.end(), local.begin(), local.end());
    }
    detail::UnionFind uf(n);
    for (auto [a, b] : merges) uf.unite(a, b);
    std::vector<int> root(n);
    for (std::size_t i = 0; i < n; ++i) root[i] = uf.find(static_cast<int>(i));
    return finish(root, options.singletons_are_noise);
}

}  // namespace faceatlas::cluster
