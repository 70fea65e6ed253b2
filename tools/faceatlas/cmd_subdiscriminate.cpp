// faceatlas subdiscriminate: cluster embeddings without labels into k groups, save the centroids
// (or mixture), and with --labels say which labelled attribute explains each split.
// faceatlas classify: assign faces to saved centroids.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_common.h"
#include "face_data.h"
#include "faceatlas/analysis/subdiscrimination.h"
#include "faceatlas/analysis/subdiscrimination_view.h"
#include "faceatlas/analysis/view_file.h"
#include "faceatlas/cluster/attribute_clustering.h"
#include "faceatlas/cluster/centroid_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/age_bands.h"
#include "faceatlas/version.h"

namespace faceatlas::cli {
namespace {

struct SubArgs {
    std::string catalog = "faceatlas.db";
    std::string ks = "2,4,8";
    std::string algo = "kmeans";
    std::string embedding = "dlib";
    int seeds = 5;
    std::uint64_t seed = 0;
    std::string save;
    std::string labels;
    std::string columns;  // subset of label columns; empty = all usable
    std::string age_column = "age";
    std::int64_t person = -1;
    std::string view;  // default <catalog>.subdiscrimination.json
    bool no_view = false;
    bool json = false;
};

struct ClassifyArgs {
    std::string catalog = "faceatlas.db";
    std::string centroids;
    bool json = false;
};

// Label columns from the label file: `age_column` (numbers) becomes "<age_column>_band" (Adience
// bands); columns with a single value are skipped (they explain nothing).
std::vector<analysis::LabelColumn> label_columns(const LabelledFaces& lf, const LabelFile& file,
                                                 const SubArgs& a,
                                                 std::vector<std::string>* skipped) {
    std::set<std::string> wanted;
    if (!a.columns.empty()) {
        for (const auto& c : cluster::parse_attribute_list(a.columns)) wanted.insert(c);
    }
    std::vector<analysis::LabelColumn> out;
    for (std::size_t c = 0; c < file.columns.size(); ++c) {
        std::string name = file.columns[c];
        std::vector<std::string> values;
        for (const auto& row : lf.values) values.push_back(row[c]);
        if (name == a.age_column) {
            for (auto& v : values) {
                if (v.empty()) continue;
                char* end = nullptr;
                const double age = std::strtod(v.c_str(), &end);
                if (end == v.c_str() || *end != '\0' || !std::isfinite(age)) {
                    throw Error(ErrorCode::kCorruptData, "age '" + v + "' is not a number",
                                file.path, "fix the value or pass --age-column ''");
                }
                v = eval::adience_band_name(eval::adience_band(age));
            }
            name += "_band";
        }
        if (!wanted.empty() && !wanted.count(name) && !wanted.count(file.columns[c])) continue;
        auto col = analysis::make_label_column(name, values);
        if (col.values.size() < 2) {
            skipped->push_back(name);
            continue;
        }
        out.push_back(std::move(col));
    }
    return out;
}

std::string mean_std(const analysis::SplitScore& s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ± %.3f", s.mean, s.std);
    return buf;
}

int run_subdiscriminate(const SubArgs& a) {
    analysis::SubdiscriminationOptions o;
    o.ks = parse_int_list(a.ks, "--k");
    o.algorithm = cluster::centroid_algorithm_from_string(a.algo);
    o.seeds = a.seeds;
    o.seed = a.seed;
    o.validate();
    (void)embedding_dim(a.embedding);
    const CatalogFaces cf = load_catalog_faces(a.catalog, true);

    std::vector<const catalog::FaceRecord*> faces;
    std::vector<std::vector<std::string>> label_values;
    std::vector<analysis::LabelColumn> columns;
    std::vector<std::string> skipped;
    std::size_t unmatched = 0, duplicates = 0;
    if (!a.labels.empty()) {
        const LabelFile file = read_label_file(a.labels);
        duplicates = file.exact_duplicates;
        LabelledFaces lf = match_labels(cf, file);
        unmatched = lf.unmatched;
        // Restrict to one person if asked.
        LabelledFaces kept;
        for (std::size_t i = 0; i < lf.face_index.size(); ++i) {
            const auto& f = cf.faces[lf.face_index[i]];
            if (a.person >= 0 && f.person_id != a.person) continue;
            kept.face_index.push_back(lf.face_index[i]);
            kept.values.push_back(lf.values[i]);
        }
        for (auto i : kept.face_index) faces.push_back(&cf.faces[i]);
        if (!faces.empty()) columns = label_columns(kept, file, a, &skipped);
    } else {
        for (const auto& f : cf.faces) {
            if (a.person >= 0 && f.person_id != a.person) continue;
            faces.push_back(&f);
        }
    }
    if (faces.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    a.person >= 0 ? "person " + std::to_string(a.person) + " has no faces"
                                  : "no faces to cluster",
                    a.catalog, "scan photos first, or check --person with `faceatlas faces`");
    }
    const cluster::Matrix x = embedding_matrix(faces, a.embedding);
    const auto r = analysis::subdiscriminate(x, columns, o);

