// faceatlas cluster-attributes (and `faceatlas cluster --features attributes`): group faces by
// their predicted attributes; --compare scores k-means / agglomerative / DBSCAN for a k range.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_common.h"
#include "face_data.h"
#include "faceatlas/analysis/attribute_compare.h"
#include "faceatlas/analysis/attribute_view.h"
#include "faceatlas/analysis/view_file.h"
#include "faceatlas/cluster/attribute_clustering.h"
#include "faceatlas/core/error.h"
#include "faceatlas/version.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {
namespace {

// Rows of the catalog's face_attributes table (trained and user attribute probabilities).
std::vector<cluster::NamedAttribute> named_attributes_of(catalog::Catalog& cat) {
    std::vector<cluster::NamedAttribute> out;
    for (const auto& r : cat.face_attributes()) out.push_back({r.face_id, r.name, r.prob});
    return out;
}

// The per-face attribute table: built-in predictions + the face_attributes table.
cluster::AttributeTable attribute_table(const CatalogFaces& cf) {
    std::vector<std::int64_t> ids;
    for (const auto& f : cf.faces) ids.push_back(f.id);
    cluster::AttributeTable t(ids);
    const std::size_t n = cf.faces.size();
    auto col = [&](const char* name, auto get) {
        std::vector<float> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = get(cf.faces[i]);
        t.add_column(name, std::move(v));
    };
    const float nan = std::nanf("");
    col("age", [](const catalog::FaceRecord& f) { return f.age; });
    col("age_faceres", [](const catalog::FaceRecord& f) { return f.age_faceres; });
    col("male_prob", [](const catalog::FaceRecord& f) { return f.male_prob; });
    col("male_prob_faceres", [](const catalog::FaceRecord& f) { return f.male_prob_faceres; });
    for (std::size_t e = 0; e < vision::kExpressionNames.size(); ++e) {
        const std::string name = std::string("expression_") + vision::kExpressionNames[e];
        col(name.c_str(), [e, nan](const catalog::FaceRecord& f) {
            return f.expression.size() == vision::kExpressionNames.size() ? f.expression[e] : nan;
        });
    }
    t.add_named(named_attributes_of(*cf.catalog));
    return t;
}

std::pair<int, int> parse_k_range(const std::string& text) {
    static const std::regex re(R"(^\s*(?:k\s*=\s*)?(\d+)\s*\.\.\s*(\d+)\s*$)");
    std::smatch m;
    if (!std::regex_match(text, m, re)) {
        throw Error(ErrorCode::kInvalidArgument, "bad range '" + text + "'", "--compare",
                    "write k=2..20");
    }
    return {std::stoi(m[1]), std::stoi(m[2])};
}

nlohmann::json opt(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

std::string view_file(const ClusterAttributesArgs& a) {
    if (!a.view.empty()) return a.view;
    if (!a.compare_out.empty()) return a.compare_out;
    return analysis::view_path(a.catalog, "attr_clusters.json").string();
}

// The view file's other parts survive (a plain run keeps the last --compare and vice versa);
// a file of another format or version starts over.
analysis::AttributeView existing_view(const std::string& path) {
    if (auto j = analysis::read_view_file(path)) {
        try {
            return j->get<analysis::AttributeView>();
        } catch (const std::exception&) {
        }
    }
    return {};
}

void save_view(analysis::AttributeView v, const ClusterAttributesArgs& a, const std::string& path) {
    v.created = utc_now();
    v.catalog = a.catalog;
    analysis::write_view_file(path, v);
}

analysis::AttributeComparePart compare_part(const cluster::SelectedAttributes& s,
                                            const analysis::AttributeCompareOptions& co, bool raw) {
    const auto r = analysis::compare_attribute_clusterings(s.x, co);
    analysis::AttributeComparePart p;
    p.selection = analysis::selection_info(s);
    p.selection.standardized = !raw;
    p.k_min = co.k_min;
    p.k_max = co.k_max;
    p.rows = static_cast<std::int64_t>(r.rows);
    p.sampled = r.sampled;
    p.entries = r.entries;
    return p;
}

std::string method_text(const ClusterAttributesArgs& a, const cluster::AttributeClusterOptions& o) {
    using cluster::AttributeAlgorithm;
    switch (o.algorithm) {
        case AttributeAlgorithm::kDbscan:
            return "DBSCAN, eps " + std::to_string(a.eps).substr(0, 5) + ", min samples " +
                   std::to_string(a.min_samples) + " (" + a.metric + ")";
        case AttributeAlgorithm::kAgglomerative:
            return "agglomerative, k=" + std::to_string(a.k) + " (" +
                   cluster::to_string(o.linkage) + " / " + a.metric + ")";
        default:
            return a.algo + ", k=" + std::to_string(a.k) + ", seed " + std::to_string(a.seed);
    }
}

}  // namespace

void add_cluster_attributes_options(CLI::App& app, ClusterAttributesArgs& a) {
    app.add_option("--catalog", a.catalog, "catalog file")->capture_default_str();
    app.add_option("--attrs", a.attrs,
                   "attributes to cluster on, comma-separated (default: all; see --list)");
    app.add_option("--weights", a.weights, "per-attribute weights, e.g. age=2,male_prob=0.5");
    app.add_option("--algo", a.algo, "kmeans, agglomerative, dbscan or gmm")
        ->check(CLI::IsMember({"kmeans", "agglomerative", "dbscan", "gmm"}))
        ->capture_default_str();
    app.add_option("--k", a.k, "number of clusters (kmeans, agglomerative, gmm)")
        ->capture_default_str();
    app.add_option("--eps", a.eps, "DBSCAN radius in standardized units")->capture_default_str();
    app.add_option("--min-samples", a.min_samples, "DBSCAN core size")->capture_default_str();
    app.add_option("--linkage", a.linkage, "agglomerative linkage (scipy names)")
        ->capture_default_str();
    app.add_option("--metric", a.metric, "euclidean, cosine or cityblock (agglomerative, dbscan)")
        ->capture_default_str();
    app.add_option("--seed", a.seed, "random seed")->capture_default_str();
    app.add_flag("--raw", a.raw, "do not z-score the attributes");
    app.add_option("--compare", a.compare,
                   "score kmeans/agglomerative/dbscan for k in a range, e.g. k=2..20");
    app.add_option("--view", a.view,
                   "the report's attribute-clustering view file (default: "
                   "<catalog>.attr_clusters.json; plain runs and --compare each update "
                   "their part)");
    app.add_option("--compare-out", a.compare_out, "old name of --view");
    app.add_flag("--no-view", a.no_view, "do not write the view file");
    app.add_option("--out", a.out, "write face_id,cluster CSV here");
    app.add_flag("--json", a.json, "JSON output");
    app.add_flag("--list", a.list, "list the available attributes and exit");
}

int run_cluster_attributes(const ClusterAttributesArgs& a) {
    const CatalogFaces cf = load_catalog_faces(a.catalog, false);
    const cluster::AttributeTable table = attribute_table(cf);
    if (a.list) {
        for (std::size_t j = 0; j < table.cols(); ++j) {
            std::size_t present = 0;
            for (float v : table.column_values(j)) present += std::isfinite(v) ? 1 : 0;
            std::printf("%-28s %zu faces\n", table.names()[j].c_str(), present);
        }
        return kExitOk;
    }
    cluster::AttributeSelection sel;
    if (!a.attrs.empty()) sel.attributes = cluster::parse_attribute_list(a.attrs);
    sel.weights = cluster::parse_attribute_weights(a.weights);
    sel.standardize = !a.raw;
    const cluster::SelectedAttributes s = cluster::select_attributes(table, sel);
    if (s.x.rows() == 0) {
        throw Error(ErrorCode::kInvalidArgument, "no faces with all the selected attributes",
                    a.catalog, "scan photos first or pick other --attrs");
    }

    if (!a.compare.empty()) {
        const auto [k_min, k_max] = parse_k_range(a.compare);
        analysis::AttributeCompareOptions co;
        co.k_min = k_min;
        co.k_max = k_max;
        co.seed = a.seed;
        co.dbscan_min_samples = a.min_samples;
        const std::string view_out = view_file(a);
        auto part = compare_part(s, co, a.raw);
        const auto& r = part;
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& e : r.entries) {
            entries.push_back(
                {{"algorithm", e.algorithm},
                 {"linkage", e.linkage.empty() ? nlohmann::json() : nlohmann::json(e.linkage)},
                 {"metric", e.metric},
                 {"k", e.k},
                 {"clusters", e.clusters},
                 {"silhouette", opt(e.silhouette)},
                 {"eps", opt(e.eps)},
                 {"noise", e.noise}});
        }
        nlohmann::json weights = nlohmann::json::object();
        for (std::size_t j = 0; j < s.names.size(); ++j) weights[s.names[j]] = s.weight[j];
        const nlohmann::json doc{{"format", "faceatlas-attr-clusters"},
                                 {"version", 1},
                                 {"catalog", a.catalog},
                                 {"created", utc_now()},
                                 {"faceatlas_version", faceatlas::kVersion},
                                 {"attributes", s.names},
                                 {"weights", weights},
                                 {"standardized", !a.raw},
                                 {"faces", s.x.rows()},
                                 {"dropped_faces", s.dropped.size()},
                                 {"rows_clustered", r.rows},
                                 {"view", a.no_view ? nlohmann::json() : nlohmann::json(view_out)},
                                 {"sampled", r.sampled},
                                 {"seed", a.seed},
                                 {"k_min", k_min},
                                 {"k_max", k_max},
                                 {"dbscan_min_samples", a.min_samples},
                                 {"results", entries}};
        if (!a.no_view) {
            // With weights, the same comparison unweighted is the "before" of the report.
            analysis::AttributeView view = existing_view(view_out);
            view.compare_unweighted.reset();
            if (analysis::has_weights(s)) {
                cluster::AttributeSelection plain = sel;
                plain.weights.clear();
                view.compare_unweighted =
                    compare_part(cluster::select_attributes(table, plain), co, a.raw);
            }
            view.compare = part;
            save_view(std::move(view), a, view_out);
        }
        if (a.json) {
            std::cout << doc.dump() << "\n";
            return kExitOk;
        }
        // Table: one row per k, best silhouette per family (and which linkage/metric won).
        std::printf("%lld faces, attributes: ", static_cast<long long>(r.rows));
        for (std::size_t j = 0; j < s.names.size(); ++j)
            std::printf("%s%s", j ? "," : "", s.names[j].c_str());
        std::printf("\n%3s  %8s  %-30s %8s  %s\n", "k", "kmeans", "agglomerative (best)", "",
                    "dbscan (eps, noise)");
        for (int k = k_min; k <= k_max; ++k) {
            const analysis::AttributeCompareEntry* km = nullptr;
            const analysis::AttributeCompareEntry* ag = nullptr;
            const analysis::AttributeCompareEntry* db = nullptr;
            for (const auto& e : r.entries) {
                if (e.k != k || !e.silhouette) continue;
                if (e.algorithm == "kmeans") km = &e;
                if (e.algorithm == "dbscan") db = &e;
                if (e.algorithm == "agglomerative" && (!ag || *e.silhouette > *ag->silhouette))
                    ag = &e;
            }
            if (!km && !ag && !db) continue;
            char agname[64] = "";
            if (ag)
                std::snprintf(agname, sizeof agname, "%s/%s", ag->linkage.c_str(),
                              ag->metric.c_str());
            std::printf("%3d  %8s  %-30s %8s  ", k,
                        km ? std::to_string(*km->silhouette).substr(0, 6).c_str() : "-", agname,
                        ag ? std::to_string(*ag->silhouette).substr(0, 6).c_str() : "-");
            if (db) {
                std::printf("%.4f (eps %.3f, %zu noise)\n", *db->silhouette, *db->eps, db->noise);
            } else {
                std::printf("-\n");
            }
        }
        if (!a.no_view) std::printf("saved %s\n", view_out.c_str());
        return kExitOk;
    }

