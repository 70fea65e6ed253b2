#include "faceatlas/cluster/album.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include "faceatlas/cluster/cannot_link.h"
#include "faceatlas/cluster/chinese_whispers.h"
#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/cluster/rank_order.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

struct AlgorithmName {
    AlbumAlgorithm algorithm;
    const char* name;
};

constexpr AlgorithmName kAlgorithmNames[] = {
    {AlbumAlgorithm::kSingle, "single"},
    {AlbumAlgorithm::kAverage, "average"},
    {AlbumAlgorithm::kComplete, "complete"},
    {AlbumAlgorithm::kWeighted, "weighted"},
    {AlbumAlgorithm::kMedian, "median"},
    {AlbumAlgorithm::kCentroid, "centroid"},
    {AlbumAlgorithm::kWard, "ward"},
    {AlbumAlgorithm::kRankOrder, "rank-order"},
    {AlbumAlgorithm::kDbscan, "dbscan"},
    {AlbumAlgorithm::kKMeans, "kmeans"},
    {AlbumAlgorithm::kChineseWhispers, "chinese-whispers"},
    {AlbumAlgorithm::kGmm, "gmm"},
};

LinkageMethod linkage_method(AlbumAlgorithm a) {
    switch (a) {
        case AlbumAlgorithm::kSingle:
            return LinkageMethod::kSingle;
        case AlbumAlgorithm::kComplete:
            return LinkageMethod::kComplete;
        case AlbumAlgorithm::kWeighted:
            return LinkageMethod::kWeighted;
        case AlbumAlgorithm::kMedian:
            return LinkageMethod::kMedian;
        case AlbumAlgorithm::kCentroid:
            return LinkageMethod::kCentroid;
        case AlbumAlgorithm::kWard:
            return LinkageMethod::kWard;
        default:
            return LinkageMethod::kAverage;
    }
}

// Base distance plus the birth-year term (rule 1).
class AlbumDistance {
  public:
    AlbumDistance(const MatrixView& x, const std::vector<AlbumItem>& items, const AlbumOptions& o)
        : x_(x),
          items_(items),
          metric_(o.metric),
          per_year_(o.birth_year_weight / o.birth_year_scale) {}

    double birth_term(std::size_t i, std::size_t j) const {
        const auto& a = items_[i].birth_year;
        const auto& b = items_[j].birth_year;
        if (per_year_ == 0 || !a || !b) return 0;
        return per_year_ * std::abs(*a - *b);
    }
    double operator()(std::size_t i, std::size_t j) const {
        return distance(x_.row(i), x_.row(j), x_.cols, metric_) + birth_term(i, j);
    }
    bool has_birth_term() const {
        if (per_year_ == 0) return false;
        std::size_t dated = 0;
        for (const auto& it : items_) dated += it.birth_year.has_value() ? 1 : 0;
        return dated >= 2;
    }

  private:
    MatrixView x_;
    const std::vector<AlbumItem>& items_;
    Metric metric_;
    double per_year_;
};

// L2-normalised copy: k-means and GMM work in Euclidean space, where for unit vectors the
// squared distance is 2 * cosine distance.
Matrix normalized_rows(const MatrixView& x) {
    Matrix m(x.rows, x.cols);
    for (std::size_t i = 0; i < x.rows; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < x.cols; ++j) s += double(x(i, j)) * x(i, j);
        const double inv = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
        for (std::size_t j = 0; j < x.cols; ++j) m(i, j) = static_cast<float>(x(i, j) * inv);
    }
    return m;
}

Clustering linkage_clustering(const MatrixView& x, const AlbumDistance& dist, LinkageMethod method,
                              Metric metric, double threshold) {
    CondensedMatrix d = condensed_distances(x, metric);
    if (dist.has_birth_term()) {
        for (std::size_t i = 0; i + 1 < x.rows; ++i)
            for (std::size_t j = i + 1; j < x.rows; ++j)
                d.at(i, j) += static_cast<float>(dist.birth_term(i, j));
    }
    return cut_by_distance(linkage(std::move(d), method), threshold);
}

