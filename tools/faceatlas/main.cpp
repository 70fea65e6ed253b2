#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "cli_common.h"
#include "faceatlas/core/error.h"
#include "faceatlas/version.h"

namespace faceatlas::cli {

// --models, else $FACEATLAS_MODELS, else the models an installed package put beside the binary
// (<prefix>/share/faceatlas/models, found from the executable's own path so a relocated prefix
// works), else the build tree's models/vendor.
std::filesystem::path resolve_model_dir(const GlobalOptions& g) {
    if (!g.models.empty()) return g.models;
    if (const char* env = std::getenv("FACEATLAS_MODELS"); env && *env) return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path() / FACEATLAS_INSTALLED_MODEL_DIR;
        if (std::filesystem::is_directory(installed, ec)) return installed.lexically_normal();
    }
    return FACEATLAS_DEFAULT_MODEL_DIR;
}

}  // namespace faceatlas::cli

int main(int argc, char** argv) {
    using namespace faceatlas::cli;
    CLI::App app{"faceatlas: organize photo and video collections by face"};
    app.set_version_flag("--version", std::string("faceatlas ") + faceatlas::kVersion);
    GlobalOptions g;
    app.add_option("--models", g.models,
                   "folder of the unpacked model packages (default: $FACEATLAS_MODELS, else "
                   "<prefix>/share/faceatlas/models of an installed package, else the build's "
                   "models/vendor)");
    std::vector<Command> commands;
    commands.push_back(register_analyze(app, g));
    commands.push_back(register_scan(app, g));
    for (auto& c : register_catalog_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_eval_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_report_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_attribute_commands(app, g)) commands.push_back(std::move(c));
#ifdef FACEATLAS_HAVE_TRAIN
    commands.push_back(register_train(app, g));
#endif
    commands.push_back(register_cluster(app, g));
    for (auto& c : register_person_commands(app, g)) commands.push_back(std::move(c));
    commands.push_back(register_cluster_attributes(app, g));
    for (auto& c : register_subdiscriminate(app, g)) commands.push_back(std::move(c));
    commands.push_back(register_search(app, g));
    app.require_subcommand(1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitUsage;
    }
    try {
        for (auto& c : commands)
            if (c.app->parsed()) return c.run();
    } catch (const faceatlas::Error& e) {
        std::cerr << "faceatlas: " << e.what() << "\n";
        return e.code() == faceatlas::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "faceatlas: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