    cluster::AttributeClusterOptions o;
    o.algorithm = cluster::attribute_algorithm_from_string(a.algo);
    o.k = a.k;
    o.eps = a.eps;
    o.min_samples = a.min_samples;
    o.linkage = cluster::linkage_method_from_string(a.linkage);
    o.metric = cluster::metric_from_string(a.metric);
    o.seed = a.seed;
    if (o.algorithm == cluster::AttributeAlgorithm::kAgglomerative && a.linkage == "ward" &&
        o.metric != cluster::Metric::kEuclidean) {
        o.linkage = cluster::LinkageMethod::kAverage;  // ward needs Euclidean: the natural fallback
    }
    const cluster::Clustering c = cluster::cluster_attributes(s.x, o);
    const auto profiles = cluster::cluster_profiles(s.raw, c);
    const std::string view_out = view_file(a);
    if (!a.no_view) {
        const auto describe = [&](const cluster::SelectedAttributes& sa,
                                  const cluster::Clustering& cl) {
            auto p =
                analysis::describe_attribute_clustering(table, sa, cl, a.algo, method_text(a, o));
            p.selection.standardized = !a.raw;
            return p;
        };
        analysis::AttributeView view = existing_view(view_out);
        view.clustering = describe(s, c);
        view.clustering_unweighted.reset();
        if (analysis::has_weights(s)) {
            // The same run with every weight 1: the report's "before" of the weights.
            cluster::AttributeSelection plain = sel;
            plain.weights.clear();
            const auto s0 = cluster::select_attributes(table, plain);
            view.clustering_unweighted = describe(s0, cluster::cluster_attributes(s0.x, o));
        }
        save_view(std::move(view), a, view_out);
    }
    if (!a.out.empty()) {
        std::ofstream f(a.out, std::ios::trunc);
        if (!f) throw Error(ErrorCode::kIo, "cannot write", a.out);
        f << "face_id,cluster\n";
        for (std::size_t i = 0; i < s.face_ids.size(); ++i)
            f << s.face_ids[i] << "," << c.labels[i] << "\n";
    }
    if (a.json) {
        nlohmann::json clusters = nlohmann::json::array();
        for (const auto& p : profiles) {
            nlohmann::json mean = nlohmann::json::object();
            for (std::size_t j = 0; j < s.names.size(); ++j) mean[s.names[j]] = p.mean[j];
            clusters.push_back({{"cluster", p.cluster}, {"size", p.size}, {"mean", mean}});
        }
        std::cout << nlohmann::json{{"algorithm", a.algo},
                                    {"faces", s.face_ids.size()},
                                    {"dropped_faces", s.dropped.size()},
                                    {"attributes", s.names},
                                    {"clusters", clusters},
                                    {"face_ids", s.face_ids},
                                    {"view",
                                     a.no_view ? nlohmann::json() : nlohmann::json(view_out)},
                                    {"labels", c.labels}}
                         .dump()
                  << "\n";
        return kExitOk;
    }
    std::printf("%zu faces, %d clusters (%s)%s\n", s.face_ids.size(), c.num_clusters,
                a.algo.c_str(),
                c.num_noise() ? (", " + std::to_string(c.num_noise()) + " noise").c_str() : "");
    std::printf("%8s %6s", "cluster", "faces");
    for (const auto& n : s.names)
        std::printf(" %*s", static_cast<int>(std::max<std::size_t>(n.size(), 6)), n.c_str());
    std::printf("\n");
    for (const auto& p : profiles) {
        std::printf("%8s %6zu",
                    p.cluster == cluster::kNoise ? "noise" : std::to_string(p.cluster).c_str(),
                    p.size);
        for (std::size_t j = 0; j < s.names.size(); ++j) {
            std::printf(" %*.3f", static_cast<int>(std::max<std::size_t>(s.names[j].size(), 6)),
                        p.mean[j]);
        }
        std::printf("\n");
    }
    if (!a.no_view) std::printf("saved %s\n", view_out.c_str());
    return kExitOk;
}

Command register_cluster_attributes(CLI::App& root, GlobalOptions& g) {
    (void)g;
    auto* app = root.add_subcommand(
        "cluster-attributes", "group faces by predicted attributes (age, gender, expression, ...)");
    auto args = std::make_shared<ClusterAttributesArgs>();
    add_cluster_attributes_options(*app, *args);
    return {app, [args]() { return run_cluster_attributes(*args); }};
}

}  // namespace faceatlas::cli
