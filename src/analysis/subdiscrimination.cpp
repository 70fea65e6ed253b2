#include "faceatlas/analysis/subdiscrimination.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/contingency.h"
#include "faceatlas/eval/linear_assignment.h"
#include "faceatlas/eval/mutual_information.h"
#include "faceatlas/eval/purity.h"

namespace faceatlas::analysis {

LabelColumn make_label_column(std::string name, const std::vector<std::string>& values) {
    LabelColumn c;
    c.name = std::move(name);
    std::map<std::string, int> id;
    c.labels.reserve(values.size());
    for (const auto& v : values) {
        if (v.empty()) {
            c.labels.push_back(-1);
            continue;
        }
        auto it = id.find(v);
        if (it == id.end()) {
            it = id.emplace(v, static_cast<int>(c.values.size())).first;
            c.values.push_back(v);
        }
        c.labels.push_back(it->second);
    }
    return c;
}

void SubdiscriminationOptions::validate() const {
    if (ks.empty() || std::any_of(ks.begin(), ks.end(), [](int k) { return k < 1; })) {
        throw Error(ErrorCode::kInvalidArgument, "every k must be >= 1", "--k", "e.g. --k 2,4,8");
    }
    if (seeds < 1 || n_init < 1) {
        throw Error(ErrorCode::kInvalidArgument, "seeds and n_init must be >= 1", "--seeds");
    }
}

cluster::CentroidModel fit_centroid_model(const cluster::MatrixView& x, int k,
                                          const SubdiscriminationOptions& options,
                                          std::uint64_t seed) {
    if (static_cast<std::size_t>(k) > x.rows) {
        throw Error(
            ErrorCode::kInvalidArgument,
            "k = " + std::to_string(k) + " groups asked of " + std::to_string(x.rows) + " faces",
            "--k", "choose k <= the number of faces");
    }
    cluster::CentroidModel m;
    if (options.algorithm == cluster::CentroidAlgorithm::kKMeans) {
        cluster::KMeansOptions ko;
        ko.k = k;
        ko.n_init = options.n_init;
        ko.seed = seed;
        m = cluster::centroid_model_from_kmeans(cluster::kmeans(x, ko));
    } else {
        cluster::GmmOptions go;
        go.n_components = k;
        go.covariance = options.covariance;
        go.n_init = options.n_init;
        go.seed = seed;
        go.reg_covar = 1e-6;
        m = cluster::centroid_model_from_gmm(cluster::GaussianMixture::fit(x, go));
    }
    m.seed = seed;
    m.trained_on = x.rows;
    return m;
}

namespace {

SplitScore summarize(std::vector<double> v) {
    SplitScore s;
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(v.size()));
    s.per_seed = std::move(v);
    return s;
}

}  // namespace

SubdiscriminationResult subdiscriminate(const cluster::MatrixView& x,
                                        const std::vector<LabelColumn>& columns,
                                        const SubdiscriminationOptions& options) {
    options.validate();
    cluster::check_matrix(x, "subdiscriminate");
    for (const auto& c : columns) {
        if (c.labels.size() != x.rows) {
            throw Error(ErrorCode::kInvalidArgument,
                        "label column '" + c.name + "' has " + std::to_string(c.labels.size()) +
                            " values for " + std::to_string(x.rows) + " faces");
        }
    }
    SubdiscriminationResult out;
    for (int k : options.ks) {
        // per column, per seed
        std::vector<std::vector<double>> acc(columns.size()), pur(columns.size()),
            ami(columns.size());
        for (int s = 0; s < options.seeds; ++s) {
            const std::uint64_t seed = options.seed + static_cast<std::uint64_t>(s);
            cluster::CentroidModel m = fit_centroid_model(x, k, options, seed);
            const auto pred = cluster::assign_to_centroids(m, x).labels;
            if (s == 0) out.models.push_back(std::move(m));
            for (std::size_t c = 0; c < columns.size(); ++c) {
                std::vector<int> t, p;
                for (std::size_t i = 0; i < x.rows; ++i) {
                    if (columns[c].labels[i] < 0) continue;
                    t.push_back(columns[c].labels[i]);
                    p.push_back(pred[i]);
                }
                if (t.empty()) continue;
                acc[c].push_back(eval::best_match_accuracy(t, p).accuracy);
                const auto table = eval::make_contingency(t, p);
                pur[c].push_back(eval::purity(table));
                ami[c].push_back(eval::adjusted_mutual_information(table));
            }
        }
        double best_ami = -1e300;
        std::string best;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (acc[c].empty()) continue;
            ColumnExplanation e;
            e.k = k;
            e.column = columns[c].name;
            std::map<int, std::size_t> counts;
            for (int l : columns[c].labels) {
                if (l >= 0) ++counts[l];
            }
            for (const auto& [l, n] : counts) {
                e.labelled += n;
                e.chance = std::max(e.chance, static_cast<double>(n));
            }
            e.chance /= static_cast<double>(e.labelled);
            e.classes = static_cast<int>(counts.size());
            e.accuracy = summarize(acc[c]);
            e.purity = summarize(pur[c]);
            e.ami = summarize(ami[c]);
            if (e.ami.mean > best_ami) {
                best_ami = e.ami.mean;
                best = e.column;
            }
            out.rows.push_back(std::move(e));
        }
        out.best_by_k.push_back(best);
    }
    return out;
}

}  // namespace faceatlas::analysis
