// The one "open the catalog or say how to make one" check of the CLI.
#include <filesystem>

#include "cli_common.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cli {

std::unique_ptr<catalog::Catalog> open_catalog(const std::string& path, CatalogAccess access) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error(ErrorCode::kNotFound, "no catalog here", path,
                    "run `faceatlas scan DIR` first or pass --catalog");
    return catalog::open_sqlite_catalog(
        path, catalog::OpenOptions{.read_only = access == CatalogAccess::kReadOnly});
}

}  // namespace faceatlas::cli
