// Loader for TensorFlow.js weight manifests: the `*-weights_manifest.json` of layers models
// (face-api) and the `weightsManifest` of graph models (human-models `model.json`).
// Validates names, shapes, dtypes and byte counts before any tensor is handed out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace faceatlas::nn {

// One weight tensor, always dequantized to float32 (int32 tensors are converted exactly).
struct WeightTensor {
    std::string name;
    std::vector<int> shape;   // TF layout: conv HWIO, depthwise HWCM, dense [in, out]
    std::string dtype;        // declared dtype: "float32" or "int32"
    std::vector<float> data;  // row-major, product(shape) values

    std::size_t size() const { return data.size(); }
};

class WeightMap {
  public:
    // Loads every shard named by the manifest (paths relative to the manifest's folder).
    // Throws faceatlas::Error naming the file and the fix on any missing, truncated or
    // malformed part.
    static WeightMap load(const std::filesystem::path& manifest_path);

    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    // Throws kCorruptData naming the manifest if missing, or if `expected_shape` is given
    // (non-empty) and differs.
    const WeightTensor& get(const std::string& name,
                            const std::vector<int>& expected_shape = {}) const;
    std::vector<std::string> names() const;
    std::size_t size() const { return tensors_.size(); }
    const std::filesystem::path& source() const { return source_; }

  private:
    std::filesystem::path source_;
    std::map<std::string, WeightTensor> tensors_;
};

std::string shape_to_string(const std::vector<int>& shape);

}  // namespace faceatlas::nn
