// Attribute heads by transfer learning (the CelebA setting of "transfer learning for facial
// attributes"): a frozen face backbone, then Dense 1536 (ReLU) -> BatchNorm -> Dropout 0.3 ->
// Dense (one sigmoid per attribute), trained with cosine proximity (the paper's loss) or binary
// cross-entropy with per-attribute positive weights, AdaDelta or Adam, early stopping on a
// validation split held out by identity. The result is an attr::AttributeModel (BatchNorm and
// the input standardisation folded into the dense layers) that runs without LibTorch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/log.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/train/features.h"

namespace faceatlas::train {

enum class TrainMode { kHead, kFinetune };
enum class LossKind { kCosine, kBce };
enum class OptimizerKind { kAdaDelta, kAdam };

struct TrainOptions {
    TrainMode mode = TrainMode::kHead;
    std::string backbone = attr::kBackboneFaceres;
    LossKind loss = LossKind::kCosine;
    OptimizerKind optimizer = OptimizerKind::kAdaDelta;
    std::vector<std::string> attributes;  // empty = the 37 of default_attribute_names()
    int epochs = 30;                      // at most; early stopping may end sooner
    int batch_size = 64;
    int patience = 5;  // epochs without a better validation loss before stopping
    std::uint64_t seed = 1;
    double val_fraction = 0.2;  // of the images, held out by identity
    double learning_rate = 0;   // 0 = the optimizer's default (AdaDelta 1.0, Adam 1e-3)
    int hidden = 1536;
    double dropout = 0.3;
    int threads = 2;  // LibTorch intra-op threads
    // backbone faceres-blocks: the blocks (vision::AttributeFeatureSpec text form).
    std::string features = "pw13@0.25";
    // Augmentation: this many augmented copies of every image are precomputed (features of the
    // augmented chips); each epoch trains every image on one of its copies or itself, drawn
    // uniformly (seeded). 0 = no augmentation. faceres-blocks only.
    int augment_copies = 0;
    vision::AugmentOptions augment;
    // finetune mode (faceres-blocks with pw13 blocks only): the last `finetune_blocks` faceres
    // blocks train with the head, from cached activations of the layer before them, at
    // `finetune_lr_scale` times the head's learning rate (0 = the suffix stays frozen: head
    // training on the same features, through the same code).
    int finetune_blocks = 1;
    double finetune_lr_scale = 0.1;
    void validate() const;  // throws kInvalidArgument
};

struct EpochReport {
    int epoch = 0;  // 1-based
    int epochs = 0;
    double train_loss = 0;
    double val_loss = 0;
    double val_accuracy = 0;           // mean over attributes, threshold 0.5
    double val_balanced_accuracy = 0;  // mean over attributes, threshold 0.5
    bool improved = false;             // best validation loss so far (these weights are kept)
    double seconds = 0;
};
// Return false to stop training (the best weights so far are kept).
using EpochFn = std::function<bool(const EpochReport&)>;

struct AttributeScore {
    std::string name;
    double positive_rate = 0;      // validation
    double majority_accuracy = 0;  // always predicting the majority class
    double accuracy = 0;           // at the tuned threshold
    double balanced_accuracy = 0;  // at the tuned threshold (majority baseline: 0.5)
    double accuracy_at_half = 0;
    double balanced_accuracy_at_half = 0;
    float threshold = 0.5f;
};

struct TrainResult {
    attr::AttributeModel model;
    std::vector<EpochReport> epochs;
    std::vector<AttributeScore> scores;  // validation, best epoch
    int best_epoch = 0;
    std::size_t train_samples = 0;
    std::size_t val_samples = 0;
    std::size_t train_identities = 0;
    std::size_t val_identities = 0;
    double feature_seconds = 0;
    double train_seconds = 0;
    bool features_from_cache = false;
    std::size_t skipped_images = 0;            // the pipeline failed on them (no usable landmarks)
    std::vector<std::size_t> validation_rows;  // the samples (rows of the training data) held out
    // train_attributes: the names (as in the annotation file) of the validation split's images,
    // so the split can be scored again through the catalog (`eval attributes`).
    std::vector<std::string> validation_files;
    // Means over attributes.
    double mean_accuracy() const;
    double mean_balanced_accuracy() const;
    double mean_accuracy_at_half() const;
    double mean_balanced_accuracy_at_half() const;
    double mean_majority_accuracy() const;
};

// Labelled features: what the head trains on (tests build these directly).
struct LabelledFeatures {
    int dim = 0;
    std::vector<float> x;             // [n, dim]
    std::vector<std::uint8_t> y;      // [n, names.size()], 1 = present
    std::vector<std::int64_t> group;  // [n] identity; the split never cuts a group
    std::vector<std::string> names;   // attribute names
    // Optional augmented copies: [copies][n][dim] (copy 1 .. copies; x is copy 0).
    int copies = 0;
    std::vector<float> x_aug;
    std::size_t size() const { return group.size(); }
};

// True for the samples of the validation split: whole groups, chosen by a seeded shuffle until
// at least `fraction` of the samples are in it.
std::vector<bool> split_by_group(const std::vector<std::int64_t>& group, double fraction,
                                 std::uint64_t seed);

// Trains the head. Throws faceatlas::Error: kCorruptData for an empty training or validation
// split, kUnsupported when an attribute has one class only in the training split.
TrainResult train_head(const LabelledFeatures& data, const std::string& backbone,
                       const TrainOptions& options, const EpochFn& on_epoch = {});

// Activations of the layer before the finetuned suffix, one per sample and chip padding.
struct LabelledActivations {
    const ActivationSet* act = nullptr;
    std::vector<std::size_t> file_of;  // [n] row of act for each sample
    std::vector<std::uint8_t> y;       // [n, names.size()]
    std::vector<std::int64_t> group;   // [n]
    std::vector<std::string> names;
    std::size_t size() const { return file_of.size(); }
};

// Finetunes the last options.finetune_blocks faceres blocks (train::MobileNetSuffix, initialised
// from `faceres_weights`, the faceres model.json) with the head on `spec`'s pw13 blocks (all
// blocks must be pw13; their paddings must be in data.act). The model stores the suffix
// (attr::ConvSuffix) and runs without LibTorch. Errors as train_head, and kInvalidArgument for a
// spec or activation layer that does not fit.
TrainResult train_finetune(const LabelledActivations& data,
                           const vision::AttributeFeatureSpec& spec,
                           const std::filesystem::path& faceres_weights,
                           const TrainOptions& options, const EpochFn& on_epoch = {});

struct DataOptions {
    FeatureOptions features;
};

// The whole command: reads DIR/list_attr_celeba.txt and DIR/identity_CelebA.txt (without it,
// every image is its own identity), computes or loads the features, trains, and returns the
// model (the caller saves it). Errors: kNotFound for a missing file, an image the annotations
// list but DIR lacks, or an attribute the annotations do not have; kCorruptData for malformed rows.
TrainResult train_attributes(const std::filesystem::path& data_dir, const nn::ModelManifest& models,
                             const TrainOptions& options, const DataOptions& data_options,
                             const ProgressFn& feature_progress = {}, const EpochFn& on_epoch = {});

}  // namespace faceatlas::train
