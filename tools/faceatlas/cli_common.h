// Shared CLI plumbing: model directory resolution and exit codes (0 ok, 1 failure, 2 usage).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace faceatlas::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::string models;  // --models; empty = $FACEATLAS_MODELS or the build's models/vendor
    bool quiet = false;
};

std::filesystem::path resolve_model_dir(const GlobalOptions& g);

// Each subcommand registers itself and sets `run` to the action executed after parsing.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

Command register_analyze(CLI::App& root, GlobalOptions& g);
Command register_scan(CLI::App& root, GlobalOptions& g);
std::vector<Command> register_catalog_commands(CLI::App& root, GlobalOptions& g);
Command register_cluster(CLI::App& root, GlobalOptions& g);
// person name|merge|split|move and face not-person.
std::vector<Command> register_person_commands(CLI::App& root, GlobalOptions& g);
// `eval clusters` under an existing `eval` parent.
Command add_eval_clusters(CLI::App& eval_parent, GlobalOptions& g);

}  // namespace faceatlas::cli
