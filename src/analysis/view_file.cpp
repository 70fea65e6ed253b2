#include "faceatlas/analysis/view_file.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>

#include "faceatlas/core/error.h"

namespace faceatlas::analysis {
namespace fs = std::filesystem;

fs::path view_path(const fs::path& catalog, const std::string& suffix) {
    return fs::path(catalog.string() + "." + suffix);
}

void write_view_file(const fs::path& path, const nlohmann::json& doc) {
    // A per-call suffix keeps two writers of the same view from sharing a temporary file.
    std::random_device rd;
    const fs::path tmp = path.string() + ".tmp" + std::to_string(rd() % 1000000);
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (f) f << doc.dump(1) << "\n";
        f.flush();
        if (!f) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw Error(ErrorCode::kIo, "cannot write the view file", path.string(),
                        "check that the folder is writable, or pass another --view path "
                        "(--no-view to skip it)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error(ErrorCode::kIo, "cannot replace the view file: " + ec.message(), path.string(),
                    "check that the folder is writable, or pass another --view");
    }
}

std::optional<nlohmann::json> read_view_file(const fs::path& path) {
    std::ifstream f(path);
    if (!f) return std::nullopt;
    auto j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string utc_timestamp() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace faceatlas::analysis
