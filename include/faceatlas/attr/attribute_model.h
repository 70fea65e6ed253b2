// A trained attribute model: one file, readable and runnable without LibTorch.
//
// File layout (version 1): line 1 is a JSON header (one line, UTF-8), then the weights as raw
// little-endian float32, tensor after tensor at the offsets the header lists:
//   {"format": "faceatlas-attributes", "version": 1, "backbone": "faceres", "feature_dim": 1024,
//    "preprocessing": {...how features are made...}, "attributes": [{"name", "threshold", ...}],
//    "layers": [{"in", "out", "activation", "weight": offset, "bias": offset}], "training": {...}}
// The head's BatchNorm is folded into the dense layer that follows it at save time, so inference
// is a chain of dense layers: h = act(W h + b); the last layer's activation is the sigmoid.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "faceatlas/attr/conv_suffix.h"

namespace faceatlas::attr {

inline constexpr const char* kAttributeModelFormat = "faceatlas-attributes";
// Version 2 adds the "faceres-blocks" backbone (features described by preprocessing.features);
// version 3 adds a finetuned faceres suffix ("suffix" in the header, weights after the layers'),
// written only for finetuned models. Files of versions 1 and 2 still load.
inline constexpr int kAttributeModelVersion = 3;

// Backbone ids: which embedding the head reads.
inline constexpr const char* kBackboneFaceres = "faceres";  // 1024-d HSE MobileNet feature
inline constexpr const char* kBackboneDlib = "dlib";        // 128-d dlib ResNet descriptor
// Pooled faceres layers (vision::AttributeFeatureSpec, stored as preprocessing.features); the
// size comes from the spec.
inline constexpr const char* kBackboneFaceresBlocks = "faceres-blocks";
// 1024 / 128; 0 for faceres-blocks (size from the spec). Throws kInvalidArgument for an unknown id.
int backbone_dim(const std::string& backbone);

struct AttributeInfo {
    std::string name;
    float threshold = 0.5f;  // probability >= threshold reads as present
    // Validation figures recorded at training time (informational).
    double val_accuracy = 0;
    double val_balanced_accuracy = 0;
    double train_positive_rate = 0;
};

enum class Activation { kNone, kRelu, kSigmoid };

struct DenseLayer {
    int in = 0;
    int out = 0;
    std::vector<float> weight;  // [out, in], row-major
    std::vector<float> bias;    // [out]
    Activation activation = Activation::kNone;
};

struct AttributeModel {
    std::string backbone;
    int feature_dim = 0;
    nlohmann::json preprocessing = nlohmann::json::object();
    nlohmann::json training = nlohmann::json::object();
    std::vector<AttributeInfo> attributes;
    std::vector<DenseLayer> layers;
    // Finetuned faceres blocks (train --mode finetune, faceres-blocks only): the pw13 blocks of
    // preprocessing.features are computed through this suffix from the activation of
    // suffix.input_layer() instead of the shipped weights. Empty for head-mode models.
    ConvSuffix suffix;

    // Shapes chain from feature_dim to attributes.size(); throws kCorruptData otherwise.
    void validate() const;
    int attribute_index(const std::string& name) const;  // -1 when absent
    // `features` is [n, feature_dim] row-major; returns [n, attributes] probabilities.
    std::vector<float> predict(const float* features, std::size_t n) const;
    std::vector<float> predict(const std::vector<float>& features) const {
        return predict(features.data(), features.size() / static_cast<std::size_t>(feature_dim));
    }
};

// Writes to PATH.tmp-<pid> then renames over PATH: a reader never sees half a file.
void save_attribute_model(const AttributeModel& model, const std::filesystem::path& path);

// Throws faceatlas::Error: kNotFound (missing), kUnsupported (another format or a newer
// version), kCorruptData (bad header, truncated weights, inconsistent shapes).
AttributeModel load_attribute_model(const std::filesystem::path& path);

// Like load_attribute_model, and throws kUnsupported unless model.backbone == backbone.
AttributeModel load_attribute_model(const std::filesystem::path& path, const std::string& backbone);

// Atomically replaces `path` with `bytes` (temp file in the same folder, then rename).
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

// Binary classification figures at a threshold (truth 0/1, score compared with >= threshold).
struct BinaryScores {
    double accuracy = 0;
    double balanced_accuracy = 0;  // mean of TPR and TNR; a missing class counts as recall 1
    double tpr = 0;
    double tnr = 0;
};
BinaryScores binary_scores(const std::vector<float>& scores, const std::vector<std::uint8_t>& truth,
                           float threshold);
// The threshold that maximises balanced accuracy (midpoint between adjacent scores; 0.5 when
// one class is missing).
float best_balanced_threshold(const std::vector<float>& scores,
                              const std::vector<std::uint8_t>& truth);

}  // namespace faceatlas::attr
