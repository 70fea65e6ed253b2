#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "cli_common.h"

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
