#include "faceatlas/analysis/attribute_view.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "faceatlas/core/error.h"
#include "view_json.h"

namespace faceatlas::analysis {
using nlohmann::json;

namespace {

constexpr std::string_view kExpressionPrefix = "expression_";

bool is_builtin_numeric(const std::string& name) {
    return name == "age" || name == "age_faceres" || name == "male_prob" ||
           name == "male_prob_faceres";
}

}  // namespace

void AttributeViewOptions::validate() const {
    if (!(prominent_share >= 0 && prominent_share <= 1) || sample_faces < 1)
        throw Error(ErrorCode::kInvalidArgument,
                    "prominent_share must be in [0, 1] and sample_faces >= 1",
                    "AttributeViewOptions");
}

bool has_weights(const cluster::SelectedAttributes& s) {
    return std::any_of(s.weight.begin(), s.weight.end(), [](double w) { return w != 1.0; });
}

AttributeSelectionInfo selection_info(const cluster::SelectedAttributes& s) {
    return {s.names, s.weight, true, static_cast<std::int64_t>(s.face_ids.size()),
            static_cast<std::int64_t>(s.dropped.size())};
}

std::vector<AttributeOccurrence> attribute_occurrence(const cluster::AttributeTable& t,
                                                      const std::vector<std::size_t>& rows,
                                                      double prominent_share) {
    std::vector<AttributeOccurrence> out;
    const auto add = [&](std::string name, const char* kind, std::size_t hits, std::size_t of) {
        if (of == 0) return;
        const double share = static_cast<double>(hits) / static_cast<double>(of);
        out.push_back({std::move(name), kind, share, share >= prominent_share});
    };
    // Expressions: argmax over the expression_* columns (faces with all of them finite).
    std::vector<std::size_t> expr;
    for (std::size_t c = 0; c < t.cols(); ++c)
        if (t.names()[c].rfind(kExpressionPrefix, 0) == 0) expr.push_back(c);
    if (!expr.empty()) {
        std::vector<std::size_t> hits(expr.size(), 0);
        std::size_t of = 0;
        for (auto r : rows) {
            std::size_t best = 0;
            bool ok = true;
            for (std::size_t e = 0; e < expr.size() && ok; ++e) {
                const float v = t.at(r, expr[e]);
                ok = std::isfinite(v);
                if (ok && v > t.at(r, expr[best])) best = e;
            }
            if (!ok) continue;
            ++hits[best];
            ++of;
        }
        for (std::size_t e = 0; e < expr.size(); ++e)
            add(t.names()[expr[e]].substr(kExpressionPrefix.size()), "expression", hits[e], of);
    }
    // Binary attributes: male from male_prob, then the trained attributes by name.
    const auto binary = [&](std::size_t c, std::string name) {
        std::size_t hits = 0, of = 0;
        for (auto r : rows) {
            const float v = t.at(r, c);
            if (!std::isfinite(v)) continue;
            ++of;
            hits += v >= 0.5f ? 1 : 0;
        }
        add(std::move(name), "attribute", hits, of);
    };
    if (const auto c = t.column("male_prob")) binary(*c, "male");
    std::vector<std::pair<std::string, std::size_t>> named;
    for (std::size_t c = 0; c < t.cols(); ++c) {
        const auto& n = t.names()[c];
        if (!is_builtin_numeric(n) && n.rfind(kExpressionPrefix, 0) != 0) named.emplace_back(n, c);
    }
    std::sort(named.begin(), named.end());
    for (const auto& [n, c] : named) binary(c, n);
    return out;
}

AttributeClusteringPart describe_attribute_clustering(const cluster::AttributeTable& table,
                                                      const cluster::SelectedAttributes& s,
                                                      const cluster::Clustering& c,
                                                      const std::string& algorithm,
                                                      const std::string& method,
                                                      const AttributeViewOptions& o) {
    o.validate();
    if (c.size() != s.face_ids.size())
        throw Error(ErrorCode::kInvalidArgument, "clustering and selected faces differ in size",
                    "describe_attribute_clustering");
    std::unordered_map<std::int64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < table.rows(); ++i) row_of[table.face_ids()[i]] = i;
    AttributeClusteringPart p;
    p.selection = selection_info(s);
    p.algorithm = algorithm;
    p.method = method;
    p.clusters = c.num_clusters;
    p.noise = static_cast<std::int64_t>(c.num_noise());
    std::map<int, std::vector<std::size_t>> members;  // cluster -> indices into s
    for (std::size_t i = 0; i < c.size(); ++i) members[c.labels[i]].push_back(i);
    const auto profiles = cluster::cluster_profiles(s.raw, c);
    for (const auto& [label, idx] : members) {
        AttributeGroup g;
        g.cluster = label;
        g.size = static_cast<std::int64_t>(idx.size());
        std::vector<std::size_t> rows;
        for (auto i : idx) {
            const auto it = row_of.find(s.face_ids[i]);
            if (it == row_of.end())
                throw Error(ErrorCode::kInvalidArgument,
                            "face " + std::to_string(s.face_ids[i]) + " is not in the table",
                            "describe_attribute_clustering");
            rows.push_back(it->second);
            if (g.faces.size() < o.sample_faces) g.faces.push_back(s.face_ids[i]);
        }
        for (const auto& pr : profiles)
            if (pr.cluster == label)
                for (std::size_t j = 0; j < s.names.size() && j < pr.mean.size(); ++j)
                    g.mean.emplace_back(s.names[j], pr.mean[j]);
        g.occurrence = attribute_occurrence(table, rows, o.prominent_share);
        p.groups.push_back(std::move(g));
    }
    std::stable_sort(p.groups.begin(), p.groups.end(),
                     [](const AttributeGroup& a, const AttributeGroup& b) {
                         if ((a.cluster == cluster::kNoise) != (b.cluster == cluster::kNoise))
                             return b.cluster == cluster::kNoise;
                         return a.size > b.size;
                     });
    return p;
}

