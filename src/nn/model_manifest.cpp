#include "faceatlas/nn/model_manifest.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::nn {

ModelManifest ModelManifest::load(const std::filesystem::path& manifest_json, const std::filesystem::path& model_dir) {
    std::ifstream f(manifest_json);
    if (!f)
        throw Error(ErrorCode::kNotFound, "model manifest not found", manifest_json.string(),
                    "run from a faceatlas checkout or pass --models DIR pointing at models/vendor");
    nlohmann::json j;
    try {
        f >> j;
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("invalid JSON: ") + e.what(), manifest_json.string(),
                    "restore models/manifest.json from git");
    }
    if (!std::filesystem::is_directory(model_dir))
        throw Error(ErrorCode::kNotFound, "model directory does not exist", model_dir.string(),
                    "run scripts/fetch_models.sh (or scripts/setup.sh) to download the pinned models");
    ModelManifest m;
    m.model_dir_ = model_dir;
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
                    manifest_json.string(), "restore models/manifest.json from git");
    }
    return m;
}

ModelManifest ModelManifest::load_default(const std::filesystem::path& model_dir) {
    // models/vendor sits next to models/manifest.json.
    return load(model_dir.parent_path() / "manifest.json", model_dir);
}

const ModelInfo& ModelManifest::get(const std::string& name) const {
    auto it = models_.find(name);
    if (it == models_.end())
        throw Error(ErrorCode::kNotFound, "no network '" + name + "' in the model manifest",
                    (model_dir_.parent_path() / "manifest.json").string(), "restore models/manifest.json from git");
    if (!std::filesystem::exists(it->second.weights))
        throw Error(ErrorCode::kNotFound, "weights of '" + name + "' are missing", it->second.weights.string(),
                    "run scripts/fetch_models.sh (or scripts/setup.sh) to download the pinned models");
    return it->second;
}

}  // namespace faceatlas::nn
