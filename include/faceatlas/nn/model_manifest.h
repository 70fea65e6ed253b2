// The model manifest (models/manifest.json): the one place that records, per network, its
// weight files, input size, colour order, normalisation, output meaning, alignment and licence.
#pragma once

#include <array>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace faceatlas::nn {

struct ModelInfo {
    std::string name;
    std::filesystem::path weights;  // absolute: model_dir / manifest "weights"
    std::string format;             // "tfjs-layers-weights" | "tfjs-graph-model"
    int input_width = 0;
    int input_height = 0;
    std::string color_order;      // "RGB" or "BGR"
    std::array<float, 3> mean{};  // per channel, in the colour order above
    std::array<float, 3> std{1.f, 1.f, 1.f};
    std::string outputs;
    std::string alignment;
    std::string license;

    // Throws faceatlas::Error (kCorruptData) naming this entry unless it says input
    // `width` x `height` in one of `color_orders`: each net's layer shapes are fixed in code.
    void require_input(int width, int height,
                       std::initializer_list<std::string_view> color_orders = {"RGB"}) const;
};

class ModelManifest {
  public:
    // `manifest_json` is a manifest file (models/manifest.json or an edited copy); `model_dir`
    // is where the packages are unpacked (models/vendor). Throws faceatlas::Error naming the
    // file or directory and the fix.
    static ModelManifest load(const std::filesystem::path& manifest_json,
                              const std::filesystem::path& model_dir);
    // The manifest compiled into the library (models/manifest.json at build time) with the
    // packages unpacked in `model_dir`. Throws faceatlas::Error (kNotFound) naming `model_dir`
    // and saying to run scripts/fetch_models.sh when it does not exist.
    static ModelManifest load_default(const std::filesystem::path& model_dir);
    // Manifest JSON text; `source` names it in errors.
    static ModelManifest parse(std::string_view json_text, const std::string& source,
                               const std::filesystem::path& model_dir);

    const ModelInfo& get(const std::string& name) const;
    const std::map<std::string, ModelInfo>& all() const { return models_; }
    const std::filesystem::path& model_dir() const { return model_dir_; }
    // Where the manifest came from (a path, or the built-in copy), for messages.
    const std::string& source() const { return source_; }

  private:
    std::filesystem::path model_dir_;
    std::string source_;
    std::map<std::string, ModelInfo> models_;
};

}  // namespace faceatlas::nn