namespace {

json selection_json(const AttributeSelectionInfo& s) {
    return {{"attributes", s.attributes},
            {"weights", s.weights},
            {"standardized", s.standardized},
            {"faces", s.faces},
            {"dropped_faces", s.dropped_faces}};
}
AttributeSelectionInfo selection_from(const json& j) {
    AttributeSelectionInfo s;
    s.attributes = j.at("attributes").get<std::vector<std::string>>();
    s.weights = j.value("weights", std::vector<double>(s.attributes.size(), 1.0));
    s.standardized = j.value("standardized", true);
    s.faces = j.value("faces", std::int64_t{0});
    s.dropped_faces = j.value("dropped_faces", std::int64_t{0});
    return s;
}

json clustering_json(const AttributeClusteringPart& p) {
    json groups = json::array();
    for (const auto& g : p.groups) {
        json mean = json::array(), occ = json::array();
        for (const auto& [n, v] : g.mean) mean.push_back({{"name", n}, {"value", v}});
        for (const auto& a : g.occurrence)
            occ.push_back({{"name", a.name},
                           {"kind", a.kind},
                           {"share", a.share},
                           {"prominent", a.prominent}});
        groups.push_back({{"cluster", g.cluster},
                          {"size", g.size},
                          {"faces", g.faces},
                          {"mean", mean},
                          {"occurrence", occ}});
    }
    return {{"selection", selection_json(p.selection)},
            {"algorithm", p.algorithm},
            {"method", p.method},
            {"clusters", p.clusters},
            {"noise", p.noise},
            {"groups", groups}};
}
AttributeClusteringPart clustering_from(const json& j) {
    AttributeClusteringPart p;
    p.selection = selection_from(j.at("selection"));
    p.algorithm = j.value("algorithm", std::string());
    p.method = j.value("method", std::string());
    p.clusters = j.value("clusters", 0);
    p.noise = j.value("noise", std::int64_t{0});
    for (const auto& g : j.at("groups")) {
        AttributeGroup ag;
        ag.cluster = g.at("cluster").get<int>();
        ag.size = g.at("size").get<std::int64_t>();
        ag.faces = g.at("faces").get<std::vector<std::int64_t>>();
        for (const auto& m : g.value("mean", json::array()))
            ag.mean.emplace_back(m.at("name").get<std::string>(), m.at("value").get<double>());
        for (const auto& a : g.value("occurrence", json::array()))
            ag.occurrence.push_back({a.at("name").get<std::string>(),
                                     a.at("kind").get<std::string>(), a.at("share").get<double>(),
                                     a.at("prominent").get<bool>()});
        p.groups.push_back(std::move(ag));
    }
    return p;
}

json compare_json(const AttributeComparePart& p) {
    json entries = json::array();
    for (const auto& e : p.entries)
        entries.push_back({{"algorithm", e.algorithm},
                           {"linkage", e.linkage},
                           {"metric", e.metric},
                           {"k", e.k},
                           {"clusters", e.clusters},
                           {"silhouette", opt_json(e.silhouette)},
                           {"eps", opt_json(e.eps)},
                           {"noise", e.noise}});
    return {{"selection", selection_json(p.selection)},
            {"k_min", p.k_min},
            {"k_max", p.k_max},
            {"rows", p.rows},
            {"sampled", p.sampled},
            {"entries", entries}};
}
AttributeComparePart compare_from(const json& j) {
    AttributeComparePart p;
    p.selection = selection_from(j.at("selection"));
    p.k_min = j.at("k_min").get<int>();
    p.k_max = j.at("k_max").get<int>();
    p.rows = j.value("rows", std::int64_t{0});
    p.sampled = j.value("sampled", false);
    for (const auto& e : j.at("entries")) {
        AttributeCompareEntry a;
        a.algorithm = e.at("algorithm").get<std::string>();
        a.linkage = e.value("linkage", std::string());
        a.metric = e.value("metric", std::string());
        a.k = e.at("k").get<int>();
        a.clusters = e.value("clusters", 0);
        a.silhouette = opt_from_json<double>(e, "silhouette");
        a.eps = opt_from_json<double>(e, "eps");
        a.noise = e.value("noise", std::size_t{0});
        p.entries.push_back(std::move(a));
    }
    return p;
}

template <typename T, typename F>
json part_json(const std::optional<T>& p, F f) {
    return p ? f(*p) : json();
}

}  // namespace

void to_json(json& j, const AttributeView& v) {
    j = json{{"format", "faceatlas-attr-clusters"},
             {"version", v.version},
             {"created", v.created},
             {"catalog", v.catalog},
             {"prominent_share", v.prominent_share},
             {"clustering", part_json(v.clustering, clustering_json)},
             {"clustering_unweighted", part_json(v.clustering_unweighted, clustering_json)},
             {"compare", part_json(v.compare, compare_json)},
             {"compare_unweighted", part_json(v.compare_unweighted, compare_json)}};
}

void from_json(const json& j, AttributeView& v) {
    check_format(j, "faceatlas-attr-clusters", kAttributeViewVersion);
    v.version = j.at("version").get<int>();
    v.created = j.value("created", std::string());
    v.catalog = j.value("catalog", std::string());
    v.prominent_share = j.value("prominent_share", 0.3);
    const auto part = [&](const char* key, auto parse, auto& out) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null())
            out.reset();
        else
            out = parse(*it);
    };
    part("clustering", clustering_from, v.clustering);
    part("clustering_unweighted", clustering_from, v.clustering_unweighted);
    part("compare", compare_from, v.compare);
    part("compare_unweighted", compare_from, v.compare_unweighted);
}

}  // namespace faceatlas::analysis
