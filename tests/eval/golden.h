// Loads the committed scikit-learn/scipy fixtures written by golden/make_golden.py.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace faceatlas::eval::test {

inline nlohmann::json load_golden(const std::string& name) {
    const std::string path = std::string(FACEATLAS_SOURCE_DIR) + "/tests/eval/golden/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("missing golden fixture " + path);
    return nlohmann::json::parse(in).at("cases");
}

// sklearn's value, or true when sklearn raised (stored as "error: ...").
inline bool golden_is_error(const nlohmann::json& v) { return v.is_string(); }

inline constexpr double kGoldenTol = 1e-9;

}  // namespace faceatlas::eval::test