Clustering run_algorithm(const MatrixView& x, const AlbumDistance& dist, const AlbumOptions& o) {
    const double t = o.resolved_threshold();
    const std::size_t n = x.rows;
    switch (o.algorithm) {
        case AlbumAlgorithm::kRankOrder: {
            RankOrderOptions ro;
            ro.threshold = t;
            ro.metric = o.metric;
            return rank_order_cluster(x, ro);
        }
        case AlbumAlgorithm::kDbscan: {
            DbscanOptions db;
            db.eps = t;
            db.min_samples = o.dbscan_min_samples;
            db.metric = o.metric;
            return dbscan(x, db);
        }
        case AlbumAlgorithm::kChineseWhispers: {
            ChineseWhispersOptions cw;
            cw.threshold = t;
            cw.metric = o.metric;
            cw.seed = o.seed;
            return chinese_whispers(x, cw);
        }
        case AlbumAlgorithm::kKMeans:
        case AlbumAlgorithm::kGmm: {
            int k = o.k;
            if (k == 0) {
                k = linkage_clustering(x, dist, LinkageMethod::kAverage, o.metric, t).num_clusters;
            }
            k = std::clamp(k, 1, static_cast<int>(n));
            const Matrix unit = o.metric == Metric::kCosine ? normalized_rows(x) : Matrix();
            const MatrixView v = o.metric == Metric::kCosine ? unit.view() : x;
            if (o.algorithm == AlbumAlgorithm::kKMeans) {
                KMeansOptions km;
                km.k = k;
                km.seed = o.seed;
                km.n_init = 3;
                return kmeans(v, km).clustering;
            }
            GmmOptions gm;
            gm.n_components = k;
            gm.covariance = CovarianceType::kDiagonal;
            gm.seed = o.seed;
            gm.reg_covar = 1e-4;
            return make_clustering(GaussianMixture::fit(v, gm).predict(v));
        }
        default:
            return linkage_clustering(x, dist, linkage_method(o.algorithm), o.metric, t);
    }
}

double centroid_distance(const MatrixView& x, const std::vector<int>& members, std::size_t item,
                         Metric metric, std::vector<float>& scratch) {
    scratch.assign(x.cols, 0.f);
    for (int m : members) {
        const float* r = x.row(static_cast<std::size_t>(m));
        for (std::size_t j = 0; j < x.cols; ++j) scratch[j] += r[j];
    }
    for (auto& v : scratch) v /= static_cast<float>(members.size());
    return distance(x.row(item), scratch.data(), x.cols, metric);
}

}  // namespace

const char* to_string(AlbumAlgorithm algorithm) {
    for (const auto& a : kAlgorithmNames)
        if (a.algorithm == algorithm) return a.name;
    return "?";
}

AlbumAlgorithm album_algorithm_from_string(std::string_view name) {
    for (const auto& a : kAlgorithmNames)
        if (name == a.name) return a.algorithm;
    std::string names;
    for (const auto& a : kAlgorithmNames) names += std::string(names.empty() ? "" : ", ") + a.name;
    throw Error(ErrorCode::kInvalidArgument,
                "unknown clustering algorithm '" + std::string(name) + "'", "--algo",
                "use one of: " + names);
}

bool is_linkage(AlbumAlgorithm a) {
    return a == AlbumAlgorithm::kSingle || a == AlbumAlgorithm::kAverage ||
           a == AlbumAlgorithm::kComplete || a == AlbumAlgorithm::kWeighted ||
           a == AlbumAlgorithm::kMedian || a == AlbumAlgorithm::kCentroid ||
           a == AlbumAlgorithm::kWard;
}

