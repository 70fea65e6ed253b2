// The dlib ResNet-29 face recognition network (face-api `face_recognition` weights): an aligned
// 150x150 RGB face chip -> 128-d identity descriptor. Same person: Euclidean distance < ~0.6.
//
// Input chips should come from vision::extract_chip(image, chip_transform(landmarks, {150,
// 0.25})), i.e. dlib's get_face_chip_details alignment the network was trained with.
//
// One instance is one inference session (cv::dnn::Net is not thread-safe): movable, not
// copyable; load one per thread.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_weights.h"
#include "faceatlas/vision/embedding.h"

namespace faceatlas::vision {

class ModelSet;

class FaceRecognizer {
  public:
    static constexpr int kInputSize = 150;
    static constexpr int kDims = 128;
    // Largest batch handed to the network at once by embed_batch (bounds memory).
    static constexpr int kMaxBatch = 32;

    // Loads manifest entry "face_recognition". Throws faceatlas::Error naming the weights file
    // when it is missing or corrupt.
    static FaceRecognizer load(const nn::ModelManifest& manifest);
    // A session from the parsed weights in `set` (entry "face_recognition"); parses nothing.
    static FaceRecognizer create(const ModelSet& set);

    FaceRecognizer(FaceRecognizer&&) noexcept;
    FaceRecognizer& operator=(FaceRecognizer&&) noexcept;
    FaceRecognizer(const FaceRecognizer&) = delete;
    FaceRecognizer& operator=(const FaceRecognizer&) = delete;
    ~FaceRecognizer();

    // Raw network: `nhwc150` is [n, 150, 150, 3] RGB values 0..255 (float), exactly what face-api
    // hands its net; returns [n, 128] row-major. Requires n >= 1.
    std::vector<float> forward_raw(const float* nhwc150, int n);

    // One 150x150 RGB chip (CV_8UC3 or CV_32FC3, values 0..255). Throws kInvalidArgument for
    // another size or type.
    Embedding embed(const cv::Mat& rgb_chip150);
    // Many chips, run in batches of up to kMaxBatch; result i belongs to chip i.
    std::vector<Embedding> embed_batch(const std::vector<cv::Mat>& rgb_chips150);

  private:
    static FaceRecognizer build(const nn::ModelInfo& info, const nn::WeightMap& weights);
    struct Impl;
    explicit FaceRecognizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::vision
