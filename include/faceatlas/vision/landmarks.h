// 68-point face landmarks: face-api's FaceLandmark68Net (FaceFeatureExtractor backbone + fc 136)
// on cv::dnn, with face-api's crop / pad / resize / unshift pipeline.
#pragma once

#include <array>
#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "faceatlas/nn/model_manifest.h"

namespace faceatlas::vision {

class ModelSet;

// The iBUG 300-W 68-point layout, in image pixels. Indices: jaw 0-16, brows 17-26 (17-21 on
// the image's left), nose 27-35, eyes 36-41 (image left) and 42-47 (image right), mouth 48-67.
struct Landmarks68 {
    static constexpr int kCount = 68;
    static constexpr int kJawBegin = 0, kBrowsBegin = 17, kNoseBegin = 27, kLeftEyeBegin = 36,
                         kRightEyeBegin = 42, kMouthBegin = 48;
    std::array<cv::Point2f, kCount> points{};

    // face-api's `alignedRect`: the points' bounding box grown by 20% of its size (10% on each
    // side), the crop face-api's age/gender and expression nets see.
    cv::Rect2f aligned_rect() const;
};

// One LandmarkNet = one inference session: cv::dnn::Net keeps per-call state, so inference
// methods are non-const and an instance must not be shared between threads (load one per
// thread). Movable, not copyable.
class LandmarkNet {
  public:
    // Loads "face_landmark_68" from the manifest. Throws faceatlas::Error naming the weight
    // file when it is missing or malformed.
    static LandmarkNet load(const nn::ModelManifest& manifest);
    static LandmarkNet load(const nn::ModelInfo& info);
    // A session from the parsed weights in `set` (entry "face_landmark_68"); parses nothing.
    static LandmarkNet create(const ModelSet& set);

    LandmarkNet(LandmarkNet&&) noexcept;
    LandmarkNet& operator=(LandmarkNet&&) noexcept;
    LandmarkNet(const LandmarkNet&) = delete;
    LandmarkNet& operator=(const LandmarkNet&) = delete;
    ~LandmarkNet();

    // The raw net: `nhwc112` holds n RGB images [n, 112, 112, 3], values 0..255 (the tensor
    // face-api hands to the net). Returns [n, 136] row-major: (x, y) pairs in 0..1 relative to
    // the 112 x 112 input.
    std::vector<float> forward_raw(const float* nhwc112, int n);

    // face-api's detectLandmarks on extractFaceTensors(image, [face_box]): the box is clipped to
    // the image and floored, the crop padded to a centred black square, resized to 112 (TF
    // bilinear), and the outputs mapped back to `rgb_image` pixels. `rgb_image` is CV_8UC3 or
    // CV_32FC3 RGB (0..255). Throws faceatlas::Error (kInvalidArgument) for an empty or
    // wrongly typed image, or a box that does not overlap the image by at least one pixel.
    Landmarks68 detect(const cv::Mat& rgb_image, const cv::Rect2f& face_box);
    // Same for several faces of one image, batched through the net.
    std::vector<Landmarks68> detect_batch(const cv::Mat& rgb_image,
                                          const std::vector<cv::Rect2f>& face_boxes);

  private:
    struct Impl;
    explicit LandmarkNet(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::vision
