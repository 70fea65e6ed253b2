// The model manifest (models/manifest.json): the one place that records, per network, its
// weight files, input size, colour order, normalisation, output meaning, alignment and licence.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>

namespace faceatlas::nn {

struct ModelInfo {
    std::string name;
    std::filesystem::path weights;  // absolute: model_dir / manifest "weights"
    std::string format;             // "tfjs-layers-weights" | "tfjs-graph-model"
    int input_width = 0;
    int input_height = 0;
    std::string color_order;        // "RGB" or "BGR"
    std::array<float, 3> mean{};    // per channel, in the colour order above
    std::array<float, 3> std{1.f, 1.f, 1.f};
    std::string outputs;
    std::string alignment;
    std::string license;
};

class ModelManifest {
public:
    // `manifest_json` is models/manifest.json; `model_dir` is where the packages are unpacked
    // (models/vendor). Throws faceatlas::Error naming the file and the fix.
    static ModelManifest load(const std::filesystem::path& manifest_json, const std::filesystem::path& model_dir);
    // Finds models/manifest.json and models/vendor from a model dir (models/vendor) or the repo.
    static ModelManifest load_default(const std::filesystem::path& model_dir);

    const ModelInfo& get(const std::string& name) const;
    const std::map<std::string, ModelInfo>& all() const { return models_; }
    const std::filesystem::path& model_dir() const { return model_dir_; }

private:
    std::filesystem::path model_dir_;
    std::map<std::string, ModelInfo> models_;
};

}  // namespace faceatlas::nn