    std::vector<cluster::CentroidModel> models = r.models;
    const std::string created = utc_now();
    for (auto& m : models) {
        m.embedding = a.embedding;
        m.created = created;
        m.faceatlas_version = faceatlas::kVersion;
        if (a.person >= 0) m.person_id = a.person;
    }
    if (!a.save.empty()) cluster::save_centroid_models(models, a.save);
    const std::string view_out =
        a.view.empty() ? analysis::view_path(a.catalog, "subdiscrimination.json").string() : a.view;
    if (!a.no_view) {
        std::vector<std::int64_t> face_ids;
        for (const auto* f : faces) face_ids.push_back(f->id);
        auto view = analysis::build_subdiscrimination_view(r, x, face_ids, columns);
        view.created = created;
        view.catalog = a.catalog;
        view.embedding = a.embedding;
        view.algorithm = a.algo;
        if (a.person >= 0) view.person_id = a.person;
        view.seeds = a.seeds;
        view.labels = a.labels;
        analysis::write_view_file(view_out, view);
    }

    if (a.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& e : r.rows) rows.push_back(e);  // analysis::to_json(ColumnExplanation)
        nlohmann::json sizes = nlohmann::json::array();
        for (const auto& m : models) {
            std::vector<int> count(static_cast<std::size_t>(m.k()), 0);
            for (int l : cluster::assign_to_centroids(m, x).labels)
                ++count[static_cast<std::size_t>(l)];
            sizes.push_back({{"k", m.k()}, {"sizes", count}});
        }
        std::cout
            << nlohmann::json{{"catalog", a.catalog},
                              {"embedding", a.embedding},
                              {"algorithm", a.algo},
                              {"faces", x.rows()},
                              {"seeds", a.seeds},
                              {"seed", a.seed},
                              {"person_id",
                               a.person >= 0 ? nlohmann::json(a.person) : nlohmann::json()},
                              {"unmatched_label_rows", unmatched},
                              {"duplicate_label_rows", duplicates},
                              {"skipped_columns", skipped},
                              {"cluster_sizes", sizes},
                              {"rows", rows},
                              {"best_by_k", r.best_by_k},
                              {"saved", a.save.empty() ? nlohmann::json() : nlohmann::json(a.save)},
                              {"view", a.no_view ? nlohmann::json() : nlohmann::json(view_out)}}
                   .dump()
            << "\n";
        return kExitOk;
    }
    std::printf("%zu faces, embedding %s (%zu-d), %s, %d seed%s\n", x.rows(), a.embedding.c_str(),
                x.cols(), a.algo.c_str(), a.seeds, a.seeds == 1 ? "" : "s");
    if (unmatched) std::printf("(%zu label rows have no face in the catalog)\n", unmatched);
    if (duplicates) std::printf("(%zu duplicate label rows kept once)\n", duplicates);
    for (const auto& s : skipped)
        std::printf("(column %s has a single value: skipped)\n", s.c_str());
    for (const auto& m : models) {
        std::vector<int> count(static_cast<std::size_t>(m.k()), 0);
        for (int l : cluster::assign_to_centroids(m, x).labels)
            ++count[static_cast<std::size_t>(l)];
        std::printf("k=%d sizes (seed %llu):", m.k(), static_cast<unsigned long long>(m.seed));
        for (int c : count) std::printf(" %d", c);
        std::printf("\n");
    }
    if (!r.rows.empty()) {
        std::printf("\n%3s  %-14s %7s %6s  %-15s  %-15s  %-15s\n", "k", "column", "classes",
                    "chance", "accuracy", "purity", "AMI");
        for (const auto& e : r.rows) {
            std::printf("%3d  %-14s %7d %6.3f  %-15s  %-15s  %-15s\n", e.k, e.column.c_str(),
                        e.classes, e.chance, mean_std(e.accuracy).c_str(),
                        mean_std(e.purity).c_str(), mean_std(e.ami).c_str());
        }
        for (std::size_t i = 0; i < o.ks.size(); ++i) {
            std::printf("k=%d is best explained by %s (highest AMI)\n", o.ks[i],
                        r.best_by_k[i].c_str());
        }
    }
    if (!a.save.empty()) std::printf("saved %s\n", a.save.c_str());
    if (!a.no_view) std::printf("saved %s\n", view_out.c_str());
    return kExitOk;
}

