#include "cli_common.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "faceatlas/core/error.h"

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

void add_global_options(CLI::App& app, GlobalOptions& g) {
    app.add_option("--models", g.models,
                   "folder of the unpacked model packages (default: $FACEATLAS_MODELS, else "
                   "<prefix>/share/faceatlas/models of an installed package, else the build's "
                   "models/vendor)");
}

int parse_and_run(CLI::App& app, const std::vector<Command>& commands, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitUsage;
    }
    try {
        for (const auto& c : commands)
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

}  // namespace faceatlas::cli
