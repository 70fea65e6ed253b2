// Frozen-backbone features for attribute training: every image goes through the normal
// pipeline (vision::Analyzer with crops = true: landmarks, alignment, the aligned 224 chip for
// faceres and the 150 chip for dlib), and the embeddings are cached in a file keyed by the
// images (names, sizes, mtimes), the backbone and the analyze options, so a second training run
// on the same data skips the networks.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "faceatlas/core/log.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/analyzer.h"
#include "faceatlas/vision/attribute_features.h"

namespace faceatlas::train {

struct FeatureSet {
    std::string backbone;  // attr::kBackboneFaceres or kBackboneDlib
    int dim = 0;
    std::vector<float> values;  // [files, dim] row-major, in the order of the files asked for
    // False where the pipeline failed on the image (unreadable, degenerate landmarks); its row
    // is NaN.
    bool valid(std::size_t i) const {
        return !std::isnan(values[i * static_cast<std::size_t>(dim)]);
    }
};

struct FeatureOptions {
    std::filesystem::path cache_dir;  // empty = no cache
    int threads = 2;                  // Analyzer sessions run in parallel
    vision::AnalyzeOptions analyze = [] {
        vision::AnalyzeOptions a;
        a.crops = true;  // CelebA images are face crops: no detector
        return a;
    }();
    void validate() const;
};

// The folder that holds the images of a CelebA-style data folder: DIR/img_align_celeba,
// DIR/images, else DIR itself.
std::filesystem::path image_folder(const std::filesystem::path& data_dir);

// Features of `files` (paths). Throws faceatlas::Error kNotFound naming the first missing file;
// images the pipeline fails on are marked invalid (FeatureSet::valid). Writing the cache is atomic;
// a corrupt or stale cache is ignored and rebuilt. Both backbones' caches are written in one pass.
FeatureSet load_or_extract_features(const std::vector<std::filesystem::path>& files,
                                    const std::string& backbone, const nn::ModelManifest& models,
                                    const FeatureOptions& options, const ProgressFn& progress = {},
                                    bool* from_cache = nullptr);

// Pooled faceres blocks (vision::AttributeFeatureSpec) of every image, and `copies` augmented
// versions of each (copy c >= 1 drawn with AugmentDraw::draw(augment, seed, image index, c)).
struct BlockFeatures {
    int dim = 0;
    int copies = 0;             // augmented copies per image (0 = none)
    std::vector<float> values;  // [copies + 1][files][dim]; copy 0 is the image itself
    std::size_t files = 0;
    bool valid(std::size_t i) const {
        return !std::isnan(values[i * static_cast<std::size_t>(dim)]);
    }
    const float* row(int copy, std::size_t i) const {
        return values.data() +
               (static_cast<std::size_t>(copy) * files + i) * static_cast<std::size_t>(dim);
    }
};

struct BlockOptions {
    vision::AttributeFeatureSpec spec;
    int copies = 0;
    vision::AugmentOptions augment;
    std::uint64_t seed = 1;  // augmentation draws
    void validate() const;
};

// Landmarks by the landmark net on the whole image (crops = true, crop_padding 0, as the
// analyzer does it), then the spec's chips and blocks. Every (block, copy) is cached in its own
// file; a pass computes every standard block (pw5 pw9 pw11 pw11g2 pw13 pw13g2 feats)
// of the paddings it needs, so later specs at those paddings read the cache only. Images whose
// landmarks cannot be aligned are invalid (NaN rows).
BlockFeatures load_or_extract_blocks(const std::vector<std::filesystem::path>& files,
                                     const BlockOptions& blocks, const nn::ModelManifest& models,
                                     const FeatureOptions& options, const ProgressFn& progress = {},
                                     bool* from_cache = nullptr);

// Raw activations of one faceres layer (what enters a finetuned suffix), one per image and chip
// padding, stored as IEEE half floats to halve the memory (6,000 images x 3 paddings of the pw12
// map, 1024 x 7 x 7, take 1.8 GB).
struct ActivationSet {
    std::string layer;             // pw1 .. pw12
    std::vector<double> paddings;  // chip paddings, one activation per image each
    int channels = 0, height = 0, width = 0;
    std::size_t files = 0;
    std::vector<std::uint16_t> values;  // [paddings][files][channels * height * width], binary16
    std::vector<std::uint8_t> ok;       // [files]: 0 where the landmarks could not be aligned
    std::size_t sample_size() const {
        return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) *
               static_cast<std::size_t>(width);
    }
    const std::uint16_t* row(std::size_t padding_index, std::size_t i) const {
        return values.data() + (padding_index * files + i) * sample_size();
    }
};

// Landmarks as in load_or_extract_blocks, then the aligned 224 chip at every padding and the
// activation of `layer`; cached per (layer, padding) next to the block features. Images whose
// landmarks cannot be aligned have ok = 0 and zero rows.
ActivationSet load_or_extract_activations(
    const std::vector<std::filesystem::path>& files, const std::string& layer,
    const std::vector<double>& paddings, const nn::ModelManifest& models,
    const FeatureOptions& options, const ProgressFn& progress = {}, bool* from_cache = nullptr);

// The cache file for these inputs (exists or not).
std::filesystem::path feature_cache_path(const std::vector<std::filesystem::path>& files,
                                         const std::string& backbone,
                                         const FeatureOptions& options);

}  // namespace faceatlas::train
