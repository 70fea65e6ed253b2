// Shared CLI plumbing: model directory resolution and exit codes (0 ok, 1 failure, 2 usage).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace faceatlas::catalog {
class Catalog;
}
namespace faceatlas::pipeline {
struct TagImportResult;
}

namespace faceatlas::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::string models;  // --models; empty = $FACEATLAS_MODELS or the build's models/vendor
    bool quiet = false;
};

std::filesystem::path resolve_model_dir(const GlobalOptions& g);
// The options of every executable (faceatlas, faceatlas-train): --models.
void add_global_options(CLI::App& app, GlobalOptions& g);

enum class CatalogAccess { kReadOnly, kWrite };
// The catalog at `path` (open_catalog.cpp). Throws faceatlas::Error (kNotFound, "no catalog
// here", naming the path and `faceatlas scan DIR` as the fix) when there is none: every command
// but scan, which creates it, opens its catalog here.
std::unique_ptr<catalog::Catalog> open_catalog(const std::string& path, CatalogAccess access);

// Each subcommand registers itself and sets `run` to the action executed after parsing.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// Parses argv and runs the parsed command: the one place that turns errors into "faceatlas: ..."
// on stderr and exit codes (faceatlas::Error kInvalidArgument and parse errors 2, other failures
// 1). Returns kExitUsage when no command was parsed.
int parse_and_run(CLI::App& app, const std::vector<Command>& commands, int argc, char** argv);

// A subcommand several command files add children to (e.g. `person`, `eval`).
inline CLI::App* find_or_add_subcommand(CLI::App& root, const std::string& name,
                                        const std::string& description) {
    for (auto* sub : root.get_subcommands({}))
        if (sub->get_name() == name) return sub;
    auto* sub = root.add_subcommand(name, description);
    sub->require_subcommand(1);
    return sub;
}

Command register_analyze(CLI::App& root, GlobalOptions& g);
Command register_scan(CLI::App& root, GlobalOptions& g);
std::vector<Command> register_catalog_commands(CLI::App& root, GlobalOptions& g);
// `eval` and its sub-subcommands (verification, pairs, ...).
std::vector<Command> register_eval_commands(CLI::App& root, GlobalOptions& g);
// `faceatlas eval attributes`, registered under the `eval` parent command.
Command add_eval_attributes(CLI::App& eval_parent, GlobalOptions& g);
std::vector<Command> register_report_commands(CLI::App& root, GlobalOptions& g);
// `faceatlas export --xmp [--out DIR]` (cmd_report.cpp).
int run_export_xmp(const std::string& catalog, const std::string& out_dir);
std::vector<Command> register_attribute_commands(CLI::App& root, GlobalOptions& g);
#ifdef FACEATLAS_HAVE_TRAIN
// `train` and its subcommands (cmd_train.cpp, linked into faceatlas-train only).
Command register_train(CLI::App& root, GlobalOptions& g);
#endif
// faceatlas-train beside this executable (/proc/self/exe), else on PATH. Throws
// faceatlas::Error (kNotFound) naming the file and the fix when there is none.
std::filesystem::path find_train_executable();
// execv(find_train_executable(), argv): returns only by throwing.
[[noreturn]] void exec_train(int argc, char** argv);
Command register_cluster(CLI::App& root, GlobalOptions& g);
// person name|merge|split|move and face not-person.
std::vector<Command> register_person_commands(CLI::App& root, GlobalOptions& g);
// `eval clusters` under an existing `eval` parent.
Command add_eval_clusters(CLI::App& eval_parent, GlobalOptions& g);

// Attribute clustering (cmd_cluster_attributes.cpp): `faceatlas cluster-attributes`, and the body
// of `faceatlas cluster --features attributes` (cmd_cluster.cpp can add these options to its
// own subcommand with add_cluster_attributes_options and call run_cluster_attributes).
struct ClusterAttributesArgs {
    std::string catalog = "faceatlas.db";
    std::string attrs;    // comma-separated; empty = all
    std::string weights;  // name=w,...
    std::string algo = "kmeans";
    int k = 4;
    double eps = 0.5;
    int min_samples = 5;
    std::string linkage = "ward";
    std::string metric = "euclidean";
    std::uint64_t seed = 0;
    bool raw = false;         // no z-scoring
    std::string compare;      // "k=2..20"
    std::string compare_out;  // old name of --view
    std::string view;         // report view file; default <catalog>.attr_clusters.json
    bool no_view = false;     // do not write the view file
    std::string out;          // face_id,cluster CSV
    bool json = false;
    bool list = false;
};
void add_cluster_attributes_options(CLI::App& app, ClusterAttributesArgs& args);
int run_cluster_attributes(const ClusterAttributesArgs& args);
Command register_cluster_attributes(CLI::App& root, GlobalOptions& g);
// Sub-discrimination (cmd_subdiscriminate.cpp): `subdiscriminate` and `classify`.
std::vector<Command> register_subdiscriminate(CLI::App& root, GlobalOptions& g);
// `faceatlas search IMAGE` (cmd_search.cpp).
Command register_search(CLI::App& root, GlobalOptions& g);
// import-tags, relocate (cmd_library.cpp).
std::vector<Command> register_library_commands(CLI::App& root, GlobalOptions& g);
// What import_face_tags did, as text or one JSON line (import-tags, scan --import-tags).
void print_tag_import(const pipeline::TagImportResult& r, bool json);
// `faceatlas eval identification`, registered under the `eval` parent
// (cmd_eval_identification.cpp).
Command add_eval_identification(CLI::App& eval_parent, GlobalOptions& g);

}  // namespace faceatlas::cli
