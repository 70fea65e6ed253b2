// faceatlas cluster: group the catalog's faces into persons (identity clustering).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/persons.h"
#include "faceatlas/summary/summary_json.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {

Command register_cluster(CLI::App& root, GlobalOptions& g) {
    (void)g;
    struct State {
        std::string catalog = "faceatlas.db";
        std::string algo = "average";
        ClusterAttributesArgs attr;  // --features attributes
        std::string embedding = "dlib";
        std::string features = "identity";
        double threshold = -1;
        double birth_year_weight = 0.1;
        double birth_year_scale = 10;
        int min_size = 2;
        double min_days = 0;
        double assign_threshold = -1;
        int k = 0;
        std::uint64_t seed = 0;
        bool trust_file_dates = false;
        bool dry_run = false;
        bool json = false;
        bool persons_json = false;
    };
    auto st = std::make_shared<State>();
    auto* app = root.add_subcommand("cluster", "group faces into persons (identity clustering)");
    app->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    app->add_option(
           "--algo", st->algo,
           "average|single|complete|weighted|median|centroid|ward|rank-order|dbscan|kmeans|"
           "chinese-whispers|gmm")
        ->capture_default_str();
    app->add_option("--embedding", st->embedding, "dlib (Euclidean) or faceres (cosine)")
        ->check(CLI::IsMember({"dlib", "faceres"}))
        ->capture_default_str();
    app->add_option("--features", st->features, "identity (embeddings) or attributes")
        ->check(CLI::IsMember({"identity", "attributes"}))
        ->capture_default_str();
    app->add_option("--threshold", st->threshold,
                    "distance threshold (default: calibrated per algorithm and embedding)")
        ->check(CLI::PositiveNumber);
    app->add_option("--birth-year-weight", st->birth_year_weight,
                    "w in d = |x_i - x_j| + w |b_i - b_j| / scale (0 = off)")
        ->capture_default_str();
    app->add_option("--birth-year-scale", st->birth_year_scale,
                    "years per unit of the birth-year term")
        ->capture_default_str();
    app->add_option("--min-size", st->min_size, "smaller clusters are left unsorted")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app->add_option("--min-days", st->min_days,
                    "clusters whose dated photos span fewer days are left unsorted (0 = off)")
        ->capture_default_str();
    app->add_option("--assign-threshold", st->assign_threshold,
                    "unsorted faces join a kept person whose centroid is closer (default 0.9 x the "
                    "average-linkage threshold; 0 = never)");
    app->add_option("--k", st->k, "k-means/GMM clusters (0 = the average-linkage count)")
        ->capture_default_str();
    app->add_option("--seed", st->seed, "seed for k-means, GMM, chinese whispers")
        ->capture_default_str();
    app->add_flag("--trust-file-dates", st->trust_file_dates,
                  "use file modification dates for birth years and day spans");
    app->add_flag("--dry-run", st->dry_run, "compute, but leave the catalog unchanged");
    app->add_flag("--json", st->json, "print a JSON summary");
    app->add_flag("--persons-json", st->persons_json, "with --json: fused attributes per person");
    // --features attributes: the attribute-clustering path (cmd_cluster_attributes.cpp).
    app->add_option("--attrs", st->attr.attrs, "attributes: comma-separated names (default all)");
    app->add_option("--weights", st->attr.weights, "attributes: name=w,... weights");
    app->add_option("--compare", st->attr.compare,
                    "attributes: silhouette of every method for k=A..B (e.g. k=2..20)");
    app->add_option("--eps", st->attr.eps, "attributes with --algo dbscan: neighbourhood radius");
    return {
        app, [st]() {
            if (st->features == "attributes") {
                auto a = st->attr;
                a.catalog = st->catalog;
                a.json = st->json;
                a.seed = st->seed;
                if (st->k > 0) a.k = st->k;
                // Identity linkage names select agglomerative clustering of attribute vectors.
                if (st->algo == "kmeans" || st->algo == "dbscan" || st->algo == "gmm") {
                    a.algo = st->algo;
                } else if (st->algo != "average") {
                    a.algo = "agglomerative";
                    a.linkage = st->algo;
                }
                return run_cluster_attributes(a);
            }
            pipeline::PersonClusteringOptions o;
            o.embedding = pipeline::embedding_from_string(st->embedding);
            o.album.algorithm = cluster::album_algorithm_from_string(st->algo);
            o.album.threshold = st->threshold;
            o.album.birth_year_weight = st->birth_year_weight;
            o.album.birth_year_scale = st->birth_year_scale;
            o.album.min_size = st->min_size;
            o.album.min_days = st->min_days;
            o.album.assign_threshold = st->assign_threshold;
            o.album.k = st->k;
            o.album.seed = st->seed;
            o.trust_file_dates = st->trust_file_dates;
            o.dry_run = st->dry_run;
            nlohmann::json params{{"algorithm", st->algo},
                                  {"embedding", st->embedding},
                                  {"threshold", st->threshold},
                                  {"birth_year_weight", st->birth_year_weight},
                                  {"birth_year_scale", st->birth_year_scale},
                                  {"min_size", st->min_size},
                                  {"min_days", st->min_days},
                                  {"seed", st->seed}};
            o.params_json = params.dump();
            auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
            const auto t0 = std::chrono::steady_clock::now();
            const std::clock_t c0 = std::clock();
            const auto r = pipeline::cluster_persons(*cat, o);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
            if (st->json) {
                params = nlohmann::json{
                    {"embedding", st->embedding},
                    {"metric", cluster::to_string(catalog::embedding_kind(st->embedding).metric)},
                    {"threshold", r.threshold},
                    {"birth_year_weight", st->birth_year_weight},
                    {"birth_year_scale", st->birth_year_scale},
                    {"birth_year_term", cluster::is_linkage(o.album.algorithm)
                                            ? (r.dated_items >= 2 ? "on" : "no dated faces")
                                            : "ignored by this algorithm"},
                    {"min_size", st->min_size},
                    {"min_days", st->min_days},
                    {"features", st->features},
                    {"trust_file_dates", st->trust_file_dates},
                    {"seed", st->seed}};
                if (st->k > 0) params["k"] = st->k;
                nlohmann::json j{{"algorithm", st->algo},
                                 {"params", params},
                                 {"persons", r.persons},
                                 {"unsorted", r.unsorted_faces},
                                 {"seconds", seconds},
                                 {"cpu_seconds", cpu},
                                 {"faces", r.faces},
                                 {"items", r.items},
                                 {"tracks", r.tracks},
                                 {"skipped_faces", r.skipped_faces},
                                 {"dated_items", r.dated_items},
                                 {"raw_clusters", r.raw_clusters},
                                 {"cannot_link_splits", r.cannot_link_splits},
                                 {"new_persons", r.new_persons},
                                 {"kept_persons", r.kept_persons},
                                 {"dropped_persons", r.dropped_persons},
                                 {"pinned_faces", r.pinned_faces},
                                 {"not_person_rules", r.not_person_rules},
                                 {"assigned_to_centroid", r.assigned_to_centroid},
                                 {"new_items", r.new_items},
                                 {"dry_run", st->dry_run}};
                if (st->persons_json) {
                    nlohmann::json arr = nlohmann::json::array();
                    summary::SummaryOptions so;
                    so.trust_file_dates = st->trust_file_dates;
                    for (const auto& s : summary::summarize_persons(*cat, so))
                        arr.push_back(person_list_json(s));
                    j["person_list"] = arr;
                }
                std::cout << j.dump(2) << "\n";
            } else {
                std::printf(
                    "%zu faces (%zu items, %zu tracks) -> %zu persons, %zu faces unsorted\n"
                    "algorithm %s on %s, threshold %.4g; %zu kept, %zu new, %zu dropped persons; "
                    "%d cannot-link splits; %.2f s\n",
                    r.faces, r.items, r.tracks, r.persons, r.unsorted_faces, st->algo.c_str(),
                    st->embedding.c_str(), r.threshold, r.kept_persons, r.new_persons,
                    r.dropped_persons, r.cannot_link_splits, seconds);
                if (r.skipped_faces > 0)
                    std::printf("%zu faces without a %s embedding were skipped\n", r.skipped_faces,
                                st->embedding.c_str());
                if (st->dry_run) std::printf("dry run: the catalog was not changed\n");
            }
            return kExitOk;
        }};
}

}  // namespace faceatlas::cli