int run_classify(const ClassifyArgs& a) {
    const auto models = cluster::load_centroid_models(a.centroids);
    const CatalogFaces cf = load_catalog_faces(a.catalog, true);
    std::vector<const catalog::FaceRecord*> faces;
    for (const auto& f : cf.faces) faces.push_back(&f);
    std::vector<cluster::CentroidAssignment> assign;
    for (const auto& m : models) {
        (void)embedding_dim(m.embedding);  // unknown embedding names fail here
        const cluster::Matrix x = embedding_matrix(faces, m.embedding);
        if (x.rows() > 0 && x.cols() != m.dim()) {
            throw Error(ErrorCode::kInvalidArgument,
                        "the centroids are " + std::to_string(m.dim()) + "-d but the catalog's " +
                            m.embedding + " embeddings are " + std::to_string(x.cols()) + "-d",
                        a.centroids, "use centroids trained on this embedding");
        }
        assign.push_back(cluster::assign_to_centroids(m, x));
    }
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = 0; i < faces.size(); ++i) {
            nlohmann::json groups = nlohmann::json::array();
            for (std::size_t m = 0; m < models.size(); ++m) {
                groups.push_back({{"k", models[m].k()},
                                  {"algorithm", cluster::to_string(models[m].algorithm)},
                                  {"embedding", models[m].embedding},
                                  {"cluster", assign[m].labels[i]},
                                  {"distance", assign[m].distances[i]},
                                  {"probability", assign[m].probability[i]}});
            }
            out.push_back({{"face_id", faces[i]->id}, {"file", cf.paths[i]}, {"groups", groups}});
        }
        std::cout << out.dump() << "\n";
        return kExitOk;
    }
    std::printf("face_id,file");
    for (const auto& m : models)
        std::printf(",k%d_%s_%s", m.k(), cluster::to_string(m.algorithm), m.embedding.c_str());
    std::printf("\n");
    for (std::size_t i = 0; i < faces.size(); ++i) {
        std::printf("%lld,%s", static_cast<long long>(faces[i]->id), cf.file_names[i].c_str());
        for (const auto& as : assign) std::printf(",%d", as.labels[i]);
        std::printf("\n");
    }
    return kExitOk;
}

}  // namespace

std::vector<Command> register_subdiscriminate(CLI::App& root, GlobalOptions& g) {
    (void)g;
    auto sa = std::make_shared<SubArgs>();
    auto* sub =
        root.add_subcommand("subdiscriminate",
                            "cluster embeddings without labels into k groups; save the centroids; "
                            "with --labels, say which attribute explains each split");
    sub->add_option("--catalog", sa->catalog, "catalog file")->capture_default_str();
    sub->add_option("--k", sa->ks, "group counts, comma-separated")->capture_default_str();
    sub->add_option("--algo", sa->algo, "kmeans or gmm (diagonal covariance)")
        ->check(CLI::IsMember({"kmeans", "gmm"}))
        ->capture_default_str();
    sub->add_option("--embedding", sa->embedding, "dlib or faceres")
        ->check(CLI::IsMember({"dlib", "faceres"}))
        ->capture_default_str();
    sub->add_option("--seeds", sa->seeds, "runs per k (mean ± std over them)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    sub->add_option("--seed", sa->seed, "first seed")->capture_default_str();
    sub->add_option("--save", sa->save, "write the centroids (first seed) to this JSON file");
    sub->add_option(
        "--labels", sa->labels,
        "CSV with a `file` column and any label columns (gender, race, age, family...)");
    sub->add_option("--columns", sa->columns, "label columns to score (default: all)");
    sub->add_option("--age-column", sa->age_column,
                    "numeric column turned into Adience age bands (<name>_band)")
        ->capture_default_str();
    sub->add_option("--person", sa->person, "only this person's faces (intra-class structure)");
    sub->add_option("--view", sa->view,
                    "the report's sub-discrimination view file (default: "
                    "<catalog>.subdiscrimination.json)");
    sub->add_flag("--no-view", sa->no_view, "do not write the view file");
    sub->add_flag("--json", sa->json, "JSON output");

    auto ca = std::make_shared<ClassifyArgs>();
    auto* cls = root.add_subcommand("classify", "assign every face to the nearest saved centroid");
    cls->add_option("--centroids", ca->centroids, "file written by subdiscriminate --save")
        ->required();
    cls->add_option("--catalog", ca->catalog, "catalog file")->capture_default_str();
    cls->add_flag("--json", ca->json, "JSON output (default: CSV)");
    return {{sub, [sa]() { return run_subdiscriminate(*sa); }},
            {cls, [ca]() { return run_classify(*ca); }}};
}

}  // namespace faceatlas::cli