double default_album_threshold(AlbumAlgorithm algorithm, Metric metric) {
    if (metric != Metric::kEuclidean && metric != Metric::kCosine) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string("no calibrated threshold for metric ") + to_string(metric),
                    "default_album_threshold", "use euclidean (dlib) or cosine (faceres)");
    }
    const bool dlib = metric == Metric::kEuclidean;
    // Calibrated on half of faces-dev's identities (docs/QUALITY.md, "Identity clustering").
    switch (algorithm) {
        case AlbumAlgorithm::kSingle:
            return dlib ? 0.45 : 0.275;
        case AlbumAlgorithm::kAverage:
            return dlib ? 0.525 : 0.375;
        case AlbumAlgorithm::kComplete:
            return dlib ? 0.575 : 0.40;
        case AlbumAlgorithm::kWeighted:
            return dlib ? 0.525 : 0.375;
        case AlbumAlgorithm::kMedian:
            return dlib ? 0.425 : 0.30;
        case AlbumAlgorithm::kCentroid:
            return dlib ? 0.425 : 0.30;
        case AlbumAlgorithm::kWard:
            return dlib ? 0.65 : 0.475;
        case AlbumAlgorithm::kRankOrder:
            return 4.0;  // smallest of the grid 4..30: see QUALITY.md
        case AlbumAlgorithm::kDbscan:
            return dlib ? 0.45 : 0.275;
        case AlbumAlgorithm::kChineseWhispers:
            return dlib ? 0.475 : 0.325;
        case AlbumAlgorithm::kKMeans:
        case AlbumAlgorithm::kGmm:
            return dlib ? 0.525 : 0.375;
    }
    return 0.5;
}

void AlbumOptions::validate() const {
    auto bad = [](const std::string& what, const std::string& hint) {
        throw Error(ErrorCode::kInvalidArgument, what, "AlbumOptions", hint);
    };
    if (metric != Metric::kEuclidean && metric != Metric::kCosine)
        bad("metric must be euclidean (dlib) or cosine (faceres)", "pick --embedding dlib|faceres");
    if (std::isnan(threshold) || std::isinf(threshold))
        bad("threshold must be a finite number", "pass --threshold T with T > 0");
    if (threshold == 0)
        bad("threshold must be > 0 (or < 0 for the calibrated default)", "pass --threshold T > 0");
    if (std::isnan(birth_year_weight) || birth_year_weight < 0 || std::isinf(birth_year_weight))
        bad("birth-year weight must be >= 0", "pass --birth-year-weight W with W >= 0 (0 = off)");
    if (!(birth_year_scale > 0) || std::isinf(birth_year_scale))
        bad("birth-year scale must be > 0", "use years, e.g. 10");
    if (min_size < 1) bad("min size must be >= 1", "pass --min-size N with N >= 1");
    if (std::isnan(min_days) || min_days < 0)
        bad("min days must be >= 0", "pass --min-days D >= 0 (0 = off)");
    if (std::isnan(assign_threshold)) bad("assign threshold is NaN", "use a number; < 0 = default");
    if (k < 0) bad("k must be >= 0", "0 = pick k by average linkage");
    if (dbscan_min_samples < 1) bad("DBSCAN min samples must be >= 1", "use 2");
}

double AlbumOptions::resolved_threshold() const {
    return threshold > 0 ? threshold : default_album_threshold(algorithm, metric);
}

double AlbumOptions::resolved_assign_threshold() const {
    if (assign_threshold >= 0) return assign_threshold;
    return 0.9 * default_album_threshold(AlbumAlgorithm::kAverage, metric);
}

bool album_cannot_link(const AlbumItem& a, const AlbumItem& b) {
    for (auto ga : a.groups)
        for (auto gb : b.groups)
            if (ga == gb) return true;
    if (a.pinned_person && b.pinned_person && *a.pinned_person != *b.pinned_person) return true;
    auto current = [](const AlbumItem& it) {
        return it.pinned_person ? it.pinned_person : it.person;
    };
    auto vetoes = [](const AlbumItem& it, const std::optional<std::int64_t>& p) {
        return p &&
               std::find(it.not_persons.begin(), it.not_persons.end(), *p) != it.not_persons.end();
    };
    return vetoes(a, current(b)) || vetoes(b, current(a));
}

