// faceatlas eval <what>: score a catalog against ground truth.
//   eval verification --catalog DB --pairs pairs.txt [--embedding dlib|faceres] [--truth CSV]
//   [--json] eval pairs --truth labels.csv [--n 600] [--folds 10] [--seed S] --out pairs.txt
// Each sub-subcommand is one add_<name>() below that appends its Command.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli_common.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/catalog/truth_match.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/lfw_pairs.h"
#include "faceatlas/eval/truth_csv.h"
#include "faceatlas/eval/verification.h"

namespace faceatlas::cli {
namespace {

eval::TruthTable read_labels(const std::string& path) {
    eval::TruthCsvOptions o;
    o.warn_unknown_columns = false;
    return eval::read_truth_csv(path, o);
}

void add_verification(CLI::App& parent, std::vector<Command>& out) {
    auto* app = parent.add_subcommand(
        "verification",
        "10-fold verification accuracy, AUC and TAR@FAR of an embedding on LFW-style pairs");
    struct State {
        std::string catalog = "faceatlas.db";
        std::string pairs;
        std::string truth;
        std::string embedding = "dlib";
        int folds = 10;
        bool json = false;
    };
    auto st = std::make_shared<State>();
    app->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    app->add_option("--pairs", st->pairs, "pairs file in LFW pairs.txt layout (see `eval pairs`)")
        ->required();
    app->add_option("--embedding", st->embedding,
                    "dlib (Euclidean distance) or faceres (cosine distance)")
        ->check(CLI::IsMember({"dlib", "faceres"}))
        ->capture_default_str();
    app->add_option(
        "--truth", st->truth,
        "labels CSV (file, identity) mapping pair rows to files when they are not named "
        "<identity>_NNNN.jpg (the rule of `eval pairs`)");
    app->add_option("--folds", st->folds, "folds when the pairs file has no header")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    app->add_flag("--json", st->json, "JSON output");

    out.push_back(
        {app, [st]() {
             const auto pairs = eval::read_lfw_pairs(st->pairs);
             if (pairs.pairs.empty())
                 throw Error(ErrorCode::kCorruptData, "no pairs", st->pairs,
                             "write pairs with `faceatlas eval pairs`");
             std::optional<eval::PairFileIndex> index;
             if (!st->truth.empty()) index.emplace(read_labels(st->truth).items);
             auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
             const auto faces = catalog::faces_by_file_name(*cat, true);
             const auto& emb = catalog::embedding_kind(st->embedding);
             auto embedding_of = [&](const std::string& file) -> const std::vector<float>* {
                 const auto* f = faces.find(file);
                 if (f == nullptr) return nullptr;
                 const auto& e = emb.of(*f);
                 return e.empty() ? nullptr : &e;
             };

             const auto all_folds = pairs.n_folds > 0
                                        ? pairs.folds()
                                        : eval::contiguous_folds(pairs.pairs.size(), st->folds);
             std::vector<double> dist;
             std::vector<bool> same;
             std::vector<int> folds;
             std::size_t missing = 0;
             for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
                 const auto& p = pairs.pairs[i];
                 const auto [f1, f2] = index ? index->files(p)
                                             : std::pair{eval::lfw_file_name(p.name1, p.index1),
                                                         eval::lfw_file_name(p.name2, p.index2)};
                 const auto* a = embedding_of(f1);
                 const auto* b = embedding_of(f2);
                 if (a == nullptr || b == nullptr) {
                     ++missing;
                     continue;
                 }
                 dist.push_back(emb.metric == cluster::Metric::kEuclidean
                                    ? eval::euclidean_distance(*a, *b)
                                    : eval::cosine_distance(*a, *b));
                 same.push_back(p.same);
                 folds.push_back(all_folds[i]);
             }
             // Too few pairs left to score is a data problem, not a usage error.
             const int n_folds = pairs.n_folds > 0 ? pairs.n_folds : st->folds;
             std::vector<std::size_t> per_fold(static_cast<std::size_t>(n_folds), 0);
             std::size_t n_same = 0;
             for (std::size_t i = 0; i < folds.size(); ++i) {
                 ++per_fold[static_cast<std::size_t>(folds[i])];
                 n_same += same[i] ? 1 : 0;
             }
             for (int k = 0; k < n_folds; ++k)
                 if (per_fold[static_cast<std::size_t>(k)] == 0)
                     throw Error(ErrorCode::kNotFound,
                                 "fold " + std::to_string(k + 1) +
                                     " has no pair whose two files are in the catalog (" +
                                     std::to_string(missing) + " of " +
                                     std::to_string(pairs.pairs.size()) + " pairs missing)",
                                 st->catalog,
                                 "scan the images the pairs name (`faceatlas scan --crops DIR`)");
             if (n_same == 0 || n_same == same.size())
                 throw Error(ErrorCode::kNotFound,
                             "the pairs found in the catalog are all of one kind", st->catalog,
                             "scan the images the pairs name");

             const auto kind = eval::ScoreKind::kDistance;
             const auto r = eval::evaluate_verification(dist, same, folds, kind, 1e-3);
             if (st->json) {
                 std::cout << nlohmann::json{{"embedding", st->embedding},
                                             {"accuracy", r.accuracy},
                                             {"accuracy_std", r.accuracy_std},
                                             {"threshold", r.threshold},
                                             {"auc", r.auc},
                                             {"tar_at_far_1e-3", r.tar_at_far},
                                             {"n_pairs", r.n_pairs},
                                             {"n_missing", missing}}
                                  .dump(2)
                           << "\n";
             } else {
                 std::printf("embedding        %s (%s distance)\n", st->embedding.c_str(),
                             emb.metric == cluster::Metric::kEuclidean ? "Euclidean" : "cosine");
                 std::printf("pairs            %zu scored, %zu missing from the catalog\n",
                             r.n_pairs, missing);
                 std::printf("accuracy         %.4f +- %.4f (%d-fold)\n", r.accuracy,
                             r.accuracy_std, n_folds);
                 std::printf(
                     "threshold        %.4f (best on all pairs; same person when distance <= it)\n",
                     r.threshold);
                 std::printf("AUC              %.4f\n", r.auc);
                 std::printf("TAR @ FAR=1e-3   %.4f\n", r.tar_at_far);
             }
             return kExitOk;
         }});
}

void add_pairs(CLI::App& parent, std::vector<Command>& out) {
    auto* app = parent.add_subcommand("pairs",
                                      "draw verification pairs from a labels CSV (half same, half "
                                      "different, seeded) in LFW layout");
    struct State {
        std::string truth, out;
        eval::MakePairsOptions opts;
    };
    auto st = std::make_shared<State>();
    app->add_option("--truth", st->truth, "labels CSV with file and identity columns")->required();
    app->add_option("--n", st->opts.n_pairs, "pairs in total (a multiple of 2 * folds)")
        ->capture_default_str();
    app->add_option("--folds", st->opts.folds, "folds")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    app->add_option("--seed", st->opts.seed, "random seed (the same seed draws the same pairs)")
        ->capture_default_str();
    app->add_option("--out", st->out, "pairs file to write")->required();
    out.push_back({app, [st]() {
                       st->opts.validate();
                       const auto labels = read_labels(st->truth);
                       const auto pairs = eval::make_pairs(labels.items, st->opts);
                       eval::write_lfw_pairs(st->out, pairs);
                       std::printf(
                           "wrote %zu pairs (%d folds of %d same + %d different, seed %llu) from "
                           "%zu files to %s\n",
                           pairs.pairs.size(), pairs.n_folds, pairs.pairs_per_half,
                           pairs.pairs_per_half, static_cast<unsigned long long>(st->opts.seed),
                           labels.items.size(), st->out.c_str());
                       return kExitOk;
                   }});
}

}  // namespace

std::vector<Command> register_eval_commands(CLI::App& root, GlobalOptions& g) {
    auto* eval = root.add_subcommand("eval", "score a catalog against ground truth");
    eval->require_subcommand(1);
    std::vector<Command> cmds;
    add_verification(*eval, cmds);
    add_pairs(*eval, cmds);
    cmds.push_back(add_eval_attributes(*eval, g));
    cmds.push_back(add_eval_clusters(*eval, g));
    cmds.push_back(add_eval_identification(*eval, g));
    return cmds;
}

}  // namespace faceatlas::cli
