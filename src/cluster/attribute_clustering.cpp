#include "faceatlas/cluster/attribute_clustering.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

namespace {

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(sep, start);
        out.push_back(
            trim(text.substr(start, at == std::string_view::npos ? text.npos : at - start)));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

}  // namespace

AttributeTable::AttributeTable(std::vector<std::int64_t> face_ids)
    : face_ids_(std::move(face_ids)) {
    std::vector<std::int64_t> sorted = face_ids_;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        throw Error(ErrorCode::kInvalidArgument, "attribute table: a face id is listed twice",
                    "AttributeTable");
    }
}

std::optional<std::size_t> AttributeTable::column(std::string_view name) const {
    for (std::size_t j = 0; j < names_.size(); ++j) {
        if (names_[j] == name) return j;
    }
    return std::nullopt;
}

void AttributeTable::add_column(std::string name, std::vector<float> values) {
    if (name.empty() || column(name)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "attribute table: column '" + name + "' is empty or already present",
                    "AttributeTable::add_column");
    }
    if (values.size() != rows()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "attribute table: column '" + name + "' has " + std::to_string(values.size()) +
                        " values for " + std::to_string(rows()) + " faces",
                    "AttributeTable::add_column");
    }
    names_.push_back(std::move(name));
    columns_.push_back(std::move(values));
}

std::size_t AttributeTable::add_named(const std::vector<NamedAttribute>& rows) {
    std::unordered_map<std::int64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < face_ids_.size(); ++i) row_of.emplace(face_ids_[i], i);
    std::unordered_map<std::string, std::size_t> new_col;
    std::size_t skipped = 0;
    for (const auto& r : rows) {
        const auto it = row_of.find(r.face_id);
        if (it == row_of.end()) {
            ++skipped;
            continue;
        }
        auto c = new_col.find(r.name);
        if (c == new_col.end()) {
            add_column(r.name, std::vector<float>(face_ids_.size(),
                                                  std::numeric_limits<float>::quiet_NaN()));
            c = new_col.emplace(r.name, names_.size() - 1).first;
        }
        columns_[c->second][it->second] = r.value;
    }
    return skipped;
}

void AttributeSelection::validate() const {
    for (const auto& [name, w] : weights) {
        if (!(w >= 0) || !std::isfinite(w)) {
            throw Error(ErrorCode::kInvalidArgument,
                        "weight of '" + name + "' must be a finite number >= 0", "--weights");
        }
        if (!attributes.empty() &&
            std::find(attributes.begin(), attributes.end(), name) == attributes.end()) {
            throw Error(ErrorCode::kInvalidArgument,
                        "weight given for '" + name + "', which is not among the attributes",
                        "--weights", "add it to --attrs or drop the weight");
        }
    }
}

SelectedAttributes select_attributes(const AttributeTable& table,
                                     const AttributeSelection& selection) {
    selection.validate();
    const std::vector<std::string> names =
        selection.attributes.empty() ? table.names() : selection.attributes;
    if (names.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "no attributes to cluster on", "--attrs");
    }
    std::vector<std::size_t> cols;
    for (const auto& n : names) {
        const auto c = table.column(n);
        if (!c) {
            throw Error(ErrorCode::kInvalidArgument, "unknown attribute '" + n + "'", "--attrs",
                        "known attributes: " + joined(table.names()));
        }
        if (std::find(cols.begin(), cols.end(), *c) != cols.end()) {
            throw Error(ErrorCode::kInvalidArgument, "attribute '" + n + "' listed twice",
                        "--attrs");
        }
        cols.push_back(*c);
    }
    for (const auto& [name, w] : selection.weights) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            throw Error(ErrorCode::kInvalidArgument, "weight for unknown attribute '" + name + "'",
                        "--weights", "known attributes: " + joined(table.names()));
        }
    }
    SelectedAttributes out;
    out.names = names;
    const std::size_t d = cols.size();
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < table.rows(); ++i) {
        bool ok = true;
        for (std::size_t j = 0; j < d && ok; ++j) {
            const float v = table.at(i, cols[j]);
            if (!std::isfinite(v)) {
                if (selection.missing == MissingValues::kError) {
                    throw Error(ErrorCode::kInvalidArgument,
                                "face " + std::to_string(table.face_ids()[i]) +
                                    " has no value for '" + names[j] + "'",
                                "attribute clustering",
                                "drop the attribute or let faces with missing values be skipped");
                }
                ok = false;
            }
        }
        if (ok) {
            keep.push_back(i);
        } else {
            out.dropped.push_back(table.face_ids()[i]);
        }
    }
    const std::size_t n = keep.size();
    out.raw = Matrix(n, d);
    out.x = Matrix(n, d);
    out.face_ids.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
        out.face_ids.push_back(table.face_ids()[keep[r]]);
        for (std::size_t j = 0; j < d; ++j) out.raw(r, j) = table.at(keep[r], cols[j]);
    }
    out.mean.assign(d, 0.0);
    out.scale.assign(d, 1.0);
    out.weight.assign(d, 1.0);
    for (const auto& [name, w] : selection.weights) {
        const auto at = std::find(names.begin(), names.end(), name) - names.begin();
        out.weight[static_cast<std::size_t>(at)] = w;
    }
    for (std::size_t j = 0; j < d; ++j) {
        if (selection.standardize && n > 0) {
            double s = 0, ss = 0;
            for (std::size_t r = 0; r < n; ++r) s += out.raw(r, j);
            const double m = s / static_cast<double>(n);
            for (std::size_t r = 0; r < n; ++r) ss += (out.raw(r, j) - m) * (out.raw(r, j) - m);
            const double sd = std::sqrt(ss / static_cast<double>(n));  // population sd (sklearn)
            out.mean[j] = m;
            out.scale[j] = sd > 0 ? sd : 1.0;
        }
        for (std::size_t r = 0; r < n; ++r) {
            out.x(r, j) =
                static_cast<float>((out.raw(r, j) - out.mean[j]) / out.scale[j] * out.weight[j]);
        }
    }
    return out;
}

