#include "faceatlas/analysis/attribute_compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/silhouette.h"

namespace faceatlas::analysis {

using cluster::CondensedMatrix;
using cluster::Metric;

void AttributeCompareOptions::validate() const {
    if (k_min < 2 || k_max < k_min) {
        throw Error(ErrorCode::kInvalidArgument, "compare needs 2 <= k_min <= k_max", "--compare",
                    "write k=2..20");
    }
    if (kmeans_n_init < 1 || dbscan_min_samples < 1 || dbscan_eps_steps < 1 || max_rows < 3) {
        throw Error(ErrorCode::kInvalidArgument,
                    "compare: n_init, min_samples, eps_steps must be >= 1 and max_rows >= 3");
    }
}

namespace {

int distinct_clusters(const std::vector<int>& labels) {
    std::set<int> s;
    for (int l : labels) {
        if (l != cluster::kNoise) s.insert(l);
    }
    return static_cast<int>(s.size());
}

// Mean silhouette from a condensed matrix; none when undefined.
std::optional<double> silhouette_of(const CondensedMatrix& d, const std::vector<int>& labels,
                                    bool exclude_noise) {
    std::size_t scored = 0;
    for (int l : labels) scored += (l != cluster::kNoise || !exclude_noise) ? 1 : 0;
    const int k = distinct_clusters(labels);
    const bool has_noise = std::find(labels.begin(), labels.end(), cluster::kNoise) != labels.end();
    // Silhouette needs 2 <= clusters <= scored - 1 (noise counted as singletons otherwise).
    const std::size_t clusters =
        exclude_noise || !has_noise
            ? static_cast<std::size_t>(k)
            : static_cast<std::size_t>(k) + static_cast<std::size_t>(std::count(
                                                labels.begin(), labels.end(), cluster::kNoise));
    if (clusters < 2 || clusters + 1 > scored) return std::nullopt;
    eval::SilhouetteOptions so;
    so.noise = exclude_noise ? eval::NoiseHandling::kExclude : eval::NoiseHandling::kSingletons;
    so.noise_label = cluster::kNoise;
    const auto r = eval::silhouette(
        [&d](std::size_t i, std::size_t j) { return static_cast<double>(d(i, j)); }, d.size(),
        labels, so);
    return r.score;
}

}  // namespace

AttributeCompareResult compare_attribute_clusterings(const cluster::MatrixView& x_in,
                                                     const AttributeCompareOptions& options) {
    options.validate();
    cluster::check_matrix(x_in, "compare_attribute_clusterings");
    if (x_in.rows < 3) {
        throw Error(ErrorCode::kInvalidArgument,
                    "compare needs at least 3 faces, got " + std::to_string(x_in.rows),
                    "--compare");
    }
    AttributeCompareResult result;
    // Seeded subsample when the set is large.
    cluster::Matrix sampled;
    cluster::MatrixView x = x_in;
    if (x_in.rows > options.max_rows) {
        std::vector<std::size_t> idx(x_in.rows);
        std::iota(idx.begin(), idx.end(), std::size_t{0});
        std::mt19937_64 rng(options.seed);
        std::shuffle(idx.begin(), idx.end(), rng);
        idx.resize(options.max_rows);
        std::sort(idx.begin(), idx.end());
        sampled = cluster::Matrix(idx.size(), x_in.cols);
        for (std::size_t r = 0; r < idx.size(); ++r) {
            std::copy(x_in.row(idx[r]), x_in.row(idx[r]) + x_in.cols, sampled.row(r));
        }
        x = sampled.view();
        result.sampled = true;
    }
    result.rows = x.rows;
    const int k_max = std::min<int>(options.k_max, static_cast<int>(x.rows) - 1);

    std::map<Metric, CondensedMatrix> dist;
    dist.emplace(Metric::kEuclidean, cluster::condensed_distances(x, Metric::kEuclidean));
    if (options.agglomerative) {
        dist.emplace(Metric::kCosine, cluster::condensed_distances(x, Metric::kCosine));
        dist.emplace(Metric::kManhattan, cluster::condensed_distances(x, Metric::kManhattan));
    }

    std::vector<AttributeCompareEntry> entries;
    // k-means.
    for (int k = options.k_min; k <= k_max; ++k) {
        cluster::KMeansOptions ko;
        ko.k = k;
        ko.n_init = options.kmeans_n_init;
        ko.seed = options.seed;
        const auto r = cluster::kmeans(x, ko);
        AttributeCompareEntry e{"kmeans", "", "euclidean", k, r.clustering.num_clusters, {}, {}, 0};
        e.silhouette = silhouette_of(dist.at(Metric::kEuclidean), r.clustering.labels, false);
        entries.push_back(std::move(e));
    }
    // Agglomerative: one dendrogram per (linkage, metric), cut at every k.
    if (options.agglomerative) {
        using cluster::LinkageMethod;
        const LinkageMethod any_metric[] = {LinkageMethod::kSingle, LinkageMethod::kComplete,
                                            LinkageMethod::kAverage, LinkageMethod::kWeighted};
        const LinkageMethod euclidean_only[] = {LinkageMethod::kCentroid, LinkageMethod::kMedian,
                                                LinkageMethod::kWard};
        std::vector<std::pair<LinkageMethod, Metric>> pairs;
        for (auto m : any_metric) {
            for (auto metric : {Metric::kEuclidean, Metric::kCosine, Metric::kManhattan}) {
                pairs.emplace_back(m, metric);
            }
        }
        for (auto m : euclidean_only) pairs.emplace_back(m, Metric::kEuclidean);
        for (const auto& [method, metric] : pairs) {
            const CondensedMatrix& d = dist.at(metric);
            const cluster::Linkage tree = cluster::linkage(CondensedMatrix(d), method);
            for (int k = options.k_min; k <= k_max; ++k) {
                const auto c = cluster::cut_by_count(tree, k);
                AttributeCompareEntry e{"agglomerative",
                                        cluster::to_string(method),
                                        cluster::to_string(metric),
                                        k,
                                        c.num_clusters,
                                        {},
                                        {},
                                        0};
                e.silhouette = silhouette_of(d, c.labels, false);
                entries.push_back(std::move(e));
            }
        }
    }
    // DBSCAN over an eps grid.
    if (options.dbscan) {
        cluster::KnnOptions kn;
        kn.k = std::max(
            1, std::min<int>(options.dbscan_min_samples - 1, static_cast<int>(x.rows) - 1));
        kn.method = cluster::KnnMethod::kExact;
        const auto g = cluster::build_knn_graph(x, kn);
        std::vector<float> kdist;
        for (std::size_t i = 0; i < x.rows; ++i) {
            const float v = g.neighbor_distances(i)[kn.k - 1];
            if (std::isfinite(v)) kdist.push_back(v);
        }
        std::sort(kdist.begin(), kdist.end());
        std::set<double> grid(options.dbscan_eps.begin(), options.dbscan_eps.end());
        const bool explicit_eps = !grid.empty();
        for (int s = 0; !explicit_eps && s < options.dbscan_eps_steps && !kdist.empty(); ++s) {
            const double q = options.dbscan_eps_steps == 1
                                 ? 0.5
                                 : 0.02 + 0.96 * s / (options.dbscan_eps_steps - 1);
            const double v =
                kdist[static_cast<std::size_t>(q * static_cast<double>(kdist.size() - 1))];
            if (v > 0) grid.insert(v);
        }
        std::map<int, AttributeCompareEntry> best;
        for (double eps : grid) {
            cluster::DbscanOptions d;
            d.eps = eps;
            d.min_samples = options.dbscan_min_samples;
            const auto c = cluster::dbscan(x, d);
            if (c.num_clusters < options.k_min || c.num_clusters > k_max) continue;
            AttributeCompareEntry e{"dbscan",       "", "euclidean", c.num_clusters,
                                    c.num_clusters, {}, eps,         c.num_noise()};
            e.silhouette = silhouette_of(dist.at(Metric::kEuclidean), c.labels, true);
            auto it = best.find(c.num_clusters);
            if (it == best.end() || (e.silhouette && (!it->second.silhouette ||
                                                      *e.silhouette > *it->second.silhouette))) {
                best[c.num_clusters] = e;
            }
        }
        for (auto& [k, e] : best) entries.push_back(std::move(e));
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.k < b.k; });
    result.entries = std::move(entries);
    return result;
}

}  // namespace faceatlas::analysis
