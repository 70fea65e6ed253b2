// JSON helpers shared by the view files (private to analysis/).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::analysis {

template <typename T>
nlohmann::json opt_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

// A missing key or null is nullopt; another type throws json::exception.
template <typename T>
std::optional<T> opt_from_json(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return it->template get<T>();
}

// requires: j["format"] == format and 1 <= j["version"] <= version.
inline void check_format(const nlohmann::json& j, const std::string& format, int version) {
    const std::string f = j.at("format").get<std::string>();
    const int v = j.at("version").get<int>();
    if (f != format)
        throw Error(ErrorCode::kUnsupported, "format is \"" + f + "\", expected \"" + format + "\"",
                    "", "rerun the command that writes this view");
    if (v != version)
        throw Error(ErrorCode::kUnsupported,
                    "version " + std::to_string(v) + " (this faceatlas reads version " +
                        std::to_string(version) + ")",
                    "", "rerun the command that writes this view");
}

}  // namespace faceatlas::analysis