std::vector<std::string> parse_attribute_list(std::string_view text) {
    std::vector<std::string> out = split(text, ',');
    for (const auto& s : out) {
        if (s.empty()) {
            throw Error(ErrorCode::kInvalidArgument,
                        "empty attribute name in '" + std::string(text) + "'", "--attrs",
                        "write names separated by commas, e.g. age,male_prob");
        }
    }
    return out;
}

std::vector<std::pair<std::string, double>> parse_attribute_weights(std::string_view text) {
    std::vector<std::pair<std::string, double>> out;
    if (trim(text).empty()) return out;
    for (const auto& item : split(text, ',')) {
        const auto eq = item.find('=');
        const std::string name = eq == std::string::npos ? "" : trim(item.substr(0, eq));
        const std::string value = eq == std::string::npos ? "" : trim(item.substr(eq + 1));
        double w = 0;
        const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), w);
        if (name.empty() || value.empty() || ec != std::errc() ||
            p != value.data() + value.size()) {
            throw Error(ErrorCode::kInvalidArgument, "bad weight '" + item + "'", "--weights",
                        "write name=number pairs separated by commas, e.g. age=2,male_prob=0.5");
        }
        out.emplace_back(name, w);
    }
    return out;
}

const char* to_string(AttributeAlgorithm algorithm) {
    switch (algorithm) {
        case AttributeAlgorithm::kKMeans:
            return "kmeans";
        case AttributeAlgorithm::kAgglomerative:
            return "agglomerative";
        case AttributeAlgorithm::kDbscan:
            return "dbscan";
        case AttributeAlgorithm::kGmm:
            return "gmm";
    }
    return "?";
}

AttributeAlgorithm attribute_algorithm_from_string(std::string_view name) {
    if (name == "kmeans") return AttributeAlgorithm::kKMeans;
    if (name == "agglomerative") return AttributeAlgorithm::kAgglomerative;
    if (name == "dbscan") return AttributeAlgorithm::kDbscan;
    if (name == "gmm") return AttributeAlgorithm::kGmm;
    throw Error(ErrorCode::kInvalidArgument, "unknown algorithm '" + std::string(name) + "'",
                "--algo", "use kmeans, agglomerative, dbscan or gmm");
}

void AttributeClusterOptions::validate() const {
    if (k < 1) throw Error(ErrorCode::kInvalidArgument, "k must be >= 1", "--k");
    if (!(eps > 0) || !std::isfinite(eps)) {
        throw Error(ErrorCode::kInvalidArgument, "eps must be a finite number > 0", "--eps",
                    "try the median distance to the min_samples-th neighbour");
    }
    if (min_samples < 1 || n_init < 1) {
        throw Error(ErrorCode::kInvalidArgument, "min_samples and n_init must be >= 1");
    }
    if (algorithm == AttributeAlgorithm::kAgglomerative) {
        LinkageOptions{linkage, metric}.validate();
    }
}

Clustering cluster_attributes(const MatrixView& x, const AttributeClusterOptions& options) {
    options.validate();
    check_matrix(x, "attribute clustering");
    if (options.algorithm != AttributeAlgorithm::kDbscan &&
        static_cast<std::size_t>(options.k) > x.rows) {
        throw Error(ErrorCode::kInvalidArgument,
                    "k = " + std::to_string(options.k) + " clusters asked of " +
                        std::to_string(x.rows) + " faces",
                    "--k", "choose k <= the number of faces");
    }
    switch (options.algorithm) {
        case AttributeAlgorithm::kKMeans: {
            KMeansOptions ko;
            ko.k = options.k;
            ko.n_init = options.n_init;
            ko.seed = options.seed;
            return kmeans(x, ko).clustering;
        }
        case AttributeAlgorithm::kAgglomerative: {
            const Linkage tree = linkage(x, LinkageOptions{options.linkage, options.metric});
            return cut_by_count(tree, options.k);
        }
        case AttributeAlgorithm::kDbscan: {
            DbscanOptions d;
            d.eps = options.eps;
            d.min_samples = options.min_samples;
            d.metric = options.metric;
            return dbscan(x, d);
        }
        case AttributeAlgorithm::kGmm: {
            GmmOptions g;
            g.n_components = options.k;
            g.covariance = CovarianceType::kFull;
            g.n_init = options.n_init;
            g.seed = options.seed;
            return make_clustering(GaussianMixture::fit(x, g).predict(x));
        }
    }
    return {};
}

std::vector<ClusterProfile> cluster_profiles(const Matrix& raw, const Clustering& clustering) {
    if (clustering.size() != raw.rows()) {
        throw Error(ErrorCode::kInvalidArgument, "cluster_profiles: one label per row needed");
    }
    std::set<int> ids(clustering.labels.begin(), clustering.labels.end());
    std::vector<ClusterProfile> out;
    for (int c : ids) {
        ClusterProfile p;
        p.cluster = c;
        p.mean.assign(raw.cols(), 0.0);
        for (std::size_t i = 0; i < raw.rows(); ++i) {
            if (clustering.labels[i] != c) continue;
            ++p.size;
            for (std::size_t j = 0; j < raw.cols(); ++j) p.mean[j] += raw(i, j);
        }
        for (auto& m : p.mean) m /= static_cast<double>(p.size);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace faceatlas::cluster
