// The report's optional view files (<catalog>.attr_clusters.json, .subdiscrimination.json,
// .eval.json): where they live and how they are written. Formats: docs/REPORT.md; the typed
// structs are in attribute_view.h, subdiscrimination_view.h and eval_view.h.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace faceatlas::analysis {

// "<catalog>.<suffix>", e.g. view_path("a.db", "eval.json") = "a.db.eval.json".
std::filesystem::path view_path(const std::filesystem::path& catalog, const std::string& suffix);

// ensures: `doc` is written to `path` through a temporary file in the same folder that is then
//          renamed over it, so a reader never sees half a file; throws faceatlas::Error (kIo,
//          naming the file) when the folder is not writable.
void write_view_file(const std::filesystem::path& path, const nlohmann::json& doc);

// ensures: the parsed object, or nullopt when the file does not exist, cannot be read or is not
//          a JSON object (callers that update one part of a view start from an empty one).
std::optional<nlohmann::json> read_view_file(const std::filesystem::path& path);

// Current UTC time as ISO 8601 ("2026-12-01T20:00:00Z").
std::string utc_timestamp();

}  // namespace faceatlas::analysis
