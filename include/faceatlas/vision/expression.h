// Facial expression: face-api's FaceExpressionNet (FaceFeatureExtractor backbone + fc 7 +
// softmax) on cv::dnn.
#pragma once

#include <array>
#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "faceatlas/nn/model_manifest.h"

namespace faceatlas::vision {

class ModelSet;

// Softmax probabilities in face-api's order (FACE_EXPRESSION_LABELS).
struct ExpressionScores {
    static constexpr int kCount = 7;
    static constexpr std::array<const char*, kCount> kNames{
        "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};
    std::array<float, kCount> probs{};

    // Index of the most probable expression (the first one on ties).
    int argmax() const;
    const char* name() const { return kNames[static_cast<std::size_t>(argmax())]; }
};

// One ExpressionNet = one inference session (see LandmarkNet): not thread-safe, movable, not
// copyable.
class ExpressionNet {
  public:
    // Loads "face_expression" from the manifest. Throws faceatlas::Error naming the weight file
    // when it is missing or malformed.
    static ExpressionNet load(const nn::ModelManifest& manifest);
    static ExpressionNet load(const nn::ModelInfo& info);
    // A session from the parsed weights in `set` (entry "face_expression"); parses nothing.
    static ExpressionNet create(const ModelSet& set);

    ExpressionNet(ExpressionNet&&) noexcept;
    ExpressionNet& operator=(ExpressionNet&&) noexcept;
    ExpressionNet(const ExpressionNet&) = delete;
    ExpressionNet& operator=(const ExpressionNet&) = delete;
    ~ExpressionNet();

    // The raw net: `nhwc112` holds n RGB images [n, 112, 112, 3], values 0..255. Returns
    // [n, 7] row-major softmax probabilities.
    std::vector<float> forward_raw(const float* nhwc112, int n);

    // face-api's predictExpressions on a face crop (the whole image is the face): padded to a
    // centred black square and resized to 112 (TF bilinear). CV_8UC3 or CV_32FC3 RGB, 0..255.
    // Throws faceatlas::Error (kInvalidArgument) for an empty or wrongly typed image.
    ExpressionScores classify(const cv::Mat& rgb_face_crop);
    // The face `face_box` of `rgb_image`, cropped as LandmarkNet::detect does.
    ExpressionScores classify(const cv::Mat& rgb_image, const cv::Rect2f& face_box);
    std::vector<ExpressionScores> classify_batch(const cv::Mat& rgb_image,
                                                 const std::vector<cv::Rect2f>& face_boxes);

  private:
    struct Impl;
    explicit ExpressionNet(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::vision