AlbumResult cluster_album(const MatrixView& x, const std::vector<AlbumItem>& items,
                          const AlbumOptions& options) {
    options.validate();
    if (x.rows != items.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "cluster_album: " + std::to_string(x.rows) + " embeddings for " +
                        std::to_string(items.size()) + " items",
                    "cluster_album", "pass one embedding row per item");
    }
    check_matrix(x, "cluster_album");
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& b = items[i].birth_year;
        const auto& d = items[i].day;
        if ((b && !std::isfinite(*b)) || (d && !std::isfinite(*d))) {
            throw Error(
                ErrorCode::kInvalidArgument,
                "cluster_album: item " + std::to_string(i) + " has a NaN/inf birth year or date",
                "cluster_album", "leave the value unset when it is unknown");
        }
    }
    AlbumResult result;
    const std::size_t n = items.size();
    result.person_of.assign(n, -1);
    if (n == 0) return result;

    const AlbumDistance dist(x, items, options);
    // 1-2. raw clustering (noise -> singletons).
    std::vector<std::vector<int>> clusters;
    if (n == 1) {
        clusters.push_back({0});
    } else {
        const Clustering raw = run_algorithm(x, dist, options);
        clusters = raw.members();
        for (std::size_t i = 0; i < n; ++i)
            if (raw.labels[i] == kNoise) clusters.push_back({static_cast<int>(i)});
    }
    result.raw_clusters = static_cast<int>(clusters.size());

    // 3. cannot-link split.
    std::vector<std::vector<int>> parts;
    const CannotLink cl = [&](int a, int b) {
        return album_cannot_link(items[static_cast<std::size_t>(a)],
                                 items[static_cast<std::size_t>(b)]);
    };
    const PairDistance pd = [&](int a, int b) {
        return dist(static_cast<std::size_t>(a), static_cast<std::size_t>(b));
    };
    for (auto& c : clusters) {
        bool constrained = false;
        for (std::size_t i = 0; i < c.size() && !constrained; ++i)
            for (std::size_t j = i + 1; j < c.size() && !constrained; ++j)
                constrained = cl(c[i], c[j]);
        if (!constrained) {
            parts.push_back(std::move(c));
            continue;
        }
        auto split = split_cannot_link(c, pd, cl);
        result.cannot_link_splits += static_cast<int>(split.size()) - 1;
        for (auto& p : split) parts.push_back(std::move(p));
    }

    // 4. size and day-span rules.
    std::vector<std::vector<int>> kept;
    for (auto& p : parts) {
        if (static_cast<int>(p.size()) < options.min_size) continue;
        if (options.min_days > 0) {
            double lo = std::numeric_limits<double>::infinity();
            double hi = -lo;
            for (int i : p) {
                if (const auto& d = items[static_cast<std::size_t>(i)].day) {
                    lo = std::min(lo, *d);
                    hi = std::max(hi, *d);
                }
            }
            if (!(hi - lo >= options.min_days)) continue;
        }
        std::sort(p.begin(), p.end());
        kept.push_back(std::move(p));
    }

    // 5. match clusters to previous persons by majority overlap.
    std::vector<std::tuple<int, std::int64_t, std::size_t>> candidates;  // votes, person, cluster
    // A cluster whose majority person holds user-pinned items of it may share that person with
    // another cluster (the user merged them).
    std::vector<std::optional<std::int64_t>> pinned_majority(kept.size());
    for (std::size_t c = 0; c < kept.size(); ++c) {
        std::map<std::int64_t, int> votes;
        std::map<std::int64_t, int> pinned_votes;
        int with_person = 0;
        for (int i : kept[c]) {
            const auto& it = items[static_cast<std::size_t>(i)];
            const auto p = it.pinned_person ? it.pinned_person : it.person;
            if (!p) continue;
            ++with_person;
            ++votes[*p];
            if (it.pinned_person) ++pinned_votes[*p];
        }
        for (const auto& [p, v] : votes) {
            if (2 * v > with_person) {
                candidates.emplace_back(v, p, c);
                if (pinned_votes.count(p)) pinned_majority[c] = p;
            }
        }
    }
    // Clusters that may share their person (pinned majority) go last; then most overlap first.
    std::sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
        const bool pa = pinned_majority[std::get<2>(a)].has_value();
        const bool pb = pinned_majority[std::get<2>(b)].has_value();
        if (pa != pb) return pb;
        if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
        if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
        return std::get<2>(a) < std::get<2>(b);
    });
    std::vector<std::optional<std::int64_t>> cluster_person(kept.size());
    std::map<std::int64_t, std::size_t> person_cluster;
    for (const auto& [v, p, c] : candidates) {
        if (cluster_person[c] || person_cluster.count(p)) continue;
        cluster_person[c] = p;
        person_cluster[p] = c;
    }
    for (std::size_t c = 0; c < kept.size(); ++c)
        if (!cluster_person[c] && pinned_majority[c]) cluster_person[c] = pinned_majority[c];
    // Kept persons by id, then new ones in cluster order.
    std::map<std::int64_t, int> person_index;
    auto existing_index = [&](std::int64_t id) {
        auto [pos, inserted] = person_index.emplace(id, 0);
        if (inserted) {
            pos->second = static_cast<int>(result.persons.size());
            result.persons.push_back({id, {}});
        }
        return pos->second;
    };
    for (const auto& [p, c] : person_cluster) existing_index(p);
    for (const auto& it : items)
        if (it.pinned_person) existing_index(*it.pinned_person);
    std::vector<int> cluster_index(kept.size(), -1);
    for (std::size_t c = 0; c < kept.size(); ++c) {
        if (cluster_person[c]) {
            cluster_index[c] = person_index.at(*cluster_person[c]);
        } else {
            cluster_index[c] = static_cast<int>(result.persons.size());
            result.persons.push_back({std::nullopt, {}});
        }
    }
    for (std::size_t c = 0; c < kept.size(); ++c) {
        const auto& target = result.persons[static_cast<std::size_t>(cluster_index[c])];
        for (int i : kept[c]) {
            const auto& it = items[static_cast<std::size_t>(i)];
            if (it.pinned_person) continue;
            const bool veto =
                target.existing && std::find(it.not_persons.begin(), it.not_persons.end(),
                                             *target.existing) != it.not_persons.end();
            result.person_of[static_cast<std::size_t>(i)] = veto ? -1 : cluster_index[c];
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        if (items[i].pinned_person) result.person_of[i] = person_index.at(*items[i].pinned_person);

    // Unsorted items may join a kept previous person by centroid distance.
    std::vector<std::vector<int>> members(result.persons.size());
    for (std::size_t i = 0; i < n; ++i)
        if (result.person_of[i] >= 0)
            members[static_cast<std::size_t>(result.person_of[i])].push_back(static_cast<int>(i));
    const double assign_t = options.resolved_assign_threshold();
    std::vector<float> scratch;
    std::vector<int> late(n, -1);
    if (assign_t > 0) {
        for (std::size_t i = 0; i < n; ++i) {
            if (result.person_of[i] >= 0 || !items[i].is_new) continue;
            double best = assign_t;
            for (std::size_t p = 0; p < result.persons.size(); ++p) {
                if (!result.persons[p].existing || members[p].empty()) continue;
                bool blocked = std::find(items[i].not_persons.begin(), items[i].not_persons.end(),
                                         *result.persons[p].existing) != items[i].not_persons.end();
                for (int m : members[p]) {
                    if (blocked) break;
                    blocked = cl(static_cast<int>(i), m);
                }
                if (blocked) continue;
                const double d = centroid_distance(x, members[p], i, options.metric, scratch);
                if (d < best) {
                    best = d;
                    late[i] = static_cast<int>(p);
                }
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (late[i] >= 0) {
            result.person_of[i] = late[i];
            ++result.assigned_to_centroid;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (result.person_of[i] >= 0)
            result.persons[static_cast<std::size_t>(result.person_of[i])].items.push_back(
                static_cast<int>(i));
        else
            ++result.unsorted;
    }
    // A new cluster emptied by vetoes is no person.
    std::vector<int> remap(result.persons.size(), -1);
    std::vector<AlbumPerson> compact;
    for (std::size_t p = 0; p < result.persons.size(); ++p) {
        if (result.persons[p].items.empty() && !result.persons[p].existing) continue;
        remap[p] = static_cast<int>(compact.size());
        compact.push_back(std::move(result.persons[p]));
    }
    for (auto& po : result.person_of)
        if (po >= 0) po = remap[static_cast<std::size_t>(po)];
    result.persons = std::move(compact);
    return result;
}

}  // namespace faceatlas::cluster
