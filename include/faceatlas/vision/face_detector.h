// face-api's SSD MobileNetV1 face detector (ssd_mobilenetv1_model) on cv::dnn.
//
// Pipeline, identical to face-api's SsdMobilenetv1.locateFaces / detectAllFaces:
//   RGB image -> zero-pad bottom/right to a square -> tf bilinear resize to 512x512 ->
//   (x / 127.5 - 1) -> MobileNetV1 (13 depthwise/pointwise pairs, relu6) -> 6 SSD heads
//   (32², 16², 8², 4², 2², 1² cells; 3 or 6 anchors per cell = 5118 anchors) ->
//   box decoding against the stored anchors (Output/extra_dim, scale factors 10, 10, 5, 5) and
//   sigmoid face score -> face-api's greedy NMS -> boxes in original-image pixels.
//
// One FaceDetector owns one cv::dnn::Net, which is not thread-safe: use one instance per
// thread (it is movable, not copyable).
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_weights.h"
#include "faceatlas/vision/types.h"

namespace faceatlas::vision {

class ModelSet;

struct Detection {
    Box box;            // original-image pixels (see FaceDetector::detect for clipping)
    float score = 0.f;  // sigmoid face probability, 0..1
};

// Defaults are face-api's SsdMobilenetv1Options (and the IoU threshold it hard-codes).
struct DetectorOptions {
    float min_confidence = 0.5f;  // keep detections scoring strictly above this; in (0, 1)
    int max_results = 100;        // at most this many detections per image; >= 1
    float iou_threshold = 0.5f;   // NMS drops a box overlapping a kept one by IoU > this; [0, 1]

    // Throws faceatlas::Error(kInvalidArgument) naming the bad field.
    void validate() const;
};

// Raw network outputs, the tensors face-api's SsdMobilenetv1.forward returns (for parity).
struct RawOutput {
    int n = 0;
    std::vector<float> boxes;   // [n, kNumAnchors, 4]: ymin, xmin, ymax, xmax, relative to the
                                // padded square input (not clipped)
    std::vector<float> scores;  // [n, kNumAnchors]: face probability

    const float* box(int image, int anchor) const;
    float score(int image, int anchor) const;
};

class FaceDetector {
  public:
    static constexpr int kInputSize = 512;
    static constexpr int kNumAnchors = 5118;

    // Loads the "ssd_mobilenetv1" entry of the manifest. Throws faceatlas::Error naming the
    // weights file when it is missing, truncated or has tensors of the wrong shape.
    static FaceDetector load(const nn::ModelManifest& manifest);
    static FaceDetector load(const nn::ModelInfo& info);
    // A session from the parsed weights in `set` (entry "ssd_mobilenetv1"); parses nothing.
    static FaceDetector create(const ModelSet& set);

    FaceDetector(FaceDetector&&) noexcept;
    FaceDetector& operator=(FaceDetector&&) noexcept;
    FaceDetector(const FaceDetector&) = delete;
    FaceDetector& operator=(const FaceDetector&) = delete;
    ~FaceDetector();

    // Faces in one RGB image (CV_8UC3 or CV_32FC3, values 0..255; any size >= 1x1), sorted by
    // descending score. Boxes are clipped as face-api clips them: to the padded square, so a
    // box may reach past the right or bottom edge of a non-square image by the padding, never
    // past the square. Throws faceatlas::Error on an empty image or a wrong pixel type. Memory
    // use does not grow with the image size beyond the image itself.
    std::vector<Detection> detect(const cv::Mat& rgb_image, const DetectorOptions& options = {});
    // Same for several images, run through the net as one batch.
    std::vector<std::vector<Detection>> detect(const std::vector<cv::Mat>& rgb_images,
                                               const DetectorOptions& options = {});

    // The network on n prepared inputs: NHWC float32 [n, 512, 512, 3], RGB 0..255.
    RawOutput forward(const float* nhwc, int n);

    // The 512x512 CV_32FC3 network input face-api builds from an image (pad + tf resize).
    static cv::Mat prepare(const cv::Mat& rgb_image);

  private:
    static FaceDetector build(const nn::ModelInfo& info, const nn::WeightMap& weights);
    struct Impl;
    explicit FaceDetector(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// face-api's nonMaxSuppression on one image: candidates scoring > score_threshold, by
// descending score (ties keep index order), each kept unless a kept box overlaps it by
// IoU > iou_threshold; at most max_output. boxes are [count, 4] ymin, xmin, ymax, xmax.
// Returns the kept anchor indices in selection order.
std::vector<int> face_api_nms(const float* boxes, const float* scores, int count, int max_output,
                              float iou_threshold, float score_threshold);

}  // namespace faceatlas::vision
