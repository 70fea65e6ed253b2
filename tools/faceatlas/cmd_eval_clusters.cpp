// faceatlas eval clusters: score the catalog's persons against a labels CSV (file, identity).
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "face_data.h"
#include "faceatlas/analysis/eval_view.h"
#include "faceatlas/analysis/view_file.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/truth_match.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/clustering_scores.h"
#include "faceatlas/eval/labels.h"
#include "faceatlas/eval/truth_csv.h"

namespace faceatlas::cli {

Command add_eval_clusters(CLI::App& eval_parent, GlobalOptions& g) {
    (void)g;
    struct State {
        std::string catalog = "faceatlas.db";
        std::string truth;
        std::string identity_column = "identity";
        std::string view;  // default <catalog>.eval.json
        bool no_view = false;
        int max_cases = 10;
        bool json = false;
    };
    auto st = std::make_shared<State>();
    auto* app = eval_parent.add_subcommand("clusters",
                                           "score persons against ground truth (K/C, ARI, AMI, "
                                           "NMI, V-measure, BCubed, pairwise, purity)");
    app->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    app->add_option("--truth", st->truth, "labels CSV with `file` and `identity` columns")
        ->required();
    app->add_option("--identity-column", st->identity_column, "column holding the identity")
        ->capture_default_str();
    app->add_option("--view", st->view,
                    "the report's evaluation view file (default: <catalog>.eval.json)");
    app->add_flag("--no-view", st->no_view, "do not write the view file");
    app->add_option("--max-cases", st->max_cases, "worst merges and splits kept in the view")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app->add_flag("--json", st->json, "JSON output");
    return {app, [st]() {
                auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
                eval::TruthCsvOptions to;
                to.identity_column = st->identity_column;
                to.warn_unknown_columns = false;
                const auto truth = eval::read_truth_csv(st->truth, to);
                for (const auto& w : truth.warnings)
                    std::cerr << "faceatlas: " << st->truth << ":" << w.line << ": " << w.message
                              << "\n";
                // The face each labelled file name means: catalog::faces_by_file_name, the
                // matcher of every eval command (largest face; ambiguous names refused).
                const auto by_name = catalog::faces_by_file_name(*cat, false);
                std::vector<std::string> identities;
                std::vector<int> predicted;
                std::map<std::int64_t, int> dense;
                std::int64_t missing = 0;
                std::vector<analysis::EvalFace> eval_faces;
                for (const auto& item : truth.items) {
                    const catalog::FaceRecord* face = by_name.find(item.file);
                    if (face == nullptr) {
                        ++missing;
                        continue;
                    }
                    identities.push_back(item.identity);
                    eval_faces.push_back({face->id, item.identity, face->person_id});
                    if (face->person_id) {
                        predicted.push_back(
                            dense.emplace(*face->person_id, static_cast<int>(dense.size()))
                                .first->second);
                    } else {
                        predicted.push_back(eval::kUnsorted);
                    }
                }
                if (identities.empty())
                    throw Error(ErrorCode::kNotFound,
                                "none of the " + std::to_string(truth.items.size()) +
                                    " labelled files has a face in the catalog",
                                st->truth,
                                "check that the catalog was scanned from the labelled images");
                const auto s = eval::score_clustering(identities, predicted);
                nlohmann::json j = s;
                j["n_missing"] = missing;
                const std::string view_out =
                    st->view.empty() ? analysis::view_path(st->catalog, "eval.json").string()
                                     : st->view;
                if (!st->no_view) {
                    analysis::EvalViewOptions vo;
                    vo.max_cases = static_cast<std::size_t>(st->max_cases);
                    auto view = analysis::build_eval_view(eval_faces, s, vo);
                    view.created = utc_now();
                    view.catalog = st->catalog;
                    view.truth = st->truth;
                    view.missing = missing;
                    analysis::write_view_file(view_out, view);
                    j["view"] = view_out;
                }
                if (st->json) {
                    std::cout << j.dump(2) << "\n";
                } else {
                    std::printf(
                        "%lld faces scored, %lld labelled files without a face in the catalog, "
                        "%lld unsorted\n",
                        static_cast<long long>(s.n_faces), static_cast<long long>(missing),
                        static_cast<long long>(s.n_unsorted));
                    std::printf("K %lld  C %lld  K/C %.3f\n", static_cast<long long>(s.K),
                                static_cast<long long>(s.C), s.K_over_C);
                    std::printf("ARI %.4f  AMI %.4f  NMI %.4f\n", s.ARI, s.AMI, s.NMI);
                    std::printf("homogeneity %.4f  completeness %.4f  V %.4f\n", s.homogeneity,
                                s.completeness, s.v_measure);
                    std::printf("BCubed  P %.4f  R %.4f  F %.4f\n", s.bcubed_precision,
                                s.bcubed_recall, s.bcubed_f);
                    std::printf("pairwise P %.4f  R %.4f  F %.4f\n", s.pairwise_precision,
                                s.pairwise_recall, s.pairwise_f);
                    std::printf("purity %.4f\n", s.purity);
                    if (!st->no_view) std::printf("saved %s\n", view_out.c_str());
                }
                return kExitOk;
            }};
}

}  // namespace faceatlas::cli
