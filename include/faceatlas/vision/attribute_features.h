// Attribute features from the faceres MobileNet: richer than the 1024-d identity feature. A
// feature vector is a list of blocks; each block is one faceres layer, average-pooled over a
// grid x grid partition of its feature map, computed on the aligned 224 chip of the face at a
// given chip padding (0.25 = the tight chip of the identity feature; larger paddings take in
// hair, hats, neck and shoulders). The spec is stored in an attribute model's preprocessing, and
// training (train::) and inference (scan --attributes, attributes predict) both compute features
// through AttributeFeatureExtractor, so they are the same numbers.
//
// Text form: comma-separated LAYER[gGRID][@PADDING], e.g. "pw13@0.25,pw11g2@0.6". Layers:
// pw1 .. pw13 (output of MobileNet block k, after its ReLU6), feats (the 1024-d ReLU dense layer
// of the age/gender heads; grid 1 only). Defaults: grid 1, padding 0.25. "pw13" with grid 1 at
// padding 0.25 is exactly the catalog's faceres embedding.
//
// Augmentation (training only): a random similarity + shear of the chip around its centre
// (rotation, shift, shear and zoom ranges as in Keras ImageDataGenerator) and a horizontal flip,
// drawn from a seed per (image, copy), so the same seed gives the same pixels.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "faceatlas/attr/conv_suffix.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/align.h"
#include "faceatlas/vision/landmarks.h"

namespace faceatlas::nn {
class GraphDef;
}

namespace faceatlas::vision {

struct FeatureBlock {
    std::string layer = "pw13";
    int grid = 1;
    double padding = 0.25;
    int channels() const;  // throws kInvalidArgument for an unknown layer
    int dim() const { return channels() * grid * grid; }
    std::string to_string() const;
    bool operator==(const FeatureBlock& o) const {
        return layer == o.layer && grid == o.grid && padding == o.padding;
    }
};

struct AttributeFeatureSpec {
    std::vector<FeatureBlock> blocks;

    // Throws kInvalidArgument naming the bad item (unknown layer, grid outside 1..4, a grid on
    // feats, padding outside 0..2, a duplicate, an empty list).
    static AttributeFeatureSpec parse(const std::string& text);
    std::string to_string() const;
    nlohmann::json to_json() const;  // {"blocks": "...text...", "dim": N}
    // Throws kCorruptData when the JSON is not a spec this build reads or its dim disagrees.
    static AttributeFeatureSpec from_json(const nlohmann::json& j);
    void validate() const;
    int dim() const;
    std::vector<double> paddings() const;  // distinct, in order of first use
    // true for the single block pw13@0.25 (grid 1): without a finetuned suffix its features are
    // the analyzer's faceres embedding bit for bit, so a stored embedding can stand in for them.
    bool is_faceres_embedding() const {
        return blocks.size() == 1 && blocks.front() == FeatureBlock{};
    }
};

struct AugmentOptions {
    double rotation_deg = 20;  // uniform in [-r, r]
    double shift = 0.2;        // fraction of the chip side, x and y independently
    double shear = 0.2;        // shear angle in radians, uniform in [-s, s] (Keras: degrees in 2.x)
    double zoom = 0.2;         // scale uniform in [1 - z, 1 + z], x and y independently
    bool flip = true;          // horizontal flip with probability 0.5
    void validate() const;
};

// One drawn augmentation.
struct AugmentDraw {
    double rotation_rad = 0, shift_x = 0, shift_y = 0, shear = 0, zoom_x = 1, zoom_y = 1;
    bool flip = false;
    // Draws from mt19937_64 seeded by (seed, image, copy): independent of threads and order.
    static AugmentDraw draw(const AugmentOptions& options, std::uint64_t seed, std::uint64_t image,
                            std::uint64_t copy);
};

// The chip transform with the augmentation applied in chip coordinates (around the centre).
ChipTransform augmented(const ChipTransform& t, const AugmentDraw& a);

class ModelSet;

class AttributeFeatureExtractor {
  public:
    // A session on the faceres graph parsed in `set` (the one the analyzer uses; parses
    // nothing), with the outputs of `layers` as below.
    static AttributeFeatureExtractor create(const ModelSet& set,
                                            const std::vector<std::string>& layers);
    static AttributeFeatureExtractor create(const ModelSet& set, const AttributeFeatureSpec& spec,
                                            const attr::ConvSuffix* suffix = nullptr);
    // Loads the faceres graph with the intermediate outputs of `layers` (pw1..pw13; feats and
    // the pw13 global pool are always there). Throws like FaceresNet::load.
    static AttributeFeatureExtractor load(const nn::ModelManifest& manifest,
                                          const std::vector<std::string>& layers);
    // The layers `spec` reads (with `suffix`: also the activation entering it).
    static AttributeFeatureExtractor load(const nn::ModelManifest& manifest,
                                          const AttributeFeatureSpec& spec,
                                          const attr::ConvSuffix* suffix = nullptr);
    AttributeFeatureExtractor(AttributeFeatureExtractor&&) noexcept;
    AttributeFeatureExtractor& operator=(AttributeFeatureExtractor&&) noexcept;
    ~AttributeFeatureExtractor();

    // Features of one face: `rgb` the image (CV_8UC3, RGB), `landmarks` in its pixels. With
    // `augment`, every chip is augmented. Throws kAlignmentFailed when the landmarks cannot be
    // aligned (degenerate). With a non-empty `suffix` (a finetuned model), the pw13 blocks come
    // from suffix.forward of the chip's suffix.input_layer() activation; blocks of layers at or
    // after the suffix's first block other than pw13, and feats, are refused (kCorruptData).
    std::vector<float> compute(const cv::Mat& rgb, const std::array<cv::Point2f, 68>& landmarks,
                               const AttributeFeatureSpec& spec,
                               const AugmentDraw* augment = nullptr,
                               const attr::ConvSuffix* suffix = nullptr);
    // The 224 chip(s) the spec reads: one per padding, in paddings() order.
    std::vector<cv::Mat> chips(const cv::Mat& rgb, const std::array<cv::Point2f, 68>& landmarks,
                               const AttributeFeatureSpec& spec,
                               const AugmentDraw* augment = nullptr) const;
    // Features from chips made by chips().
    std::vector<float> compute_from_chips(const std::vector<cv::Mat>& chips,
                                          const AttributeFeatureSpec& spec,
                                          const attr::ConvSuffix* suffix = nullptr);
    // Raw NCHW activation [1, C, H, W] of one layer (pw1..pw13) of the chip: what finetuning
    // caches before the trainable suffix.
    cv::Mat activation(const cv::Mat& chip, const std::string& layer);

  private:
    static AttributeFeatureExtractor build(const nn::GraphDef& graph, nn::ModelInfo info,
                                           const std::vector<std::string>& layers);
    struct Impl;
    explicit AttributeFeatureExtractor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Face-crop landmarks as the analyzer computes them with crops = true and crop_padding 0: the
// landmark net on the whole image as the face box.
Landmarks68 crop_landmarks(LandmarkNet& net, const cv::Mat& rgb);

}  // namespace faceatlas::vision
