#include "faceatlas/nn/model_manifest.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::nn {

namespace detail {
extern const std::string_view kBuiltinManifestJson;  // generated from models/manifest.json
}  // namespace detail

namespace {

void require_model_dir(const std::filesystem::path& model_dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(model_dir, ec))
        throw Error(ErrorCode::kNotFound, "model directory does not exist", model_dir.string(),
                    "run scripts/fetch_models.sh (or scripts/setup.sh) to download the pinned "
                    "models, or pass --models DIR pointing at the unpacked models/vendor");
}

}  // namespace

ModelManifest ModelManifest::parse(std::string_view json_text, const std::string& source,
                                   const std::filesystem::path& model_dir) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("invalid JSON: ") + e.what(), source,
                    "restore models/manifest.json from git");
    }
    require_model_dir(model_dir);
    ModelManifest m;
    m.model_dir_ = model_dir;
    m.source_ = source;
    try {
        for (const auto& [name, n] : j.at("networks").items()) {
            ModelInfo info;
            info.name = name;
            info.weights = model_dir / n.at("weights").get<std::string>();
            info.format = n.at("format").get<std::string>();
            const auto size = n.at("input_size");
            info.input_width = size.at(0).get<int>();
            info.input_height = size.at(1).get<int>();
            info.color_order = n.value("color_order", "RGB");
            for (int c = 0; c < 3; ++c) {
                info.mean[c] = n.at("mean").at(c).get<float>();
                info.std[c] = n.at("std").at(c).get<float>();
            }
            info.outputs = n.value("outputs", "");
            info.alignment = n.value("alignment", "");
            info.license = n.value("license", "");
            m.models_.emplace(name, std::move(info));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("malformed model manifest: ") + e.what(),
                    source, "restore models/manifest.json from git");
    }
    return m;
}

ModelManifest ModelManifest::load(const std::filesystem::path& manifest_json,
                                  const std::filesystem::path& model_dir) {
    std::ifstream f(manifest_json, std::ios::binary);
    if (!f)
        throw Error(ErrorCode::kNotFound, "model manifest not found", manifest_json.string(),
                    "restore models/manifest.json from git");
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return parse(text, manifest_json.string(), model_dir);
}

ModelManifest ModelManifest::load_default(const std::filesystem::path& model_dir) {
    require_model_dir(model_dir);  // before anything else: the likeliest mistake
    return parse(detail::kBuiltinManifestJson, "models/manifest.json (built in)", model_dir);
}

void ModelInfo::require_input(int width, int height,
                              std::initializer_list<std::string_view> color_orders) const {
    const bool size_ok = input_width == width && input_height == height;
    const bool colour_ok =
        std::find(color_orders.begin(), color_orders.end(), color_order) != color_orders.end();
    if (size_ok && colour_ok) return;
    std::string want = std::to_string(width) + "x" + std::to_string(height);
    for (std::size_t i = 0; i < color_orders.size(); ++i)
        want += std::string(i == 0 ? " " : " or ") + std::string(*(color_orders.begin() + i));
    throw Error(ErrorCode::kCorruptData,
                "model manifest entry '" + name + "' says input " + std::to_string(input_width) +
                    "x" + std::to_string(input_height) + " " + color_order + ", the net needs " +
                    want,
                "models/manifest.json", "restore models/manifest.json from git");
}

const ModelInfo& ModelManifest::get(const std::string& name) const {
    auto it = models_.find(name);
    if (it == models_.end())
        throw Error(ErrorCode::kNotFound, "no network '" + name + "' in the model manifest",
                    source_, "restore models/manifest.json from git");
    if (!std::filesystem::exists(it->second.weights))
        throw Error(
            ErrorCode::kNotFound, "weights of '" + name + "' are missing",
            it->second.weights.string(),
            "run scripts/fetch_models.sh (or scripts/setup.sh) to download the pinned models");
    return it->second;
}

}  // namespace faceatlas::nn
