// faceatlas eval identification: rank-1 accuracy of a 1-NN classifier with R gallery photos per
// person (persons with more than R photos; the rest are probes), over random splits.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "face_data.h"
#include "faceatlas/analysis/identification.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/labels.h"

namespace faceatlas::cli {
namespace {

struct IdentArgs {
    std::string catalog = "faceatlas.db";
    std::string truth;
    std::string identity_column = "identity";
    std::string per_person = "1,2,3";
    int seeds = 10;
    std::uint64_t seed = 0;
    std::string embedding = "both";
    std::string metric = "euclidean";
    bool json = false;
};

// CSV with `file` and an identity column, or CelebA's identity_CelebA.txt ("file id" lines).
LabelFile read_identities(const IdentArgs& a) {
    if (std::filesystem::path(a.truth).extension() == ".txt") {
        std::ifstream in(a.truth);
        if (!in) throw Error(ErrorCode::kNotFound, "cannot read", a.truth, "check the path");
        LabelFile out;
        out.path = a.truth;
        out.columns = {a.identity_column};
        std::string line;
        std::size_t n = 0;
        while (std::getline(in, line)) {
            ++n;
            std::istringstream ss(line);
            std::string file, id;
            if (!(ss >> file)) continue;
            if (!(ss >> id)) {
                throw Error(ErrorCode::kCorruptData,
                            "line " + std::to_string(n) + " has no identity", a.truth,
                            "write `file identity` per line");
            }
            const auto [it, inserted] = out.by_file.emplace(file, std::vector<std::string>{id});
            if (!inserted && it->second[0] != id) {
                throw Error(ErrorCode::kCorruptData,
                            file + " listed twice with different identities", a.truth);
            }
            if (!inserted) ++out.exact_duplicates;
        }
        return out;
    }
    return read_label_file(a.truth);
}

int run_identification(const IdentArgs& a) {
    analysis::IdentificationOptions o;
    o.gallery_sizes = parse_int_list(a.per_person, "--per-person");
    o.splits = a.seeds;
    o.seed = a.seed;
    o.metric = cluster::metric_from_string(a.metric);
    o.validate();
    std::vector<std::string> embeddings;
    if (a.embedding == "both") {
        embeddings = {"dlib", "faceres"};
    } else {
        (void)embedding_dim(a.embedding);
        embeddings = {a.embedding};
    }
    const LabelFile file = read_identities(a);
    std::size_t col = file.columns.size();
    for (std::size_t c = 0; c < file.columns.size(); ++c) {
        if (file.columns[c] == a.identity_column) col = c;
    }
    if (col == file.columns.size()) {
        throw Error(ErrorCode::kInvalidArgument, "no column '" + a.identity_column + "'", a.truth,
                    "pass --identity-column");
    }
    const CatalogFaces cf = load_catalog_faces(a.catalog, true);
    const LabelledFaces lf = match_labels(cf, file);
    std::vector<std::string> names;
    std::vector<const catalog::FaceRecord*> faces;
    for (std::size_t i = 0; i < lf.face_index.size(); ++i) {
        if (lf.values[i][col].empty()) continue;
        names.push_back(lf.values[i][col]);
        faces.push_back(&cf.faces[lf.face_index[i]]);
    }
    const auto ids = eval::encode_labels(names).ids;
    nlohmann::json results = nlohmann::json::array();
    if (!a.json) {
        std::printf(
            "%zu labelled faces (%zu label rows without a face), %zu identities, %d splits\n",
            faces.size(), lf.unmatched, eval::encode_labels(names).names.size(), a.seeds);
        std::printf("%-8s %4s %8s %8s %8s  %s\n", "embed", "R", "persons", "gallery", "probes",
                    "rank-1 (mean ± std)");
    }
    for (const auto& e : embeddings) {
        const cluster::Matrix x = embedding_matrix(faces, e);
        for (const auto& r : analysis::identification_accuracy(x, ids, o)) {
            const bool ok = r.persons > 0;
            results.push_back({{"embedding", e},
                               {"per_person", r.gallery_per_person},
                               {"persons", r.persons},
                               {"gallery", r.gallery},
                               {"probes", r.probes},
                               {"mean", ok ? nlohmann::json(r.mean) : nlohmann::json()},
                               {"std", ok ? nlohmann::json(r.std) : nlohmann::json()},
                               {"per_split", r.per_split}});
            if (!a.json) {
                if (ok) {
                    std::printf("%-8s %4d %8zu %8zu %8zu  %.4f ± %.4f\n", e.c_str(),
                                r.gallery_per_person, r.persons, r.gallery, r.probes, r.mean,
                                r.std);
                } else {
                    std::printf("%-8s %4d %8zu %8s %8s  - (no person has more than %d photos)\n",
                                e.c_str(), r.gallery_per_person, r.persons, "-", "-",
                                r.gallery_per_person);
                }
            }
        }
    }
    if (a.json) {
        std::cout << nlohmann::json{{"catalog", a.catalog},  {"truth", a.truth},
                                    {"faces", faces.size()}, {"unmatched_label_rows", lf.unmatched},
                                    {"splits", a.seeds},     {"seed", a.seed},
                                    {"metric", a.metric},    {"results", results}}
                         .dump()
                  << "\n";
    }
    return kExitOk;
}

}  // namespace

Command add_eval_identification(CLI::App& eval_parent, GlobalOptions& g) {
    (void)g;
    auto a = std::make_shared<IdentArgs>();
    auto* app = eval_parent.add_subcommand(
        "identification",
        "rank-1 accuracy of 1-NN identification with R gallery photos per person");
    app->add_option("--catalog", a->catalog, "catalog file")->capture_default_str();
    app->add_option("--truth", a->truth, "labels CSV (file, identity) or CelebA identity .txt")
        ->required();
    app->add_option("--identity-column", a->identity_column, "identity column of the CSV")
        ->capture_default_str();
    app->add_option("--per-person", a->per_person, "gallery photos per person, comma-separated")
        ->capture_default_str();
    app->add_option("--seeds", a->seeds, "random splits")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    app->add_option("--seed", a->seed, "first split seed")->capture_default_str();
    app->add_option("--embedding", a->embedding, "dlib, faceres or both")
        ->check(CLI::IsMember({"dlib", "faceres", "both"}))
        ->capture_default_str();
    app->add_option("--metric", a->metric, "euclidean or cosine")
        ->check(CLI::IsMember({"euclidean", "cosine"}))
        ->capture_default_str();
    app->add_flag("--json", a->json, "JSON output");
    return {app, [a]() { return run_identification(*a); }};
}

}  // namespace faceatlas::cli
